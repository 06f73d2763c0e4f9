"""Timers on a step in working days (超时处理), as a bureau writes them (tests/fixtures/supplies_xx.bpmn),
on SQLite and PostgreSQL, with a fixed clock across National Day 2025 and its 调休 Saturday 10-11.

The unit head is reminded every working day, twice, and after 3 working days (the process
property ``auto_pass_days``) the step passes itself (超时自动通过); the supervising leader's
step tells the chief after one working day and moves to the chief (转交) after two.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from timing import APPLICANT, SUPPLIES, notices, open_rows, scan, supplies_bureau

from approvals.app import Approvals, build
from approvals.errors import ProcessDefinitionError
from approvals.operations import timeouts
from approvals.process.definitions import parse_bpmn

ITEM = {"item": "A4 复印纸 10 包"}


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Approvals:
    app = supplies_bureau(db_url, tmp_path)
    yield app
    app.db.dispose()


def _row(app: Approvals, request_id: int, step: str, *, open_only: bool = True) -> object:
    [row] = [t for t in app.queries.steps(request_id) if t.bpmn_id == step and (t.is_open or not open_only)]
    return row


def test_the_head_is_reminded_each_working_day_and_the_step_passes_itself_on_the_adjusted_saturday(
        bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "supplies", ITEM)  # Tuesday 09-30 10:00
    assert scan(bureau, "2025-10-08 23:59") == {}  # the National Day week is not working time
    assert scan(bureau, "2025-10-09 10:00:30") == {"remind": 1}  # 1 working day: Thursday 10-09 10:00
    assert scan(bureau, "2025-10-09 16:00") == {}
    assert scan(bureau, "2025-10-10 10:00:30") == {"remind": 1}
    assert scan(bureau, "2025-10-11 09:59") == {}  # R2: twice, then the step passes itself
    assert open_rows(bureau, request_id) == [("head", "zhao.lei")]

    assert scan(bureau, "2025-10-11 10:00:30") == {"approve": 1}  # the 调休 Saturday is a working day

    head = _row(bureau, request_id, "head", open_only=False)
    assert (head.status, head.decided_by) == ("approved", "system")
    assert head.comment == "超时自动通过（3 个工作日，规则 head_auto_pass）"
    assert open_rows(bureau, request_id) == [("leader", "li.ming")]
    [decided] = [e for e in bureau.queries.trail(request_id) if e.action == "decided"]
    assert (decided.actor, decided.decision, decided.task_id) == ("system", "approve", head.id)
    assert json.loads(decided.detail)["rule"] == "超时自动通过（head_auto_pass，3 个工作日）"
    reminders = [e for e in bureau.queries.trail(request_id) if e.action == "timer_fired"]
    assert [(e.actor, e.task_id) for e in reminders] == [("system", head.id)] * 2
    assert [(p, r, n["rule"]) for p, r, n in notices(bureau, "reminder")] == [
        ("zhao.lei", request_id, "每个工作日提醒")] * 2
    assert scan(bureau, "2025-10-20 10:00") == {"escalate": 1, "transfer": 1}  # only the leader's, once each


def test_the_leader_is_escalated_to_the_chief_then_the_step_moves_to_the_chief(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "supplies", ITEM)
    bureau.service.decide(_row(bureau, request_id, "head").id, "zhao.lei", "approve")  # leader's step: 09-30 10:00
    assert scan(bureau, "2025-10-09 10:00:30") == {"escalate": 1}
    assert [(p, n["holder"]) for p, _r, n in notices(bureau, "timer_escalated")] == [("wang.jun", "li.ming")]
    assert scan(bureau, "2025-10-10 10:00:30") == {"transfer": 1}

    moved = [t for t in bureau.queries.steps(request_id) if t.bpmn_id == "leader"][0]
    assert (moved.assignee, moved.status, moved.decided_by) == ("li.ming", "transferred", "system")
    assert moved.comment == "超时自动转交：超时转交主要负责人（2 个工作日，规则 leader_to_chief）"
    assert open_rows(bureau, request_id) == [("leader", "wang.jun")]
    [told] = notices(bureau, "transferred")
    assert told[0] == "wang.jun" and told[2]["by"] == "system"
    bureau.service.decide(_row(bureau, request_id, "leader").id, "wang.jun", "approve")
    assert bureau.queries.request(request_id).status == "completed"


def test_a_step_decided_in_time_fires_nothing(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "supplies", ITEM)
    bureau.service.decide(_row(bureau, request_id, "head").id, "zhao.lei", "approve")
    bureau.service.decide(_row(bureau, request_id, "leader").id, "li.ming", "approve")
    assert scan(bureau, "2025-10-20 10:00") == {}
    assert [e for e in bureau.queries.trail(request_id) if e.actor == "system" and e.action != "assigned"] == []


def test_a_timer_that_rejects_ends_the_request_with_the_rule_as_the_reason(db_url: str, tmp_path: Path) -> None:
    xml = SUPPLIES.read_text(encoding="utf-8").replace(
        '<camunda:property name="action" value="approve"/>', '<camunda:property name="action" value="reject"/>')
    app = supplies_bureau(db_url, tmp_path, xml=xml.replace('name="超时自动通过"', 'name="超时自动驳回"'))
    try:
        request_id = app.service.submit(APPLICANT, "supplies", ITEM)
        assert scan(app, "2025-10-11 10:00:30") == {"remind": 1, "reject": 1}  # the second reminder, due too
        request = app.queries.request(request_id)
        assert request.status == "rejected"
        assert request.outcome_comment == "超时自动驳回（3 个工作日，规则 head_auto_pass）"
        assert open_rows(app, request_id) == []
    finally:
        app.db.dispose()


def test_a_transfer_by_the_holder_keeps_the_steps_clock(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "supplies", ITEM)
    scan(bureau, "2025-10-09 09:00")
    bureau.service.transfer(_row(bureau, request_id, "head").id, "zhao.lei", "qian.hong", "出差，请钱红代办")
    # the reminders missed meanwhile make one notice
    assert scan(bureau, "2025-10-11 10:00:30") == {"remind": 1, "approve": 1}
    head = [t for t in bureau.queries.steps(request_id) if t.bpmn_id == "head"]
    assert [(t.assignee, t.status, t.decided_by) for t in head] == [
        ("zhao.lei", "transferred", None), ("qian.hong", "approved", "system")]


def test_a_step_sent_back_to_runs_its_timers_again_from_its_new_arrival(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "supplies", ITEM)
    first = _row(bureau, request_id, "head")
    bureau.service.decide(first.id, "zhao.lei", "approve")
    scan(bureau, "2025-10-09 09:00")  # the leader's escalation is not due before 10:00
    bureau.service.send_back(_row(bureau, request_id, "leader").id, "li.ming", first.id, "数量请核实")
    assert open_rows(bureau, request_id) == [("head", "zhao.lei")]
    assert scan(bureau, "2025-10-13 08:59") == {"remind": 1}  # 10-10 09:00 (and 10-11, missed meanwhile: one notice)
    assert scan(bureau, "2025-10-13 09:00:30") == {"approve": 1}  # 3 working days after 10-09 09:00
    assert open_rows(bureau, request_id) == [("leader", "li.ming")]


def test_a_step_taken_back_runs_its_timers_again(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "supplies", ITEM)
    bureau.service.decide(_row(bureau, request_id, "head").id, "zhao.lei", "approve")
    scan(bureau, "2025-10-09 09:30")
    bureau.service.take_back(request_id, "zhao.lei")
    assert scan(bureau, "2025-10-13 09:29") == {"remind": 1}
    assert scan(bureau, "2025-10-13 09:30:30") == {"approve": 1}
    head = [t for t in bureau.queries.steps(request_id) if t.bpmn_id == "head"]
    assert [(t.status, t.decided_by, t.origin) for t in head] == [("approved", "zhao.lei", None),
                                                                 ("approved", "system", "take_back")]


def test_a_resubmitted_request_runs_its_timers_again_and_the_returned_round_fires_nothing(
        bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "supplies", ITEM)
    bureau.service.decide(_row(bureau, request_id, "head").id, "zhao.lei", "return", "请写明用途")
    scan(bureau, "2025-10-09 09:00")
    bureau.service.resubmit(request_id, APPLICANT, {"item": "A4 复印纸 10 包（会议材料）"})
    assert scan(bureau, "2025-10-13 08:59") == {"remind": 1}
    assert scan(bureau, "2025-10-13 09:00:30") == {"approve": 1}
    head = [(t.round, t.status, t.decided_by) for t in bureau.queries.steps(request_id) if t.bpmn_id == "head"]
    assert head == [(1, "returned", "zhao.lei"), (2, "approved", "system")]


def test_several_workers_fire_one_timer_once(db_url: str, tmp_path: Path) -> None:
    app = supplies_bureau(db_url, tmp_path)
    engines = [build(db_url, tmp_path / "processes", app.clock) for _ in range(4)]
    try:
        request_ids = [app.service.submit(APPLICANT, "supplies", ITEM) for _ in range(3)]
        scan(app, "2025-10-10 12:00")  # the reminders, out of the way
        app.clock.at = app.clock.at.replace(month=10, day=11, hour=10, minute=0, second=30)
        start = threading.Barrier(len(engines))
        results: list[dict[str, int]] = []

        def work(engine: Approvals) -> None:
            start.wait()
            for _ in range(3):
                results.append(timeouts.run_due(engine.service).actions)

        threads = [threading.Thread(target=work, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sum(r.get("approve", 0) for r in results) == 3
        for request_id in request_ids:
            decided = [e for e in app.queries.trail(request_id) if e.action == "decided"]
            assert [(e.actor, e.decision) for e in decided] == [("system", "approve")]
            assert open_rows(app, request_id) == [("leader", "li.ming")]
    finally:
        for e in engines:
            e.db.dispose()
        app.db.dispose()


def _refusal(old: str, new: str) -> str:
    xml = SUPPLIES.read_text(encoding="utf-8")
    assert old in xml
    with pytest.raises(ProcessDefinitionError) as info:
        parse_bpmn(xml.replace(old, new, 1), "supplies_xx.bpmn")
    return str(info.value)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("<bpmn:timeDuration>P1D</bpmn:timeDuration>", "<bpmn:timeDuration>PT4H</bpmn:timeDuration>",
     "boundaryEvent 'leader_escalate' timeDuration: expected a number of working days such as P3D"),
    ("<bpmn:timeDuration>auto_pass_days</bpmn:timeDuration>", "<bpmn:timeDuration>days_left</bpmn:timeDuration>",
     "boundaryEvent 'head_auto_pass' timeDuration: 'days_left' is not a process property"),
    ("<bpmn:timeDuration>auto_pass_days</bpmn:timeDuration>",
     "<bpmn:timeDuration>__import__('os')</bpmn:timeDuration>",
     "boundaryEvent 'head_auto_pass' timeDuration: '__import__' is not an allowed name"),
    ("<bpmn:timeDuration>auto_pass_days</bpmn:timeDuration>",
     "<bpmn:timeDuration>auto_pass_days - 5</bpmn:timeDuration>",
     "boundaryEvent 'head_auto_pass' timeDuration: gives -2: expected a whole number of working days, 0-999"),
    ("<bpmn:timeCycle>R2/P1D</bpmn:timeCycle>", "<bpmn:timeCycle>R2/P0D</bpmn:timeCycle>",
     "boundaryEvent 'head_remind' timeCycle: a repeating timer needs at least one working day"),
    ("<bpmn:timeCycle>R2/P1D</bpmn:timeCycle>", "<bpmn:timeCycle>every day</bpmn:timeCycle>",
     "boundaryEvent 'head_remind' timeCycle: expected R<times>/<working days>"),
    ("<bpmn:timeDuration>P2D</bpmn:timeDuration>", "<bpmn:timeDate>2025-10-01</bpmn:timeDate>",
     "boundaryEvent 'leader_to_chief': needs one timeDuration"),
    ('<camunda:property name="action" value="approve"/>', '<camunda:property name="action" value="remind"/>',
     "boundaryEvent 'head_auto_pass': an interrupting timer (cancelActivity true, the default) needs property action"),
    ('<camunda:property name="to" value="chief"/>\n        </camunda:properties>\n      </bpmn:extensionElements>\n'
     '      <bpmn:timerEventDefinition><bpmn:timeDuration>P2D',
     '</camunda:properties>\n      </bpmn:extensionElements>\n      <bpmn:timerEventDefinition><bpmn:timeDuration>P2D',
     "boundaryEvent 'leader_to_chief': a transfer (转交) needs property to"),
    ('attachedToRef="head" cancelActivity="false">', 'attachedToRef="start" cancelActivity="false">',
     "boundaryEvent 'head_remind': a timer belongs on a decision step"),
    ('<bpmn:boundaryEvent id="head_auto_pass" name="超时自动通过" attachedToRef="head">',
     '<bpmn:boundaryEvent id="head_auto_pass" name="超时自动通过" attachedToRef="head">'
     '<bpmn:outgoing>f3</bpmn:outgoing>',
     "boundaryEvent 'head_auto_pass': a timer has no outgoing flow"),
])
def test_a_timer_that_cannot_be_computed_or_run_is_refused_at_load_naming_it(old: str, new: str,
                                                                             message: str) -> None:
    refusal = _refusal(old, new)
    assert "supplies_xx.bpmn" in refusal and f"process 'supplies_xx' {message}" in refusal


def test_the_timers_are_not_handed_to_spiffworkflow_and_the_route_is_unchanged() -> None:
    [defn] = parse_bpmn(SUPPLIES.read_text(encoding="utf-8"), "supplies_xx.bpmn")
    assert [t.bpmn_id for t in defn.steps["head"].timers] == ["head_remind", "head_auto_pass"]
    assert "head_auto_pass" not in defn.spec.task_specs
    assert [(t.action, t.days, t.times) for t in defn.steps["leader"].timers] == [("escalate", 1, 1),
                                                                                 ("transfer", 2, 1)]
