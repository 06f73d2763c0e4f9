"""Malformed BPMN gives an error naming the file, the element and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from approvals.errors import ProcessDefinitionError, UnknownProcessError
from approvals.process.definitions import DefinitionRegistry, parse_bpmn

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">')


def bpmn(body: str, extra: str = "") -> str:
    """A one-process file: start -> BODY (ids t1) -> end."""
    return (f'{HEAD}{extra}<bpmn:process id="p" isExecutable="true">'
            '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            f'{body}'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t1"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="end"/>'
            '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            '</bpmn:process></bpmn:definitions>')


def user_task(attrs: str = 'camunda:candidateGroups="unit_head"', inner: str = "") -> str:
    return (f'<bpmn:userTask id="t1" name="审批" {attrs}>{inner}'
            '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>')


def props(**values: str) -> str:
    inner = "".join(f'<camunda:property name="{k}" value="{v}"/>' for k, v in values.items())
    return f"<bpmn:extensionElements><camunda:properties>{inner}</camunda:properties></bpmn:extensionElements>"


def error_of(xml: str) -> str:
    with pytest.raises(ProcessDefinitionError) as info:
        parse_bpmn(xml, "bad.bpmn")
    return str(info.value)


def test_a_well_formed_step_parses_with_role_and_kind() -> None:
    [defn] = parse_bpmn(bpmn(user_task(inner=props(kind="consent", name_en="Consent"))), "ok.bpmn")
    step = defn.steps["t1"]
    assert (step.role, step.kind, step.name, step.name_en) == ("unit_head", "consent", "审批", "Consent")


def test_a_user_task_without_a_role_names_the_task_and_the_fix() -> None:
    message = error_of(bpmn(user_task(attrs="")))
    assert "bad.bpmn" in message and "'t1'" in message and "camunda:candidateGroups" in message


def test_an_unknown_step_kind_lists_the_allowed_kinds() -> None:
    message = error_of(bpmn(user_task(inner=props(kind="sign"))))
    assert "'sign'" in message and "approve, consent, record, report" in message


def test_a_send_task_may_only_file_or_copy() -> None:
    send = ('<bpmn:sendTask id="t1" camunda:candidateGroups="duty:filing">' + props(kind="approve")
            + '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:sendTask>')
    assert "expected one of file, copy" in error_of(bpmn(send))


def test_a_report_step_must_say_when_it_is_due() -> None:
    assert "due_field" in error_of(bpmn(user_task(inner=props(kind="report"))))


def test_a_plain_task_is_refused_with_the_alternative() -> None:
    task = '<bpmn:task id="t1"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>'
    assert "use a userTask" in error_of(bpmn(task))


def test_a_refusal_end_event_needs_a_named_error() -> None:
    xml = bpmn(user_task()).replace(
        '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming>'
        '<bpmn:errorEventDefinition errorRef="nope"/></bpmn:endEvent>')
    assert "errorRef to a bpmn:error with a name" in error_of(xml)


def test_an_unknown_form_field_type_is_named() -> None:
    start = ('<bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>'
             '<camunda:formField id="when" type="datetime"/></camunda:formData></bpmn:extensionElements>'
             '<bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>')
    xml = bpmn(user_task()).replace(
        '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>', start)
    message = error_of(xml)
    assert "field 'when' type" in message and "'datetime'" in message


def test_broken_xml_names_the_line() -> None:
    assert "line" in error_of(HEAD + "<bpmn:process id='p'>") and "not well-formed" in error_of(HEAD)


def test_a_flow_to_a_missing_element_is_reported_not_raised_raw() -> None:
    xml = bpmn(user_task()).replace('targetRef="end"', 'targetRef="nowhere"')
    assert "bad.bpmn" in error_of(xml)


def test_process_properties_become_typed_variables() -> None:
    xml = bpmn(user_task()).replace('isExecutable="true">', 'isExecutable="true">'
                                    + props(large_meeting="50", uses_county_cadre="true", label="x"))
    [defn] = parse_bpmn(xml, "ok.bpmn")
    assert defn.variables == {"large_meeting": 50, "uses_county_cadre": True, "label": "x"}


def test_the_registry_keeps_broken_files_out_and_reports_them(tmp_path: Path) -> None:
    (tmp_path / "good.bpmn").write_text(bpmn(user_task()), encoding="utf-8")
    (tmp_path / "bad.bpmn").write_text(bpmn(user_task(attrs="")).replace('id="p"', 'id="q"'), encoding="utf-8")
    registry = DefinitionRegistry(tmp_path)
    assert registry.ids() == ["p"]
    assert [e.source for e in registry.errors] == ["bad.bpmn"]
    with pytest.raises(UnknownProcessError, match="known: p"):
        registry.get("q")


def test_a_request_keeps_the_version_it_started_on(tmp_path: Path) -> None:
    path = tmp_path / "p.bpmn"
    path.write_text(bpmn(user_task()), encoding="utf-8")
    registry = DefinitionRegistry(tmp_path)
    old = registry.get("p")
    path.write_text(bpmn(user_task(attrs='camunda:candidateGroups="chief"')), encoding="utf-8")
    registry.reload()
    assert registry.get("p").steps["t1"].role == "chief"
    assert registry.version("p", old.sha256, lambda sha: old.xml).steps["t1"].role == "unit_head"
