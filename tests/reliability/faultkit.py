"""Plain helpers for the fault tests: faults injected into real statements, and the checks
that a database left by a crash or a fault is whole (every action all there or not at all)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from SpiffWorkflow.util.task import TaskState  # type: ignore[import-untyped]
from sqlalchemy import event, func, select

from approvals.app import Approvals
from approvals.audit import chain as audit
from approvals.process.definitions import DECISION_KINDS
from approvals.process.engine import Run
from approvals.store.models import AuditEntry, IdempotencyKey, Request, Task

WORKFLOW_KINDS = (*DECISION_KINDS, "report")  # steps the workflow waits on (filings and copies do not hold it)
ENDED_ROUND = ("rejected", "returned", "withdrawn")  # the workflow was cancelled


def lost_connection(app: Approvals) -> Exception:
    """The driver's own error for a connection that died (or a disk that failed) mid-action."""
    if app.db.dialect == "sqlite":
        return sqlite3.OperationalError("disk I/O error")
    import psycopg

    return psycopg.OperationalError("server closed the connection unexpectedly")


@contextmanager
def failing_statement(app: Approvals, nth: int, error: Exception | None = None) -> Iterator[list[str]]:
    """The ``nth`` SQL statement from now (1-based) fails with ``error`` (a lost connection by
    default) before it reaches the database; the statements seen are listed as they run."""
    seen: list[str] = []
    fault = error or lost_connection(app)

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)
        if len(seen) == nth:
            raise fault

    event.listen(app.db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(app.db.engine, "before_cursor_execute", before)


def footprint(app: Approvals) -> dict[str, Any]:
    """What any action changes: row counts and revisions of requests and tasks, the audit trail."""
    with app.db.reading() as s:
        return {
            "requests": tuple(s.execute(select(func.count(), func.coalesce(func.sum(Request.revision), 0))).one()),
            "tasks": tuple(s.execute(select(func.count(), func.coalesce(func.sum(Task.revision), 0))).one()),
            "audit": s.scalar(select(func.count()).select_from(AuditEntry)),
            "keys": s.scalar(select(func.count()).select_from(IdempotencyKey)),
        }


def problems(app: Approvals) -> list[str]:
    """Everything that would show a half-written action: the audit chain broken, an action's
    rows without its audit entry (or the reverse), open tasks that disagree with the workflow."""
    found: list[str] = []
    with app.db.reading() as s:
        verification = audit.verify(s)
        if not verification.ok:
            found.append(f"audit: {verification}")
        entries = {action: n for action, n in s.execute(
            select(AuditEntry.action, func.count()).group_by(AuditEntry.action))}
        submitted = s.scalar(select(func.count()).select_from(Request))
        decided = s.scalar(select(func.count()).select_from(Task).where(
            Task.decided_by.is_not(None), Task.kind.in_(DECISION_KINDS), Task.status != "satisfied"))
        requests = s.execute(select(Request)).scalars().all()
        tasks = s.execute(select(Task)).scalars().all()
    if entries.get("submitted", 0) != submitted:
        found.append(f"{submitted} requests but {entries.get('submitted', 0)} 'submitted' entries")
    if entries.get("decided", 0) != decided:
        found.append(f"{decided} decided tasks but {entries.get('decided', 0)} 'decided' entries")
    for req in requests:
        found += _workflow_mismatch(app, req, [t for t in tasks if t.request_id == req.id])
    return found


def _workflow_mismatch(app: Approvals, req: Request, tasks: list[Task]) -> list[str]:
    open_rows = {t.spiff_id for t in tasks if t.is_open and t.kind in WORKFLOW_KINDS}
    if req.status in ENDED_ROUND:
        return [f"request #{req.id} is {req.status} with open steps"] if open_rows else []
    run = Run.load(app.service.definition_of(req), req.state)
    ready = {str(t.id) for t in run.workflow.get_tasks(state=TaskState.READY, manual=True)}
    if ready != open_rows:
        return [f"request #{req.id}: workflow waits on {sorted(ready)}, open tasks are {sorted(open_rows)}"]
    return []


def finish_all(app: Approvals) -> list[str]:
    """Act on every open step of every request until none is left; returns what could not end."""
    from support import REPORT_A, walk

    for request_id in _unfinished(app):
        walk(app, request_id, REPORT_A)
    return [f"request #{rid} still has open steps" for rid in _unfinished(app)]


def _unfinished(app: Approvals) -> list[int]:
    with app.db.reading() as s:
        return list(s.execute(select(Task.request_id).where(Task.is_open.is_(True)).distinct()).scalars())
