"""Every loader check: a small malformed chart gives an issue naming the key path, the value
found and the fix; all issues come at once; well-formed extras load."""

from __future__ import annotations

from collections.abc import Callable
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
import yaml

from approvals.errors import Issue, OrgChartError
from approvals.people.orgchart import OrgChart, load_orgchart

OnlyIssue = Callable[..., Issue]
ErrorOf = Callable[..., OrgChartError]
Parse = Callable[..., OrgChart]


def unit(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in data["units"] if u["id"] == unit_id)


def person(data: dict[str, Any], person_id: str) -> dict[str, Any]:
    return next(p for p in data["people"] if p["id"] == person_id)


# --- YAML itself ---------------------------------------------------------------------------

def test_a_yaml_syntax_error_names_the_line_and_column(error_of: ErrorOf) -> None:
    error = error_of("organization:\n  id: xx\n  name: [unclosed\nunits: []\n")
    [issue] = error.issues
    assert issue.where.startswith("line ") and ", column " in issue.where
    assert "not valid YAML" in issue.message
    assert isinstance(error.__cause__, yaml.YAMLError)


def test_a_tab_used_for_indentation_is_a_syntax_error_with_a_hint(error_of: ErrorOf) -> None:
    [issue] = error_of("organization:\n\tid: xx\n").issues
    assert issue.where == "line 2, column 1" and "spaces, not tabs" in issue.message


def test_a_key_given_twice_is_reported_with_its_path_and_both_lines(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    text = yaml.safe_dump(chart_data, allow_unicode=True, sort_keys=False)
    text = text.replace("  head: zhao.lei\n", "  head: zhao.lei\n  head: qian.hong\n")
    issue = only_issue(text)
    assert issue.where == "units[planning].head"
    assert "twice" in issue.message and "lines" in issue.message


@pytest.mark.parametrize(("text", "found"), [("- a\n- b\n", "a list"), ("", "an empty file"),
                                             ("just text\n", "text")])
def test_a_file_that_is_not_a_mapping_says_what_was_expected(
        only_issue: OnlyIssue, text: str, found: str) -> None:
    issue = only_issue(text)
    assert issue.where == "(top level)"
    assert "organization, units, people" in issue.message and f"found {found}" in issue.message


# --- required keys and types ---------------------------------------------------------------

@pytest.mark.parametrize(("edit", "path"), [
    (lambda d: d.pop("organization"), "organization"),
    (lambda d: d.pop("units"), "units"),
    (lambda d: d.pop("people"), "people"),
    (lambda d: d["organization"].pop("id"), "organization.id"),
    (lambda d: d["organization"].pop("name"), "organization.name"),
    (lambda d: d["organization"].pop("processes"), "organization.processes"),
    (lambda d: unit(d, "planning").pop("kind"), "units[planning].kind"),
    (lambda d: unit(d, "planning").pop("name"), "units[planning].name"),
    (lambda d: person(d, "sun.li").pop("unit"), "people[sun.li].unit"),
    (lambda d: person(d, "sun.li").pop("name"), "people[sun.li].name"),
])
def test_a_missing_required_key_is_reported_with_its_path(
        chart_data: dict[str, Any], error_of: ErrorOf, edit: Callable[[dict[str, Any]], None],
        path: str) -> None:
    edit(chart_data)
    error = error_of(chart_data)
    assert Issue(path, None, "is missing; this key is required") in error.issues
    assert f"{path}: is missing" in str(error)


def test_an_empty_required_value_is_reported_as_empty(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    chart_data["organization"]["name"] = None
    issue = only_issue(chart_data)
    assert (issue.where, issue.message) == ("organization.name", "is empty; this key is required")


@pytest.mark.parametrize(("edit", "where", "value", "expected"), [
    (lambda d: d["organization"].update(name=2021), "organization.name", 2021, "expected text"),
    (lambda d: d["organization"].update(processes=["leave_xx"]), "organization.processes",
     None, "expected a mapping"),
    (lambda d: d.update(units={"planning": {}}), "units", None, "expected a list"),
    (lambda d: unit(d, "planning").update(deputies="qian.hong"), "units[planning].deputies",
     "qian.hong", "write [qian.hong]"),
    (lambda d: unit(d, "planning").update(deputies=[["qian.hong"]]),
     "units[planning].deputies[0]", None, "expected text, found a list"),
    (lambda d: person(d, "sun.li").update(title=3), "people[sun.li].title", 3, "put it in quotes"),
    (lambda d: d.update(posts=["wang.jun"]), "posts", None, "expected a mapping"),
    (lambda d: d["posts"].update(chief=True), "posts.chief", True, "found true/false"),
    (lambda d: d["people"].append("zhou.qiang"), "people[6]", "zhou.qiang", "expected a mapping"),
    (lambda d: d["organization"].update(risk_areas="北京市"), "organization.risk_areas", "北京市",
     "expected a list"),
])
def test_a_value_of_the_wrong_type_names_the_path_the_value_and_the_expected_type(
        chart_data: dict[str, Any], only_issue: OnlyIssue, edit: Callable[[dict[str, Any]], None],
        where: str, value: object, expected: str) -> None:
    edit(chart_data)
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == (where, value)
    assert expected in issue.message


# --- ids and kinds -----------------------------------------------------------------------

def test_an_organization_id_outside_the_slug_pattern_is_reported(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    chart_data["organization"]["id"] = "XX_nrpb"
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("organization.id", "XX_nrpb")
    assert "lowercase letters a-z, digits 0-9 and '-'" in issue.message


def test_a_unit_id_outside_the_slug_pattern_is_reported(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    unit(chart_data, "hr")["id"] = "人事科"
    for member in chart_data["people"]:
        member["unit"] = "人事科" if member["unit"] == "hr" else member["unit"]
    chart_data["duties"]["filing"] = "人事科"
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("units[人事科].id", "人事科")
    assert "not a valid id" in issue.message


def test_a_person_id_with_a_space_is_reported_with_the_allowed_characters(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    person(chart_data, "sun.li")["id"] = "Sun Li"
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("people[Sun Li].id", "Sun Li")
    assert "'.', '_' and '-' (e.g. zhao.lei)" in issue.message


def test_an_unknown_unit_kind_lists_the_four_kinds(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    unit(chart_data, "planning")["kind"] = "sectoin"
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("units[planning].kind", "sectoin")
    assert "leadership, section, affiliated, contractor" in issue.message


def test_a_grade_other_than_county_lists_the_allowed_value(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    person(chart_data, "sun.li")["grade"] = "city"
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("people[sun.li].grade", "city")
    assert "county" in issue.message


def test_a_list_of_units_for_one_person_is_refused_as_one_unit_only(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    person(chart_data, "sun.li")["unit"] = ["planning", "hr"]
    issue = only_issue(chart_data)
    assert issue.where == "people[sun.li].unit" and "exactly one unit" in issue.message


def test_a_duplicate_unit_id_names_both_positions(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    chart_data["units"].append({"id": "hr", "name": "人事二科", "kind": "section"})
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("units[3].id", "hr")
    assert "units[2] already has it" in issue.message


def test_a_duplicate_person_id_names_both_positions(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    chart_data["people"].append({"id": "sun.li", "name": "孙莉", "unit": "hr"})
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("people[6].id", "sun.li")
    assert "people[4] already has it" in issue.message


# --- unknown keys ------------------------------------------------------------------------

@pytest.mark.parametrize(("edit", "where"), [
    (lambda d: d.update(peopel=[]), "peopel"),
    (lambda d: d["organization"].update(colour="red"), "organization.colour"),
    (lambda d: unit(d, "planning").update(haed="zhao.lei"), "units[planning].haed"),
    (lambda d: person(d, "sun.li").update(phone="123"), "people[sun.li].phone"),
])
def test_an_unknown_key_is_reported_with_its_path(
        chart_data: dict[str, Any], only_issue: OnlyIssue, edit: Callable[[dict[str, Any]], None],
        where: str) -> None:
    edit(chart_data)
    issue = only_issue(chart_data)
    assert issue.where == where and issue.message.startswith("unknown key; expected one of")


def test_an_unknown_key_under_units_suggests_the_nearest_known_key(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    unit(chart_data, "planning")["supervsior"] = "li.ming"
    assert "did you mean 'supervisor'?" in only_issue(chart_data).message


def test_a_bureau_may_add_its_own_duties_and_posts(
        chart_data: dict[str, Any], parse: Parse) -> None:
    chart_data["duties"]["publicity"] = "planning"
    chart_data["posts"]["party_secretary"] = "wang.jun"
    chart = parse(chart_data)
    assert chart.duties["publicity"] == "planning" and chart.posts["party_secretary"] == "wang.jun"


def test_a_duty_name_that_is_not_text_is_reported(only_issue: OnlyIssue,
                                                  chart_data: dict[str, Any]) -> None:
    text = yaml.safe_dump(chart_data, allow_unicode=True, sort_keys=False) + "  yes: hr\n"
    issue = only_issue(text)
    assert (issue.where, issue.value) == ("duties.True", True)
    assert "put it in quotes" in issue.message


def test_a_post_named_like_a_built_in_role_is_refused(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    chart_data["posts"]["supervisor"] = "li.ming"
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("posts.supervisor", "supervisor")
    assert "built-in role" in issue.message


# --- references ----------------------------------------------------------------------------

@pytest.mark.parametrize(("edit", "where", "value", "what"), [
    (lambda d: unit(d, "planning").update(head="zhao.le"), "units[planning].head", "zhao.le",
     "no person"),
    (lambda d: unit(d, "planning").update(deputies=["qian.hng"]), "units[planning].deputies",
     "qian.hng", "no person"),
    (lambda d: unit(d, "planning").update(supervisor="li.mng"), "units[planning].supervisor",
     "li.mng", "no person"),
    (lambda d: person(d, "sun.li").update(unit="planing"), "people[sun.li].unit", "planing",
     "no unit"),
    (lambda d: d["posts"].update(chief="wang.jn"), "posts.chief", "wang.jn", "no person"),
    (lambda d: d["duties"].update(filing="human-resources"), "duties.filing", "human-resources",
     "no unit"),
])
def test_a_reference_to_a_missing_id_names_the_path_and_the_id(
        chart_data: dict[str, Any], only_issue: OnlyIssue, edit: Callable[[dict[str, Any]], None],
        where: str, value: str, what: str) -> None:
    edit(chart_data)
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == (where, value)
    assert issue.message.startswith(f"{what} with this id")


def test_a_misspelt_reference_suggests_the_nearest_id(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    unit(chart_data, "planning")["head"] = "zhao.le"
    assert "did you mean 'zhao.lei'?" in only_issue(chart_data).message


def test_a_supervisor_outside_the_leadership_is_refused(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    unit(chart_data, "hr")["supervisor"] = "zhao.lei"
    issue = only_issue(chart_data)
    assert (issue.where, issue.value) == ("units[hr].supervisor", "zhao.lei")
    assert "member of a leadership unit" in issue.message and "planning (section)" in issue.message


def test_a_head_need_not_be_a_member_of_the_unit_they_lead(
        chart_data: dict[str, Any], parse: Parse) -> None:
    unit(chart_data, "hr")["head"] = "zhao.lei"  # the spec does not require membership
    assert parse(chart_data).units["hr"].head == "zhao.lei"


def test_an_unknown_process_id_lists_the_known_ones(
        chart_data: dict[str, Any], only_issue: OnlyIssue) -> None:
    chart_data["organization"]["processes"]["leave"] = "leave_x"
    issue = only_issue(chart_data, known_processes=["leave_xx", "meeting_xx"])
    assert (issue.where, issue.value) == ("organization.processes.leave", "leave_x")
    assert "known: leave_xx, meeting_xx" in issue.message


def test_process_ids_are_not_checked_when_no_process_list_is_given(
        chart_data: dict[str, Any], parse: Parse) -> None:
    chart_data["organization"]["processes"]["leave"] = "not_written_yet"
    assert parse(chart_data).organization.processes["leave"] == "not_written_yet"


# --- all at once, and what loads --------------------------------------------------------------

def test_every_issue_is_reported_in_one_error(
        chart_data: dict[str, Any], error_of: ErrorOf) -> None:
    unit(chart_data, "planning")["kind"] = "sectoin"
    person(chart_data, "sun.li")["unit"] = "planing"
    chart_data["posts"]["chief"] = "nobody"
    chart_data["organization"]["processes"]["leave"] = "leave_x"
    error = error_of(chart_data, known_processes=["leave_xx"])
    assert [i.where for i in error.issues] == [
        "organization.processes.leave", "units[planning].kind", "people[sun.li].unit",
        "posts.chief"]


def test_vacant_posts_heads_and_duties_load(chart_data: dict[str, Any], parse: Parse) -> None:
    chart_data["posts"]["organ_leader"] = None
    unit(chart_data, "planning").update(head=None, deputies=None, supervisor=None)
    chart_data["duties"]["publicity"] = None
    chart = parse(chart_data)
    assert chart.posts["organ_leader"] is None
    assert (chart.units["planning"].head, chart.units["planning"].deputies) == (None, ())
    assert "publicity" not in chart.duties


def test_posts_and_duties_are_optional(chart_data: dict[str, Any], parse: Parse) -> None:
    del chart_data["posts"], chart_data["duties"]
    chart = parse(chart_data)
    assert (dict(chart.posts), dict(chart.duties)) == ({}, {})


def test_risk_areas_are_kept_in_order(chart_data: dict[str, Any], parse: Parse) -> None:
    chart_data["organization"]["risk_areas"] = ["北京市顺义区", "辽宁省沈阳市皇姑区"]
    assert parse(chart_data).organization.risk_areas == ("北京市顺义区", "辽宁省沈阳市皇姑区")


def test_the_version_is_the_sha256_of_the_text_and_the_source_is_the_file_name(
        chart_data: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "bureau.yaml"
    text = yaml.safe_dump(chart_data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    chart = load_orgchart(path)
    assert chart.version == sha256(text.encode("utf-8")).hexdigest()
    assert chart.source == "bureau.yaml"


def test_a_loaded_chart_cannot_be_changed(chart_data: dict[str, Any], parse: Parse) -> None:
    chart = parse(chart_data)
    with pytest.raises(TypeError):
        chart.people["x"] = chart.people["sun.li"]  # type: ignore[index]
    with pytest.raises(TypeError):
        chart.organization.processes["leave"] = "other"  # type: ignore[index]
    assert isinstance(chart.units["planning"].deputies, tuple)


def test_a_missing_file_is_an_org_chart_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(OrgChartError, match="cannot read the file") as info:
        load_orgchart(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(info.value) and isinstance(info.value.__cause__, OSError)


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("organization: 测试局\n".encode("gbk"))
    with pytest.raises(OrgChartError, match="not UTF-8"):
        load_orgchart(path)
