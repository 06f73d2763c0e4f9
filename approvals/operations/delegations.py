"""Acting approvers (代理审批): while a delegation is active, new tasks go to the delegate and
decisions are recorded on behalf of the post holder.

Rule 1 holds here too (see ``eligibility``): a delegate is never handed a decision on their
own request. Naming one while such a decision would move to them is refused; a task created
later while the delegation is in force passes over that delegate and stays with the post
holder (or an older delegate still in force)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, Select, String, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from approvals.errors import FieldError, Issue
from approvals.people.eligibility import Waiting
from approvals.process.definitions import DECISION_KINDS
from approvals.store.database import connection_of
from approvals.store.models import Credential, Delegation, Request, Task


def _active(principal: ColumnElement[str], day: ColumnElement[date], applicant: ColumnElement[str]) -> Select[Any]:
    return (select(Delegation.delegate)
            .where(Delegation.principal == principal, Delegation.revoked.is_(False),
                   Delegation.starts_on <= day, Delegation.ends_on >= day,
                   Delegation.delegate != applicant,  # rule 1: never the request's own applicant
                   ~exists().where(Credential.person_id == Delegation.delegate,  # nor anyone who cannot sign in
                                   Credential.disabled.is_(True)))
            .order_by(Delegation.id.desc()).limit(1))


# Built once.
_ACTIVE = _active(bindparam("principal", type_=String), bindparam("day", type_=Date),
                  bindparam("applicant", type_=String))


def delegate_or(principal: ColumnElement[str], day: ColumnElement[date],
                applicant: ColumnElement[str]) -> ColumnElement[str]:
    """SQL for "the delegate acting for ``principal`` on ``day``, else ``principal``": a new task
    picks its assignee inside its own INSERT instead of one query per task before it. A
    delegate who is ``applicant`` (the request's), or whose account was disabled since they
    were named (approvals/operations/signatures.py), is passed over."""
    return func.coalesce(_active(principal, day, applicant).scalar_subquery(), principal)


def active_delegate(db: Session | Connection, principal: str, day: date, applicant: str = "") -> str | None:
    """The delegate acting for ``principal`` on ``day`` on a request by ``applicant``, if any."""
    delegate: str | None = connection_of(db).execute(
        _ACTIVE, {"principal": principal, "day": day, "applicant": applicant}).scalar()
    return delegate


_WAITING = (select(Task.id, Task.request_id, Request.applicant, Task.name, Task.role)
            .join(Request, Request.id == Task.request_id)
            .where(Task.assignee == bindparam("person"), Task.principal == bindparam("person"),
                   Task.is_open.is_(True), Task.kind.in_(DECISION_KINDS))
            .order_by(Task.id))


def waiting(conn: Connection, principal: str) -> list[Waiting]:
    """The decisions a delegation in force would move from ``principal`` (the ones assigned to
    them as post holder, see ``rows.waiting_decisions``), with each request's applicant."""
    return [Waiting(*row) for row in conn.execute(_WAITING, {"person": principal})]


_INSERT = insert(Delegation).returning(Delegation.id)


_OVERLAPPING = (select(Delegation.delegate, Delegation.starts_on, Delegation.ends_on)
                .where(Delegation.principal == bindparam("principal"), Delegation.revoked.is_(False),
                       Delegation.starts_on <= bindparam("ends_on"), Delegation.ends_on >= bindparam("starts_on"))
                .order_by(Delegation.starts_on).limit(1))


def add(conn: Connection, principal: str, delegate: str, starts_on: date, ends_on: date, at: datetime) -> int:
    """Record a delegation; returns its id. Who may be named is ``eligibility.check_delegate``'s call.
    One acting approver at a time: a range overlapping one already named is refused (end that
    one first), so nobody has to guess which of two delegates a task went to."""
    issues = []
    if delegate == principal:
        issues.append(Issue("delegate", delegate, "must be someone other than yourself"))
    if ends_on < starts_on:
        issues.append(Issue("ends_on", ends_on.isoformat(), f"must not be before starts_on {starts_on}"))
    clash = conn.execute(_OVERLAPPING, {"principal": principal, "starts_on": starts_on, "ends_on": ends_on}).first()
    if clash is not None and not issues:
        issues.append(Issue("starts_on", starts_on.isoformat(),
                            f"overlaps the delegation to {clash.delegate} from {clash.starts_on} to {clash.ends_on}; "
                            "end that one first"))
    if issues:
        raise FieldError(issues)
    return int(conn.execute(_INSERT, {"principal": principal, "delegate": delegate, "starts_on": starts_on,
                                      "ends_on": ends_on, "created_at": at, "revoked": False}).scalar_one())


_NOT_OVER = (select(Delegation.id, Delegation.principal, Delegation.delegate)
             .where(Delegation.revoked.is_(False), Delegation.ends_on >= bindparam("day"))
             .order_by(Delegation.id))
_REVOKE = update(Delegation).where(Delegation.id.in_(bindparam("ids", expanding=True))).values(revoked=True)


def revoke_departed(conn: Connection, people: Collection[str], day: date) -> list[tuple[str, str]]:
    """Revoke the delegations of ``people`` (an organization's chart) not yet over whose
    delegate is no longer among them: someone who left, or moved to another organization,
    acts for nobody here. Returns the (principal, delegate) pairs revoked."""
    gone = [(i, p, d) for i, p, d in conn.execute(_NOT_OVER, {"day": day}) if p in people and d not in people]
    if gone:
        conn.execute(_REVOKE, {"ids": [i for i, _, _ in gone]})
    return [(p, d) for _, p, d in gone]


_NAMED = (select(Delegation).where(Delegation.principal.in_(bindparam("principals", expanding=True)),
                                   Delegation.revoked.is_(False), Delegation.ends_on >= bindparam("day"))
          .order_by(Delegation.starts_on, Delegation.id))


def not_over(conn: Connection, principals: Collection[str], day: date) -> list[Any]:
    """Delegations of ``principals`` in force on ``day`` or later: the ones that can be ended."""
    return list(conn.execute(_NAMED, {"principals": list(principals), "day": day}))


_ONE = select(Delegation).where(Delegation.id == bindparam("delegation_id")).with_for_update()
_END = update(Delegation).where(Delegation.id == bindparam("delegation_id")).values(
    revoked=True, ends_on=bindparam("new_end"))
_HANDED = (select(Task.id, Task.request_id, Task.name, Task.role, Task.opened_at)
           .where(Task.principal == bindparam("principal"), Task.assignee == bindparam("delegate"),
                  Task.is_open.is_(True)).order_by(Task.id))
_BACK = (update(Task).where(Task.id.in_(bindparam("ids", expanding=True)))  # an urge does not follow the task
         .values(assignee=bindparam("owner"), urge_count=0, urged_at=None, opened_at=None,  # unread, as handed
                 revision=Task.revision + 1))


def end(conn: Connection, delegation_id: int, today: Callable[[str], date]) -> tuple[Any, list[Any], date]:
    """End a delegation today (one not yet begun is withdrawn) and give the principal back the
    tasks still open with the delegate on their behalf. ``today(principal)``: the day in the
    principal's organization. Returns the row as it was, the tasks moved back and the day it
    ended; LookupError when there is no such delegation in force or to come."""
    row = conn.execute(_ONE, {"delegation_id": delegation_id}).first()
    day = today(row.principal) if row is not None else date.min
    if row is None or row.revoked or row.ends_on < day:
        raise LookupError(delegation_id)
    conn.execute(_END, {"delegation_id": delegation_id, "new_end": min(row.ends_on, max(row.starts_on, day))})
    handed = list(conn.execute(_HANDED, {"principal": row.principal, "delegate": row.delegate}))
    if handed:
        conn.execute(_BACK, {"ids": [t.id for t in handed], "owner": row.principal})
    return row, handed, day
