"""Approvers and 抄送 the applicant chooses at submission, within the role the step declares
(docs/processes.md, "Approvers and copies the applicant chooses"), on SQLite and PostgreSQL.
孙丽 (规划科) chooses which bureau leader (members:leadership) approves after her unit head,
and whom of her unit (members:unit) her request is copied to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from choosing import chosen_xml
from timing import APPLICANT, open_rows, supplies_bureau

from approvals.app import Approvals
from approvals.errors import FieldError, ProcessDefinitionError
from approvals.process.definitions import parse_bpmn


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = supplies_bureau(db_url, tmp_path, xml=chosen_xml())
    yield app
    app.db.dispose()


def test_the_leader_and_the_copies_the_applicant_chose_get_the_request(bureau: Approvals) -> None:
    fields = {"item": "投影仪 1 台", "reviewer": "zhang.hua", "cc_to": "qian.hong、ma.lin"}
    route = bureau.service.preview(APPLICANT, "supplies", fields)
    assert route.as_json()["steps"] == [
        {"kind": "approve", "role": "unit_head", "assignees": ["zhao.lei"]},
        {"kind": "approve", "role": "members:leadership", "assignees": ["zhang.hua"]},
        {"kind": "copy", "role": "members:unit", "assignees": ["qian.hong"]},
        {"kind": "copy", "role": "members:unit", "assignees": ["ma.lin"]}]
    request_id = bureau.service.submit(APPLICANT, "supplies", fields)
    [head] = [t for t in bureau.queries.steps(request_id) if t.is_open]
    bureau.service.decide(head.id, "zhao.lei", "approve")
    assert open_rows(bureau, request_id) == [("leader", "zhang.hua")]
    [leader] = [t for t in bureau.queries.steps(request_id) if t.is_open]
    bureau.service.decide(leader.id, "zhang.hua", "approve")
    assert open_rows(bureau, request_id) == [("cc", "qian.hong"), ("cc", "ma.lin")]
    assert bureau.queries.request(request_id).status == "completed"


@pytest.mark.parametrize(("reviewer", "cc_to", "field", "why"), [
    ("zhao.lei", "qian.hong", "reviewer", "may not be chosen for this step: choose one of 王军 (wang.jun)"),
    ("", "qian.hong", "reviewer", "choose who: one of 王军 (wang.jun)、李明 (li.ming)"),
    ("zhang.hua, liu.yang", "qian.hong", "reviewer", "choose one person, not 2"),
    ("zhang.hua", "sun.li", "cc_to", "is you: an applicant never approves or is copied their own request"),
    ("zhang.hua", "wang.jun", "cc_to", "may not be chosen for this step"),
])
def test_a_choice_outside_the_steps_limit_is_refused_naming_the_field(bureau: Approvals, reviewer: str, cc_to: str,
                                                                     field: str, why: str) -> None:
    fields = {"item": "投影仪 1 台", "reviewer": reviewer, "cc_to": cc_to}
    for attempt in (lambda: bureau.service.preview(APPLICANT, "supplies", fields),
                    lambda: bureau.service.submit(APPLICANT, "supplies", fields)):
        with pytest.raises(FieldError) as info:
            attempt()
        [issue] = info.value.issues
        assert issue.where == field and why in issue.message


def test_a_choice_field_that_is_not_on_the_form_is_refused_at_load() -> None:
    xml = chosen_xml().replace('<camunda:property name="chosen_in" value="reviewer"/>',
                               '<camunda:property name="chosen_in" value="reviwer"/>')
    with pytest.raises(ProcessDefinitionError, match="userTask 'leader' property chosen_in: expected the id of a "
                                                     "string field of the request form"):
        parse_bpmn(xml, "supplies_xx.bpmn")
