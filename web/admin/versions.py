"""Every saved org chart version, each with its diff to the one before; and acting approvers
named by an admin for anyone (e.g. a leader away without a computer)."""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for

from web.admin import bp
from web.admin.orgchart import diff_lines, org_id
from web.delegations import handle, named
from web.engine import engine


@bp.get("/orgchart/versions")
def versions() -> str:
    org = org_id()
    return render_template("admin/versions.html", org=org, versions=engine().admin.versions(org))


@bp.get("/orgchart/versions/<int:version_id>")
def version(version_id: int) -> str:
    org = org_id()
    history = engine().admin.versions(org)  # newest first
    index = next((i for i, v in enumerate(history) if v.id == version_id), None)
    if index is None:
        abort(404)
    row = history[index]
    before = history[index + 1].source_text if index + 1 < len(history) else ""
    return render_template(
        "admin/version.html",
        org=org,
        row=row,
        diff=diff_lines(before, row.source_text),
        first=index + 1 == len(history),
    )


@bp.route("/delegations", methods=["GET", "POST"])
def delegations() -> str | Response:
    org = org_id()
    chart = engine().orgcharts.current(org)
    principal = request.values.get("principal", "")
    if principal and principal not in chart.people:
        abort(404)
    return handle(  # the engine checks again that the admin administers the principal's org
        chart,
        principal,
        "admin/delegations.html",
        url_for("admin.delegations", org=org),
        named=named(set(chart.people)),
        org=org,
        choose_principal=True,
    )
