"""会签 and 或签 as a bureau writes them (tests/fixtures/topic_xx.bpmn), on SQLite and PostgreSQL.

The 党组会 topic: any one of the secretariat checks the papers (或签); the drafter's unit head
and the organ leader (分管机关的局领导) sign at once (会签) while the discipline unit gives its opinion on a
parallel branch; then every member of the party group signs, in order (会签).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CHART_A, ROOT
from topics import FIELDS, open_tasks, topic_bureau, topic_chart_text

from approvals.app import Approvals
from approvals.cli import cli
from approvals.errors import VacantPostError
from approvals.operations.recording import NOT_NEEDED
from approvals.people.eligibility import Waiting, holder_refusal
from approvals.people.offices import Offices
from approvals.people.orgchart.loader import load_orgchart
from approvals.process.definitions import parse_bpmn
from approvals.process.engine import Run
from approvals.process.routes import preview

DRAFTER = "sun.li"  # 孙丽, 规划科科员: head 赵磊; 李明 is the organ leader
SECRETARIAT = ["zhou.qiang", "wu.min", "zheng.yu"]  # 办公室, holds duty secretariat
PARTY_GROUP = ["wang.jun", "li.ming", "zhang.hua", "chen.gang", "liu.yang"]  # 局领导班子, in rank order


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Approvals:
    app = topic_bureau(db_url, tmp_path)
    yield app
    app.db.dispose()


def _task(app: Approvals, request_id: int, step: str, person: str) -> int:
    [task] = [t for t in app.queries.steps(request_id) if t.is_open and t.bpmn_id == step and t.assignee == person]
    return int(task.id)


def _decide(app: Approvals, request_id: int, step: str, person: str, decision: str = "approve",
            comment: str = "") -> None:
    chart = app.orgcharts.current("xx-nrpb")
    task_id = _task(app, request_id, step, person)
    assert task_id in [t.id for t in app.queries.inbox(chart, person).items], f"not in {person}'s inbox"
    app.service.decide(task_id, person, decision, comment)


def _past_office_and_leaders(app: Approvals, request_id: int) -> None:
    _decide(app, request_id, "office_check", "wu.min")
    for person in ("zhao.lei", "li.ming"):
        _decide(app, request_id, "leaders_sign", person)
    _decide(app, request_id, "discipline_opinion", "han.bing")


def test_office_duty_is_done_by_whoever_is_free(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    assert open_tasks(bureau, request_id) == [("office_check", p) for p in SECRETARIAT]

    _decide(bureau, request_id, "office_check", "wu.min")

    office = [t for t in bureau.queries.steps(request_id) if t.bpmn_id == "office_check"]
    assert {(t.assignee, t.status) for t in office} == {
        ("zhou.qiang", NOT_NEEDED), ("wu.min", "approved"), ("zheng.yu", NOT_NEEDED)}
    chart = bureau.orgcharts.current("xx-nrpb")
    for colleague in ("zhou.qiang", "zheng.yu"):
        assert not [t for t in bureau.queries.inbox(chart, colleague).items if t.request_id == request_id]
    closed = [e for e in bureau.queries.trail(request_id) if e.action == NOT_NEEDED]
    assert sorted(e.task_id for e in closed) == sorted(t.id for t in office if t.status == NOT_NEEDED)


def test_unit_head_supervisor_and_discipline_are_asked_at_the_same_time(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    _decide(bureau, request_id, "office_check", "zheng.yu")
    assert open_tasks(bureau, request_id) == [
        ("leaders_sign", "zhao.lei"), ("leaders_sign", "li.ming"), ("discipline_opinion", "han.bing")]

    _decide(bureau, request_id, "leaders_sign", "li.ming")
    _decide(bureau, request_id, "discipline_opinion", "han.bing")
    # 会签: one signature is not enough; the party group waits for the unit head too.
    assert open_tasks(bureau, request_id) == [("leaders_sign", "zhao.lei")]
    _decide(bureau, request_id, "leaders_sign", "zhao.lei")
    assert open_tasks(bureau, request_id) == [("party_group", "wang.jun")]


def test_party_group_topic_needs_every_member_in_order(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    _past_office_and_leaders(bureau, request_id)
    for member in PARTY_GROUP:
        assert open_tasks(bureau, request_id) == [("party_group", member)]
        assert bureau.queries.request(request_id).status == "pending"
        _decide(bureau, request_id, "party_group", member)
    assert open_tasks(bureau, request_id) == []
    assert bureau.queries.request(request_id).status == "completed"
    signed = [t.decided_by for t in bureau.queries.steps(request_id) if t.bpmn_id == "party_group"]
    assert signed == PARTY_GROUP


def test_one_member_rejecting_ends_the_topic_and_closes_the_other_members_tasks(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    _decide(bureau, request_id, "office_check", "zhou.qiang")
    _decide(bureau, request_id, "leaders_sign", "li.ming", "reject", "岗位调整须先报编办")

    request = bureau.queries.request(request_id)
    assert (request.status, request.outcome_comment) == ("rejected", "岗位调整须先报编办")
    assert open_tasks(bureau, request_id) == []
    others = {t.assignee: t.status for t in bureau.queries.steps(request_id)
              if t.bpmn_id in ("leaders_sign", "discipline_opinion") and t.assignee != "li.ming"}
    assert others == {"zhao.lei": "cancelled", "han.bing": "cancelled"}


def test_a_party_group_member_returning_the_topic_sends_it_back_to_the_drafter(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    _past_office_and_leaders(bureau, request_id)
    _decide(bureau, request_id, "party_group", "wang.jun")
    _decide(bureau, request_id, "party_group", "li.ming", "return", "请补充编制测算")
    assert bureau.queries.request(request_id).status == "returned"
    assert open_tasks(bureau, request_id) == []


def test_a_unit_head_drafting_is_taken_out_of_his_own_sign_off(bureau: Approvals) -> None:
    route = bureau.service.preview("zhao.lei", "topic", FIELDS).as_json()["steps"]
    assert route[1] == {"kind": "approve", "role": "unit_head, organ_leader", "assignees": ["li.ming"],
                        "group": "all_at_once", "id": "leaders_sign", "parallel_with": ["discipline_opinion"]}

    request_id = bureau.service.submit("zhao.lei", "topic", FIELDS)
    _decide(bureau, request_id, "office_check", "zhou.qiang")
    assert ("leaders_sign", "zhao.lei") not in open_tasks(bureau, request_id)
    assert ("leaders_sign", "li.ming") in open_tasks(bureau, request_id)


def test_a_party_group_member_drafting_is_taken_out_of_the_party_group(bureau: Approvals) -> None:
    route = bureau.service.preview("liu.yang", "topic", FIELDS).as_json()["steps"]  # 刘洋, 总规划师
    assert route[1]["assignees"] == ["wang.jun", "li.ming"]  # head of the leadership unit, organ leader
    assert route[-1]["assignees"] == ["wang.jun", "li.ming", "zhang.hua", "chen.gang"]


def test_the_office_head_drafting_leaves_the_check_to_his_clerks(bureau: Approvals) -> None:
    route = bureau.service.preview("zhou.qiang", "topic", FIELDS).as_json()["steps"]
    assert route[0]["assignees"] == ["wu.min", "zheng.yu"]


def test_a_secretariat_left_empty_is_refused_at_submission_naming_the_post(db_url: str, tmp_path: Path) -> None:
    app = topic_bureau(db_url, tmp_path, lone_clerk=True)
    try:
        for attempt in (app.service.preview, app.service.submit):
            with pytest.raises(VacantPostError) as refused:
                attempt("zhou.qiang", "topic", FIELDS)
            message = str(refused.value)
            assert "the members of 办公室, holder of duty 'secretariat' (units[office])" in message
            assert "nobody other than the applicant is in it (role members:duty:secretariat)" in message
        assert app.queries.my_requests("zhou.qiang").total == 0
    finally:
        app.db.dispose()


def test_the_preview_names_each_group_and_what_runs_at_the_same_time(bureau: Approvals) -> None:
    route = bureau.service.preview(DRAFTER, "topic", FIELDS)
    assert route.as_json()["steps"] == [
        {"kind": "approve", "role": "members:duty:secretariat", "assignees": SECRETARIAT, "group": "any_one"},
        {"kind": "approve", "role": "unit_head, organ_leader", "assignees": ["zhao.lei", "li.ming"],
         "group": "all_at_once", "id": "leaders_sign", "parallel_with": ["discipline_opinion"]},
        {"kind": "consent", "role": "duty:discipline", "assignees": ["han.bing"],
         "id": "discipline_opinion", "parallel_with": ["leaders_sign"]},
        {"kind": "approve", "role": "members:leadership", "assignees": PARTY_GROUP, "group": "all_in_order"},
    ]
    chart = bureau.orgcharts.current("xx-nrpb")
    assert [s.who(chart.display_name) for s in route.visible] == [
        "any one of: 周强, 吴敏, 郑宇", "all of, at once: 赵磊, 李明", "韩冰",
        "all of, in order: 王军, 李明, 张华, 陈刚, 刘洋"]


def test_saved_state_round_trips_in_the_middle_of_each_group(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    checkpoints = [
        lambda: None,  # 或签 open for three
        lambda: _decide(bureau, request_id, "office_check", "wu.min"),
        lambda: _decide(bureau, request_id, "leaders_sign", "zhao.lei"),  # 会签 half signed
        lambda: (_decide(bureau, request_id, "leaders_sign", "li.ming"),
                 _decide(bureau, request_id, "discipline_opinion", "han.bing"),
                 _decide(bureau, request_id, "party_group", "wang.jun")),  # in order, one signed
    ]
    for advance in checkpoints:
        advance()
        request = bureau.service._load_request(request_id)
        definition = bureau.service.definition_of(request)
        run = Run.load(definition, request.state)
        assert run.dump() == Run.load(definition, run.dump()).dump()
        waiting = {t.spiff_id for t in bureau.queries.steps(request_id) if t.is_open}
        assert run.waiting_ids() == waiting
    for member in PARTY_GROUP[1:]:
        _decide(bureau, request_id, "party_group", member)
    assert bureau.queries.request(request_id).status == "completed"


SETTLED_BY_RULE_2 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://approvals.example/bpmn">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="head" name="科室负责人审核" camunda:candidateGroups="unit_head">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="either" name="负责人或分管领导签发" camunda:candidateGroups="unit_head, organ_leader">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="false">
        <bpmn:completionCondition>nrOfCompletedInstances &gt;= 1</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="head"/>
    <bpmn:sequenceFlow id="f2" sourceRef="head" targetRef="either"/>
    <bpmn:sequenceFlow id="f3" sourceRef="either" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_member_who_signed_the_step_before_settles_an_any_one_group() -> None:
    """Rule 2 inside a 或签 group: the unit head who just approved is one of the group, so his
    decision settles it, and the organ leader is never asked."""
    [definition] = parse_bpmn(SETTLED_BY_RULE_2, "review.bpmn")
    route = preview(load_orgchart(CHART_A), definition, "review", DRAFTER, {}, date(2026, 11, 23))
    assert route.as_json()["steps"] == [{"kind": "approve", "role": "unit_head", "assignees": ["zhao.lei"]}]
    assert [(s.bpmn_id, s.assignee, s.outcome) for s in route.steps] == [
        ("head", "zhao.lei", "open"), ("either", "zhao.lei", "satisfied")]


def test_the_preview_in_the_docs_is_the_one_the_engine_gives(bureau: Approvals) -> None:
    docs = (ROOT / "docs" / "processes.md").read_text(encoding="utf-8")
    shown = re.search(r'```json\n(\{"process": "topic".*?)\n```', docs, re.DOTALL)
    assert shown is not None
    assert json.loads(shown.group(1)) == bureau.service.preview(DRAFTER, "topic", FIELDS).as_json()


def test_a_member_leaving_the_chart_mid_group_is_listed_for_the_admin_and_the_others_keep_theirs(
        bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    text = re.sub(r"^  - \{id: zheng\.yu,.*\n", "", topic_chart_text(), flags=re.MULTILINE)

    impact = bureau.admin.save(text, "system", "xx-topics.yaml")

    assert impact.moves == []
    task = _task(bureau, request_id, "office_check", "zheng.yu")
    assert impact.stuck == [f"task #{task} (党组秘书审核议题材料（任一人）, request #{request_id}): zheng.yu is no "
                            "longer one of the group 'members:duty:secretariat' under this chart; the task stays "
                            "open for an administrator to hand on"]
    assert open_tasks(bureau, request_id) == [("office_check", p) for p in SECRETARIAT]
    _decide(bureau, request_id, "office_check", "zhou.qiang")  # 或签: his colleague's task closes with it
    assert ("office_check", "zheng.yu") not in open_tasks(bureau, request_id)


def test_route_on_the_command_line_names_each_group(tmp_path: Path) -> None:
    app = topic_bureau(f"sqlite:///{tmp_path}/cli.sqlite3", tmp_path)  # writes the chart and processes used below
    expected = app.service.preview(DRAFTER, "topic", FIELDS).as_json()
    app.db.dispose()
    chart, processes = str(tmp_path / "xx-topics.yaml"), str(tmp_path / "processes")
    args = ["--processes", processes, "route", "--orgchart", chart, "--process", "topic", "--applicant", DRAFTER]
    shown = CliRunner().invoke(cli, [*args, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == expected
    lines = CliRunner().invoke(cli, args).output.splitlines()
    assert "any one of: zhou.qiang (周强), wu.min (吴敏), zheng.yu (郑宇)" in lines[0]
    assert lines[1].endswith("(at the same time as discipline_opinion)")
    assert "all of, in order: wang.jun (王军), li.ming (李明)" in lines[3]


def test_inspectors_may_hold_discipline_opinions_and_nothing_else() -> None:
    chart = load_orgchart(CHART_A)
    offices = Offices()
    for role in ("duty:discipline", "members:duty:discipline"):
        opinion = Waiting(1, 1, DRAFTER, "机关纪委意见", role)
        assert holder_refusal(chart, "yang.fan", opinion, offices) is None
    sign_off = Waiting(1, 1, DRAFTER, "党组成员依次审签", "members:leadership")
    assert "inspectors decide only discipline steps" in (holder_refusal(chart, "yang.fan", sign_off, offices) or "")
