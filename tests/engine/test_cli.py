"""The `approvals` command: the routes.md preview contract, check, load-orgchart."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner, Result
from support import CHART_A, CHART_B, head_of_duty, pick

from approvals.cli import cli
from approvals.people.orgchart.loader import load_orgchart


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_route_prints_the_contract_json() -> None:
    chart = load_orgchart(CHART_B)
    deputy = pick(chart, "unit_deputy", "section")
    result = run("route", "--orgchart", str(CHART_B), "--process", "leave", "--applicant", deputy,
                 "--set", "destination=北京", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "process": "leave", "applicant": deputy,
        "steps": [{"kind": "approve", "role": "unit_head", "assignees": [chart.unit_of(deputy).head]},
                  {"kind": "approve", "role": "supervisor", "assignees": [chart.unit_of(deputy).supervisor]},
                  {"kind": "file", "role": "duty:filing", "assignees": [head_of_duty(chart, "filing")]},
                  {"kind": "copy", "role": "duty:discipline", "assignees": [head_of_duty(chart, "discipline")]},
                  {"kind": "report", "role": "last_approver", "assignees": [chart.unit_of(deputy).supervisor]}]}


def test_route_converts_set_values_by_field_type() -> None:
    chart = load_orgchart(CHART_A)
    organizer = pick(chart, "staff", "section", county=True)
    result = run("route", "--orgchart", str(CHART_A), "--process", "meeting", "--applicant", organizer,
                 "--set", "participants=50", "--json")
    assert json.loads(result.output)["steps"] == [
        {"kind": "approve", "role": "chief", "assignees": [chart.posts["chief"]]}]


def _refused(*extra: str, chart: Path = CHART_B) -> str:
    result = run("route", "--orgchart", str(chart), "--json", *extra)
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1
    return result.output


def test_route_refuses_a_risk_area_with_exit_2_and_one_line() -> None:
    area = load_orgchart(CHART_B).organization.risk_areas[0]
    staff = pick(load_orgchart(CHART_B), "staff", "section")
    assert "风险" in _refused("--process", "leave", "--applicant", staff, "--set", f"destination={area}")


def test_route_refuses_an_unknown_person_or_process() -> None:
    assert "no.such.person" in _refused("--process", "leave", "--applicant", "no.such.person")
    staff = pick(load_orgchart(CHART_B), "staff", "section")
    assert "holiday" in _refused("--process", "holiday", "--applicant", staff)


def test_route_refuses_a_malformed_field_value() -> None:
    staff = pick(load_orgchart(CHART_B), "staff", "section")
    assert "YYYY-MM-DD" in _refused("--process", "leave", "--applicant", staff, "--set", "depart_on=tomorrow")


def test_route_refuses_a_vacant_post_naming_it(tmp_path: Path) -> None:
    data = yaml.safe_load(CHART_A.read_text(encoding="utf-8"))
    data["posts"]["organ_leader"] = None
    path = tmp_path / "vacant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    staff = pick(load_orgchart(path), "staff", "section", county=True, supervised_by_organ_leader=False)
    assert "posts.organ_leader" in _refused("--process", "leave", "--applicant", staff, chart=path)


def test_check_passes_on_both_shipped_charts() -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "people have a route" in result.output


def test_check_lists_who_cannot_submit_and_why(tmp_path: Path) -> None:
    data = yaml.safe_load(CHART_A.read_text(encoding="utf-8"))
    data["posts"]["chief"] = None
    path = tmp_path / "no-chief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "vacant post: posts.chief" in result.output and "cannot submit leave" in result.output


def test_load_orgchart_reports_a_broken_file_and_keeps_the_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/cli.sqlite3"
    assert run("--database", db, "init-db").exit_code == 0
    assert run("--database", db, "load-orgchart", str(CHART_A)).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(CHART_A.read_text(encoding="utf-8").replace("kind: section", "kind: sectoin", 1), encoding="utf-8")
    result = run("--database", db, "load-orgchart", str(bad))
    assert result.exit_code == 1 and "sectoin" in result.output
    assert run("--database", db, "audit", "verify").exit_code == 0


def test_check_agrees_with_deploy_on_people_a_process_refuses_by_design() -> None:
    """Issue 19, point 21: the meeting process refuses contractors' units with its own refusal
    end event (驻局单位 follow their own rules). Deploy accepts that; so does check: it lists
    them as refused by the process and exits 0. Only people left without a route by a fault
    (a vacant post, a missing supervisor) fail it."""
    result = run("check", str(CHART_A), "--type", "meeting")
    assert result.exit_code == 0, result.output
    assert "cannot submit meeting" not in result.output
    assert "refused by the process's own rule" in result.output and "外包公司等驻局单位" in result.output
    assert "meeting: 29 of 35 people have a route, 6 refused by the process's own rules" in result.output
