"""Requests and tasks as plain rows for the actions: read under a lock, written back with a
revision check, through statements built once.

Every action reads one task and its request, changes a few columns and writes them back.
ORM objects cost more here than the workflow step itself (identity map, attribute history,
the unit of work's flush); these rows are dataclasses and the writes are Core UPDATEs on
the action's connection. The optimistic lock stays the ORM's: an UPDATE names the revision
it read and bumps it, and an UPDATE that finds a newer revision matched nothing, so the
action fails with ConflictError and its transaction rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection, Update, bindparam, insert, select, update

from approvals.errors import ConflictError, UnknownRequestError
from approvals.process.definitions import DECISION_KINDS
from approvals.store.database import RACE
from approvals.store.models import Request, Task
from approvals.store.orgcharts import latest_version_id


@dataclass(slots=True)
class ListedRequest:
    """A request as list pages show it: every column but the workflow state, which no list
    shows and which is most of a request's bytes."""

    id: int
    org_id: str
    request_type: str
    process_id: str
    process_sha: str
    applicant: str
    status: str
    fields_json: str
    round: int
    revision: int
    orgchart_version: str
    outcome_comment: str
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class RequestRow(ListedRequest):
    """A whole ``requests`` row, the workflow state included; field names are the column names."""

    state: str


@dataclass(slots=True)
class TaskRow:
    """A ``tasks`` row; field names are the column names."""

    id: int
    request_id: int
    round: int
    spiff_id: str | None
    bpmn_id: str
    name: str
    kind: str
    role: str
    principal: str
    assignee: str
    unit_id: str | None
    receiver: str | None
    orgchart_version: str
    is_open: bool
    status: str
    decided_by: str | None
    on_behalf_of: str | None
    comment: str
    result_json: str | None
    due_on: date | None
    urge_count: int
    urged_at: datetime | None
    created_at: datetime
    decided_at: datetime | None
    revision: int
    opened_at: datetime | None = None  # migration 0006: 已阅 and operations' rows
    origin: str | None = None
    origin_by: str | None = None
    origin_task_id: int | None = None


def _columns(row_type: type, table: Any) -> list[Column[Any]]:
    return [table.c[f.name] for f in fields(row_type)]


def _versioned(table: Any) -> Update:
    """An UPDATE of one row at the revision it was read at, bumping it (what ORM's
    ``version_id_col`` does); SET holds the columns named in each call's parameters."""
    return (update(table).where(table.c.id == bindparam("row_id"), table.c.revision == bindparam("row_revision"))
            .values(revision=table.c.revision + 1))


_REQUEST_COLUMNS = _columns(RequestRow, Request.__table__)
LISTED_REQUEST_COLUMNS = _columns(ListedRequest, Request.__table__)
TASK_COLUMNS = _columns(TaskRow, Task.__table__)
_TASK_WIDTH = len(TASK_COLUMNS)

# Built once. FOR UPDATE (PostgreSQL; SQLite already holds the write lock from BEGIN IMMEDIATE):
# a second decision on the same request waits here, then reads the task closed and gets
# ConflictError, instead of racing on row locks later (a deadlock). The request row is locked
# first, by its own statement (see ``task_and_request``).
# The request's current org chart version rides along (the action needs the chart next).
_TASK_AND_REQUEST = (select(*TASK_COLUMNS, *_REQUEST_COLUMNS, latest_version_id(Request.__table__.c.org_id))
                     .join_from(Task, Request, Request.id == Task.request_id)
                     .where(Task.id == bindparam("task_id")).with_for_update(of=[Task, Request]))
_LOCK_REQUEST_OF_TASK = (select(Request.id).where(
    Request.id == select(Task.request_id).where(Task.id == bindparam("task_id")).scalar_subquery()).with_for_update())
_REQUEST = select(*_REQUEST_COLUMNS).where(Request.id == bindparam("request_id"))
_REQUEST_LOCKED = _REQUEST.with_for_update()
_WAITING_DECISIONS = (select(*TASK_COLUMNS)
                      .where(Task.assignee == bindparam("person"), Task.principal == bindparam("person"),
                             Task.is_open.is_(True), Task.kind.in_(DECISION_KINDS))
                      .order_by(Task.id))
_INSERT_REQUEST = insert(Request).returning(Request.id)
_WRITE_REQUEST = _versioned(Request.__table__)
_WRITE_TASK = _versioned(Task.__table__)
# What an action may change on a request; written back together, so one compiled UPDATE serves all.
_MUTABLE = ("status", "fields_json", "state", "round", "orgchart_version", "outcome_comment", "updated_at")


@dataclass(slots=True)
class Opened:
    """What an action on a task reads first, in one round trip."""

    task: TaskRow
    request: RequestRow
    chart_version_id: int | None  # the request's organization's current chart (orgcharts.current)


def task_and_request(conn: Connection, task_id: int) -> Opened | None:
    """The task and its request, both locked until the action ends (None: no such task).

    Row locks are taken request first, then task, as withdraw, return and reject take them
    (they lock the request, then close its open tasks). Locking the task first and then
    waiting for the request is a deadlock on PostgreSQL when a withdrawal and a decision meet.
    SQLite has no row locks: BEGIN IMMEDIATE already serializes writers."""
    if conn.dialect.name != "sqlite":
        conn.execute(_LOCK_REQUEST_OF_TASK, {"task_id": task_id})
    row = conn.execute(_TASK_AND_REQUEST, {"task_id": task_id}).first()
    if row is None:
        return None
    return Opened(TaskRow(*row[:_TASK_WIDTH]), RequestRow(*row[_TASK_WIDTH:-1]), row[-1])


def waiting_decisions(conn: Connection, person: str) -> list[TaskRow]:
    """Open decisions assigned to ``person`` as the post holder (not ones delegated to them)."""
    return [TaskRow(*row) for row in conn.execute(_WAITING_DECISIONS, {"person": person})]


def request(conn: Connection, request_id: int, *, lock: bool) -> RequestRow:
    row = conn.execute(_REQUEST_LOCKED if lock else _REQUEST, {"request_id": request_id}).first()
    if row is None:
        raise UnknownRequestError(request_id)
    return RequestRow(*row)


def insert_request(conn: Connection, req: RequestRow) -> None:
    """Insert a new request (``req.id`` is ignored, then set to the id the database chose)."""
    values = {f.name: getattr(req, f.name) for f in fields(req) if f.name != "id"}
    req.id = conn.execute(_INSERT_REQUEST, values).scalar_one()


def write_request(conn: Connection, req: RequestRow) -> None:
    """Write back every column an action may change, if the revision read is still current."""
    params = {name: getattr(req, name) for name in _MUTABLE}
    _check(conn.execute(_WRITE_REQUEST, {**params, "row_id": req.id, "row_revision": req.revision}).rowcount)
    req.revision += 1


def update_task(conn: Connection, task: TaskRow, **changes: Any) -> None:
    """Set ``changes`` on the task and in its row, if the revision read is still current."""
    for name, value in changes.items():
        setattr(task, name, value)
    _check(conn.execute(_WRITE_TASK, {**changes, "row_id": task.id, "row_revision": task.revision}).rowcount)
    task.revision += 1


def _check(rowcount: int) -> None:
    if rowcount != 1:
        raise ConflictError(RACE)


# Reject, return or withdraw end the round: the decisions still open close unanswered.
# Filings and copies stay open: their receivers still acknowledge them.
_CANCEL_OPEN_DECISIONS = (
    update(Task).where(Task.request_id == bindparam("req_id"), Task.is_open.is_(True),
                       Task.kind.not_in(("file", "copy")))
    .values(is_open=False, status="cancelled", decided_by=None, on_behalf_of=None, comment="",
            decided_at=bindparam("now"), revision=Task.revision + 1))


def cancel_open_decisions(conn: Connection, request_id: int, now: datetime) -> None:
    conn.execute(_CANCEL_OPEN_DECISIONS, {"req_id": request_id, "now": now})


# ---- operations on an open task (approvals/operations) ---------------------------------------

_INSERT_TASK = insert(Task).returning(Task.id)
_ROUND_TASKS = (select(*TASK_COLUMNS)
                .where(Task.request_id == bindparam("req_id"), Task.round == bindparam("req_round"))
                .order_by(Task.id))
_MARK_OPENED = (update(Task).where(Task.id == bindparam("task_id"), Task.assignee == bindparam("person"),
                                   Task.is_open.is_(True), Task.opened_at.is_(None))
                .values(opened_at=bindparam("now")))


def insert_task(conn: Connection, task: TaskRow) -> TaskRow:
    """Insert ``task`` as a new row (its ``id`` is ignored, then set to the one chosen)."""
    values = {f.name: getattr(task, f.name) for f in fields(task) if f.name != "id"}
    task.id = conn.execute(_INSERT_TASK, values).scalar_one()
    return task


def round_tasks(conn: Connection, request_id: int, round_: int) -> list[TaskRow]:
    """Every row of one round of a request, in the order they were made."""
    return [TaskRow(*row) for row in conn.execute(_ROUND_TASKS, {"req_id": request_id, "req_round": round_})]


def mark_opened(conn: Connection, task_id: int, person: str, now: datetime) -> bool:
    """已阅: note the first time the holder opened an open task; False if it was noted before.
    No revision bump: reading a task must not make a decision sent at the same moment conflict."""
    return bool(conn.execute(_MARK_OPENED, {"task_id": task_id, "person": person, "now": now}).rowcount)


_TASK = select(*TASK_COLUMNS).where(Task.id == bindparam("task_id"))


def task(conn: Connection, task_id: int) -> TaskRow | None:
    """One task, read without a lock (pages that offer an operation's choices)."""
    row = conn.execute(_TASK, {"task_id": task_id}).first()
    return TaskRow(*row) if row is not None else None
