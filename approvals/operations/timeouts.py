"""超时处理: a step's timers armed when its task opens, and fired by the worker.

A timer (``approvals/process/timers.py``) belongs to a task row, armed when the row opens
(``arming.py``).

The worker (``run_due``, every ``EVERY`` seconds) claims a batch of due timers (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL; SQLite has one writer at a time), then fires each in a
transaction of its own that locks the request and the task as ``decide`` does and moves the
timer on only if its claim is still the worker's: a timer fires once however many workers
scan, and what it did commits with it or not at all. It acts as ``system``, with the rule in
the trail: the decision's audit entry names the timer, and the step reads 超时自动通过.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, exists, or_, select, update

from approvals.audit.chain import Entry
from approvals.clock import convert
from approvals.errors import ApprovalsError
from approvals.notifications.outbox import Outbox
from approvals.operations.action import Host, chart_of, close, end_round, transaction
from approvals.operations.arming import carry
from approvals.operations.base import new_row
from approvals.operations.recording import close_not_needed, record_steps, save_state
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import holder_supervisor, resolve
from approvals.process.calendar import for_chart
from approvals.process.engine import RouteContext, Run
from approvals.process.timers import HOLDER_SUPERVISOR, TimerDef
from approvals.store import rows
from approvals.store.models import StepTimer, Task
from approvals.store.rows import Opened, RequestRow, TaskRow

log = logging.getLogger(__name__)

SYSTEM = "system"
EVERY = 30.0  # seconds between scans: a timer fires within a minute of its time
LEASE = timedelta(minutes=2)  # a crashed worker's claim runs out after this
BATCH = 200  # timers claimed per scan; the next scan takes the rest
DECISIONS = {"approve": "approved", "reject": "rejected", "return": "returned"}
# What the step's comment reads, in the trail and on the 审批单.
WORDS = {"approve": "超时自动通过", "reject": "超时自动驳回", "return": "超时自动退回", "transfer": "超时自动转交"}


# ---- the worker's scan --------------------------------------------------------------------

_NOW = bindparam("now")
_DUE = (select(StepTimer.id).where(StepTimer.fire_at <= _NOW,
                                   or_(StepTimer.claimed_until.is_(None), StepTimer.claimed_until < _NOW))
        .order_by(StepTimer.fire_at, StepTimer.id).limit(bindparam("n")).with_for_update(skip_locked=True))
# One statement: the due ids never travel to the worker and back before they are claimed.
_CLAIM = (update(StepTimer).where(StepTimer.id.in_(_DUE.scalar_subquery()))
          .values(claim=bindparam("b_token"), claimed_until=bindparam("b_until")).returning(StepTimer.id))
_CLOSED = exists().where(Task.id == StepTimer.task_id, Task.is_open.is_(False))
_FORGET_CLOSED = delete(StepTimer).where(StepTimer.fire_at <= _NOW, _CLOSED)
_TIMER = select(StepTimer.task_id, StepTimer.timer_id, StepTimer.fire_at, StepTimer.fired, StepTimer.claim).where(
    StepTimer.id == bindparam("timer_pk"))
_MINE = and_(StepTimer.id == bindparam("b_pk"), StepTimer.claim == bindparam("b_token"),
             StepTimer.fired == bindparam("b_fired"))


@dataclass
class Fired:
    """What one scan did: timers fired, by action, and timers given up with the reason."""

    actions: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        done = ", ".join(f"{n} {action}" for action, n in sorted(self.actions.items()))
        failed = f"; {len(self.failed)} failed ({'; '.join(self.failed[:3])})" if self.failed else ""
        return f"timers fired: {done or 'none'}{failed}" if (done or failed) else ""


def claim(conn: Connection, now: datetime, token: str, n: int = BATCH) -> list[int]:
    """Claim up to ``n`` due timers for the worker holding ``token`` (the scan: one index range)."""
    return sorted(conn.execute(_CLAIM, {"now": now, "n": n, "b_token": token, "b_until": now + LEASE}).scalars())


def run_due(service: Host, batch: int = BATCH) -> Fired:
    """One scan: forget the timers of closed tasks, claim the due ones, fire each."""
    token = secrets.token_hex(8)
    now = service.clock.now()
    with service.db.writing() as conn:
        conn.execute(_FORGET_CLOSED, {"now": now})
        ids = claim(conn, now, token, batch)
    fired = Fired()
    for timer_pk in ids:
        try:
            action = fire(service, timer_pk, token)
        except ApprovalsError as exc:  # e.g. a person decided at the same moment: tried again next scan
            log.warning("timer #%s not fired: %s", timer_pk, exc)
            fired.failed.append(f"#{timer_pk}: {exc}")
            continue
        if action:
            fired.actions[action] = fired.actions.get(action, 0) + 1
    return fired


class _Lost(Exception):
    """The claim ran out and another worker fired the timer: this transaction is undone."""


def fire(service: Host, timer_pk: int, token: str) -> str | None:
    """Fire one claimed timer in a transaction of its own; returns its action, None when there
    was nothing to do (the task closed, another worker fired it)."""
    now = service.clock.now()
    out = Outbox()
    try:
        with transaction(service) as conn:
            action = _fire_in(service, conn, timer_pk, token, now, out)
            out.write(conn, now)
    except _Lost:
        return None
    out.send(service)
    return action


def _fire_in(service: Host, conn: Connection, timer_pk: int, token: str, now: datetime,
             out: Outbox) -> str | None:
    row = conn.execute(_TIMER, {"timer_pk": timer_pk}).first()
    if row is None or row.claim != token:
        raise _Lost
    opened = rows.task_and_request(conn, row.task_id)  # locks the request, then the task, as decide does
    timer = _timer_of(service, opened, row.timer_id)
    if opened is None or not opened.task.is_open or timer is None:
        conn.execute(delete(StepTimer).where(_MINE), {"b_pk": timer_pk, "b_token": token, "b_fired": row.fired})
        return None
    chart = chart_of(service, conn, opened)
    zone, calendar = chart.organization.time_zone, for_chart(chart)
    fired, again = row.fired + 1, timer.next_at(row.fired + 1, convert(row.fire_at, service.clock.zone, zone), calendar)
    local_now = convert(now, service.clock.zone, zone)
    while again is not None and again <= local_now:  # missed while no worker ran: told once, not once a day
        fired += 1
        again = timer.next_at(fired, again, calendar)
    if again is None:
        moved = conn.execute(delete(StepTimer).where(_MINE), {"b_pk": timer_pk, "b_token": token,
                                                              "b_fired": row.fired})
    else:
        moved = conn.execute(update(StepTimer).where(_MINE).values(
            fired=fired, fire_at=convert(again, zone, service.clock.zone), claim=None, claimed_until=None),
            {"b_pk": timer_pk, "b_token": token, "b_fired": row.fired})
    if moved.rowcount != 1:
        raise _Lost
    fire_action = _ACTIONS[timer.action]
    fire_action(_Firing(service, conn, opened.request, opened.task, chart, timer, now, out, row.fired + 1))
    return timer.action


def _timer_of(service: Host, opened: Opened | None, timer_id: str) -> TimerDef | None:
    if opened is None:
        return None
    step = service.definition_of(opened.request).steps.get(opened.task.bpmn_id)
    return next((t for t in step.timers if t.bpmn_id == timer_id), None) if step else None


@dataclass
class _Firing:
    service: Host
    conn: Connection
    request: RequestRow
    task: TaskRow
    chart: OrgChart
    timer: TimerDef
    now: datetime
    out: Outbox
    count: int  # this is the timer's count-th firing

    def detail(self, **more: Any) -> dict[str, Any]:
        return {"step": self.task.name, "role": self.task.role, "timer": self.timer.bpmn_id,
                "rule": self.timer.label(), "action": self.timer.action, **more}

    def note(self, action: str, told: str | None, **more: Any) -> None:
        """The trail's entry for a notice, and the signal that tells ``told``."""
        self.out.record(Entry(SYSTEM, "timer_fired", self.request.id, self.task.id,
                              orgchart_version=self.chart.version,
                              detail=self.detail(told=told, count=self.count, **more)))
        self.out.signal("timer_fired", request_id=self.request.id, task_id=self.task.id, timer=self.timer.bpmn_id,
                        rule=self.timer.name, action=action, told=told, holder=self.task.assignee)


def _target(f: _Firing) -> str | None:
    """Who an escalation or transfer goes to: the role in ``to`` for the applicant, or the
    holder's supervisor; None when nobody other than the holder and the applicant holds it."""
    to = f.timer.to or HOLDER_SUPERVISOR
    if to == HOLDER_SUPERVISOR:
        person = holder_supervisor(f.chart, f.task.assignee)
    else:
        try:
            person = resolve(f.chart, to, f.request.applicant).assignee
        except ApprovalsError:
            person = None
    return person if person not in (None, f.task.assignee, f.request.applicant) else None


def _remind(f: _Firing) -> None:
    f.note("remind", f.task.assignee)


def _escalate(f: _Firing) -> None:
    target = _target(f)
    if target is None:
        f.note("escalate", None, outcome=f"nobody to tell: {f.timer.to or HOLDER_SUPERVISOR} is vacant or the holder")
        return
    f.note("escalate", target)


def _held(f: _Firing) -> bool:
    """A step waiting for an added approver's opinion (前加签) is not decided by a timer: the
    added approver holds it now. The trail says the timer fired and why nothing happened."""
    if f.task.status != "held":
        return False
    f.note(f.timer.action, None, outcome="not acted on: the step waits for an added approver (加签)")
    return True


def _decide(f: _Firing) -> None:
    """超时自动通过 / 驳回 / 退回: as the holder's decision would, in the system's name."""
    if _held(f):
        return
    decision = f.timer.action
    task, req, conn, now, out = f.task, f.request, f.conn, f.now, f.out
    comment = f.timer.comment(WORDS[decision])
    close(conn, task, DECISIONS[decision], SYSTEM, None, comment, now)
    out.record(Entry(SYSTEM, "decided", req.id, task.id, decision, comment, f.chart.version, None, f.detail()))
    out.signal("decided", request_id=req.id, task_id=task.id, actor=SYSTEM, decision=decision, comment=comment,
               on_behalf_of=None)
    out.signal("timer_fired", request_id=req.id, task_id=task.id, timer=f.timer.bpmn_id, rule=f.timer.name,
               action=decision, told=None, holder=task.assignee)
    run = Run.load(f.service.definition_of(req), req.state)
    if decision == "approve":
        # principal "system": nobody's decision, so rule 2 merges no later step with it
        steps = run.complete(task.spiff_id or "", RouteContext(f.chart, req.applicant), principal=SYSTEM)
        record_steps(conn, req, f.chart, steps, out, now, f.service.clock)
        close_not_needed(conn, req, f.chart, run.waiting_ids(), SYSTEM, now, out)
    else:
        status = "rejected" if decision == "reject" else "returned"
        end_round(conn, req, run, status, SYSTEM, comment, now, out)
        if decision == "return":
            out.signal("returned", request_id=req.id, task_id=task.id, actor=SYSTEM, comment=comment)
    save_state(conn, req, run.save(), now, out)


def _transfer(f: _Firing) -> None:
    """超时自动转交: the step moves to the role in ``to``; its other timers go with it."""
    if _held(f):
        return
    target = _target(f)
    task, req = f.task, f.request
    if target is None:
        f.note("transfer", None, outcome=f"not transferred: {f.timer.to} is vacant, the holder or the applicant")
        return
    comment = f.timer.comment(WORDS["transfer"])
    rows.update_task(f.conn, task, is_open=False, status="transferred", decided_by=SYSTEM, comment=comment,
                     decided_at=f.now)
    moved = rows.insert_task(f.conn, new_row(task, f.now, target, "transfer", SYSTEM, spiff_id=task.spiff_id))
    carry(f.conn, task.id, moved.id)
    f.out.record(Entry(SYSTEM, "transferred", req.id, task.id, comment=comment, orgchart_version=f.chart.version,
                       detail=f.detail(**{"from": task.assignee, "to": target, "new_task_id": moved.id})))
    f.out.signal("transferred", request_id=req.id, task_id=task.id, new_task_id=moved.id, actor=SYSTEM,
                 old_assignee=task.assignee, new_assignee=target, reason=comment)
    f.out.signal("timer_fired", request_id=req.id, task_id=task.id, timer=f.timer.bpmn_id, rule=f.timer.name,
                 action="transfer", told=None, holder=task.assignee)
    f.out.record(Entry(SYSTEM, "assigned", req.id, moved.id, orgchart_version=f.chart.version,
                       detail={"step": moved.name, "role": moved.role, "kind": moved.kind,
                               "principal": moved.principal, "origin": "transfer", "by": SYSTEM}))
    f.out.signal("task_assigned", request_id=req.id, task_id=moved.id, kind=moved.kind, role=moved.role,
                 assignee=moved.assignee, principal=moved.principal, unit_id=None, due_on=moved.due_on)


_ACTIONS: Mapping[str, Any] = {"remind": _remind, "escalate": _escalate, "approve": _decide, "reject": _decide,
                               "return": _decide, "transfer": _transfer}
