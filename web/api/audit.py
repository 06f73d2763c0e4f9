"""For inspectors: the audit search, a request's full trail, and the personal-data access log
(the pages' rules: inspectors only, their own organization only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort
from pydantic import BaseModel, Field

from approvals.audit import access_log
from approvals.audit import search as audit_search
from approvals.audit.access_log import AccessQuery
from approvals.audit.search import AuditQuery
from web import former_people as people
from web.api import convert, schemas
from web.api.blueprint import TAGS, api, needs
from web.engine import engine
from web.requestview import record_view
from web.users import me

TAG = [TAGS["audit"]]


class AuditSearch(schemas.Cursor):
    person: str | None = Field(None, max_length=64)
    type: str | None = Field(None, max_length=64)
    since: date | None = None
    until: date | None = None
    decision: str | None = Field(None, max_length=16)


class AccessSearch(schemas.Cursor):
    person: str | None = Field(None, max_length=64)
    request_id: int | None = Field(None, ge=1, le=2**31 - 1)
    since: date | None = None
    until: date | None = None


class EntryOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    request_id: int | None = None
    task_id: int | None = None
    decision: str | None = None
    comment: str = ""
    on_behalf_of: str | None = None
    detail: str = "{}"


class EntryPage(BaseModel):
    items: list[EntryOut]
    total: int
    next_cursor: str | None = None


class AccessOut(BaseModel):
    at: str
    viewer: str
    request_id: int | None = None
    capacity: str
    what: str


class AccessPage(BaseModel):
    items: list[AccessOut]
    total: int
    next_cursor: str | None = None


def _inspector() -> None:
    if not me().is_inspector:
        abort(403)


def _entry(e: Any) -> dict[str, Any]:
    return {"seq": e.seq, "at": convert.iso(e.at), "actor": e.actor, "action": e.action, "request_id": e.request_id,
            "task_id": e.task_id, "decision": e.decision, "comment": e.comment or "",
            "on_behalf_of": e.on_behalf_of, "detail": e.detail or "{}"}


@api.get("/audit/entries", tags=TAG, responses={200: EntryPage})
@needs("audit:read")
def audit_entries(query: AuditSearch) -> dict[str, Any]:
    """The audit search of the inspector's organization."""
    _inspector()
    chart = me().chart
    q = AuditQuery(person=query.person or None, request_type=query.type or None, since=query.since,
                   until=query.until,
                   decision=query.decision if query.decision in audit_search.DECISIONS else None,
                   org_id=chart.id, org_people=(*chart.people, *people.former(chart)))
    offset = convert.offset_of(query.cursor)
    results = audit_search.search(engine().db, q, limit=query.limit, offset=offset)
    return {"items": [_entry(h.entry) for h in results.hits], "total": results.total,
            "next_cursor": convert.next_cursor(offset, len(results.hits), results.total)}


@api.get("/audit/requests/<int:request_id>/trail", tags=TAG, responses={200: EntryPage})
@needs("audit:read")
def audit_trail(path: schemas.RequestPath) -> dict[str, Any]:
    """A request's whole trail (its organization's inspectors only; others' requests are 404)."""
    _inspector()
    req = engine().queries.request(path.request_id)
    if req.org_id != me().org_id:
        abort(404)
    record_view(req, "trail")
    trail = engine().queries.trail(path.request_id)
    return {"items": [_entry(e) for e in trail], "total": len(trail)}


@api.get("/audit/access-log", tags=TAG, responses={200: AccessPage})
@needs("audit:read")
def access(query: AccessSearch) -> dict[str, Any]:
    """Who saw whose personal data, as what (PIPL)."""
    _inspector()
    offset = convert.offset_of(query.cursor)
    rows, total = access_log.search(engine().db, AccessQuery(org_id=me().org_id, viewer=query.person or None,
                                                             request_id=query.request_id, since=query.since,
                                                             until=query.until), limit=query.limit, offset=offset)
    return {"items": [{"at": convert.iso(r.at), "viewer": r.viewer, "request_id": r.request_id,
                       "capacity": r.capacity, "what": r.what} for r in rows],
            "total": total, "next_cursor": convert.next_cursor(offset, len(rows), total)}
