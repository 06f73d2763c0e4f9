"""Who is told what: each event that needs a person becomes a notification in that person's
centre, written in the action's own transaction; urges are limited per holder and interval."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from support import head_of_duty, leave_fields, open_steps, pick

from approvals.app import Approvals
from approvals.errors import ConflictError
from approvals.notifications.centre import Centre
from approvals.notifications.urges import INTERVAL_ENV, TooSoonError
from approvals.store.models import Notification


def _kinds(app: Approvals, person: str) -> list[tuple[str, int | None]]:
    shown, _ = Centre(app.db).page(person)
    return [(n.kind, n.request_id) for n in reversed(shown)]


def test_each_holder_is_told_of_a_new_task_and_the_applicant_of_the_outcome_and_the_report(
        app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "leader")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [decision] = open_steps(app, request_id)
    assert _kinds(app, decision.assignee) == [("task", request_id)]
    app.service.decide(decision.id, decision.assignee, "approve")
    assert _kinds(app, applicant) == [("report_due", request_id), ("decided", request_id)]
    assert _kinds(app, head_of_duty(chart, "filing")) == [("filing", request_id)]
    [report] = [n for n in Centre(app.db).page(applicant)[0] if n.kind == "report_due"]
    assert report.params == {"due_on": "2026-12-08"}


def test_a_returned_request_tells_the_applicant_who_returned_it_and_why(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [step] = open_steps(app, request_id)
    app.service.decide(step.id, step.assignee, "return", "请写明具体地址")
    [returned] = Centre(app.db).page(applicant)[0]
    assert (returned.kind, returned.params) == ("returned", {"by": step.assignee, "comment": "请写明具体地址"})


def test_a_task_moved_by_a_delegation_is_announced_to_the_new_holder(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [step] = open_steps(app, request_id)
    deputy = next(d for d in chart.units[chart.people[applicant].unit].deputies if d != applicant)
    app.service.delegate(step.assignee, deputy, date(2026, 11, 23), date(2026, 11, 30))
    [moved] = Centre(app.db).page(deputy)[0]
    assert (moved.kind, moved.task_id, moved.params["from"]) == ("moved", step.id, step.assignee)


def test_an_action_that_fails_leaves_no_notification(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    request_id = app.service.submit(pick(chart, "leader"), "leave", leave_fields())
    [step] = open_steps(app, request_id)
    app.service.decide(step.id, step.assignee, "approve")
    with app.db.reading() as s:
        before = s.scalar(select(func.count()).select_from(Notification))
    with pytest.raises(ConflictError):
        app.service.decide(step.id, step.assignee, "approve")
    with app.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Notification)) == before


def test_marking_read_lowers_the_unread_count_and_only_for_the_owner(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    request_id = app.service.submit(pick(chart, "leader"), "leave", leave_fields())
    [step] = open_steps(app, request_id)
    centre = Centre(app.db)
    assert app.queries.waiting(chart, step.assignee).unread == 1
    [note] = centre.page(step.assignee)[0]
    assert centre.mark_read("someone.else", app.clock.now(), [note.id]) == 0
    assert centre.mark_read(step.assignee, app.clock.now(), [note.id]) == 1
    assert app.queries.waiting(chart, step.assignee).unread == 0


def test_an_urge_tells_the_holder_once_per_interval(app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INTERVAL_ENV, "4")
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [step] = open_steps(app, request_id)
    app.service.urge(step.id, applicant)
    with pytest.raises(TooSoonError, match="can be urged again from 2026-11-23 13:00"):
        app.service.urge(step.id, applicant)
    app.clock.advance(hours=4)  # type: ignore[attr-defined]
    app.service.urge(step.id, applicant)
    assert [k for k, _ in _kinds(app, step.assignee)] == ["task", "urged", "urged"]
    assert app.queries.task(step.id).urge_count == 2


def test_an_urge_does_not_follow_the_task_to_a_new_holder(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [step] = open_steps(app, request_id)
    app.service.urge(step.id, applicant)
    deputy = next(d for d in chart.units[chart.people[applicant].unit].deputies if d != applicant)
    app.service.delegate(step.assignee, deputy, date(2026, 11, 23), date(2026, 11, 23) + timedelta(days=7))
    moved = app.queries.task(step.id)
    assert (moved.assignee, moved.urge_count, moved.urged_at) == (deputy, 0, None)
    app.service.urge(step.id, applicant)  # the new holder may be urged at once
    assert [k for k, _ in _kinds(app, deputy)] == ["moved", "urged"]


def test_a_task_moved_by_an_org_chart_change_is_announced_to_the_new_head_without_the_old_urge(
        app: Approvals) -> None:
    import yaml

    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    unit = chart.unit_of(applicant)
    successor = next(p for p in chart.members(unit.id) if p not in (applicant, unit.head))
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [step] = open_steps(app, request_id)
    app.service.urge(step.id, applicant)
    data = yaml.safe_load(app.admin.current_text("xx-nrpb"))
    for u in data["units"]:
        if u["id"] == unit.id:
            u["head"], u["deputies"] = successor, [d for d in u.get("deputies", []) if d != successor]
    app.admin.save(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "admin", "edited.yaml", "干部调整")
    [moved] = Centre(app.db).page(successor)[0]
    assert (moved.kind, moved.task_id, moved.params) == ("moved", step.id, {"from": unit.head, "reason": "orgchart",
                                                                       "by": "admin", "comment": "干部调整"})
    assert app.queries.task(step.id).urge_count == 0
