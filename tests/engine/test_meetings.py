"""Meeting routes: policy A by unit kind and size, policy B's prevention plan at 50+."""

from __future__ import annotations

import pytest
from support import head_of_duty, meeting_fields, pick, step, walk

from approvals.app import Approvals
from approvals.errors import FieldError
from approvals.service import Upload


@pytest.mark.parametrize(("participants", "role"), [(49, "organ_leader"), (50, "chief"), (60, "chief")])
def test_a_section_meeting_goes_to_the_organ_leader_below_50_and_the_chief_from_50(
        app: Approvals, participants: int, role: str) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    organizer = pick(chart, "staff", "section", county=True)
    expected = [step("approve", role, chart.posts[role])]
    assert app.service.preview(organizer, "meeting", meeting_fields(participants)).as_json()["steps"] == expected
    request_id = app.service.submit(organizer, "meeting", meeting_fields(participants))
    assert walk(app, request_id) == expected


def test_a_small_affiliated_meeting_is_only_registered_with_the_epidemic_office(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    organizer = pick(chart, "staff", "affiliated", county=True)
    request_id = app.service.submit(organizer, "meeting", meeting_fields(29))
    assert walk(app, request_id) == [step("file", "duty:epidemic_office", head_of_duty(chart, "epidemic_office"))]


def test_an_affiliated_meeting_of_30_needs_the_epidemic_offices_consent(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    organizer = pick(chart, "staff", "affiliated", county=True)
    request_id = app.service.submit(organizer, "meeting", meeting_fields(30))
    assert walk(app, request_id) == [step("consent", "duty:epidemic_office", head_of_duty(chart, "epidemic_office"))]


def test_a_60_person_meeting_rejected_by_the_chief_ends_with_the_reason(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    organizer = pick(chart, "staff", "section", county=True)
    request_id = app.service.submit(organizer, "meeting", meeting_fields(60))
    [task] = [t for t in app.queries.steps(request_id) if t.is_open]
    app.service.decide(task.id, chart.posts["chief"], "reject", "规模过大，改为视频会议")
    request = app.queries.request(request_id)
    assert (request.status, request.outcome_comment) == ("rejected", "规模过大，改为视频会议")
    assert app.queries.inbox(chart, chart.posts["chief"]).total == 0


def test_policy_b_requires_a_prevention_plan_from_50_people(app: Approvals) -> None:
    chart = app.orgcharts.current("cq-mca")
    organizer = pick(chart, "staff", "section")
    # The preview does not demand attachments; submission does.
    assert app.service.preview(organizer, "meeting", meeting_fields(80)).as_json()["steps"] == [
        step("approve", "unit_head", chart.unit_of(organizer).head)]
    with pytest.raises(FieldError, match="plan"):
        app.service.submit(organizer, "meeting", meeting_fields(80))
    plan = Upload("防控方案.pdf", "application/pdf", b"%PDF-1.4 plan")
    request_id = app.service.submit(organizer, "meeting", meeting_fields(80), uploads={"plan": plan})
    [attachment] = app.queries.attachments(request_id)
    assert (attachment.filename, attachment.data) == ("防控方案.pdf", b"%PDF-1.4 plan")
    app.service.submit(organizer, "meeting", meeting_fields(49))
