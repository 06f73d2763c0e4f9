"""Who saw a request's personal data (PIPL art. 51): every view of a request's details by
someone other than its applicant, when, and in what capacity.

Trip destinations, dates, family members and test results are sensitive personal information.
The log is its own append-only table rather than entries in the hash chain: views outnumber
actions many times over, and the chain's cost (one locked head, a walk to verify) should stay
with the decisions it proves. On PostgreSQL a trigger refuses UPDATE, and DELETE of any row
younger than the legal minimum (migration 0004); ``prune`` removes only rows older than the
retention period, which may never be set below 180 days (Cybersecurity Law art. 21).
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select

from approvals.errors import ApprovalsError
from approvals.process.definitions import DECISION_KINDS
from approvals.store.database import Database
from approvals.store.models import AccessLogEntry

RETENTION_ENV = "APPROVALS_AUDIT_RETENTION_DAYS"
MIN_RETENTION_DAYS = 180  # Cybersecurity Law art. 21: network logs kept no less than six months

# Capacities, most specific first: the reason this person could open the request.
APPROVER, PAST_DECIDER, RECEIVER, RECIPIENT, INSPECTOR, ADMIN, OTHER = (
    "approver", "past_decider", "report_receiver", "recipient", "inspector", "admin", "other")
CAPACITIES = (APPROVER, PAST_DECIDER, RECEIVER, RECIPIENT, INSPECTOR, ADMIN, OTHER)


class RetentionError(ApprovalsError):
    """A retention setting below the legal minimum, or not a number."""


def retention_days(env: Mapping[str, str] | None = None) -> int:
    """The configured retention in days (default and minimum 180); refuses a lower value."""
    raw = (os.environ if env is None else env).get(RETENTION_ENV, "").strip()
    if not raw:
        return MIN_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError as exc:
        raise RetentionError(f"{RETENTION_ENV}={raw!r} is not a whole number of days") from exc
    if days < MIN_RETENTION_DAYS:
        raise RetentionError(f"{RETENTION_ENV}={days} is refused: audit records must be kept at least "
                             f"{MIN_RETENTION_DAYS} days (Cybersecurity Law art. 21); set {MIN_RETENTION_DAYS} or more")
    return days


def capacity(person: str, units: Collection[str], tasks: Iterable[Any], *, inspector: bool, admin: bool) -> str:
    """Why ``person`` may see the request, from its steps (``Task`` rows) and their roles."""
    tasks = list(tasks)
    holds = [t for t in tasks if person in (t.assignee, t.principal) or (t.unit_id and t.unit_id in units)]
    if any(t.is_open and t.kind in DECISION_KINDS for t in holds):
        return APPROVER
    if any(t.decided_by == person for t in tasks):
        return PAST_DECIDER
    if any(t.receiver == person for t in tasks):
        return RECEIVER
    if any(t.kind in ("file", "copy") for t in holds):
        return RECIPIENT
    if holds:
        return APPROVER
    if inspector:
        return INSPECTOR
    return ADMIN if admin else OTHER


def record(db: Database, at: datetime, viewer: str, org_id: str, request_id: int | None, capacity: str,
           what: str, detail: Mapping[str, Any] | None = None) -> None:
    with db.writing() as conn:
        conn.execute(insert(AccessLogEntry).values(
            at=at, viewer=viewer, org_id=org_id, request_id=request_id, capacity=capacity, what=what,
            detail=json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True)))


@dataclass(frozen=True)
class AccessQuery:
    org_id: str
    viewer: str | None = None
    request_id: int | None = None
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive


def _where(q: AccessQuery) -> list[Any]:
    clauses: list[Any] = [AccessLogEntry.org_id == q.org_id]
    if q.viewer:
        clauses.append(AccessLogEntry.viewer == q.viewer)
    if q.request_id is not None:
        clauses.append(AccessLogEntry.request_id == q.request_id)
    if q.since:
        clauses.append(AccessLogEntry.at >= datetime.combine(q.since, time.min))
    if q.until:
        clauses.append(AccessLogEntry.at < datetime.combine(q.until + timedelta(days=1), time.min))
    return clauses


def search(db: Database, q: AccessQuery, limit: int = 50, offset: int = 0) -> tuple[list[AccessLogEntry], int]:
    """Matching views, newest first, and how many there are."""
    with db.reading() as s:
        rows = list(s.scalars(select(AccessLogEntry).where(*_where(q))
                              .order_by(AccessLogEntry.id.desc()).limit(limit).offset(offset)))
        total = s.scalar(select(func.count()).select_from(AccessLogEntry).where(*_where(q))) or 0
    return rows, total


def prune(db: Database, now: datetime, days: int, *, dry_run: bool = False) -> int:
    """Delete access-log rows older than ``days`` (never fewer than the legal minimum); returns
    how many were (or, with ``dry_run``, would be) deleted."""
    if days < MIN_RETENTION_DAYS:
        raise RetentionError(f"a retention of {days} days is below the legal minimum of {MIN_RETENTION_DAYS}")
    cutoff = now - timedelta(days=days)
    with db.writing() as conn:
        if dry_run:
            return int(conn.execute(select(func.count()).select_from(AccessLogEntry)
                                    .where(AccessLogEntry.at < cutoff)).scalar() or 0)
        return int(conn.execute(delete(AccessLogEntry).where(AccessLogEntry.at < cutoff)).rowcount or 0)
