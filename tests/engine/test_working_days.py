"""Deadlines in working days: China's holidays and 调休 Saturdays, a bureau's own days, time
limits on steps, the return report's due date, and a year without holiday data said plainly."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from support import CHART_A, NOW, REPORT_A, back_from_trip, leave_fields, meeting_fields, open_steps, pick

from approvals.app import Approvals
from approvals.errors import FieldError, OrgChartError
from approvals.people.orgchart.loader import parse_orgchart
from approvals.process.calendar import WorkingCalendar, data_note, for_chart
from approvals.process.check import run_check
from approvals.process.deadlines import Due, ReportNotOpenError
from approvals.process.definitions import DefinitionRegistry

CAL = WorkingCalendar()


def test_a_tiaoxiu_saturday_is_a_working_day_and_the_national_day_week_is_not() -> None:
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, worked in exchange for the holiday
    assert not CAL.is_working_day(date(2026, 10, 5))  # Monday of the National Day week
    assert not CAL.is_working_day(date(2026, 11, 28))  # an ordinary Saturday


def test_one_working_day_after_the_eve_of_national_day_is_the_day_after_the_holiday() -> None:
    assert CAL.add(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add(date(2026, 10, 9), 1) == date(2026, 10, 10)  # Friday + 1 = the 调休 Saturday
    assert CAL.between(date(2026, 9, 30), date(2026, 10, 12)) == 4  # 10-08, 10-09, 10-10, 10-12


def test_a_due_date_reads_as_days_left_then_as_working_days_overdue() -> None:
    due = date(2026, 11, 26)  # Thursday
    assert Due.of(CAL, due, date(2026, 11, 23)).left == 3
    assert Due.of(CAL, due, date(2026, 11, 26)) == Due(due, 0, 0)
    assert Due.of(CAL, due, date(2026, 11, 30)).overdue == 2  # Friday and Monday, not the weekend


def test_a_year_without_holiday_data_counts_monday_to_friday_and_says_so() -> None:
    assert CAL.missing_years([2026, 2027]) == [2027]
    assert CAL.is_working_day(date(2027, 2, 8))  # a Monday; the package cannot know Spring Festival
    note = data_note(CAL, date(2026, 12, 1))
    assert note is not None and "no holiday data for 2027" in note and "Monday-Friday" in note
    assert data_note(CAL, date(2025, 6, 1)) is None


def test_approvals_check_warns_about_the_year_without_holiday_data() -> None:
    from support import PROCESSES

    report = run_check(DefinitionRegistry(PROCESSES), [CHART_A], "leave", date(2026, 12, 1))
    assert report.ok
    assert any(line.startswith("WARNING working days:") and "2027" in line for line in report.lines)


def _chart_with(calendar: str) -> str:
    text = CHART_A.read_text(encoding="utf-8")
    return text.replace("organization:\n", f"organization:\n  calendar:\n{calendar}", 1)


def test_a_bureaus_own_closure_and_extra_working_day_win_over_the_national_calendar() -> None:
    chart = parse_orgchart(_chart_with("    holidays: [2026-11-27]\n    working_days: ['2026-11-28']\n"))
    cal = for_chart(chart)
    assert not cal.is_working_day(date(2026, 11, 27)) and cal.is_working_day(date(2026, 11, 28))
    assert cal.add(date(2026, 11, 26), 1) == date(2026, 11, 28)


def test_an_org_chart_calendar_with_a_bad_date_or_a_day_in_both_lists_is_refused_with_the_path() -> None:
    with pytest.raises(OrgChartError) as bad:
        parse_orgchart(_chart_with("    holidays: [next friday]\n"))
    assert "organization.calendar.holidays[0]" in str(bad.value) and "YYYY-MM-DD" in str(bad.value)
    with pytest.raises(OrgChartError) as both:
        parse_orgchart(_chart_with("    holidays: [2026-11-27]\n    working_days: [2026-11-27]\n"))
    assert "organization.calendar.working_days" in str(both.value) and "also under holidays" in str(both.value)
    with pytest.raises(OrgChartError) as unknown:
        parse_orgchart(_chart_with("    closures: [2026-11-27]\n"))
    assert "organization.calendar.closures" in str(unknown.value)


def test_a_decision_is_due_three_working_days_after_it_arrives(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    request_id = app.service.submit(pick(chart, "leader"), "leave", leave_fields())
    [step] = open_steps(app, request_id)
    assert NOW.date() == date(2026, 11, 23) and step.due_on == date(2026, 11, 26)  # time_limit_days=3


def test_the_inbox_puts_overdue_decisions_first(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    meeting = app.service.submit(pick(chart, "leader"), "meeting", meeting_fields(60))  # no time limit
    leave = app.service.submit(pick(chart, "leader"), "leave", leave_fields())
    chief = chart.posts["chief"]
    assert chief is not None
    in_time = [t.request_id for t in app.queries.inbox(chart, chief, today=date(2026, 11, 26)).items]
    late = [t.request_id for t in app.queries.inbox(chart, chief, today=date(2026, 11, 27)).items]
    assert (in_time, late) == ([meeting, leave], [leave, meeting])
    pages = [app.queries.inbox(chart, chief, limit=1, offset=n, today=date(2026, 11, 27)) for n in (0, 1)]
    assert [[t.request_id for t in p.items] for p in pages] == [[leave], [meeting]]
    assert [p.total for p in pages] == [2, 2]


def test_the_return_report_falls_due_two_working_days_after_the_return_date(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "leader")
    request_id = app.service.submit(applicant, "leave", leave_fields(return_on="2026-12-04"))
    [decision] = open_steps(app, request_id)
    app.service.decide(decision.id, decision.assignee, "approve")
    [report] = app.queries.reports_due(applicant)
    assert report.due_on == date(2026, 12, 8)  # back Friday; Monday and Tuesday


def test_a_report_before_the_trip_starts_or_with_a_return_date_in_the_future_is_refused(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "leader")
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [decision] = open_steps(app, request_id)
    app.service.decide(decision.id, decision.assignee, "approve")
    [report] = app.queries.reports_due(applicant)
    with pytest.raises(ReportNotOpenError, match="can be filed from 2026-12-01"):
        app.service.report(report.id, applicant, REPORT_A)
    app.clock.at = datetime(2026, 12, 3, 9)  # type: ignore[attr-defined]  # on the trip
    with pytest.raises(FieldError, match="must not be after 2026-12-03"):
        app.service.report(report.id, applicant, REPORT_A)  # says it returned 12-05
    with back_from_trip(app, request_id):
        app.service.report(report.id, applicant, REPORT_A)
    assert app.queries.request(request_id).status == "completed"
