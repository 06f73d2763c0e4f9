"""The daily scan: reminders of overdue steps and reports, and escalation to a supervisor.

Run by ``approvals worker`` every hour; each reminder is a notification whose ``dedup_key`` is
unique per (kind, task, day), inserted with ON CONFLICT DO NOTHING, so it is sent once a day
however many workers scan, however often. Nothing is sent on a day that is not a working day
of the task's organization (approvals/process/calendar.py).

- a decision past its due date: its holder, "已超期 N 个工作日";
- after ``escalate_after_days`` overdue working days (docs/processes.md): also the holder's
  supervisor (分管局领导 of the holder's unit; the chief when the holder is that supervisor);
- a report past its due date: the applicant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from approvals.app import Approvals
from approvals.clock import day_of
from approvals.notifications import api_events
from approvals.notifications.events import Note, row
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import holder_supervisor
from approvals.process.calendar import for_chart
from approvals.process.deadlines import Due
from approvals.process.definitions import DECISION_KINDS
from approvals.store.database import insert_if_absent
from approvals.store.models import ApiEvent, Notification, Request, Task


@dataclass
class Found:
    overdue: int = 0
    reports: int = 0
    escalated: int = 0


def _notes(app: Approvals, t: Any, chart: OrgChart, today: date, found: Found) -> list[tuple[Note, str]]:
    days = Due.of(for_chart(chart), t.due_on, today).overdue
    params = {"days": days, "due_on": t.due_on.isoformat()}
    if t.kind == "report":
        found.reports += 1
        return [(Note(t.assignee, "report_late", t.request_id, t.id, params), f"report_late:{t.id}:{today}")]
    found.overdue += 1
    notes = [(Note(t.assignee, "overdue", t.request_id, t.id, params), f"overdue:{t.id}:{today}")]
    step = app.service.definition_of(t).steps.get(t.bpmn_id)
    boss = holder_supervisor(chart, t.assignee)
    if step is not None and step.escalate_after is not None and days >= step.escalate_after and boss:
        found.escalated += 1
        notes.append((Note(boss, "escalated", t.request_id, t.id, {**params, "holder": t.assignee}),
                      f"escalated:{t.id}:{today}"))
    return notes


def run(app: Approvals) -> Found:
    now = app.clock.now()
    # Each organization's own day (its time_zone): zones are at most 26 hours apart, so no
    # organization's day is past the storage zone's day after next; the loop decides per organization.
    latest = now.date() + timedelta(days=2)
    query = (select(Task.id, Task.request_id, Task.assignee, Task.kind, Task.due_on, Task.bpmn_id, Request.org_id,
                    Request.process_id, Request.process_sha)
             .join(Request, Request.id == Task.request_id)
             .where(Task.is_open.is_(True), Task.due_on < latest, Task.kind.in_((*DECISION_KINDS, "report")))
             .order_by(Task.id))
    found, charts = Found(), dict[str, OrgChart]()
    with app.db.writing() as conn:
        rows: list[dict[str, Any]] = []
        for t in conn.execute(query).all():
            chart = charts.get(t.org_id) or charts.setdefault(t.org_id, app.orgcharts.current(t.org_id))
            today = day_of(app.clock, now, chart.organization.time_zone)
            if t.due_on >= today or not for_chart(chart).is_working_day(today):
                continue
            rows.extend(row(note, now, key) for note, key in _notes(app, t, chart, today, found))
        if rows:
            conn.execute(insert_if_absent(conn, Notification), rows)
            overdue = [api_events.row("task.overdue", r["request_id"], r["task_id"], json.loads(r["params"]), now,
                                      "task.overdue:" + r["dedup_key"].partition(":")[2])
                       for r in rows if r["kind"] == "overdue"]
            if overdue:  # webhooks and pushed to-dos hear of it once a day too
                conn.execute(insert_if_absent(conn, ApiEvent), overdue)
    return found
