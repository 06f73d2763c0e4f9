"""The one-transaction action helper that the service and every operation share, and what an
operation needs from whoever runs it (``Host``: the ``ApprovalService`` is one).

An action opens its transaction here (a form's idempotency key, when the caller claimed one,
is its first write: store/idempotency.py), opens its task (request locked first; a closed
task is a ConflictError naming who closed it and when), reads the chart in force and checks
that the actor may act. Nothing here knows the service: it sits beneath it, so the service
and the operations both import it and neither imports the other's insides.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from approvals.audit.chain import Entry
from approvals.clock import Clock
from approvals.errors import ConflictError, NotPermittedError, UnknownTaskError
from approvals.notifications.outbox import Outbox
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import may_act
from approvals.process.definitions import ProcessDefinition
from approvals.process.engine import Run
from approvals.store import idempotency, rows
from approvals.store.database import Database
from approvals.store.orgcharts import DatabaseOrgChartSource
from approvals.store.rows import Opened, RequestRow, TaskRow


class Versioned(Protocol):
    """A request as far as its process version goes (an ORM ``Request`` or a ``RequestRow``)."""

    @property
    def process_id(self) -> str: ...

    @property
    def process_sha(self) -> str: ...


class Host(Protocol):
    """What an operation uses of whoever runs it: the database, the clock, the charts in force
    and the process version a request started on. ``ApprovalService`` is one."""

    db: Database
    clock: Clock
    orgcharts: DatabaseOrgChartSource
    stored_versions: set[str]  # process versions known to be in the database (submit stores new ones)

    def definition_of(self, req: Versioned) -> ProcessDefinition: ...


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def transaction(host: Host) -> AbstractContextManager[Connection]:
    """The action's transaction; a form's idempotency key, when the caller claimed one,
    is its first write (store/idempotency.py)."""
    return idempotency.action(host.db.writing(), host.clock)


def open_task(conn: Connection, task_id: int) -> Opened:
    opened = rows.task_and_request(conn, task_id)
    if opened is None:
        raise UnknownTaskError(task_id)
    task = opened.task
    if not task.is_open:
        who = f" by {task.decided_by}" if task.decided_by else ""
        when = f" at {task.decided_at:%Y-%m-%d %H:%M}" if task.decided_at else ""
        raise ConflictError(f"task #{task.id} ({task.name}) was already {task.status}{who}{when}")
    return opened


def chart_of(host: Host, conn: Connection, opened: Opened) -> OrgChart:
    return host.orgcharts.current(opened.request.org_id, session=conn, latest=opened.chart_version_id)


def check_may_act(chart: OrgChart, actor: str, task: TaskRow) -> None:
    if actor in (task.assignee, task.principal) or may_act(chart, actor, task.assignee, task.unit_id):
        return
    raise NotPermittedError(f"task #{task.id} ({task.name}) is assigned to {task.assignee}, not {actor}")


def close(conn: Connection, task: TaskRow, status: str, actor: str | None, behalf: str | None, comment: str,
          now: datetime, **extra: Any) -> None:
    rows.update_task(conn, task, is_open=False, status=status, decided_by=actor, on_behalf_of=behalf,
                     comment=comment, decided_at=now, **extra)


def end_round(conn: Connection, req: RequestRow, run: Run, status: str, actor: str, comment: str,
              now: datetime, out: Outbox) -> None:
    """Reject, return or withdraw: the workflow stops and open decision steps close."""
    run.cancel()
    rows.cancel_open_decisions(conn, req.id, now)
    req.status, req.outcome_comment = status, comment
    if status == "withdrawn":
        out.record(Entry(actor, "withdrawn", req.id))
    if status != "returned":
        out.signal("completed", request_id=req.id, status=status)
