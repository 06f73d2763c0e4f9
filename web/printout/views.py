"""The print page, its PDF, and checking a code from a paper copy."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, render_template, request

from approvals.reports import printable
from web.engine import engine, now
from web.errors import page
from web.i18n import gettext as _
from web.printout import bp, sheet
from web.requestview import build, record_view, visible_request
from web.users import inspector_required, me


def _sheet_html(request_id: int, what: str) -> str:
    view = build(visible_request(request_id))
    record_view(view.req, what, view.tasks)  # a paper copy is a view of personal data too
    return render_template(
        "printout/request.html",
        view=view,
        lines=sheet.lines(view),
        code=sheet.code(view.req.id),
        organization=sheet.organization(view.req.org_id),
        printed_at=now(),
        printed_by=me(),
        css=sheet.css(),
    )


@bp.get("/requests/<int:request_id>/print")
def print_page(request_id: int) -> str:
    return _sheet_html(request_id, "print")


@bp.get("/requests/<int:request_id>/print.pdf")
def print_pdf(request_id: int) -> Response | tuple[str, int]:
    html = _sheet_html(request_id, "pdf")
    try:
        data = printable.pdf(html, base_url=request.host_url)
    except printable.PdfUnavailableError:
        return page(503, _("PDF output is not installed on this server. Use the print page and "
                           "your browser's \"Save as PDF\" instead."))
    filename = _("Approval form #%(id)s", id=request_id) + ".pdf"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"request-{request_id}.pdf\"; "
                               f"filename*=UTF-8''{quote(filename)}"})


@bp.get("/inspect/copy")
@inspector_required
def check_copy() -> str:
    """An inspector types the code printed on a paper copy and learns whether it holds."""
    code = request.args.get("code", "").strip()[:64]
    result = printable.check(engine().db, code, me().org_id) if code else None
    return render_template("printout/check.html", code=code, result=result)
