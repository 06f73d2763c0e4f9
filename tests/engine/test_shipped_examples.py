"""The shipped examples of issue 23 (docs/processes.md, "The shipped processes"): 出差审批
(trip_xx: timers, if_vacant, chosen_in, fields per step) and 发文会签 (doc_sign_xx: a 会签 step),
under new request types of policy A's bureau; `approvals check` passes for every shipped type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CHART_A, CHART_B, make_app
from trips import APPLICANT, FINANCE, HEAD, open_task, trip_bureau, trip_fields

from approvals.app import Approvals
from approvals.cli import cli


@pytest.mark.parametrize("request_type", ["leave", "trip", "doc_sign"])  # meeting refuses contractors by design
def test_approvals_check_passes_for_every_shipped_request_type(request_type: str) -> None:
    result = CliRunner().invoke(cli, ["check", str(CHART_A), str(CHART_B), "--type", request_type])
    assert result.exit_code == 0, result.output
    assert "trip_xx" in result.output and "doc_sign_xx" in result.output  # both load


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = make_app(db_url, CHART_A)
    yield app
    app.db.dispose()


def test_a_document_is_countersigned_by_finance_and_hr_at_once_then_signed_by_the_chief(bureau: Approvals) -> None:
    fields = {"title": "关于规范差旅费报销的通知", "summary": "明确出差审批与报销流程。"}
    route = bureau.service.preview(APPLICANT, "doc_sign", fields).as_json()["steps"]
    assert route == [
        {"kind": "approve", "role": "unit_head", "assignees": [HEAD]},
        {"kind": "approve", "role": "duty:finance, duty:filing", "assignees": [FINANCE, "feng.jie"],
         "group": "all_at_once"},
        {"kind": "approve", "role": "chief", "assignees": ["wang.jun"]}]
    request_id = bureau.service.submit(APPLICANT, "doc_sign", fields)
    bureau.service.decide(open_task(bureau, request_id, "draft_head").id, HEAD, "approve")
    members = sorted((t.assignee, t.id) for t in bureau.queries.steps(request_id) if t.is_open)
    assert [m for m, _id in members] == ["feng.jie", FINANCE]  # both at once
    for person, task_id in members:
        bureau.service.decide(task_id, person, "approve")
    bureau.service.decide(open_task(bureau, request_id, "approve_chief").id, "wang.jun", "approve")
    assert bureau.queries.request(request_id).status == "completed"


def test_the_trip_example_goes_to_the_supervisor_when_the_unit_head_post_is_vacant(
        db_url: str, tmp_path: Path) -> None:
    """if_vacant=supervisor on the unit head's step: 规划科 without a head goes to 李明."""
    chart = tmp_path / "xx-no-head.yaml"
    chart.write_text(CHART_A.read_text(encoding="utf-8").replace("    head: zhao.lei\n", "", 1), encoding="utf-8")
    app = trip_bureau(db_url, tmp_path, chart=chart)
    try:
        route = app.service.preview(APPLICANT, "trip", trip_fields()).as_json()["steps"]
        assert route[0]["assignees"] == ["li.ming"]
    finally:
        app.db.dispose()


def test_the_trip_examples_head_is_reminded_every_working_day(db_url: str, tmp_path: Path) -> None:
    from timing import at

    from approvals.operations import timeouts

    app = trip_bureau(db_url, tmp_path)
    try:
        request_id = app.service.submit(APPLICANT, "trip", trip_fields())
        at(app, "2025-09-30 09:00:30")  # one working day after Monday 09:00
        assert timeouts.run_due(app.service).actions == {"remind": 1}
        at(app, "2025-10-08 09:00:30")  # the holiday week: nothing more
        assert timeouts.run_due(app.service).actions == {}
        at(app, "2025-10-09 09:00:30")
        assert timeouts.run_due(app.service).actions == {"remind": 1}
        assert open_task(app, request_id, "head").assignee == HEAD
    finally:
        app.db.dispose()
