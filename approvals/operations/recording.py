"""Turning what the workflow did into rows: tasks (inboxes and timeline), audit entries,
signals, and the request's status. Shared by every action in ``service``."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Connection, Date, String, bindparam, case, insert, select, update

from approvals.audit.chain import Entry
from approvals.clock import Clock, day_of
from approvals.notifications.outbox import Outbox
from approvals.operations import arming, delegations, signatures
from approvals.people.orgchart.model import OrgChart
from approvals.process.calendar import for_chart
from approvals.process.deadlines import due_on
from approvals.process.definitions import DECISION_KINDS
from approvals.process.engine import OPEN, SATISFIED, SENT, SKIPPED_SELF, SKIPPED_VACANT, Saved, Step
from approvals.store import rows
from approvals.store.models import Task
from approvals.store.rows import RequestRow

OPEN_STATUSES = ("pending", "approved")  # approved = every approval given, a report may be due
STEP_STATUS = {SKIPPED_SELF: "skipped", SATISFIED: "satisfied", SKIPPED_VACANT: "skipped_vacant"}
ACTIONS = {OPEN: "assigned", SKIPPED_SELF: "skipped", SATISFIED: "satisfied", SKIPPED_VACANT: "skipped"}


_PRINCIPAL = bindparam("b_principal", type_=String)
# Built once: one statement inserts the steps' rows, each choosing its assignee (a delegate for
# an open decision, never the request's applicant: see delegations.delegate_or), and returns
# ids and assignees.
_INSERT_TASKS = (insert(Task)
                 .values(assignee=case((bindparam("b_delegable", type_=Boolean),
                                        delegations.delegate_or(_PRINCIPAL, bindparam("b_day", type_=Date),
                                                                bindparam("b_applicant", type_=String))),
                                       else_=_PRINCIPAL))
                 .returning(Task.id, Task.assignee, sort_by_parameter_order=True))


def record_steps(
    conn: Connection, req: RequestRow, chart: OrgChart, steps: list[Step], out: Outbox, now: datetime, clock: Clock,
) -> None:
    """Insert the steps' rows in one statement, then announce each (audit entry, signals).
    The steps arrive on the organization's day at ``now`` (``clock.day_of``): their due dates and
    acting approvers count from it, not from the server's date. Open decisions arm their step's
    timers (``operations/arming.py``), from ``now`` in the clock's storage zone.

    A pre-built Core insert on the action's connection: the rows are not read back as ORM
    objects in this transaction, so the unit of work has nothing to track.
    """
    if not steps:
        return
    day = day_of(clock, now, chart.organization.time_zone)
    new = [_task_row(req, chart, step, now, day) for step in steps]
    _one_part_each(conn, req, steps, new, day)
    inserted = conn.execute(_INSERT_TASKS, new).all()
    timers = []
    for step, row, (task_id, assignee) in zip(steps, new, inserted, strict=True):
        _announce(req, chart, step, task_id, assignee, row["due_on"], out)
        if step.outcome == OPEN and step.definition.decides:
            timers += arming.timer_rows(step.definition, task_id, req.id, now, clock.zone, chart)
    arming.arm(conn, timers)


def _one_part_each(conn: Connection, req: RequestRow, steps: list[Step], new: list[dict[str, Any]],
                   day: date) -> None:
    """A member's part of a group round goes to their acting approver only if that person has
    no part of the round yet (approvals/operations/signatures.py): the assignee is chosen here, not by
    the INSERT, remembering the parts handed out in this very batch (an all-at-once group)."""
    taken: dict[str, set[str]] = {}
    for step, row in zip(steps, new, strict=True):
        if step.group_round is None or not row["b_delegable"]:
            continue
        key = step.group or ""
        if key not in taken:
            taken[key] = set(signatures.people(conn, req.id, req.round, step.group_round))
        assignee = signatures.delegate_for(conn, step.assignee, day, req.applicant, taken[key])
        taken[key].add(assignee)
        row.update(b_principal=assignee, b_delegable=False)


def _task_row(req: RequestRow, chart: OrgChart, step: Step, now: datetime, day: date) -> dict[str, Any]:
    d = step.definition
    satisfied = step.outcome == SATISFIED
    return {
        "request_id": req.id,
        "round": req.round,
        "spiff_id": step.spiff_id,
        "bpmn_id": d.bpmn_id,
        "name": d.name,
        "kind": d.kind,
        "role": d.role,
        "principal": step.assignee,
        "b_principal": step.assignee,
        "b_delegable": step.outcome == OPEN and d.kind != "report",
        "b_day": day,
        "b_applicant": req.applicant,
        "unit_id": step.unit,
        "receiver": step.receiver,
        "orgchart_version": chart.version,
        "is_open": step.outcome in (OPEN, SENT),
        "status": STEP_STATUS.get(step.outcome, "open"),
        "comment": step.note or "",
        "due_on": due_on(d, json.loads(req.fields_json), for_chart(chart), day),
        "urge_count": 0,
        "created_at": now,
        "decided_by": step.satisfied_by if satisfied else None,
        "decided_at": now if satisfied else None,
        "revision": 1,
    }


def _announce(req: RequestRow, chart: OrgChart, step: Step, task_id: int, assignee: str, due_on: date | None,
              out: Outbox) -> None:
    d = step.definition
    detail = {"step": d.name, "role": d.role, "kind": d.kind, "principal": step.assignee}
    if assignee != step.assignee:
        detail["delegate"] = assignee
    if step.note:
        detail["note"] = step.note  # if_vacant: skipped or handed on (approvals/process/vacancy.py)
    action = ACTIONS.get(step.outcome) or ("filed" if d.kind == "file" else "copied")
    out.record(Entry("system", action, req.id, task_id, orgchart_version=chart.version, detail=detail))
    if step.outcome == OPEN:
        out.signal("task_assigned", request_id=req.id, task_id=task_id, kind=d.kind, role=d.role,
                   assignee=assignee, principal=step.assignee, unit_id=step.unit, due_on=due_on)
        if d.kind == "report":
            out.signal("report_due", request_id=req.id, task_id=task_id, applicant=req.applicant,
                       receiver=step.receiver, due_on=due_on)
    elif step.outcome == SENT:
        out.signal("filed" if d.kind == "file" else "copied", request_id=req.id, task_id=task_id,
                   role=d.role, unit_id=step.unit, assignee=assignee)


# An any-one group step (或签): once one member decided, the workflow closed the others'
# instances; their rows close with it. Only rows whose instance no longer waits are touched.
NOT_NEEDED = "not_needed"
_OPEN_DECISIONS = (select(Task.id, Task.spiff_id, Task.name, Task.role, Task.assignee)
                   .where(Task.request_id == bindparam("req_id"), Task.is_open.is_(True),
                          Task.kind.in_(DECISION_KINDS)).order_by(Task.id))
_CLOSE_NOT_NEEDED = (update(Task).where(Task.id == bindparam("row_id"), Task.is_open.is_(True))
                     .values(is_open=False, status=NOT_NEEDED, decided_at=bindparam("now"),
                             revision=Task.revision + 1))


def close_not_needed(conn: Connection, req: RequestRow, chart: OrgChart, waiting: set[str], decided_by: str,
                     now: datetime, out: Outbox) -> None:
    """Close the open decisions of ``req`` whose instance the workflow no longer waits on
    (``Run.waiting_ids``): another member of their any-one group decided for the group."""
    for task_id, spiff_id, name, role, assignee in conn.execute(_OPEN_DECISIONS, {"req_id": req.id}).all():
        if spiff_id is None or spiff_id in waiting:
            continue
        conn.execute(_CLOSE_NOT_NEEDED, {"row_id": task_id, "now": now})
        out.record(Entry("system", NOT_NEEDED, req.id, task_id, orgchart_version=chart.version,
                         detail={"step": name, "role": role, "assignee": assignee, "decided_by": decided_by,
                                 "reason": "any one of the group decides (或签): another member decided"}))


def settle(req: RequestRow, saved: Saved, now: datetime) -> str | None:
    """Put the run's saved state on ``req``; returns the status the run moved it to (every
    approval given, or the end reached), None when the status stays."""
    req.state = saved.state
    req.updated_at = now
    if req.status not in OPEN_STATUSES:
        return None
    before = req.status
    open_kinds = saved.waiting_kinds
    if saved.completed:
        req.status = "completed"
    elif open_kinds and open_kinds <= {"report"}:
        req.status = "approved"
    return req.status if req.status != before else None


def announce_settled(req: RequestRow, moved: str | None, out: Outbox) -> None:
    if moved is not None:
        out.signal("completed", request_id=req.id, status=moved)


def save_state(conn: Connection, req: RequestRow, saved: Saved, now: datetime, out: Outbox) -> None:
    """The last write of an action that moved the workflow (ConflictError if the request
    changed since it was read)."""
    moved = settle(req, saved, now)
    rows.write_request(conn, req)
    announce_settled(req, moved, out)
