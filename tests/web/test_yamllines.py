"""The org chart editor finds the line a loader issue is about, from its key path."""

from __future__ import annotations

import pytest
from flask import Flask
from webkit import ADMIN, client_for, text

from approvals.app import Approvals
from approvals.errors import OrgChartError
from approvals.people.orgchart.loader import parse_orgchart
from web.yamllines import line_of

CHART = """organization:
  id: t
  name: 测试局
  processes:
    leave: leave_xx
units:
  - id: leadership
    name: 局领导班子
    kind: leadership
  - name: 无编号单位
    kind: section
people:
  - {id: wang.jun, name: 王军, unit: leadership}
posts:
  chief: wang.jun
"""


@pytest.mark.parametrize(
    ("where", "line"),
    [
        ("organization.processes.leave", 5),
        ("units[leadership].kind", 9),
        ("units[1]", 10),
        ("units[1].id", 10),  # a missing key: the item it is missing from
        ("people[wang.jun].unit", 13),
        ("posts.chief", 15),
        ("line 7, column 3", 7),
        ("(file)", None),
    ],
)
def test_a_key_path_points_at_its_line(where: str, line: int | None) -> None:
    assert line_of(CHART, where) == line


def test_every_issue_of_a_broken_chart_gets_a_line() -> None:
    broken = CHART.replace("unit: leadership}", "unit: nowhere}").replace(
        "chief: wang.jun", "chief: li.si"
    )
    with pytest.raises(OrgChartError) as info:
        parse_orgchart(broken, "t.yaml")
    assert all(line_of(broken, issue.where) for issue in info.value.issues)


def test_a_yaml_syntax_error_is_shown_at_its_line(engine: Approvals, web: Flask) -> None:
    broken = engine.admin.current_text("xx-nrpb").replace(
        "  - id: finance", "  - id: finance\n\t  oops"
    )
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit", data={"text": broken, "action": "check"}
    )
    assert response.status_code == 400
    assert 'class="bad"' in response.get_data(as_text=True) and "格式有误" in text(response)
