"""Fields per step on SQLite and PostgreSQL (docs/processes.md, "Fields per step"): the shipped
出差审批 (tests/trips.py) with its detail rows (行程明细), its computed working days across National
Day 2025, finance's 核定金额 filled at its own step and required-if rules reading across steps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import PROCESSES
from trips import APPLICANT, FINANCE, HEAD, LEADER, open_task, trip_bureau, trip_fields

from approvals.app import Approvals
from approvals.errors import FieldError, ProcessDefinitionError
from approvals.process.definitions import parse_bpmn

TRIP = (PROCESSES / "trip_xx.bpmn").read_text(encoding="utf-8")


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = trip_bureau(db_url, tmp_path)
    yield app
    app.db.dispose()


def refused(attempt: object) -> list[tuple[str, str]]:
    with pytest.raises(FieldError) as info:
        attempt()  # type: ignore[operator]
    return [(i.where, i.message) for i in info.value.issues]


def test_the_trip_counts_its_working_days_with_the_holiday_calendar_and_keeps_its_legs(bureau: Approvals) -> None:
    # 09-30 (Tue), 10-09, 10-10 and the 调休 Saturday 10-11: the National Day week does not count
    request_id = bureau.service.submit(APPLICANT, "trip", trip_fields(days="99"))  # a typed value is ignored
    fields = bureau.queries.fields(bureau.queries.request(request_id))
    assert fields["days"] == 4
    assert [leg["leg_to"] for leg in fields["legs"]] == ["北京市", "XX市"]
    route = bureau.service.preview(APPLICANT, "trip", trip_fields())
    assert [s["assignees"] for s in route.as_json()["steps"]] == [[HEAD], [FINANCE], [LEADER]]


def test_a_detail_row_is_checked_column_by_column_and_blank_rows_are_dropped(bureau: Approvals) -> None:
    legs = [{"leg_on": "2025-09-30", "leg_from": "XX市", "leg_to": "北京市"},
            {"leg_on": "2025-10-11", "leg_from": "北京市", "leg_to": ""},
            {"leg_on": "", "leg_from": "", "leg_to": ""}]
    assert refused(lambda: bureau.service.submit(APPLICANT, "trip", trip_fields(legs=legs))) == [
        ("field 'legs' (行程明细) row 2 field 'leg_to' (到达地)", "is required")]
    assert ("field 'legs' (行程明细)", "is required") in refused(
        lambda: bureau.service.submit(APPLICANT, "trip", trip_fields(legs=[legs[2]])))


def test_finance_fills_the_approved_amount_at_its_step_and_the_leader_reads_it(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "trip", trip_fields())
    head = open_task(bureau, request_id, "head")
    assert refused(lambda: bureau.service.decide(head.id, HEAD, "approve", fields={"approved_amount": "1"})) == [
        ("fields", "this step has no form of its own to fill in")]
    bureau.service.decide(head.id, HEAD, "approve")
    finance = open_task(bureau, request_id, "finance")
    assert refused(lambda: bureau.service.decide(finance.id, FINANCE, "approve")) == [
        ("field 'approved_amount' (核定金额（元）)", "is required")]
    # less than the applicant's budget of 4000: the note is required (a rule reading the request form)
    assert refused(lambda: bureau.service.decide(finance.id, FINANCE, "approve",
                                                 fields={"approved_amount": "3000"})) == [
        ("field 'finance_note' (核定说明)", "is required")]
    bureau.service.decide(finance.id, FINANCE, "approve", "同意",
                          fields={"approved_amount": "3000", "finance_note": "住宿按标准核减"})
    done = bureau.queries.task(finance.id)
    assert json.loads(done.result_json or "{}") == {"approved_amount": 3000, "finance_note": "住宿按标准核减"}
    [entry] = [e for e in bureau.queries.trail(request_id) if e.action == "decided" and e.task_id == finance.id]
    assert json.loads(entry.detail)["fields"] == {"approved_amount": 3000, "finance_note": "住宿按标准核减"}
    leader = open_task(bureau, request_id, "leader")
    bureau.service.decide(leader.id, LEADER, "approve")  # 3000 is under 5000: no note needed
    assert bureau.queries.request(request_id).status == "completed"


def test_a_rule_on_the_leaders_step_reads_the_amount_finance_set(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "trip", trip_fields(budget="8000"))
    bureau.service.decide(open_task(bureau, request_id, "head").id, HEAD, "approve")
    bureau.service.decide(open_task(bureau, request_id, "finance").id, FINANCE, "approve",
                          fields={"approved_amount": "8000"})
    leader = open_task(bureau, request_id, "leader")
    assert refused(lambda: bureau.service.decide(leader.id, LEADER, "approve")) == [
        ("field 'leader_note' (领导意见)", "is required")]
    bureau.service.decide(leader.id, LEADER, "return", "请压缩行程")  # returning needs no form
    assert bureau.queries.request(request_id).status == "returned"


@pytest.mark.parametrize(("old", "new", "why"), [
    ('<camunda:property name="hidden_fields" value="reason"/>',
     '<camunda:property name="hidden_fields" value="raeson"/>',
     "userTask 'finance' property hidden_fields: expected ids of fields"),
    ('<camunda:property id="row_of" value="legs"/>', '<camunda:property id="row_of" value="legz"/>',
     "property row_of: expected the id of a field of type rows"),
    ('value="working_days(depart_on, return_on)"', 'value="working_days(depart_on, retrun_on)"',
     "field 'days' computed: 'retrun_on' is not a form field"),
    ('<camunda:property name="action" value="remind"/></camunda:properties>\n      </bpmn:extensionElements>\n'
     '      <bpmn:timerEventDefinition><bpmn:timeDuration>P2D',
     '<camunda:property name="action" value="approve"/></camunda:properties>\n      </bpmn:extensionElements>\n'
     '      <bpmn:timerEventDefinition><bpmn:timeDuration>P2D',
     "a timer cannot approve a step whose form has required fields"),
    ('id="finance_note" label="核定说明"', 'id="budget" label="核定说明"',
     "is a field of the request form already"),
])
def test_a_step_form_that_could_not_work_is_refused_at_load(old: str, new: str, why: str) -> None:
    assert old in TRIP
    xml = TRIP.replace(old, new, 1)
    if "cancelActivity" in old or "approve\"/></camunda:properties>" in new:
        xml = xml.replace('name="超时提醒" attachedToRef="finance" cancelActivity="false"',
                          'name="超时提醒" attachedToRef="finance"', 1)
    with pytest.raises(ProcessDefinitionError, match=why.replace("(", r"\(").replace(")", r"\)")):
        parse_bpmn(xml, "trip_xx.bpmn")
