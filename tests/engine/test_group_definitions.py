"""A group step loads only in one of the three documented conventions (docs/processes.md,
"Group steps"); anything else is refused at load naming the element and the fix."""

from __future__ import annotations

import pytest
from support import CHART_A
from topics import TOPIC

from approvals.errors import ProcessDefinitionError
from approvals.people.orgchart.loader import load_orgchart
from approvals.people.orgchart.roles import is_known_role
from approvals.process.definitions import parse_bpmn
from approvals.process.groups import ALL_AT_ONCE, ALL_IN_ORDER, ANY_ONE

XML = TOPIC.read_text(encoding="utf-8")
ANY_ONE_LOOP = ('<bpmn:multiInstanceLoopCharacteristics isSequential="false">\n'
                '        <bpmn:completionCondition>nrOfCompletedInstances &gt;= 1</bpmn:completionCondition>')


def refusal(xml: str) -> str:
    with pytest.raises(ProcessDefinitionError) as info:
        parse_bpmn(xml, "topic.bpmn")
    return str(info.value)


def test_the_worked_example_loads_with_its_three_conventions() -> None:
    [topic] = parse_bpmn(XML, "topic_xx.bpmn")
    groups = {step.bpmn_id: step.group for step in topic.steps.values()}
    assert groups == {"office_check": ANY_ONE, "leaders_sign": ALL_AT_ONCE, "discipline_opinion": None,
                      "party_group": ALL_IN_ORDER}


def test_group_roles_are_known_to_approvals_check() -> None:
    chart = load_orgchart(CHART_A)
    for role in ("members:leadership", "deputies:unit", "members:duty:filing", "chief, organ_leader"):
        assert is_known_role(chart, role), role
    assert not is_known_role(chart, "chief, treasurer")


def test_any_one_in_order_is_refused() -> None:
    message = refusal(XML.replace(ANY_ONE_LOOP, ANY_ONE_LOOP.replace('"false"', '"true"')))
    assert "userTask 'office_check' multiInstanceLoopCharacteristics completionCondition" in message
    assert "any one (isSequential=\"false\" and completionCondition nrOfCompletedInstances >= 1)" in message


def test_a_completion_condition_other_than_any_one_is_refused() -> None:
    message = refusal(XML.replace("nrOfCompletedInstances &gt;= 1", "nrOfCompletedInstances &gt;= 2"))
    assert "'nrOfCompletedInstances >= 2'" in message and "the three group steps are" in message


def test_a_cardinality_or_collection_is_refused_since_the_chart_gives_the_members() -> None:
    message = refusal(XML.replace('<bpmn:multiInstanceLoopCharacteristics isSequential="true" />',
                                  '<bpmn:multiInstanceLoopCharacteristics isSequential="true" '
                                  'camunda:collection="members" camunda:elementVariable="member" />'))
    assert ("userTask 'party_group' multiInstanceLoopCharacteristics: leave it out: the members come from "
            "the group role in camunda:candidateGroups (found 'camunda:collection')") in message


def test_a_group_role_on_a_single_step_is_refused() -> None:
    message = refusal(XML.replace('<bpmn:multiInstanceLoopCharacteristics isSequential="true" />', ""))
    assert ("userTask 'party_group' camunda:candidateGroups: names several people: a group step needs "
            "bpmn:multiInstanceLoopCharacteristics") in message


def test_a_misspelt_group_role_is_refused() -> None:
    message = refusal(XML.replace('"members:leadership"', '"members:leaders"'))
    assert ("userTask 'party_group' camunda:candidateGroups: a group step (multiInstanceLoopCharacteristics) needs "
            "a group role, e.g. members:leadership, deputies:unit or 'chief, organ_leader' (found 'members:leaders')"
            ) in message


def test_the_discipline_duty_is_asked_for_an_opinion_never_an_approval() -> None:
    message = refusal(XML.replace('<camunda:property name="kind" value="consent" />',
                                  '<camunda:property name="kind" value="approve" />'))
    assert ("userTask 'discipline_opinion' camunda:candidateGroups: the discipline duty gives an opinion and "
            "never approves: set property kind to consent (纪检意见) or record (found 'duty:discipline')") in message


def test_a_copy_to_a_group_is_refused() -> None:
    xml = XML.replace('<bpmn:endEvent id="end" name="列入党组会议程">',
                      '<bpmn:sendTask id="copy_all" camunda:candidateGroups="duty:filing">'
                      '<bpmn:multiInstanceLoopCharacteristics /></bpmn:sendTask>'
                      '<bpmn:endEvent id="end" name="列入党组会议程">')
    assert ("sendTask 'copy_all': only a userTask can be a group step (会签/或签); a filing or copy already reaches "
            "every member of the receiving unit (found 'multiInstanceLoopCharacteristics')") in refusal(xml)
