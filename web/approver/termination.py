"""终止 from anywhere an administrator is: a page taking a request number and a reason (an
administrator usually holds no step of the request, so cannot reach it from a task page).
The engine checks the rights again: administrator of the request's organization, not its
applicant (approvals/operations/terminate.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from approvals.errors import ApprovalsError, FieldError, UnknownRequestError
from web import messages
from web.approver import bp
from web.engine import engine
from web.i18n import gettext as _
from web.users import me, offices


def _page(errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("approver/terminate.html", errors=errors or {}, values=request.form), status


@bp.route("/terminate", methods=["GET", "POST"])
def terminate_request() -> Response | tuple[str, int]:
    if not me().is_admin:
        abort(403)
    if request.method == "GET":
        return _page()
    raw = request.form.get("request_id", "").strip().lstrip("#")
    if not raw.isdigit():
        return _page({"request_id": _("Enter the request number, e.g. 1024.")}, 400)
    try:
        engine().service.terminate(int(raw), me().id, request.form.get("reason", ""), offices())
    except FieldError as exc:
        return _page(messages.field_errors(exc), 400)
    except UnknownRequestError:
        return _page({"request_id": _("There is no request #%(id)s.", id=raw)}, 400)
    except ApprovalsError as exc:
        return _page({"request_id": messages.explain(exc)}, 400)
    flash(_("Request #%(id)s was terminated.", id=raw), "success")
    return redirect(url_for("approver.terminate_request"))
