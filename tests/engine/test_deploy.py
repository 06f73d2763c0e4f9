"""Deploying a process: validated against every chart using it, in force for every worker at
once, requests in flight on their version, and no request lost with its file (docs/processes.md)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CHART_A, NOW, PROCESSES, REPORT_A, leave_fields, make_app, open_steps, pick, walk

from approvals.app import Approvals, build
from approvals.cli import cli
from approvals.clock import FixedClock
from approvals.errors import ProcessDefinitionError
from approvals.operations.deploy import missing_processes, warn_missing

LEAVE = (PROCESSES / "leave_xx.bpmn").read_text(encoding="utf-8")
# The bureau's new rule: a section's staff leave goes to the chief instead of the organ leader.
TO_CHIEF = LEAVE.replace('camunda:candidateGroups="organ_leader"', 'camunda:candidateGroups="chief"')


def _staff(app: Approvals) -> str:
    chart = app.orgcharts.current("xx-nrpb")
    return pick(chart, "staff", "section", county=True, supervised_by_organ_leader=False)


def _roles(app: Approvals, request_id: int) -> list[str]:
    return [s["role"] for s in walk(app, request_id, REPORT_A)]


def test_a_deployed_process_is_in_force_at_once_and_a_request_in_flight_keeps_its_version(app: Approvals) -> None:
    assert TO_CHIEF != LEAVE
    applicant = _staff(app)
    in_flight = app.service.submit(applicant, "leave", leave_fields())

    check = app.deployer.deploy(TO_CHIEF, "leave_xx.bpmn", "feng.jie", "organ leader's step to the chief")

    assert [d.process_id for d in check.definitions] == ["leave_xx"]
    assert ("XX市自然资源和规划局", "leave") in check.used_by
    assert app.definitions.origin("leave_xx") == "deployed"
    new = app.service.submit(applicant, "leave", leave_fields())
    assert "chief" in _roles(app, new) and "organ_leader" not in _roles(app, new)
    assert "organ_leader" in _roles(app, in_flight)


def test_a_second_worker_on_the_same_database_picks_up_a_deployment_without_a_restart(
        app: Approvals, db_url: str) -> None:
    other = build(db_url, PROCESSES, FixedClock(NOW))  # another worker: its own registry and caches
    other.definitions.refresh_seconds = 0  # compare the marker on every lookup (default: every 2 s)
    applicant = _staff(app)
    assert "organ_leader" in [s["role"] for s in other.service.preview(applicant, "leave", {}).as_json()["steps"]]

    app.deployer.deploy(TO_CHIEF, "leave_xx.bpmn", "feng.jie")

    roles = [s["role"] for s in other.service.preview(applicant, "leave", {}).as_json()["steps"]]
    assert "chief" in roles and "organ_leader" not in roles
    assert other.definitions.origin("leave_xx") == "deployed"
    other.db.dispose()


def test_a_deploy_of_broken_bpmn_is_refused_and_nothing_changes(app: Approvals) -> None:
    broken = LEAVE.replace("</bpmn:process>", "", 1)

    with pytest.raises(ProcessDefinitionError) as refused:
        app.deployer.deploy(broken, "leave_xx.bpmn", "feng.jie")

    assert "not well-formed XML" in str(refused.value)
    assert app.definitions.origin("leave_xx") == "file"
    assert app.deployer.history() == []


def test_a_deploy_that_leaves_people_without_a_route_names_them_and_the_vacant_post(app: Approvals) -> None:
    text = CHART_A.read_text(encoding="utf-8").replace(
        "  organ_leader: li.ming              # 分管机关的局领导", "  organ_leader: li.ming\n  deputy_chief: null")
    app.admin.save(text, "system", "xx.yaml", "deputy chief vacant")
    to_deputy = LEAVE.replace('camunda:candidateGroups="organ_leader"', 'camunda:candidateGroups="deputy_chief"')

    with pytest.raises(ProcessDefinitionError) as refused:
        app.deployer.deploy(to_deputy, "leave_xx.bpmn", "feng.jie")

    message = str(refused.value)
    chart = app.orgcharts.current("xx-nrpb")
    assert "deputy_chief" in message and "vacant" in message
    assert chart.display_name(_staff(app)) in message  # by name, not by login id
    assert app.definitions.origin("leave_xx") == "file"


def test_a_step_naming_a_role_the_chart_lacks_is_refused(app: Approvals) -> None:
    unknown = LEAVE.replace('camunda:candidateGroups="organ_leader"', 'camunda:candidateGroups="party_secretary"')

    with pytest.raises(ProcessDefinitionError) as refused:
        app.deployer.deploy(unknown, "leave_xx.bpmn", "feng.jie")

    assert "party_secretary" in str(refused.value) and "does not define" in str(refused.value)


def test_a_request_whose_process_file_was_removed_still_opens_and_the_server_says_so(
        tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes)
    app = make_app(db_url, CHART_A, processes=processes)
    applicant = _staff(app)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    app.db.dispose()

    (processes / "leave_xx.bpmn").unlink()
    restarted = build(db_url, processes, FixedClock(NOW))
    with caplog.at_level(logging.ERROR, logger="approvals.operations.deploy"):
        assert warn_missing(restarted.db, restarted.definitions) == {"leave_xx": 1}
    assert "leave_xx" in caplog.text and "approvals deploy" in caplog.text

    request = restarted.queries.request(request_id)
    assert restarted.service.definition_of(request).name == "离孝审批"
    task = open_steps(restarted, request_id)[0]
    restarted.service.decide(task.id, task.assignee, "approve", "")
    assert open_steps(restarted, request_id)[0].id != task.id
    restarted.db.dispose()


def test_a_deployed_process_outlives_a_server_started_without_its_file(tmp_path: Path, db_url: str) -> None:
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes)
    app = make_app(db_url, CHART_A, processes=processes)
    app.deployer.deploy(TO_CHIEF, "leave_xx.bpmn", "system")
    app.db.dispose()

    (processes / "leave_xx.bpmn").unlink()
    restarted = build(db_url, processes, FixedClock(NOW))

    assert restarted.definitions.origin("leave_xx") == "deployed"
    assert missing_processes(restarted.db, restarted.definitions) == {}
    request_id = restarted.service.submit(_staff(restarted), "leave", leave_fields())
    assert "chief" in _roles(restarted, request_id)
    restarted.db.dispose()


def test_approvals_deploy_puts_a_file_in_force_or_exits_with_the_reason(tmp_path: Path, db_url: str) -> None:
    make_app(db_url, CHART_A).db.dispose()
    good, bad = tmp_path / "leave_xx.bpmn", tmp_path / "broken.bpmn"
    good.write_text(TO_CHIEF, encoding="utf-8")
    bad.write_text(LEAVE.replace('camunda:candidateGroups="organ_leader"', ""), encoding="utf-8")
    runner = CliRunner()
    base = ["--database", db_url, "--processes", str(PROCESSES)]

    deployed = runner.invoke(cli, [*base, "deploy", str(good), "--comment", "to the chief"])
    refused = runner.invoke(cli, [*base, "deploy", str(bad)])

    assert deployed.exit_code == 0, deployed.output
    assert "deployed leave_xx (离孝审批)" in deployed.output
    assert "used by XX市自然资源和规划局 as 'leave'" in deployed.output
    assert refused.exit_code == 1
    assert "deploy refused" in refused.output and "candidateGroups" in refused.output
