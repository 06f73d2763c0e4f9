"""`approvals check` flags charts that load but no bureau means: an empty chart, a unit
supervised by its own head, a contractor as chief or head (errors, exit 1), and a
supervision loop (a warning); the shipped charts have none of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from support import CHART_A, CHART_B

from approvals.cli import cli
from approvals.people.orgchart import load_orgchart, parse_orgchart
from approvals.people.orgchart.findings import findings


def chart_a() -> dict[str, Any]:
    return yaml.safe_load(CHART_A.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def unit(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in data["units"] if u["id"] == unit_id)


def check(tmp_path: Path, data: dict[str, Any]) -> Result:
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return CliRunner().invoke(cli, ["check", str(path)])


def test_the_shipped_charts_have_no_findings() -> None:
    assert findings(load_orgchart(CHART_A)) == [] and findings(load_orgchart(CHART_B)) == []


def test_an_empty_chart_loads_but_fails_the_check(tmp_path: Path) -> None:
    data = chart_a()
    data.update(units=[], people=[], posts={}, duties={})
    result = check(tmp_path, data)
    assert result.exit_code == 1
    assert "error: units: the chart has no units: nobody can submit a request" in result.output


def test_a_unit_supervised_by_its_own_head_fails_the_check(tmp_path: Path) -> None:
    data = chart_a()
    planning = unit(data, "planning")
    planning["head"] = planning["supervisor"]  # li.ming heads the section he supervises
    result = check(tmp_path, data)
    assert result.exit_code == 1
    assert ("error: units[planning].supervisor: li.ming (李明) is both head and supervisor "
            "(分管局领导) of planning, so nobody oversees the head") in result.output


def test_a_contractor_as_chief_fails_the_check(tmp_path: Path) -> None:
    data = chart_a()
    data["posts"]["chief"] = "yan.hui"  # 物业项目经理
    result = check(tmp_path, data)
    assert result.exit_code == 1
    assert ("error: posts.chief: yan.hui (严辉) belongs to contractor unit property; a post of "
            "the bureau is held by someone on its establishment") in result.output


def test_a_contractor_heading_a_section_fails_the_check_but_heading_their_own_company_does_not(
    tmp_path: Path,
) -> None:
    data = chart_a()
    unit(data, "planning")["head"] = "tao.ran"  # 食堂经理
    result = check(tmp_path, data)
    assert result.exit_code == 1
    assert ("error: units[planning].head: tao.ran (陶然) belongs to contractor unit canteen but "
            "heads planning (section); only a contractor unit is headed by a contractor") in result.output
    assert "units[canteen].head" not in result.output


def test_a_supervision_loop_is_a_warning_naming_every_unit_in_it(tmp_path: Path) -> None:
    data = chart_a()
    data["units"].append({"id": "party-group", "name": "党组", "kind": "leadership",
                          "supervisor": "li.ming"})
    data["people"].append({"id": "dang.zu", "name": "党组成员", "unit": "party-group"})
    unit(data, "leadership")["supervisor"] = "dang.zu"
    result = check(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert ("warning: units[leadership].supervisor: supervision loop: leadership (supervisor "
            "dang.zu) → party-group (supervisor li.ming) → leadership") in result.output
    assert result.output.count("supervision loop") == 1


def test_a_leadership_unit_supervised_from_inside_is_a_loop_of_one() -> None:
    data = chart_a()
    unit(data, "leadership")["supervisor"] = "li.ming"
    chart = parse_orgchart(yaml.safe_dump(data, allow_unicode=True))
    assert [str(f) for f in findings(chart)] == [
        "warning: units[leadership].supervisor: supervision loop: leadership (supervisor "
        "li.ming) → leadership; the leaders in it oversee each other and nobody above them does"]
