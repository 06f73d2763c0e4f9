"""Audit search (person, unit, request type, date range, decision), its CSV export (logged
as a view of personal data), and the hash chain's status (web/inspector/chain.py)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Response, render_template, request, stream_with_context

from approvals.audit import access_log
from approvals.audit import search as audit_search
from approvals.audit.search import AuditQuery, Hit
from approvals.store.models import AuditEntry
from approvals.text import spreadsheet_cell
from web import handovers, labels
from web.engine import engine
from web.i18n import gettext as _
from web.inspector import bp, chain, people
from web.localtime import local, when
from web.presenters import name
from web.users import me

PAGE = 50


def day_field(key: str, problems: list[str]) -> date | None:
    text = request.args.get(key, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(
            _("%(value)s is not a date (YYYY-MM-DD); that filter was left out.", value=text)
        )
        return None


def query_from_args() -> tuple[AuditQuery, list[str]]:
    chart = me().chart
    problems: list[str] = []
    unit = request.args.get("unit", "")
    decision = request.args.get("decision", "")
    return AuditQuery(
        person=request.args.get("person") or None,
        people=chart.members(unit) if unit in chart.units else None,
        request_type=request.args.get("type") or None,
        since=day_field("since", problems),
        until=day_field("until", problems),
        decision=decision if decision in audit_search.DECISIONS else None,
        org_id=chart.id,
        org_people=(*chart.people, *people.former(chart)),  # a sign-in of someone who left since
    ), problems


@bp.get("/")
def index() -> str:
    query, problems = query_from_args()
    page = max(1, request.args.get("page", 1, type=int))
    results = audit_search.search(engine().db, query, limit=PAGE, offset=(page - 1) * PAGE)
    chart = me().chart
    return render_template(
        "inspector/search.html",
        hits=[row(h) for h in results.hits],
        total=results.total,
        page=page,
        per_page=PAGE,
        problems=problems,
        chain=chain.status(check=request.args.get("verify") == "1"),
        chain_words=chain.WORDS,
        chart=chart,
        args=request.args,
        decisions=audit_search.DECISIONS,
        types=list(chart.organization.processes),
        person_choices=people.choices(chart),
    )


def row(hit: Hit) -> dict[str, Any]:
    """One audit entry in words (shared by the page and the CSV)."""
    e = hit.entry
    detail = json.loads(e.detail or "{}")
    return {
        "seq": e.seq,
        "at": when(e.at),
        "actor": e.actor,
        "actor_name": name(e.actor) if e.actor != "system" else _("system"),
        "on_behalf_of": name(e.on_behalf_of) if e.on_behalf_of else "",
        "action": _("Closed: %(name)s decided for the group", name=name(detail["decided_by"]))
        if e.action == "not_needed" and detail.get("decided_by")
        else labels.word(labels.ACTION, e.action),
        "request_id": e.request_id or "",
        "request_type": labels.request_name(hit.request)
        if hit.request
        else "",
        "step": detail.get("step", ""),
        "target": name(
            detail.get("delegate")
            or detail.get("to")
            or detail.get("principal")
            or detail.get("assignee")
            or detail.get("person")  # whose password or account (approvals/identity/credentials.py)
        ),
        "decision": labels.word(labels.DECISION, e.decision) if e.decision else "",
        "comment": _handover(e) if e.action == "reassigned" else e.comment,
        "orgchart_version": (e.orgchart_version or "")[:12],
        "hash": e.hash[:12],
    }


def _handover(e: AuditEntry) -> str:
    """A task that changed hands: 曾由 蒋涛 持有 → 人事变动 → 何平 · 冯洁 调整组织架构：…"""
    moved = handovers.of_entry(e)
    return f"{moved.line} · {moved.why}" if moved.why else moved.line


def _columns() -> list[tuple[str, str]]:
    """(key of row(), CSV header): one list, so headers and values cannot drift apart."""
    return [
        ("seq", _("No.")),
        ("at", _("Time")),
        ("actor", _("User name")),
        ("actor_name", _("Name")),
        ("on_behalf_of", _("On behalf of")),
        ("action", _("Action")),
        ("request_id", _("Request")),
        ("request_type", _("Type")),
        ("step", _("Step")),
        ("target", _("Assigned to")),
        ("decision", _("Decision")),
        ("comment", _("Comment")),
        ("orgchart_version", _("Org chart version")),
        ("hash", _("Entry hash")),
    ]


@bp.get("/export.csv")
def export() -> Response:
    """Every matching entry as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese);
    a cell that would start a formula (=, +, -, @, tab, CR) is prefixed with ' (OWASP)."""
    query, _problems = query_from_args()
    db = engine().db
    access_log.record(db, engine().clock.now(), me().id, me().org_id, None, access_log.INSPECTOR, "export",
                      {k: v for k, v in request.args.items() if v})

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = _columns()
        writer.writerow([label for _key, label in columns])
        yield "\ufeff" + buffer.getvalue()
        for hit in audit_search.export(db, query):
            buffer.seek(0)
            buffer.truncate()
            values = row(hit)
            writer.writerow([spreadsheet_cell(values[key]) for key, _label in columns])
            yield buffer.getvalue()

    stamp = local(engine().clock.now()).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )
