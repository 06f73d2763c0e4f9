"""A chart save moves only the tasks whose holder came from a post that changed: 转办, 加签
and 代理 keep their person unless that person can no longer hold the task (docs/reliability.md,
"Chart saves and open tasks")."""

from __future__ import annotations

import json
from datetime import date

import pytest
from operations_support import leave, only_open, waiting

from approvals.app import Approvals
from approvals.audit import chain as audit
from approvals.audit import trail_check
from approvals.errors import NotPermittedError
from approvals.people.orgchart.changes import AddPerson, Appoint, Leave

ORG = "xx-nrpb"
STEP = "科室主要负责人签字"


def _save_unchanged(app: Approvals) -> None:
    app.admin.save(app.admin.current_text(ORG), "feng.jie", "orgchart.yaml", "原样保存")


def _contradictions(app: Approvals) -> list[str]:
    """What ``approvals audit verify`` would report: a broken chain, rows the trail disagrees with."""
    with app.db.reading() as s:
        verification = audit.verify(s)
        found = [] if verification.ok else [str(verification)]
        return found + [str(c) for c in trail_check.check(s)]


def _reassigned(app: Approvals, request_id: int) -> list[dict[str, str]]:
    return [json.loads(e.detail) if isinstance(e.detail, str) else e.detail
            for e in app.queries.trail(request_id) if e.action == "reassigned"]


def test_a_transferred_task_stays_with_the_transferee_when_the_chart_is_saved_unchanged(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    new = app.service.transfer(task.id, case.head, case.colleague, "该同志熟悉情况")

    impact = app.admin.impact(app.admin.current_text(ORG))
    assert impact.moves == [] and impact.skips == []
    _save_unchanged(app)

    assert waiting(app, case.request_id) == [(STEP, case.colleague)]
    assert _reassigned(app, case.request_id) == []
    with pytest.raises(NotPermittedError):
        app.service.decide(new, case.head, "approve", "")
    app.service.decide(new, case.colleague, "approve", "同意")
    assert _contradictions(app) == []


def test_a_transferred_task_stays_with_the_transferee_when_the_post_gets_a_new_holder(app: Approvals) -> None:
    case = leave(app)
    unit = app.orgcharts.current(ORG).unit_of(case.applicant)
    task = only_open(app, case.request_id)
    app.service.transfer(task.id, case.head, case.colleague, "该同志熟悉情况")

    app.admin.save_change(ORG, AddPerson("new.head", "新科长", unit.id), "调入", "feng.jie")
    impact = app.admin.save_change(ORG, Appoint("new.head", "head", unit.id), "干部调整", "feng.jie")

    assert app.orgcharts.current(ORG).units[unit.id].head == "new.head"
    assert impact.moves == []
    assert waiting(app, case.request_id) == [(STEP, case.colleague)]


def test_an_opinion_added_before_the_holder_keeps_its_person_and_the_holder_cannot_answer_it(
        app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "before", "请先核实考勤")

    _save_unchanged(app)

    assert waiting(app, case.request_id) == [(STEP, case.head), (STEP, case.colleague)]
    assert app.queries.task(added).assignee == case.colleague
    with pytest.raises(NotPermittedError):
        app.service.decide(added, case.head, "approve", "我自己同意")
    app.service.decide(added, case.colleague, "approve", "考勤无误")
    app.service.decide(task.id, case.head, "approve", "")
    deciders = [e.actor for e in app.queries.trail(case.request_id) if e.action == "decided"]
    assert deciders == [case.colleague, case.head]  # two people, each once
    assert _contradictions(app) == []


def test_a_delegated_task_stays_with_the_acting_approver_when_the_chart_is_saved(app: Approvals) -> None:
    chart = app.orgcharts.current(ORG)
    case_chart_unit = chart.units["finance"]
    head = str(case_chart_unit.head)
    deputy = "he.ping"
    app.service.delegate(head, deputy, date(2026, 11, 20), date(2026, 11, 30))
    from support import leave_fields
    request_id = app.service.submit("shen.yue", "leave", leave_fields())
    assert [t.assignee for t in app.queries.steps(request_id) if t.is_open] == [deputy]

    _save_unchanged(app)

    [task] = [t for t in app.queries.steps(request_id) if t.is_open]
    assert (task.assignee, task.principal) == (deputy, head)
    assert _reassigned(app, request_id) == []


def test_a_transferee_who_leaves_hands_the_task_back_to_the_post_holder_and_the_trail_says_why(
        app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    new = app.service.transfer(task.id, case.head, case.colleague, "该同志熟悉情况")

    impact = app.admin.save_change(ORG, Leave(case.colleague), "调离", "feng.jie")

    assert [(m.task_id, m.old, m.new) for m in impact.moves] == [(new, case.colleague, case.head)]
    assert waiting(app, case.request_id) == [(STEP, case.head)]
    [entry] = _reassigned(app, case.request_id)
    assert (entry["from"], entry["to"]) == (case.colleague, case.head)
    assert case.colleague in entry["reason"] and "org chart" in entry["reason"]
    app.service.decide(new, case.head, "approve", "")
    assert _contradictions(app) == []


def test_an_added_approver_who_leaves_is_taken_off_and_the_holder_decides(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "before", "请先核实考勤")

    app.admin.save_change(ORG, Leave(case.colleague), "调离", "feng.jie")

    assert app.queries.task(added).status == "removed"
    assert app.queries.task(task.id).status == "open"
    assert waiting(app, case.request_id) == [(STEP, case.head)]
    [entry] = [e for e in app.queries.trail(case.request_id) if e.action == "approver_removed"]
    detail = json.loads(entry.detail) if isinstance(entry.detail, str) else entry.detail
    assert detail["person"] == case.colleague and "org chart" in detail["reason"]
    app.service.decide(task.id, case.head, "approve", "")
    assert _contradictions(app) == []


def test_someone_queued_after_the_holder_who_leaves_is_taken_off_before_their_turn(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "after", "请经办人复核")

    app.admin.save_change(ORG, Leave(case.colleague), "调离", "feng.jie")

    assert app.queries.task(added).status == "removed"
    app.service.decide(task.id, case.head, "approve", "")
    assert waiting(app, case.request_id) == [("分管局领导审签", case.supervisor)]
    assert _contradictions(app) == []


def test_an_added_approver_whose_turn_came_and_who_leaves_lets_the_holders_approval_stand(
        app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "after", "请经办人复核")
    app.service.decide(task.id, case.head, "approve", "")
    assert waiting(app, case.request_id) == [(STEP, case.colleague)]

    app.admin.save_change(ORG, Leave(case.colleague), "调离", "feng.jie")

    assert app.queries.task(added).status == "removed"
    assert waiting(app, case.request_id) == [("分管局领导审签", case.supervisor)]
    assert _contradictions(app) == []
