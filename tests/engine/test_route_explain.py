"""`approvals route --explain` lists a group with every member, the one rule 2 satisfied
included and marked, rather than a "group" of that member alone and another of the rest
(issue 19, point 21)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from support import PROCESSES
from topics import TOPIC, topic_chart_text

from approvals.cli import cli


def _route(tmp_path: Path, applicant: str, *extra: str) -> list[str]:
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes)
    shutil.copy(TOPIC, processes / TOPIC.name)
    chart = tmp_path / "chart.yaml"
    chart.write_text(topic_chart_text(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["route", "--orgchart", str(chart), "--process", "topic", "--applicant",
                                      applicant, "--set", "title=议题", "--set", "summary=摘要", *extra],
                                env={"APPROVALS_PROCESSES": str(processes)})
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_explain_lists_a_group_with_the_member_rule_2_satisfied(tmp_path: Path) -> None:
    # 吴敏 (office deputy) drafts: 周强 checks the papers for the secretariat, and as her unit
    # head he is also one of the two who sign at once: his earlier decision stands for him.
    lines = _route(tmp_path, "wu.min", "--explain")
    group = [line for line in lines if "科室负责人与分管机关的局领导会签" in line]
    assert len(group) == 1, lines
    assert ("all of, at once: zhou.qiang (周强) [satisfied by the same person's previous decision "
            "(no double signing)], li.ming (李明)") in group[0]
    assert group[0].endswith("[decides]")


def test_without_explain_the_group_lists_who_still_signs(tmp_path: Path) -> None:
    lines = _route(tmp_path, "wu.min")
    [group] = [line for line in lines if "科室负责人与分管机关的局领导会签" in line]
    assert "all of, at once: li.ming (李明)" in group and "zhou.qiang" not in group
