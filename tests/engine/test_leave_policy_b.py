"""Policy B (重庆市民政局) leave routes: every row of routes.md, the 3-day rule, risk areas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import REPORT_B, head_of_duty, leave_fields, pick, step, walk

from approvals.app import Approvals
from approvals.errors import RuleRefusalError

ORG = "cq-mca"


def _file_copy(c: Any) -> list[dict[str, Any]]:
    return [step("file", "duty:filing", head_of_duty(c, "filing")),
            step("copy", "duty:discipline", head_of_duty(c, "discipline"))]


ROWS: dict[str, tuple[Callable[[Any], str], Callable[[Any, str], list[dict[str, Any]]]]] = {
    "chief: decided outside, recorded": (
        lambda c: c.posts["chief"],
        lambda c, p: [step("record", "duty:higher_authority", head_of_duty(c, "higher_authority"))]),
    "other leader: the chief, filed and copied": (
        lambda c: pick(c, "leader"),
        lambda c, p: [step("approve", "chief", c.posts["chief"]), *_file_copy(c),
                      step("report", "last_approver", c.posts["chief"])]),
    "unit head: supervisor then chief": (
        lambda c: pick(c, "unit_head", "section"),
        lambda c, p: [step("approve", "supervisor", c.unit_of(p).supervisor),
                      step("approve", "chief", c.posts["chief"]), *_file_copy(c),
                      step("report", "last_approver", c.posts["chief"])]),
    "deputy: unit head then supervisor": (
        lambda c: pick(c, "unit_deputy", "section"),
        lambda c, p: [step("approve", "unit_head", c.unit_of(p).head),
                      step("approve", "supervisor", c.unit_of(p).supervisor), *_file_copy(c),
                      step("report", "last_approver", c.unit_of(p).supervisor)]),
    "staff: unit head only": (
        lambda c: pick(c, "staff", "section"),
        lambda c, p: [step("approve", "unit_head", c.unit_of(p).head),
                      step("report", "last_approver", c.unit_of(p).head)]),
    "staff of an affiliated unit: unit head only": (
        lambda c: pick(c, "staff", "affiliated"),
        lambda c, p: [step("approve", "unit_head", c.unit_of(p).head),
                      step("report", "last_approver", c.unit_of(p).head)]),
}


@pytest.mark.parametrize("row", list(ROWS))
def test_leave_route_row(app: Approvals, row: str) -> None:
    chart = app.orgcharts.current(ORG)
    who, expect = ROWS[row]
    applicant = who(chart)
    expected = expect(chart, applicant)
    assert app.service.preview(applicant, "leave", leave_fields()).as_json()["steps"] == expected
    request_id = app.service.submit(applicant, "leave", leave_fields())
    assert walk(app, request_id, REPORT_B) == expected
    assert app.queries.request(request_id).status == "completed"


def test_a_risk_area_destination_is_refused_for_everyone(app: Approvals) -> None:
    chart = app.orgcharts.current(ORG)
    area = chart.organization.risk_areas[0]
    for applicant in (chart.posts["chief"], pick(chart, "staff", "section")):
        with pytest.raises(RuleRefusalError, match="风险"):
            app.service.submit(applicant, "leave", leave_fields(destination=area))
    assert app.queries.my_requests(pick(chart, "staff", "section")).total == 0


def test_the_chief_must_apply_three_days_ahead(app: Approvals) -> None:
    chief = app.orgcharts.current(ORG).posts["chief"]
    with pytest.raises(RuleRefusalError, match="3"):
        app.service.submit(chief, "leave", leave_fields(depart_on="2026-11-25", return_on="2026-11-28"))
    app.service.submit(chief, "leave", leave_fields(depart_on="2026-11-26", return_on="2026-11-28"))


def test_the_three_day_rule_binds_only_the_chief(app: Approvals) -> None:
    staff = pick(app.orgcharts.current(ORG), "staff", "section")
    app.service.submit(staff, "leave", leave_fields(depart_on="2026-11-24", return_on="2026-11-25"))
