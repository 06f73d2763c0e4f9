"""A request's full audit trail, with the org chart version that chose each approver, and
those versions' text (read-only) so an inspector can check who held which post then."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template

from approvals.audit import search as audit_search
from web.engine import engine
from web.inspector import bp
from web.inspector.search import row
from web.requestview import build, record_view
from web.users import me


def version_labels(org_id: str) -> dict[str, dict[str, Any]]:
    """version hash -> its number (1 = first saved), when and by whom it was saved."""
    history = list(reversed(engine().orgcharts.history(org_id)))
    labels: dict[str, dict[str, Any]] = {}
    for number, v in enumerate(history, 1):
        labels.setdefault(
            v.version, {"number": number, "at": v.created_at, "by": v.created_by, "id": v.id}
        )
    return labels


@bp.get("/requests/<int:request_id>")
def request_trail(request_id: int) -> str:
    req = engine().queries.request(request_id)
    if req.org_id != me().org_id:
        abort(404)  # inspectors inspect their own organization
    view = build(req)
    record_view(req, "trail", view.tasks)
    trail = engine().queries.trail(request_id)
    hits = [row(audit_search.Hit(e, req)) for e in trail]
    for hit, entry in zip(hits, trail, strict=True):
        hit["full_version"] = entry.orgchart_version or ""
    return render_template(
        "inspector/request.html", view=view, hits=hits, versions=version_labels(req.org_id)
    )


@bp.get("/orgcharts/<org_id>/<version>")
def orgchart_version(org_id: str, version: str) -> str:
    if org_id != me().org_id:
        abort(404)
    rows = [v for v in engine().orgcharts.history(org_id) if v.version == version]
    if not rows:
        abort(404)
    return render_template(
        "inspector/orgchart_version.html",
        row=rows[-1],
        org=org_id,
        number=version_labels(org_id)[version]["number"],
    )
