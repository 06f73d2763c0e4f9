"""加签 (add an approver) and 减签 (remove them again).

An added approver gets a row of their own for the same step, outside the BPMN graph: the
process definition does not change, and the workflow step stays the holder's.

- **before me (前加签)**: B's row opens now and the holder's row is ``held`` (it stays open,
  so a rejection, return, withdrawal or termination closes it as usual, but it cannot be
  decided, transferred or added to). When B approves, the holder's row opens again; the
  holder then decides, and the route goes on from the holder's decision.
- **after me (后加签)**: B's row waits (``queued``). When the holder approves, the workflow
  does not move yet: B's row opens, and B's approval completes the step.
- Either way, B rejecting or returning ends the round as the holder's rejection would.
- **减签**: the holder removes the person they added while that person has not acted: the row
  closes as ``removed`` and the holder's row opens again.

One 加签 at a time per task: a second one while the first is pending is a ConflictError, so
two 加签 sent at once give one winner. Rule 2 (no double signing) counts the decider of the
workflow step: the holder for "before" (B only gave an opinion), B for "after" (B's approval
is the one that completes the step). A next step held by that person is then satisfied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from approvals.audit.chain import Entry
from approvals.errors import ConflictError, FieldError, InvalidStateError, Issue, NotPermittedError
from approvals.notifications.outbox import Outbox
from approvals.operations.base import (
    ADDED,
    Action,
    announce,
    check_person,
    new_row,
    on_task,
    pending_added,
    require_holder,
    require_reason,
)
from approvals.operations.recording import record_steps, save_state
from approvals.people.offices import Offices
from approvals.process.engine import RouteContext, Run, Step
from approvals.store import rows
from approvals.store.rows import TaskRow

if TYPE_CHECKING:
    from approvals.operations.action import Host

MODES = ("before", "after")
AFTER_PENDING = "open_after"  # the holder's row while someone added after them waits (后加签)


def add(service: Host, task_id: int, actor: str, person: str, mode: str, reason: str,
        offices: Offices) -> int:
    """加签: ask ``person`` to approve before or after ``actor``; returns the added task's id."""
    if mode not in MODES:
        raise FieldError([Issue("mode", mode, "expected before or after")])
    reason = require_reason("reason", reason)
    with on_task(service, task_id) as action:
        task = require_holder(action, actor, "given an added approver")
        if task.origin in ADDED:
            raise InvalidStateError(f"task #{task.id} is itself an added opinion (加签); only the step's holder adds")
        waiting = pending_added(action, task)
        if task.status == "held" or waiting:
            who = waiting[0].assignee if waiting else "someone"
            raise ConflictError(f"task #{task.id} ({task.name}) already waits on {who} (加签); "
                                "remove them (减签) first")
        person = check_person(action, "person", person, actor, offices)
        added = rows.insert_task(action.conn, new_row(task, action.now, person, mode, actor,
                                                      status="open" if mode == "before" else "queued"))
        # The holder's row says what it waits on: decide looks for a queued row only then.
        rows.update_task(action.conn, task, status="held" if mode == "before" else AFTER_PENDING)
        _announce_added(action, task, added, actor, reason)
    return added.id


def _announce_added(action: Action, task: TaskRow, added: TaskRow, actor: str, reason: str) -> None:
    req, out = action.request, action.out
    out.record(Entry(actor, "approver_added", req.id, task.id, comment=reason, orgchart_version=action.chart.version,
                     detail={"step": task.name, "person": added.assignee, "mode": added.origin,
                             "added_task_id": added.id}))
    out.signal("approver_added", request_id=req.id, task_id=task.id, added_task_id=added.id, actor=actor,
               person=added.assignee, mode=added.origin, reason=reason)
    announce(action, added)


def remove(service: Host, added_task_id: int, actor: str) -> None:
    """减签: the holder who added a person takes them off again, before they have acted."""
    with on_task(service, added_task_id, queued_too=True) as action:
        added = action.the_task
        if added.origin not in ADDED:
            raise InvalidStateError(f"task #{added.id} ({added.name}) was not added by 加签; nothing to remove")
        if actor != added.origin_by:
            raise NotPermittedError(f"only {added.origin_by}, who added {added.assignee}, may remove them")
        rows.update_task(action.conn, added, is_open=False, status="removed", decided_at=action.now)
        gated = _gated_row(action.conn, action.request.id, added)
        if gated.status in ("held", AFTER_PENDING):
            rows.update_task(action.conn, gated, status="open")
        elif gated.status == "approved":  # after me, and I approved already: my approval completes the step
            _complete_gated(action, gated)
        req = action.request
        action.out.record(Entry(actor, "approver_removed", req.id, gated.id, orgchart_version=action.chart.version,
                                detail={"step": added.name, "person": added.assignee, "mode": added.origin,
                                        "added_task_id": added.id}))
        action.out.signal("approver_removed", request_id=req.id, task_id=gated.id, added_task_id=added.id,
                          actor=actor, person=added.assignee)


def _complete_gated(action: Action, gated: TaskRow) -> None:
    req = action.request
    run = Run.load(action.service.definition_of(req), req.state)
    steps = run.complete(gated.spiff_id or "", RouteContext(action.chart, req.applicant), principal=gated.principal)
    record_steps(action.conn, req, action.chart, steps, action.out, action.now, action.service.clock)
    save_state(action.conn, req, run.save(), action.now, action.out)


def check_decidable(task: TaskRow) -> bool:
    """``decide`` refuses a task held for an added approver's opinion (前加签); True when
    someone added after the holder waits for the holder's approval (后加签)."""
    if task.status == "held":
        raise InvalidStateError(f"task #{task.id} ({task.name}) waits for the opinion of the approver "
                                "added before you (加签); decide when it comes back, or remove them (减签)")
    return task.status == AFTER_PENDING


def approve(conn: Connection, task: TaskRow, run: Run, context: RouteContext, out: Outbox,
            now: datetime, someone_after: bool, data: Mapping[str, Any] | None = None) -> list[Step]:
    """What an approval of ``task`` does to the workflow, 加签 included (called by ``decide``):
    a route step completes its workflow step unless someone is queued after its holder; an
    added "before" opinion gives the task back to its holder; an added "after" approval
    completes the holder's workflow step, with the added approver as its decider."""
    request_id = task.request_id
    if task.origin == "before":
        gated = _gated_row(conn, request_id, task)
        if gated.is_open and gated.status == "held":
            rows.update_task(conn, gated, status="open")
            out.signal("task_assigned", request_id=request_id, task_id=gated.id, kind=gated.kind, role=gated.role,
                       assignee=gated.assignee, principal=gated.principal, unit_id=gated.unit_id,
                       due_on=gated.due_on)
        return []
    if task.origin == "after":
        gated = _gated_row(conn, request_id, task)
        held = json.loads(gated.result_json) if gated.result_json else None  # the holder's step fields
        return run.complete(gated.spiff_id or "", context, data=held, principal=task.principal)
    queued = [] if not someone_after else [
        t for t in rows.round_tasks(conn, request_id, task.round)
        if t.origin == "after" and t.origin_task_id == task.id and t.status == "queued"]
    if queued:
        after = queued[0]
        rows.update_task(conn, after, is_open=True, status="open", created_at=now)
        out.signal("task_assigned", request_id=request_id, task_id=after.id, kind=after.kind, role=after.role,
                   assignee=after.assignee, principal=after.principal, unit_id=None, due_on=after.due_on)
        return []
    return run.complete(task.spiff_id or "", context, data=data, principal=task.principal)


def _gated_row(conn: Connection, request_id: int, added: TaskRow) -> TaskRow:
    for task in rows.round_tasks(conn, request_id, added.round):
        if task.id == added.origin_task_id:
            return task
    raise InvalidStateError(f"task #{added.id} gates no task of request #{request_id}")
