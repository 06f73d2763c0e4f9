"""Policy A (XX市自然资源和规划局) leave routes: every row of routes.md, end to end.

Each scenario previews the route, submits a real request, acts on every step as the person
who sees it in their inbox or list, and checks the route taken equals the preview and the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import REPORT_A, head_of_duty, leave_fields, pick, step, walk

from approvals.app import Approvals

Expect = Callable[[Any, str], list[dict[str, Any]]]


def _tail(c: Any) -> list[dict[str, Any]]:
    return [step("file", "duty:filing", head_of_duty(c, "filing")),
            step("report", "duty:filing", head_of_duty(c, "filing"))]


ROWS: dict[str, tuple[Callable[[Any], str], Expect]] = {
    "chief: the outside decision is recorded, then filed": (
        lambda c: c.posts["chief"],
        lambda c, p: [step("record", "duty:higher_authority", head_of_duty(c, "higher_authority")),
                      step("file", "duty:filing", head_of_duty(c, "filing"))]),
    "leader: the chief approves": (
        lambda c: pick(c, "leader"),
        lambda c, p: [step("approve", "chief", c.posts["chief"]), *_tail(c)]),
    "county cadre of the organ: the chief approves": (
        lambda c: pick(c, "county_cadre", county=True),
        lambda c, p: [step("approve", "chief", c.posts["chief"]), *_tail(c)]),
    "head of an affiliated unit: the chief approves": (
        lambda c: pick(c, "unit_head", "affiliated", county=True),
        lambda c, p: [step("approve", "chief", c.posts["chief"]), *_tail(c)]),
    "section staff: head, supervisor, organ leader": (
        lambda c: pick(c, "staff", "section", county=True, supervised_by_organ_leader=False),
        lambda c, p: [step("approve", "unit_head", c.unit_of(p).head),
                      step("approve", "supervisor", c.unit_of(p).supervisor),
                      step("approve", "organ_leader", c.posts["organ_leader"]), *_tail(c)]),
    "section deputy: head, supervisor, organ leader": (
        lambda c: pick(c, "unit_deputy", "section", county=True, supervised_by_organ_leader=False),
        lambda c, p: [step("approve", "unit_head", c.unit_of(p).head),
                      step("approve", "supervisor", c.unit_of(p).supervisor),
                      step("approve", "organ_leader", c.posts["organ_leader"]), *_tail(c)]),
    "section head: own step skipped (rule 1)": (
        lambda c: pick(c, "unit_head", "section", county=True, supervised_by_organ_leader=False),
        lambda c, p: [step("approve", "supervisor", c.unit_of(p).supervisor),
                      step("approve", "organ_leader", c.posts["organ_leader"]), *_tail(c)]),
    "staff of a section the organ leader supervises: signs once (rule 2)": (
        lambda c: pick(c, "staff", "section", county=True, supervised_by_organ_leader=True),
        lambda c, p: [step("approve", "unit_head", c.unit_of(p).head),
                      step("approve", "supervisor", c.posts["organ_leader"]), *_tail(c)]),
    "affiliated staff: head, then supervisor": (
        lambda c: pick(c, "staff", "affiliated", county=True),
        lambda c, p: [step("approve", "unit_head", c.unit_of(p).head),
                      step("approve", "supervisor", c.unit_of(p).supervisor), *_tail(c)]),
    "affiliated deputy: head, then supervisor": (
        lambda c: pick(c, "unit_deputy", "affiliated", county=True),
        lambda c, p: [step("approve", "unit_head", c.unit_of(p).head),
                      step("approve", "supervisor", c.unit_of(p).supervisor), *_tail(c)]),
    "contractor staff: filing only (报备)": (
        lambda c: pick(c, "staff", "contractor", county=True),
        lambda c, p: [step("file", "duty:filing", head_of_duty(c, "filing"))]),
}


@pytest.mark.parametrize("row", list(ROWS))
def test_leave_route_row(app: Approvals, row: str) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    who, expect = ROWS[row]
    applicant = who(chart)
    expected = expect(chart, applicant)

    preview = app.service.preview(applicant, "leave", leave_fields()).as_json()
    assert preview["steps"] == expected

    request_id = app.service.submit(applicant, "leave", leave_fields())
    assert walk(app, request_id, REPORT_A) == expected
    assert app.queries.request(request_id).status == "completed"


def test_an_approved_request_waits_for_the_return_report(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "leader")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [decision] = [t for t in app.queries.steps(request_id) if t.is_open and t.kind == "approve"]
    app.service.decide(decision.id, decision.assignee, "approve", "同意")
    assert app.queries.request(request_id).status == "approved"
    [report] = app.queries.reports_due(applicant)
    # back on Saturday 2026-12-05; due 2 working days later (report_due_days): Tuesday
    assert (report.request_id, str(report.due_on)) == (request_id, "2026-12-08")
    [filing] = app.queries.notices(chart, head_of_duty(chart, "filing")).items
    assert filing.request_id == request_id and filing.kind == "file"
