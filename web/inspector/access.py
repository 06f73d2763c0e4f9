"""Who viewed personal data (PIPL): the access log, searched by viewer, request and dates."""

from __future__ import annotations

import json
from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from approvals.audit import access_log
from approvals.audit.access_log import AccessQuery
from approvals.store.models import AccessLogEntry
from web import messages
from web.engine import engine
from web.inspector import bp, people
from web.inspector.search import day_field
from web.localtime import when
from web.presenters import name
from web.users import me

PAGE = 50
CAPACITY = {
    access_log.APPROVER: _l("approver (holds the step)"),
    access_log.PAST_DECIDER: _l("decided a step earlier"),
    access_log.RECEIVER: _l("receives the return report"),
    access_log.RECIPIENT: _l("filing or copy recipient"),
    access_log.INSPECTOR: _l("inspector"),
    access_log.ADMIN: _l("admin"),
    access_log.OTHER: _l("other"),
    "hr": _l("HR or leadership (statistics)"),
}
WHAT = {
    "request": _l("request page"),
    "task": _l("task page"),
    "attachment": _l("attachment"),
    "trail": _l("audit trail of the request"),
    "export": _l("audit export (CSV)"),
    "print": _l("print view of the request"),
    "pdf": _l("PDF of the request"),
    "statistics": _l("HR statistics"),
}


def _row(e: AccessLogEntry) -> dict[str, Any]:
    detail = json.loads(e.detail or "{}")
    return {
        "at": when(e.at),
        "viewer": e.viewer,
        "viewer_name": name(e.viewer),
        "request_id": e.request_id,
        "capacity": CAPACITY.get(e.capacity, e.capacity),
        "what": WHAT.get(e.what, e.what),
        "detail": ", ".join(f"{k}={v}" for k, v in sorted(detail.items())),
    }


@bp.get("/access")
def access() -> str:
    problems: list[str] = []
    request_id = request.args.get("request", "").strip().lstrip("#")
    query = AccessQuery(
        org_id=me().org_id,
        viewer=request.args.get("person") or None,
        request_id=int(request_id) if request_id.isdigit() else None,
        since=day_field("since", problems),
        until=day_field("until", problems),
    )
    page = max(1, request.args.get("page", 1, type=int))
    rows, total = access_log.search(engine().db, query, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template(
        "inspector/access.html",
        rows=[_row(e) for e in rows],
        total=total,
        page=page,
        per_page=PAGE,
        problems=problems,
        chart=me().chart,
        person_choices=people.choices(me().chart),
        args=request.args,
        retention=_retention(problems),
    )


def _retention(problems: list[str]) -> int:
    try:
        return access_log.retention_days()
    except access_log.RetentionError as exc:  # shown, not a 500: prune refuses to run until it is fixed
        problems.append(messages.explain(exc))
        return access_log.MIN_RETENTION_DAYS
