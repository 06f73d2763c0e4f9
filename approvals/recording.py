"""Turning what the workflow did into rows: tasks (inboxes and timeline), audit entries,
signals, and the request's status. Shared by every action in ``service``."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals import delegations
from approvals.audit import Entry
from approvals.engine import OPEN, SATISFIED, SENT, SKIPPED_SELF, Run, Step
from approvals.orgchart.model import OrgChart
from approvals.outbox import Outbox
from approvals.store.models import Request, Task

OPEN_STATUSES = ("pending", "approved")  # approved = every approval given, a report may be due
STEP_STATUS = {SKIPPED_SELF: "skipped", SATISFIED: "satisfied"}
ACTIONS = {OPEN: "assigned", SKIPPED_SELF: "skipped", SATISFIED: "satisfied"}


def record_steps(
    s: Session, req: Request, chart: OrgChart, steps: list[Step], out: Outbox, now: datetime
) -> None:
    for step in steps:
        _record_step(s, req, chart, step, out, now)


def _record_step(
    s: Session, req: Request, chart: OrgChart, step: Step, out: Outbox, now: datetime
) -> None:
    d = step.definition
    assignee = step.assignee
    if step.outcome == OPEN and d.kind != "report":
        assignee = delegations.active_delegate(s, step.assignee, now.date()) or step.assignee
    due = _due(req, d.due_field)
    task = Task(
        request_id=req.id,
        round=req.round,
        spiff_id=step.spiff_id,
        bpmn_id=d.bpmn_id,
        name=d.name,
        kind=d.kind,
        role=d.role,
        principal=step.assignee,
        assignee=assignee,
        unit_id=step.unit,
        receiver=step.receiver,
        orgchart_version=chart.version,
        is_open=step.outcome in (OPEN, SENT),
        status=STEP_STATUS.get(step.outcome, "open"),
        comment="",
        due_on=due,
        urge_count=0,
        created_at=now,
    )
    if step.outcome == SATISFIED:
        task.decided_by, task.decided_at = step.satisfied_by, now
    s.add(task)
    s.flush()
    detail = {"step": d.name, "role": d.role, "kind": d.kind, "principal": step.assignee}
    if assignee != step.assignee:
        detail["delegate"] = assignee
    action = ACTIONS.get(step.outcome) or ("filed" if d.kind == "file" else "copied")
    out.record(
        Entry("system", action, req.id, task.id, orgchart_version=chart.version, detail=detail)
    )
    if step.outcome == OPEN:
        out.signal(
            "task_assigned",
            request_id=req.id,
            task_id=task.id,
            kind=d.kind,
            role=d.role,
            assignee=assignee,
            principal=step.assignee,
            unit_id=step.unit,
            due_on=due,
        )
        if d.kind == "report":
            out.signal(
                "report_due",
                request_id=req.id,
                task_id=task.id,
                applicant=req.applicant,
                receiver=step.receiver,
                due_on=due,
            )
    elif step.outcome == SENT:
        out.signal(
            "filed" if d.kind == "file" else "copied",
            request_id=req.id,
            task_id=task.id,
            role=d.role,
            unit_id=step.unit,
            assignee=assignee,
        )


def _due(req: Request, due_field: str | None) -> date | None:
    if not due_field:
        return None
    value = json.loads(req.fields_json).get(due_field)
    return date.fromisoformat(value) if value else None


def save_state(s: Session, req: Request, run: Run, now: datetime, out: Outbox) -> None:
    req.state = run.dump()
    req.updated_at = now
    if req.status in OPEN_STATUSES:
        open_kinds = set(
            s.scalars(
                select(Task.kind).where(
                    Task.request_id == req.id,
                    Task.is_open.is_(True),
                    Task.kind.not_in(("file", "copy")),
                )
            )
        )
        before = req.status
        if run.completed:
            req.status = "completed"
        elif open_kinds and open_kinds <= {"report"}:
            req.status = "approved"
        if req.status != before:
            out.signal("completed", request_id=req.id, status=req.status)
