"""What a process author can read in a condition besides the form: the applicant's category
and grade (docs/processes.md, "Variables a condition can read"), and names from the chart."""

from __future__ import annotations

from datetime import date

from support import CHART_A, PROCESSES

from approvals.people.orgchart.loader import load_orgchart
from approvals.process.definitions import parse_bpmn
from approvals.process.routes import request_variables

LEAVE = (PROCESSES / "leave_xx.bpmn").read_text(encoding="utf-8")


def test_a_county_level_cadre_is_grade_county_whatever_their_post() -> None:
    chart = load_orgchart(CHART_A)
    leave = parse_bpmn(LEAVE, "leave_xx.bpmn")[0]
    cadre = request_variables(chart, leave, "ma.lin", {}, date(2026, 11, 23))  # 四级调研员, grade county
    staff = request_variables(chart, leave, "sun.li", {}, date(2026, 11, 23))
    assert (cadre["grade"], cadre["applicant_category"]) == ("county", "county_cadre")
    assert (staff["grade"], staff["applicant_category"]) == (None, "staff")


def test_a_condition_on_grade_is_accepted_by_the_checks() -> None:
    gated = LEAVE.replace("applicant_category == 'chief'", "applicant_category == 'chief' and grade == 'county'", 1)
    assert gated != LEAVE
    assert parse_bpmn(gated, "leave_xx.bpmn")[0].process_id == "leave_xx"


def test_duty_and_process_names_come_from_the_chart_and_the_file() -> None:
    chart = load_orgchart(CHART_A)
    assert chart.duties["filing"] == "hr"
    assert (chart.duty_info["filing"].name, chart.duty_info["filing"].name_en) == ("登记备案", "Filing")
    assert parse_bpmn(LEAVE, "leave_xx.bpmn")[0].name_en == "Leaving the city"
