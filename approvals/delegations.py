"""Acting approvers (代理审批): while a delegation is active, new tasks go to the delegate and
decisions are recorded on behalf of the post holder."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, Select, String, bindparam, func, insert, select
from sqlalchemy.orm import Session

from approvals.errors import FieldError, Issue
from approvals.store.database import connection_of
from approvals.store.models import Delegation


def _active(principal: ColumnElement[str], day: ColumnElement[date]) -> Select[Any]:
    return (select(Delegation.delegate)
            .where(Delegation.principal == principal, Delegation.revoked.is_(False),
                   Delegation.starts_on <= day, Delegation.ends_on >= day)
            .order_by(Delegation.id.desc()).limit(1))


_ACTIVE = _active(bindparam("principal", type_=String), bindparam("day", type_=Date))  # built once


def delegate_or(principal: ColumnElement[str], day: ColumnElement[date]) -> ColumnElement[str]:
    """SQL for "the delegate acting for ``principal`` on ``day``, else ``principal``": a new task
    picks its assignee inside its own INSERT instead of one query per task before it."""
    return func.coalesce(_active(principal, day).scalar_subquery(), principal)


def active_delegate(db: Session | Connection, principal: str, day: date) -> str | None:
    delegate: str | None = connection_of(db).execute(_ACTIVE, {"principal": principal, "day": day}).scalar()
    return delegate


_INSERT = insert(Delegation).returning(Delegation.id)


def add(conn: Connection, principal: str, delegate: str, starts_on: date, ends_on: date, at: datetime) -> int:
    """Record a delegation; returns its id."""
    issues = []
    if delegate == principal:
        issues.append(Issue("delegate", delegate, "must be someone other than yourself"))
    if ends_on < starts_on:
        issues.append(Issue("ends_on", ends_on.isoformat(), f"must not be before starts_on {starts_on}"))
    if issues:
        raise FieldError(issues)
    return int(conn.execute(_INSERT, {"principal": principal, "delegate": delegate, "starts_on": starts_on,
                                      "ends_on": ends_on, "created_at": at, "revoked": False}).scalar_one())
