"""The daily scan: an overdue step reminds its holder once a day, after N overdue working days
its supervisor is told too, an overdue report reminds the applicant; nothing on a day off."""

from __future__ import annotations

import json
import threading
from datetime import datetime

from sqlalchemy import select
from support import leave_fields, open_steps, pick

from approvals.app import Approvals
from approvals.jobs import reminders as scan
from approvals.store.models import Notification


def _notes(app: Approvals) -> list[tuple[str, str, int | None]]:
    with app.db.reading() as s:
        found = s.execute(select(Notification.person_id, Notification.kind, Notification.task_id)
                          .where(Notification.kind.in_(("overdue", "escalated", "report_late")))
                          .order_by(Notification.id)).all()
    return [tuple(r) for r in found]  # type: ignore[misc]


def _at(app: Approvals, day: int, month: int = 11) -> None:
    app.clock.at = datetime(2026, month, day, 8, 30)  # type: ignore[attr-defined]


def test_an_overdue_step_reminds_its_holder_once_a_day_however_often_the_scan_runs(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    request_id = app.service.submit(pick(chart, "staff", "section"), "leave", leave_fields())
    [step] = open_steps(app, request_id)  # due Thursday 11-26 (3 working days)
    _at(app, 26)
    assert scan.run(app).overdue == 0
    _at(app, 27)
    workers = [threading.Thread(target=scan.run, args=(app,)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    scan.run(app)
    assert _notes(app) == [(step.assignee, "overdue", step.id)]


def test_nothing_is_sent_on_a_weekend(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    app.service.submit(pick(chart, "staff", "section"), "leave", leave_fields())
    _at(app, 28)  # Saturday
    scan.run(app)
    assert _notes(app) == []


def test_after_two_overdue_working_days_the_holders_supervisor_is_told(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [step] = open_steps(app, request_id)
    supervisor = chart.unit_of(step.assignee).supervisor
    _at(app, 27)  # one working day overdue: the holder only
    scan.run(app)
    _at(app, 30)  # Monday: two (escalate_after_days=2)
    found = scan.run(app)
    assert (found.overdue, found.escalated) == (1, 1)
    assert _notes(app) == [(step.assignee, "overdue", step.id), (step.assignee, "overdue", step.id),
                           (supervisor, "escalated", step.id)]
    with app.db.reading() as s:
        escalated = s.scalars(select(Notification).where(Notification.kind == "escalated")).one()
    assert json.loads(escalated.params) == {"days": 2, "due_on": "2026-11-26", "holder": step.assignee}


def test_an_overdue_return_report_reminds_the_applicant(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "leader")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [step] = open_steps(app, request_id)
    app.service.decide(step.id, step.assignee, "approve")
    [report] = app.queries.reports_due(applicant)  # due 12-08
    _at(app, 9, month=12)
    assert scan.run(app).reports == 1
    assert (applicant, "report_late", report.id) in _notes(app)
