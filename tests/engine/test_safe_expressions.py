"""No code runs from a process definition (issue 12 §2, docs/security.md).

Expressions are refused when the file is loaded, naming the element; valid ones still route;
a stored version altered in the database is refused before it is parsed; elements the
engine would not run are refused at load.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from support import CHART_A, NOW, PROCESSES, leave_fields, make_app, meeting_fields, open_steps, pick, step

from approvals.app import Approvals, build
from approvals.clock import FixedClock
from approvals.errors import ApprovalsError, FieldError, ProcessDefinitionError
from approvals.people.orgchart.loader import load_orgchart
from approvals.process.definition_checks import REQUEST_VARIABLES
from approvals.process.definitions import DefinitionRegistry, parse_bpmn
from approvals.process.engine import RouteContext, dry_run
from approvals.process.expressions import ExpressionError, evaluate
from approvals.process.routes import request_variables

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">')
FORM = ('<bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="participants" type="long"/>'
        '<camunda:formField id="plan" type="attachment"><camunda:validation>'
        '<camunda:constraint name="required_if" config="{rule}"/></camunda:validation></camunda:formField>'
        '</camunda:formData></bpmn:extensionElements>')


def gateway_process(condition: str, rule: str = "participants is not None and participants &gt;= 50",
                    extra: str = "") -> str:
    """start (form) -> gateway: Flow_big (CONDITION) -> the chief; default -> the unit head."""
    def task(tid: str, role: str, incoming: str) -> str:
        return (f'<bpmn:userTask id="{tid}" camunda:candidateGroups="{role}"><bpmn:incoming>{incoming}'
                f'</bpmn:incoming><bpmn:outgoing>{tid}_done</bpmn:outgoing></bpmn:userTask>'
                f'<bpmn:sequenceFlow id="{tid}_done" sourceRef="{tid}" targetRef="end"/>')
    return (f'{HEAD}<bpmn:process id="leave_xx" isExecutable="true">'
            f'<bpmn:startEvent id="start">{FORM.format(rule=rule)}<bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
            '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>'
            '<bpmn:exclusiveGateway id="gw" default="Flow_small"><bpmn:incoming>f0</bpmn:incoming>'
            '<bpmn:outgoing>Flow_big</bpmn:outgoing><bpmn:outgoing>Flow_small</bpmn:outgoing></bpmn:exclusiveGateway>'
            '<bpmn:sequenceFlow id="Flow_big" sourceRef="gw" targetRef="to_chief">'
            f'<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="Flow_small" sourceRef="gw" targetRef="to_head"/>'
            + task("to_chief", "chief", "Flow_big") + task("to_head", "unit_head", "Flow_small") + extra +
            '<bpmn:endEvent id="end"><bpmn:incoming>to_chief_done</bpmn:incoming>'
            '<bpmn:incoming>to_head_done</bpmn:incoming></bpmn:endEvent></bpmn:process></bpmn:definitions>')


def refusal(xml: str) -> str:
    with pytest.raises(ProcessDefinitionError) as info:
        parse_bpmn(xml, "evil.bpmn")
    return str(info.value)


@pytest.mark.parametrize(("condition", "named"), [
    ("__import__('os').system('touch /tmp/pwned')", "'__import__' is not an allowed name"),
    ("().__class__.__bases__", "'__bases__' is not an allowed name"),
    ("open('/etc/passwd') is not None", "'open' is not an allowed function"),
    ("(lambda: participants)() == 1", "lambda is not allowed"),
    ("[p for p in risk_areas] == []", "a comprehension is not allowed"),
    ("participants == 10**10**10", "a number larger than"),
    ("'a' * 10**9 == applicant", "a text longer than"),
    ("risk_areas[0] == applicant", "a subscript"),
    ("f'{applicant}' == ''", "an f-string is not allowed"),
    ("[[1] * 100000] * 100000 == risk_areas", "'*' repeats only text, not lists"),
    ("'%0999999999d' % 1 == applicant", "only numbers may use '%'"),
    ("participants &lt;&lt; 100 == 1", "operator '<<' is not allowed"),
])
def test_code_in_a_gateway_condition_is_refused_at_load_naming_the_flow(condition: str, named: str) -> None:
    message = refusal(gateway_process(condition.replace("'", "&apos;")))
    assert "process 'leave_xx' sequenceFlow 'Flow_big' condition: " in message
    assert named in message and "evil.bpmn" in message


def test_the_refusal_lists_the_allowed_functions() -> None:
    message = refusal(gateway_process("__import__(&apos;os&apos;)"))
    assert ("process 'leave_xx' sequenceFlow 'Flow_big' condition: '__import__' is not an allowed name; "
            "allowed functions: days_between") in message


def test_the_registry_keeps_a_file_with_code_out_and_reports_it(tmp_path: Path) -> None:
    (tmp_path / "evil.bpmn").write_text(gateway_process("__import__(&apos;os&apos;)"), encoding="utf-8")
    registry = DefinitionRegistry(tmp_path)
    assert registry.ids() == []
    assert "sequenceFlow 'Flow_big' condition: '__import__'" in str(registry.errors[0])


def test_a_condition_reading_an_unknown_variable_is_refused_at_load() -> None:
    message = refusal(gateway_process("participant &gt;= 50"))
    assert "sequenceFlow 'Flow_big' condition: 'participant' is not a form field, a process property" in message


def test_a_required_if_rule_with_code_is_refused_at_load_naming_the_field() -> None:
    message = refusal(gateway_process("participants == 1", rule="participants.__class__ is None"))
    assert "process 'leave_xx' startEvent 'start' field 'plan' required_if: '__class__' is not an allowed name" \
        in message


def test_a_valid_condition_still_routes_by_its_value() -> None:
    [defn] = parse_bpmn(gateway_process("participants is not None and 10 &lt;= participants &lt; 100"), "ok.bpmn")
    chart = load_orgchart(CHART_A)
    applicant = pick(chart, "staff", "section")

    def route(participants: int | None) -> list[str]:
        variables = request_variables(chart, defn, applicant, {"participants": participants, "plan": None},
                                      date(2026, 11, 23))
        return [s.definition.bpmn_id for s in dry_run(defn, variables, RouteContext(chart, applicant))]

    assert (route(50), route(100), route(None)) == (["to_chief"], ["to_head"], ["to_head"])


def test_a_condition_failing_on_its_values_names_the_gateway_and_the_reason() -> None:
    [defn] = parse_bpmn(gateway_process("participants &gt;= 50"), "ok.bpmn")
    chart = load_orgchart(CHART_A)
    applicant = pick(chart, "staff", "section")
    variables = request_variables(chart, defn, applicant, {"participants": None}, date(2026, 11, 23))
    with pytest.raises(ApprovalsError) as info:
        dry_run(defn, variables, RouteContext(chart, applicant))
    assert "process leave_xx: step 'gw': 'participants >= 50': '>=' not supported" in str(info.value)


def test_shipped_conditions_route_as_before_in_the_real_service(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    organizer = pick(chart, "staff", "section")
    assert app.service.preview(organizer, "meeting", meeting_fields(60)).as_json()["steps"] == [
        step("approve", "chief", chart.posts["chief"])]
    chart_b = app.orgcharts.current("cq-mca")
    applicant = pick(chart_b, "staff", "section")
    with pytest.raises(FieldError, match="plan"):  # required_if, now the safe evaluator
        app.service.submit(applicant, "meeting", meeting_fields(80))


@pytest.mark.parametrize(("expression", "value"), [
    ("0 < n <= 10 < m", True), ("1 < n < 2", False), ("unit in ('a', 'b') and unit not in ['c']", True),
    ("d is None or not n", True), ("n * 2 + m // 3 - 10 % 4 ** 2 / 5", 7.0), ("-n == 0 - 3", True),
    ("days_between(today, '2026-12-01') >= 3", True), ("days_between(today, d)", None),
    ("unit + 'x' == \"ax\" and 'ab' * 2 == 'abab'", True), ("n or m", 3), ("d and n", None),
])
def test_the_allowed_constructs_compute_what_they_say(expression: str, value: object) -> None:
    variables = {"n": 3, "m": 11, "unit": "a", "d": None, "today": "2026-11-23"}
    assert evaluate(expression, variables) == value


def test_a_form_rule_never_reaches_python_builtins() -> None:
    with pytest.raises(ExpressionError, match="'open' is not an allowed function"):
        evaluate("open('x')", {})
    with pytest.raises(ExpressionError, match="'open' has no value here"):
        evaluate("open", {})


def test_a_boundary_timer_is_refused_at_load_because_it_never_fires() -> None:
    timer = ('<bpmn:boundaryEvent id="remind_head" attachedToRef="to_head"><bpmn:timerEventDefinition>'
             '<bpmn:timeDuration>"P3D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>')
    message = refusal(gateway_process("participants == 1", extra=timer))
    assert "process 'leave_xx' boundaryEvent 'remind_head': a boundary timer never fires" in message


@pytest.mark.parametrize(("element", "reason"), [
    ('<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>',
     "intermediateCatchEvent 'wait': an intermediate catch event never fires"),
    ('<bpmn:eventBasedGateway id="wait"/>', "eventBasedGateway 'wait': an event-based gateway waits"),
    ('<bpmn:callActivity id="wait" calledElement="other"/>', "callActivity 'wait': a called process"),
])
def test_elements_the_engine_does_not_run_are_refused_with_the_reason(element: str, reason: str) -> None:
    assert reason in refusal(gateway_process("participants == 1", extra=element))


def test_a_timer_expression_with_code_is_named_as_well_as_the_timer() -> None:
    timer = ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>'
             "__import__('time').sleep(100)</bpmn:timeDuration></bpmn:timerEventDefinition>"
             '</bpmn:intermediateCatchEvent>')
    message = refusal(gateway_process("participants == 1", extra=timer))
    assert "intermediateCatchEvent 'wait' timeDuration: '__import__' is not an allowed name" in message


def test_a_group_step_with_a_cardinality_is_refused_and_the_cardinality_is_still_checked() -> None:
    xml = gateway_process("participants == 1").replace(
        '<bpmn:userTask id="to_chief" camunda:candidateGroups="chief">',
        '<bpmn:userTask id="to_chief" camunda:candidateGroups="chief"><bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:loopCardinality>().__class__</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>')
    message = refusal(xml)
    assert ("userTask 'to_chief' multiInstanceLoopCharacteristics: leave it out: the members come from the "
            "group role") in message
    assert ("userTask 'to_chief' camunda:candidateGroups: a group step (multiInstanceLoopCharacteristics) "
            "needs a group role") in message
    assert "userTask 'to_chief' loopCardinality: '__class__' is not an allowed name" in message


def test_request_variables_are_the_ones_the_load_check_knows() -> None:
    [defn] = parse_bpmn(gateway_process("participants == 1"), "ok.bpmn")
    chart = load_orgchart(CHART_A)
    variables = request_variables(chart, defn, pick(chart, "staff", "section"), {}, date(2026, 11, 23))
    assert set(variables) - set(defn.variables) == set(REQUEST_VARIABLES)


def _request_on_a_version_no_longer_on_disk(url: str, tmp_path: Path) -> tuple[int, str, Path]:
    """A request started on leave_xx, then leave_xx edited on disk: its version lives in the database."""
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes)
    app = make_app(url, CHART_A, processes=processes)
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True, supervised_by_organ_leader=False)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    sha = app.queries.request(request_id).process_sha
    path = processes / "leave_xx.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace("<bpmn:documentation>", "<bpmn:documentation>v2 "),
                    encoding="utf-8")
    app.db.dispose()
    return request_id, sha, processes


def test_an_unaltered_stored_version_still_runs_after_the_file_changed(db_url: str, tmp_path: Path) -> None:
    request_id, _, processes = _request_on_a_version_no_longer_on_disk(db_url, tmp_path)
    restarted = build(db_url, processes, FixedClock(NOW))  # knows the version only from the database
    task = open_steps(restarted, request_id)[0]
    restarted.service.decide(task.id, task.assignee, "approve", "")
    assert open_steps(restarted, request_id)[0].id != task.id
    restarted.db.dispose()


def test_a_stored_version_altered_in_the_database_is_refused_not_parsed(db_url: str, tmp_path: Path) -> None:
    request_id, sha, processes = _request_on_a_version_no_longer_on_disk(db_url, tmp_path)
    restarted = build(db_url, processes, FixedClock(NOW))
    with restarted.db.writing() as conn:
        conn.execute(text("UPDATE process_versions SET xml = replace(xml, :a, :b) WHERE sha256 = :sha"),
                     {"a": "applicant_category == 'chief'",
                      "b": "__import__('os').system('touch /tmp/pwned') or applicant_category == 'chief'",
                      "sha": sha})
    task = open_steps(restarted, request_id)[0]
    with pytest.raises(ProcessDefinitionError) as info:
        restarted.service.decide(task.id, task.assignee, "approve", "")
    message = str(info.value)
    assert f"leave_xx@{sha[:12]}" in message and f"stored process version {sha}" in message
    assert "altered in the database" in message and "__import__" not in message  # refused before parsing
    assert [t.id for t in open_steps(restarted, request_id)] == [task.id]
    restarted.db.dispose()


def test_a_parallel_split_and_a_plain_intermediate_event_still_load_and_run() -> None:
    xml = gateway_process("participants == 1").replace('exclusiveGateway id="gw" default="Flow_small"',
                                                       'parallelGateway id="gw"')
    xml = xml.replace("</bpmn:exclusiveGateway>", "</bpmn:parallelGateway>").replace(
        "<bpmn:conditionExpression>participants == 1</bpmn:conditionExpression>", "")
    xml = xml.replace('<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>',
                      '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="mark"/>'
                      '<bpmn:intermediateThrowEvent id="mark"><bpmn:incoming>f0</bpmn:incoming>'
                      '<bpmn:outgoing>f00</bpmn:outgoing></bpmn:intermediateThrowEvent>'
                      '<bpmn:sequenceFlow id="f00" sourceRef="mark" targetRef="gw"/>')
    [defn] = parse_bpmn(xml, "ok.bpmn")
    chart = load_orgchart(CHART_A)
    applicant = pick(chart, "staff", "section")
    variables = request_variables(chart, defn, applicant, {}, date(2026, 11, 23))
    steps = dry_run(defn, variables, RouteContext(chart, applicant))
    assert sorted(s.definition.bpmn_id for s in steps) == ["to_chief", "to_head"]
