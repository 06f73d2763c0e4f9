"""拿回 (take back) and 退回到上一环节 / 任一已办环节 (send back to an earlier step).

Both put the workflow back to a step already decided (``Run.reset_to``: SpiffWorkflow's
``reset_from_task_id``), so the route continues from there without a resubmission:

- **拿回**: the approver who decided a step takes it back while nobody after them has acted.
  The rows their decision opened close as ``taken_back``; a new row for their step opens for
  them again.
- **退回**: the holder of an open decision sends the request back to an earlier decided step
  of this round, on the route behind theirs (not a parallel branch), with a reason. Their row
  closes as ``sent_back``; a new row for the earlier step opens for the person who decided it
  (who must still be able to hold it: ``eligibility.holder_refusal``).

Steps of a group (会签/或签) are not offered as targets, and a group member's signature is
not taken back: resetting one instance of several would leave the group half signed.
Filings and copies already sent stay sent (they are notices, not approvals); when the route
passes them again they are sent again. Rows of steps the reset dropped close; rows of a
parallel branch the reset did not touch stay open.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from approvals.audit.chain import Entry
from approvals.errors import ConflictError, FieldError, InvalidStateError, Issue, NotPermittedError
from approvals.operations.base import (
    ADDED,
    LIVE_REQUEST,
    Action,
    announce,
    new_row,
    on_request,
    on_task,
    require_holder,
    require_reason,
)
from approvals.operations.recording import save_state
from approvals.people import eligibility
from approvals.people.offices import Offices
from approvals.process.definitions import DECISION_KINDS, ProcessDefinition
from approvals.process.engine import Run
from approvals.store import rows
from approvals.store.rows import TaskRow

if TYPE_CHECKING:
    from approvals.operations.action import Host

# Rows closed by rules 1 and 2 or handed on, not decided by a person.
_NOT_A_DECISION = ("skipped", "satisfied", "transferred", "cancelled", "taken_back", "removed")
_BLOCKING = (*DECISION_KINDS, "report")


def take_back(service: Host, request_id: int, actor: str) -> int:
    """拿回: ``actor`` takes back their latest approval on the request; returns the new task's id."""
    with on_request(service, request_id) as action:
        req = action.request
        if req.status not in LIVE_REQUEST:
            raise InvalidStateError(f"request #{req.id} is {req.status}; there is nothing to take back")
        round_rows = rows.round_tasks(action.conn, req.id, req.round)
        mine = _latest_decision(round_rows)
        if mine is None or mine.decided_by != actor or mine.status != "approved" or not mine.spiff_id:
            _refuse_take_back(round_rows, mine, actor, req.id)
            assert mine is not None
        run = Run.load(service.definition_of(req), req.state)
        if _in_group(run, mine):
            raise InvalidStateError(f"{actor} signed {mine.name} as one of a group (会签/或签); a group's "
                                    "signature is not taken back: ask the next holder to send it back (退回)")
        task = _reset(action, run, mine, "taken_back", "take_back", actor, mine.assignee)
        action.out.record(Entry(actor, "taken_back", req.id, mine.id, orgchart_version=action.chart.version,
                                detail={"step": mine.name, "new_task_id": task.id}))
        action.out.signal("taken_back", request_id=req.id, task_id=mine.id, new_task_id=task.id, actor=actor)
    return task.id


def send_back(service: Host, task_id: int, actor: str, to_task_id: int, reason: str,
              offices: Offices) -> int:
    """退回: the holder of ``task_id`` sends the request back to the earlier decided step
    ``to_task_id``; returns the id of the step's new task."""
    reason = require_reason("reason", reason)
    with on_task(service, task_id) as action:
        task = require_holder(action, actor, "sent back")
        if task.origin in ADDED or not task.spiff_id:
            raise InvalidStateError(f"task #{task.id} is an added opinion (加签); return or reject it instead")
        req = action.request
        run = Run.load(service.definition_of(req), req.state)
        target = _earlier(action, run, task, to_task_id)
        holder = target.decided_by or target.assignee
        waiting = eligibility.Waiting(target.id, req.id, req.applicant, target.name, target.role)
        refusal = eligibility.holder_refusal(action.chart, holder, waiting, offices)
        if refusal is not None:
            raise FieldError([Issue("to_step", target.name, f"{holder} {refusal}")])
        rows.update_task(action.conn, task, is_open=False, status="sent_back", decided_by=actor,
                         comment=reason, decided_at=action.now)
        new = _reset(action, run, target, "cancelled", "send_back", actor, holder)
        action.out.record(Entry(actor, "sent_back", req.id, task.id, comment=reason,
                                orgchart_version=action.chart.version,
                                detail={"step": task.name, "to_step": target.name, "to": holder,
                                        "new_task_id": new.id}))
        action.out.signal("sent_back", request_id=req.id, task_id=task.id, to_task_id=target.id,
                          new_task_id=new.id, actor=actor, assignee=holder, reason=reason)
    return new.id


def earlier_steps(service: Host, task_id: int) -> list[TaskRow]:
    """The steps the holder of ``task_id`` may send the request back to, latest first."""
    with service.db.reading(snapshot=False) as s:
        conn = s.connection()
        task = rows.task(conn, task_id)
        if task is None or not task.spiff_id or not task.is_open or task.origin in ADDED:
            return []
        req = rows.request(conn, task.request_id, lock=False)
        run = Run.load(service.definition_of(req), req.state)
        return _candidates(rows.round_tasks(conn, req.id, req.round), run, task.spiff_id)


def takeable(service: Host, request_ids: Iterable[int], actor: str) -> set[int]:
    """Of ``request_ids``, those on which ``actor`` may take back (拿回) now: the request is
    in progress, their approval of a step on the route is its latest decision, and that step
    is not a group's (会签/或签). What the pages offer, so that they offer only what
    ``take_back`` accepts."""
    found: set[int] = set()
    with service.db.reading(snapshot=False) as s:
        conn = s.connection()
        for request_id in dict.fromkeys(request_ids):
            req = rows.request(conn, request_id, lock=False)
            if req.status not in LIVE_REQUEST:
                continue
            mine = _latest_decision(rows.round_tasks(conn, req.id, req.round))
            if (mine is not None and mine.decided_by == actor and mine.status == "approved" and mine.spiff_id
                    and mine.origin not in ADDED and not _group_step(service.definition_of(req), mine)):
                found.add(req.id)
    return found


def _group_step(definition: ProcessDefinition, row: TaskRow) -> bool:
    step = definition.steps.get(row.bpmn_id)
    return step is not None and step.group is not None


def _candidates(round_rows: list[TaskRow], run: Run, spiff_id: str) -> list[TaskRow]:
    """Decided steps behind ``spiff_id`` on the route, latest first; a step decided twice (taken
    back, or sent back to) is offered once, as its latest row."""
    done = [t for t in round_rows if t.status == "approved" and t.spiff_id and t.origin not in ADDED
            and not _in_group(run, t)]
    latest = {t.spiff_id: t for t in done}
    return [t for t in reversed(done) if latest[t.spiff_id] is t and run.follows(spiff_id, t.spiff_id or "")]


def _in_group(run: Run, row: TaskRow) -> bool:
    """A row of a 会签/或签 step: one instance of several, not a step to reset on its own."""
    return _group_step(run.definition, row)


def _earlier(action: Action, run: Run, task: TaskRow, to_task_id: int) -> TaskRow:
    req = action.request
    for row in _candidates(rows.round_tasks(action.conn, req.id, req.round), run, task.spiff_id or ""):
        if row.id == to_task_id:
            return row
    raise FieldError([Issue("to_step", to_task_id, "is not a step decided earlier on this request's route; "
                            "choose one of the steps listed")])


def _refuse_take_back(round_rows: list[TaskRow], latest: TaskRow | None, actor: str, request_id: int) -> None:
    """Someone acted after the actor's approval: a race lost (ConflictError); otherwise the
    actor has no approval here to take back."""
    if latest is not None and latest.decided_by == actor:
        raise InvalidStateError(f"{actor}'s latest decision on request #{request_id} ({latest.name}) was "
                                f"{latest.status}{' as an added approver (加签)' if latest.origin in ADDED else ''}; "
                                "only an approval of a step on the route is taken back")
    if latest is not None and any(t.decided_by == actor and t.status == "approved" for t in round_rows):
        raise ConflictError(f"{latest.decided_by} already acted on request #{request_id} ({latest.name}) after "
                            f"your approval; it can no longer be taken back")
    raise NotPermittedError(f"{actor} did not make the latest decision on request #{request_id}; "
                            "only its approver may take it back, before anyone after them acts")


def _latest_decision(round_rows: list[TaskRow]) -> TaskRow | None:
    """The last decision a person made in this round (rules 1 and 2's rows do not count)."""
    decided = [t for t in round_rows if t.kind in DECISION_KINDS and t.decided_by
               and t.status not in _NOT_A_DECISION]
    return max(decided, key=lambda t: (t.decided_at or t.created_at, t.id)) if decided else None


def _reset(action: Action, run: Run, target: TaskRow, close_as: str, origin: str, actor: str,
           holder: str) -> TaskRow:
    """Reset the workflow to ``target``'s step, close the open rows of the steps dropped, open a
    new row for ``target``'s step, and save the workflow (ConflictError if the request moved)."""
    req = action.request
    waiting = run.reset_to(target.spiff_id or "")
    for row in rows.round_tasks(action.conn, req.id, req.round):
        dropped = row.spiff_id not in waiting or row.origin in ADDED
        if row.is_open and row.id > target.id and row.kind in _BLOCKING and dropped:
            rows.update_task(action.conn, row, is_open=False, status=close_as, decided_at=action.now)
    new = rows.insert_task(action.conn, new_row(target, action.now, holder, origin, actor,
                                                spiff_id=target.spiff_id, principal=target.principal))
    req.status = "pending"
    save_state(action.conn, req, run.save(), action.now, action.out)
    announce(action, new)
    return new
