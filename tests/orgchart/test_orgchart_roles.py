"""Role resolution against the shipped policy A chart, and the refusals a vacancy causes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from approvals.errors import VacantPostError
from approvals.people.orgchart import OrgChart, may_act, resolve


def unit(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in data["units"] if u["id"] == unit_id)


@pytest.mark.parametrize(("role", "applicant", "assignee"), [
    ("unit_head", "sun.li", "zhao.lei"),
    ("supervisor", "sun.li", "li.ming"),
    ("supervisor", "wei.na", "zhang.hua"),
    ("unit_head", "you.jia", "zhu.wei"),
    ("supervisor", "you.jia", "liu.yang"),
    ("chief", "sun.li", "wang.jun"),
    ("organ_leader", "sun.li", "li.ming"),
    ("applicant", "sun.li", "sun.li"),
])
def test_a_role_resolves_to_the_holder_for_the_applicant(
        xx_chart: OrgChart, role: str, applicant: str, assignee: str) -> None:
    assert resolve(xx_chart, role, applicant).assignee == assignee


def test_a_duty_resolves_to_the_head_of_its_unit_and_its_members_may_act(
        xx_chart: OrgChart) -> None:
    resolution = resolve(xx_chart, "duty:filing", "sun.li")
    assert (resolution.assignee, resolution.unit) == ("feng.jie", "hr")
    assert may_act(xx_chart, "wei.na", resolution.assignee, resolution.unit)
    assert not may_act(xx_chart, "sun.li", resolution.assignee, resolution.unit)


def test_a_vacant_head_is_refused_naming_the_unit_and_the_key(
        xx_data: dict[str, Any], parse: Callable[..., OrgChart]) -> None:
    unit(xx_data, "planning")["head"] = None
    with pytest.raises(VacantPostError) as info:
        resolve(parse(xx_data), "unit_head", "sun.li")
    assert "规划科" in str(info.value) and "units[planning].head" in str(info.value)


def test_a_missing_supervisor_is_refused_naming_the_key(
        xx_data: dict[str, Any], parse: Callable[..., OrgChart]) -> None:
    del unit(xx_data, "registry")["supervisor"]
    with pytest.raises(VacantPostError, match=re.escape("units[registry].supervisor")):
        resolve(parse(xx_data), "supervisor", "zhang.qian")


def test_a_vacant_post_is_refused_naming_the_post(
        xx_data: dict[str, Any], parse: Callable[..., OrgChart]) -> None:
    xx_data["posts"]["organ_leader"] = None
    with pytest.raises(VacantPostError, match="posts.organ_leader"):
        resolve(parse(xx_data), "organ_leader", "sun.li")


def test_an_unassigned_duty_is_refused_naming_the_duty(
        xx_data: dict[str, Any], parse: Callable[..., OrgChart]) -> None:
    xx_data["duties"]["filing"] = None
    with pytest.raises(VacantPostError, match="duties.filing"):
        resolve(parse(xx_data), "duty:filing", "sun.li")
