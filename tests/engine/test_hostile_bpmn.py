"""Process files a careless admin or an attacker deploys: standard BPMN from other tools (the
OMG MIWG reference set, SpiffWorkflow's own test files), loops, a 600-step chain. Each is
deployed or refused in one line naming its element, in seconds, never with a traceback, and
the bureau's leave process stays in force (docs/reliability.md, "Hostile process files")."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CHART_A, NOW, PROCESSES, ROOT

from approvals.app import Approvals
from approvals.cli import cli
from approvals.errors import ProcessDefinitionError, RouteLimitError
from approvals.people.orgchart.loader import load_orgchart
from approvals.process.check import run_check
from approvals.process.definitions import DefinitionRegistry, parse_bpmn
from approvals.process.engine import MAX_RUN_STEPS, RouteContext, dry_run
from approvals.process.flow_graph import MAX_FLOW_NODES

FIXTURES = ROOT / "tests" / "fixtures"
HOSTILE = FIXTURES / "hostile_bpmn"
# More folders of .bpmn files to run through deploy, e.g. a checkout of the MIWG reference set
# and SpiffWorkflow's tests (tests/fixtures/miwg/README.md): APPROVALS_BPMN_CORPUS=dir1:dir2
EXTRA = [Path(d) for d in os.environ.get("APPROVALS_BPMN_CORPUS", "").split(os.pathsep) if d]
CORPUS = sorted(p for folder in [FIXTURES / "miwg", HOSTILE, *EXTRA] for p in folder.rglob("*.bpmn"))
SECONDS = 5.0  # a deployment's check of one process, refused or not, on a loaded test machine


def _refusal(app: Approvals, path: Path) -> str | None:
    """Deploy ``path``; None when it was deployed, else the refusal's text."""
    try:
        app.deployer.deploy(path.read_bytes().decode("utf-8"), path.name, "feng.jie")
    except ProcessDefinitionError as exc:
        return str(exc)
    return None


def test_every_reference_and_hostile_file_is_deployed_or_refused_in_one_line(app: Approvals) -> None:
    assert len(CORPUS) >= 10
    for path in CORPUS:
        started = time.monotonic()
        refusal = _refusal(app, path)  # anything but a refusal fails the test with its traceback
        assert time.monotonic() - started < SECONDS, path.name
        if refusal is not None:
            assert "\n" not in refusal, refusal
            assert refusal.startswith(f"{path.name}: "), refusal
            assert "could not read this file" not in refusal, refusal  # refused by a check, not the last net
    assert app.definitions.origin("leave_xx") == "file"


def test_a_business_rule_task_without_a_decision_is_refused_naming_it() -> None:
    for name, task in (("business_rule_task_executable.bpmn", "check_vacation"),
                       ("business_rule_task_documentation_only.bpmn", "score")):
        with pytest.raises(ProcessDefinitionError) as caught:
            parse_bpmn((FIXTURES / "miwg" / name).read_text(encoding="utf-8"), name)
        assert f"businessRuleTask {task!r}: business rules (DMN) are not run" in str(caught.value)


def test_a_refusal_quoting_a_name_with_a_line_break_stays_on_one_line() -> None:
    with pytest.raises(ProcessDefinitionError) as caught:
        parse_bpmn((FIXTURES / "miwg" / "data_store_two_line_name.bpmn").read_text(encoding="utf-8"), "b.bpmn")
    assert str(caught.value) == "b.bpmn: BPMN: Data Store with name Data Store Reference has no implementation."


def test_a_loop_of_gateways_deployed_as_the_leave_process_is_refused_naming_them(app: Approvals) -> None:
    started = time.monotonic()
    refusal = _refusal(app, HOSTILE / "gateway_loop.bpmn")

    assert time.monotonic() - started < SECONDS
    assert refusal == ("gateway_loop.bpmn: process 'leave_xx' loop through exclusiveGateway 'g1', exclusiveGateway "
                       "'g2': passes no userTask, so nothing changes between two rounds and the route would go round "
                       "for ever: lead the loop back through a userTask whose decision can end it, or remove it")
    assert app.definitions.origin("leave_xx") == "file"
    assert app.service.preview("shen.yue", "leave", {}).steps  # the bureau's route, unchanged


def test_a_filing_sent_round_a_loop_is_refused_at_load() -> None:
    with pytest.raises(ProcessDefinitionError, match="loop through sendTask 'file', exclusiveGateway 'again'"):
        parse_bpmn((HOSTILE / "filing_loop.bpmn").read_text(encoding="utf-8"), "filing_loop.bpmn")


def test_a_loop_through_a_step_whose_condition_never_lets_it_out_is_refused_within_seconds(app: Approvals) -> None:
    started = time.monotonic()
    refusal = _refusal(app, HOSTILE / "task_loop_never_left.bpmn")

    assert time.monotonic() - started < SECONDS
    assert refusal is not None
    assert f"the route did not end within {MAX_RUN_STEPS} steps; it keeps going round 'again', 'approve'" in refusal
    assert app.definitions.origin("leave_xx") == "file"


def test_the_engine_stops_a_run_going_round_past_its_step_budget() -> None:
    [looping] = parse_bpmn((HOSTILE / "task_loop_never_left.bpmn").read_text(encoding="utf-8"), "loop.bpmn")
    chart = load_orgchart(CHART_A)
    started = time.monotonic()
    with pytest.raises(RouteLimitError) as caught:
        dry_run(looping, {}, RouteContext(chart, "shen.yue"))
    assert time.monotonic() - started < SECONDS
    assert caught.value.repeated == ["again", "approve"]


# 退回-style: the route goes back to the step when a condition holds (here: never in this chart).
RETURNING = (HOSTILE / "task_loop_never_left.bpmn").read_text(encoding="utf-8").replace(
    "<bpmn:conditionExpression>1 == 1</bpmn:conditionExpression>",
    "<bpmn:conditionExpression>unit_kind == 'committee'</bpmn:conditionExpression>").replace(
    '<bpmn:userTask id="approve" name="审批" camunda:candidateGroups="unit_head">',
    '<bpmn:userTask id="approve" name="审批" camunda:candidateGroups="unit_head"><bpmn:extensionElements>'
    '<camunda:formData><camunda:formField id="ask_again" label="再审" type="boolean"/></camunda:formData>'
    '</bpmn:extensionElements>')


def test_a_loop_back_through_a_decision_stays_allowed(app: Approvals) -> None:
    assert "committee" in RETURNING
    check = app.deployer.deploy(RETURNING, "leave_xx.bpmn", "feng.jie")

    assert [d.process_id for d in check.definitions] == ["leave_xx"]


def chain(steps: int) -> str:
    """A process of ``steps`` userTasks in a row."""
    tasks = "".join(f'<bpmn:userTask id="t{i}" name="第{i}步" camunda:candidateGroups="unit_head"/>'
                    for i in range(steps))
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="t{i}" targetRef="t{i + 1}"/>' for i in range(steps - 1))
    return ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
            '<bpmn:process id="long" name="长流程" isExecutable="true"><bpmn:startEvent id="start"/>'
            f'{tasks}<bpmn:endEvent id="end"/><bpmn:sequenceFlow id="first" sourceRef="start" targetRef="t0"/>'
            f'{flows}<bpmn:sequenceFlow id="last" sourceRef="t{steps - 1}" targetRef="end"/>'
            '</bpmn:process></bpmn:definitions>')


def test_six_hundred_steps_in_a_row_are_refused_with_the_limit_not_a_recursion_error() -> None:
    with pytest.raises(ProcessDefinitionError) as caught:
        parse_bpmn(chain(600), "long.bpmn")
    assert str(caught.value) == (f"long.bpmn: process 'long': has more than {MAX_FLOW_NODES} flow elements (steps, "
                                 "gateways, events); no approval route is that long: split it into processes "
                                 "(found 602)")
    assert len(parse_bpmn(chain(MAX_FLOW_NODES - 2), "long.bpmn")[0].steps) == MAX_FLOW_NODES - 2


def test_a_process_name_with_a_right_to_left_override_is_refused() -> None:
    with pytest.raises(ProcessDefinitionError) as caught:
        parse_bpmn((HOSTILE / "bidi_process_name.bpmn").read_text(encoding="utf-8"), "bidi.bpmn")
    assert str(caught.value).startswith(
        "bidi.bpmn: process 'bidi_name' name: contains a bidirectional-text control, which can disguise what the "
        "text says, U+202E (RIGHT-TO-LEFT OVERRIDE), at character 1")


def test_a_step_name_or_field_label_with_a_hidden_control_is_refused_naming_it() -> None:
    xml = RETURNING.replace('name="审批"', 'name="审\u2066批"').replace('label="再审"', 'label="再\x85审"')
    with pytest.raises(ProcessDefinitionError) as caught:
        parse_bpmn(xml, "x.bpmn")
    message = str(caught.value)
    assert ("process 'leave_xx' userTask 'approve' name: contains a bidirectional-text control, which can disguise "
            "what the text says, U+2066") in message
    assert "process 'leave_xx' formField 'ask_again' label: contains a control character, U+0085" in message


def test_a_camunda_input_output_script_is_refused_naming_its_step() -> None:
    with pytest.raises(ProcessDefinitionError) as caught:
        parse_bpmn((HOSTILE / "input_output_script.bpmn").read_text(encoding="utf-8"), "io.bpmn")
    assert str(caught.value) == ("io.bpmn: process 'with_script' userTask 'approve' camunda:inputOutput: is not run "
                                 "by the engine (no scripts, listeners, connectors or input/output mappings): remove "
                                 "it; conditions read form fields and process properties")


def test_a_named_assignee_is_refused_rather_than_ignored() -> None:
    with pytest.raises(ProcessDefinitionError, match="userTask 'approve_invoice' camunda:assignee: who acts comes "
                                                     "from camunda:candidateGroups"):
        parse_bpmn((FIXTURES / "miwg" / "lanes_without_roles.bpmn").read_text(encoding="utf-8"), "lanes.bpmn")


def test_a_bad_file_in_the_folder_is_skipped_and_logged_and_the_others_stay_in_force(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for path in PROCESSES.glob("*.bpmn"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "c7.bpmn").write_bytes((FIXTURES / "miwg" / "business_rule_task_documentation_only.bpmn").read_bytes())
    (tmp_path / "gbk.bpmn").write_bytes("<流程/>".encode("gbk"))

    registry = DefinitionRegistry(tmp_path)

    assert "leave_xx" in registry.ids()
    assert [e.source for e in registry.errors] == ["c7.bpmn", "gbk.bpmn"]
    assert "gbk.bpmn: (file): not UTF-8 text (byte 1)" in caplog.text
    assert "c7.bpmn: process 'credit_check' businessRuleTask 'score'" in caplog.text


def test_check_says_a_looping_process_once_and_within_seconds(tmp_path: Path) -> None:
    (tmp_path / "leave_xx.bpmn").write_bytes((HOSTILE / "task_loop_never_left.bpmn").read_bytes())
    for shipped in PROCESSES.glob("*.bpmn"):  # every other process the chart names, as shipped
        if shipped.name != "leave_xx.bpmn":
            (tmp_path / shipped.name).write_bytes(shipped.read_bytes())
    started = time.monotonic()

    report = run_check(DefinitionRegistry(tmp_path), [CHART_A], "leave", NOW.date())

    assert time.monotonic() - started < SECONDS
    assert not report.ok
    assert sum("did not end within" in line for line in report.lines) == 1


def test_the_deploy_command_refuses_a_reference_file_in_one_line(db_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--database", db_url, "init-db"]).exit_code == 0
    path = FIXTURES / "miwg" / "business_rule_task_executable.bpmn"

    result = runner.invoke(cli, ["--database", db_url, "deploy", str(path), "--actor", "feng.jie"])

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output == ("error: deploy refused: business_rule_task_executable.bpmn: process 'vacation_request' "
                             "businessRuleTask 'check_vacation': business rules (DMN) are not run: use a userTask "
                             "(someone decides) or an exclusiveGateway with conditions\n")
