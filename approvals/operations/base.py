"""The one transaction every operation runs in, and the checks they share.

``on_task`` opens the task and its request the way ``decide`` does (request locked first,
then the task; a closed task is a ConflictError naming who closed it), reads the chart in
force, and hands the operation an ``Action``; its Outbox is written last in the
transaction and sent after the commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from approvals import text
from approvals.audit.chain import Entry
from approvals.errors import FieldError, InvalidStateError, Issue
from approvals.notifications.outbox import Outbox
from approvals.operations import signatures
from approvals.operations.action import Host, chart_of, check_may_act, open_task, transaction
from approvals.people import eligibility
from approvals.people.offices import Offices
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import is_group_role
from approvals.process.definitions import DECISION_KINDS
from approvals.process.engine import Run
from approvals.store import rows
from approvals.store.rows import RequestRow, TaskRow

ADDED = ("before", "after")  # 加签 rows: a person's opinion outside the route's graph
LIVE_REQUEST = ("pending", "approved")


@dataclass
class Action:
    """What an operation works on, inside its transaction."""

    service: Host
    conn: Connection
    request: RequestRow
    chart: OrgChart
    out: Outbox
    now: datetime
    task: TaskRow | None = None

    @property
    def the_task(self) -> TaskRow:
        assert self.task is not None
        return self.task


@contextmanager
def on_task(service: Host, task_id: int, *, queued_too: bool = False) -> Iterator[Action]:
    """One transaction on an open task (ConflictError if it closed in the meantime);
    ``queued_too``: or on a 后加签 row still waiting for the holder (减签 removes those)."""
    out = Outbox()
    now = service.clock.now()
    with transaction(service) as conn:
        opened = rows.task_and_request(conn, task_id)
        if opened is None or not (opened.task.is_open or (queued_too and opened.task.status == "queued")):
            opened = open_task(conn, task_id)  # raises, naming who closed it and when
        chart = chart_of(service, conn, opened)
        out.org = opened.request.org_id
        yield Action(service, conn, opened.request, chart, out, now, opened.task)
        out.write(conn, now)
    out.send(service)


@contextmanager
def on_request(service: Host, request_id: int) -> Iterator[Action]:
    """One transaction on a request, locked for the whole of it."""
    out = Outbox()
    now = service.clock.now()
    with transaction(service) as conn:
        req = rows.request(conn, request_id, lock=True)
        chart = service.orgcharts.current(req.org_id, session=conn)
        out.org = req.org_id
        yield Action(service, conn, req, chart, out, now)
        out.write(conn, now)
    out.send(service)


def require_holder(action: Action, actor: str, doing: str) -> TaskRow:
    """The actor holds this open decision as ``decide`` would let them decide it: never the
    applicant (rule 1), the assignee, the post holder, or a member of the duty unit."""
    task = action.the_task
    if task.kind not in DECISION_KINDS:
        raise InvalidStateError(f"task #{task.id} is a {task.kind} step; only a decision can be {doing}")
    eligibility.check_actor(actor, action.request.applicant, action.request.id, task.name)
    check_may_act(action.chart, actor, task)
    return task


def require_reason(field: str, value: str) -> str:
    """A reason the trail keeps: checked like a comment, and never empty."""
    value = text.checked(field, value).strip()
    if not value:
        raise FieldError([Issue(field, "", "a reason is required: the trail tells everyone why")])
    return value


def check_person(action: Action, field: str, person: str, actor: str, offices: Offices) -> str:
    """The person a task is handed to: not the actor, and someone who could hold it
    (``eligibility.holder_refusal``: in the chart, not the applicant, no inspector outside
    discipline steps), who can sign in, and who has no part yet of the task's group round
    (``signatures``: one person, one signature in a 会签/或签). FieldError on ``field`` otherwise."""
    person = (person or "").strip()
    task = action.the_task
    if not person:
        raise FieldError([Issue(field, "", "name the person (their id in the org chart)")])
    if person == actor or person == task.assignee:
        raise FieldError([Issue(field, person, "is you: name someone else")])
    waiting = eligibility.Waiting(task.id, action.request.id, action.request.applicant, task.name, task.role)
    reason = (eligibility.holder_refusal(action.chart, person, waiting, offices)
              or signatures.disabled_refusal(action.conn, action.chart, person)
              or _group_refusal(action, task, person))
    if reason is not None:
        raise FieldError([Issue(field, person, reason)])
    return person


def _group_refusal(action: Action, task: TaskRow, person: str) -> str | None:
    if not is_group_role(task.role):
        return None  # a single step: no workflow to read
    req = action.request
    run = Run.load(action.service.definition_of(req), req.state)
    return signatures.group_refusal(action.conn, run, action.chart, task, person)


def pending_added(action: Action, task: TaskRow) -> list[TaskRow]:
    """加签 rows gating ``task`` that have not been acted on (open, or queued after it)."""
    return [t for t in rows.round_tasks(action.conn, action.request.id, task.round)
            if t.origin in ADDED and t.origin_task_id == task.id and t.status in ("open", "queued")]


def new_row(task: TaskRow, now: datetime, assignee: str, origin: str, origin_by: str, *,
            spiff_id: str | None = None, status: str = "open", principal: str | None = None) -> TaskRow:
    """A fresh row for the same step as ``task`` (same round, name, kind, role, due date)."""
    return replace(task, id=0, spiff_id=spiff_id, principal=principal or assignee, assignee=assignee, unit_id=None,
                   is_open=status == "open", status=status, decided_by=None, on_behalf_of=None, comment="",
                   result_json=None, urge_count=0, urged_at=None, created_at=now, decided_at=None,
                   revision=1, opened_at=None, origin=origin, origin_by=origin_by,
                   origin_task_id=task.id)


def announce(action: Action, task: TaskRow) -> None:
    """A row an operation made gets its own audit entry, as a route step's row does (the trail
    check binds every row to an entry), and, if it is open, the signal that puts it in an inbox."""
    req = action.request
    action.out.record(Entry("system", "assigned", req.id, task.id, orgchart_version=action.chart.version,
                            detail={"step": task.name, "role": task.role, "kind": task.kind,
                                    "principal": task.principal, "origin": task.origin, "by": task.origin_by}))
    if task.is_open:
        action.out.signal("task_assigned", request_id=req.id, task_id=task.id, kind=task.kind, role=task.role,
                          assignee=task.assignee, principal=task.principal, unit_id=None, due_on=task.due_on)
