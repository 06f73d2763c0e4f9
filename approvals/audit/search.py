"""Read-only search over the audit trail, for discipline inspectors (the UI and exports).

Filters combine with AND: a person (who acted, on whose behalf, or whose request it was), a
set of people (a unit's members, same three ways), the request type, a date range and the
decision. Results are newest first; ``export`` walks every match in batches so a CSV of a
long trail never holds it all in memory. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from approvals.store.database import Database
from approvals.store.models import AuditEntry, OrgChartVersion, Request

DECISIONS = ("approve", "reject", "return")


@dataclass(frozen=True)
class AuditQuery:
    person: str | None = None
    people: Collection[str] | None = None  # e.g. the members of a unit; empty matches nothing
    request_type: str | None = None
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive
    decision: str | None = None
    actions: Collection[str] = field(default_factory=tuple)
    org_id: str | None = None  # entries of this organization's requests, and its request-less ones
    org_people: Collection[str] = ()  # with org_id: whose request-less entries (sign-ins...) belong to it


@dataclass(frozen=True)
class Hit:
    entry: AuditEntry
    request: Request | None


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int


def _involving(ids: Collection[str]) -> Any:
    return or_(
        AuditEntry.actor.in_(ids), AuditEntry.on_behalf_of.in_(ids), Request.applicant.in_(ids)
    )


def _where(q: AuditQuery) -> list[Any]:
    clauses: list[Any] = []
    if q.person:
        clauses.append(_involving([q.person]))
    if q.people is not None:
        clauses.append(_involving(list(q.people)))
    if q.request_type:
        clauses.append(Request.request_type == q.request_type)
    if q.since:
        clauses.append(AuditEntry.at >= datetime.combine(q.since, time.min))
    if q.until:
        clauses.append(AuditEntry.at < datetime.combine(q.until + timedelta(days=1), time.min))
    if q.decision:
        clauses.append(AuditEntry.decision == q.decision)
    if q.actions:
        clauses.append(AuditEntry.action.in_(list(q.actions)))
    if q.org_id:
        clauses.append(or_(Request.org_id == q.org_id, _organization_entry(q)))
    return clauses


def _organization_entry(q: AuditQuery) -> Any:
    """A request-less entry (a chart saved, a delegation, a sign-in, a password changed) is the
    organization's when it was recorded against one of its chart versions or made by one of its
    people: an inspector never reads another organization's sign-ins."""
    versions = select(OrgChartVersion.version).where(OrgChartVersion.org_id == q.org_id)
    people = list(q.org_people)
    return and_(AuditEntry.request_id.is_(None),
                or_(AuditEntry.orgchart_version.in_(versions), AuditEntry.actor.in_(people),
                    AuditEntry.on_behalf_of.in_(people)))


def _select(q: AuditQuery) -> Select[Any]:
    return (
        select(AuditEntry, Request)
        .outerjoin(Request, Request.id == AuditEntry.request_id)
        .where(*_where(q))
    )


def search(db: Database, q: AuditQuery, limit: int = 50, offset: int = 0) -> Results:
    with db.reading() as s:
        rows = s.execute(
            _select(q).order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)
        ).all()
        count = (
            select(func.count())
            .select_from(AuditEntry)
            .outerjoin(Request, Request.id == AuditEntry.request_id)
            .where(*_where(q))
        )
        total = s.scalar(count) or 0
        return Results([Hit(e, r) for e, r in rows], total)


def export(db: Database, q: AuditQuery, batch: int = 1000) -> Iterator[Hit]:
    """Every match, newest first, fetched ``batch`` rows at a time (keyset on seq)."""
    before: int | None = None
    while True:
        query = _select(q).order_by(AuditEntry.seq.desc()).limit(batch)
        if before is not None:
            query = query.where(AuditEntry.seq < before)
        with db.reading() as s:
            rows = s.execute(query).all()
        if not rows:
            return
        for e, r in rows:
            yield Hit(e, r)
        before = rows[-1][0].seq

