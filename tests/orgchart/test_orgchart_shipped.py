"""The two shipped charts load and have the shape the policies and the route tests need."""

from __future__ import annotations

import pytest

from approvals.people.orgchart import OrgChart, resolve

ROUTED_KINDS = ("section", "affiliated")  # their people's leave needs a head and a supervisor


def _kinds(chart: OrgChart) -> set[str]:
    return {u.kind for u in chart.units.values()}


@pytest.fixture(params=["xx", "cq"])
def shipped(request: pytest.FixtureRequest) -> OrgChart:
    chart: OrgChart = request.getfixturevalue(f"{request.param}_chart")
    return chart


def test_each_shipped_chart_has_at_least_25_people_in_at_least_6_units(shipped: OrgChart) -> None:
    assert len(shipped.people) >= 25 and len(shipped.units) >= 6
    assert all(shipped.members(unit_id) for unit_id in shipped.units)


def test_each_shipped_chart_fills_its_posts_and_duties(shipped: OrgChart) -> None:
    assert shipped.posts["chief"] and shipped.posts["organ_leader"]
    for duty in ("filing", "discipline", "epidemic_office", "higher_authority"):
        assert shipped.units[shipped.duties[duty]].head, duty


def test_every_section_and_affiliated_unit_has_a_head_and_a_supervisor(shipped: OrgChart) -> None:
    for unit in shipped.units.values():
        if unit.kind in ROUTED_KINDS:
            assert unit.head and unit.supervisor, unit.id


def test_every_person_in_a_section_or_affiliated_unit_resolves_head_and_supervisor(
        shipped: OrgChart) -> None:
    for person_id in shipped.people:
        if shipped.unit_of(person_id).kind in ROUTED_KINDS:
            assert resolve(shipped, "unit_head", person_id).assignee
            assert resolve(shipped, "supervisor", person_id).assignee


def test_each_shipped_chart_has_deputies_affiliated_units_and_an_organ_leader_section(
        shipped: OrgChart) -> None:
    assert {"leadership", "section", "affiliated"} <= _kinds(shipped)
    assert sum(1 for u in shipped.units.values() if u.kind == "affiliated") >= 2
    assert any(u.deputies for u in shipped.units.values() if u.kind == "section")
    assert any(u.deputies for u in shipped.units.values() if u.kind == "affiliated")
    organ_leader = shipped.posts["organ_leader"]
    assert any(u.supervisor == organ_leader for u in shipped.units.values() if u.kind == "section")
    assert any(u.supervisor not in (None, organ_leader) for u in shipped.units.values()
               if u.kind == "section")


def test_the_policy_a_chart_matches_the_seed(xx_chart: OrgChart) -> None:
    assert xx_chart.id == "xx-nrpb" and "自然资源和规划局" in xx_chart.organization.name
    assert dict(xx_chart.organization.processes) == {  # the seed's three, and the examples of issue 23
        "leave": "leave_xx", "meeting": "meeting_xx", "family_trip": "family_trip_xx", "trip": "trip_xx",
        "doc_sign": "doc_sign_xx"}
    assert (xx_chart.posts["chief"], xx_chart.posts["organ_leader"]) == ("wang.jun", "li.ming")
    planning = xx_chart.units["planning"]
    assert (planning.head, planning.deputies, planning.supervisor) == (
        "zhao.lei", ("qian.hong",), "li.ming")
    assert (xx_chart.duties["filing"], xx_chart.duties["discipline"]) == ("hr", "discipline")
    assert xx_chart.duties["epidemic_office"] == xx_chart.duties["higher_authority"] == "office"
    assert "contractor" in _kinds(xx_chart)


def test_the_policy_a_chart_has_county_cadres_in_the_organ_who_head_nothing(
        xx_chart: OrgChart) -> None:
    cadres = [p for p in xx_chart.people.values() if p.grade == "county"
              and xx_chart.units[p.unit].kind == "section"]
    assert cadres
    assert all(xx_chart.units[p.unit].head != p.id for p in cadres)


def test_the_policy_b_chart_matches_the_seed(cq_chart: OrgChart) -> None:
    assert cq_chart.id == "cq-mca" and "民政局" in cq_chart.organization.name
    assert dict(cq_chart.organization.processes) == {"leave": "leave_cq", "meeting": "meeting_cq"}
    assert cq_chart.duties["filing"] == cq_chart.duties["higher_authority"] == "office"
    assert cq_chart.units[cq_chart.duties["discipline"]].name == "驻局纪检监察组"
    assert len(cq_chart.organization.risk_areas) >= 2


def test_policy_b_supervisors_are_not_the_chief_so_both_signatures_stay(cq_chart: OrgChart) -> None:
    # A unit head's leave goes supervisor -> chief; a chief supervisor would merge the two.
    assert all(u.supervisor != cq_chart.posts["chief"] for u in cq_chart.units.values())


def test_person_ids_are_unique_across_both_charts(xx_chart: OrgChart, cq_chart: OrgChart) -> None:
    assert not set(xx_chart.people) & set(cq_chart.people)


@pytest.mark.parametrize(("person_id", "county", "category"), [
    ("wang.jun", False, "chief"),
    ("li.ming", False, "leader"),
    ("zhang.hua", True, "leader"),  # a leader with a county grade is still a leader
    ("ma.lin", True, "county_cadre"),
    ("ma.lin", False, "staff"),  # 四级调研员: county cadre only where the policy uses it
    ("zhao.lei", False, "unit_head"),
    ("qian.hong", False, "unit_deputy"),
    ("sun.li", False, "staff"),
    ("zhu.wei", True, "unit_head"),
    ("you.jia", False, "staff"),
    ("hua.qing", False, "staff"),
])
def test_policy_a_categories_follow_the_first_match_table(
        xx_chart: OrgChart, person_id: str, county: bool, category: str) -> None:
    assert xx_chart.category(person_id, uses_county_cadre=county) == category


@pytest.mark.parametrize(("person_id", "category"), [
    ("tang.wei", "chief"), ("tian.jing", "leader"), ("pan.hao", "unit_head"),
    ("du.juan", "unit_deputy"), ("ye.qing", "staff"), ("wan.qiang", "unit_deputy"),
    ("dai.li", "staff"),
])
def test_policy_b_categories_follow_the_first_match_table(
        cq_chart: OrgChart, person_id: str, category: str) -> None:
    assert cq_chart.category(person_id) == category
