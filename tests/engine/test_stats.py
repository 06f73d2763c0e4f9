"""HR statistics checked against hand counts on a small generated year (2026, clock from
5 January): three granted leaves, one refused, meetings of three sizes, timed decisions and
reports filed late or not at all. Leave is in working days (the calendar days alongside):
hand-counted over National Day 2025, a year end, a bureau's own closure and a year without
holiday data, and recounted day by day over fifty generated leaves."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from support import CHART_A, leave_fields, make_app, meeting_fields, open_steps

from approvals.app import Approvals
from approvals.clock import FixedClock
from approvals.process.calendar import WorkingCalendar
from approvals.process.definitions import DECISION_KINDS
from approvals.reports.stats import Stats, calendar_days_by_month, may_see, nearest_rank, working_days_by_month

STAFF, COUNTY, PLANNER, HEAD = "shen.yue", "he.ping", "zhao.lei", "jiang.tao"


def _approve_all(app: Approvals, request_id: int) -> None:
    while steps := [t for t in open_steps(app, request_id) if t.kind in DECISION_KINDS]:
        app.service.decide(steps[0].id, steps[0].assignee, "approve", "")


@pytest.fixture
def year(db_url: str) -> Iterator[Approvals]:
    clock = FixedClock(datetime(2026, 1, 5, 9, 0))
    app = make_app(db_url, CHART_A, clock=clock)
    # A: Fri 30 Jan - Mon 2 Feb (1 + 1 working days, 2 + 2 calendar days); the head takes 1 hour
    a = app.service.submit(STAFF, "leave", leave_fields(depart_on="2026-01-30", return_on="2026-02-02"))
    clock.advance(hours=1)
    app.service.decide(open_steps(app, a)[0].id, HEAD, "approve", "")
    _approve_all(app, a)
    # B: Wed 30 Dec - Sat 2 Jan 2027: 2 days in 2026 (both working); the head takes 3 hours
    b = app.service.submit(STAFF, "leave", leave_fields(depart_on="2026-12-30", return_on="2027-01-02"))
    clock.advance(hours=3)
    app.service.decide(open_steps(app, b)[0].id, HEAD, "approve", "")
    _approve_all(app, b)
    # D: refused by the head after 5 hours: no leave days, but a timed decision
    d = app.service.submit(STAFF, "leave", leave_fields(depart_on="2026-02-10", return_on="2026-02-11"))
    clock.advance(hours=5)
    app.service.decide(open_steps(app, d)[0].id, HEAD, "reject", "年初工作多")
    # C: Sun 1 - Tue 3 March: 2 working days of 3, for 何平 (county grade: his own route)
    c = app.service.submit(COUNTY, "leave", leave_fields(depart_on="2026-03-01", return_on="2026-03-03"))
    _approve_all(app, c)
    # meetings: 10 and 30 people in February, 120 in March (refused ones are not counted)
    for size, day in ((10, "2026-02-20"), (30, "2026-02-21"), (120, "2026-03-10")):
        _approve_all(app, app.service.submit(PLANNER, "meeting", meeting_fields(size, held_on=day)))
    # on 1 April: C's report is filed late; A's is still not filed
    clock.advance(days=86)
    report = next(t for t in open_steps(app, c) if t.kind == "report")
    app.service.report(report.id, COUNTY, {"actual_return_on": "2026-03-03", "itinerary": "北京"})
    yield app
    app.db.dispose()


def test_leave_working_days_per_person_and_unit_by_month_match_a_hand_count(year: Approvals) -> None:
    chart = year.orgcharts.current("xx-nrpb")
    figures = Stats(year.db).year(chart, 2026, date(2026, 4, 1))
    people = {line.key: (line.months, line.total, line.calendar_days, line.count) for line in figures.leave_people}
    jan_feb_dec = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert people[STAFF] == (jan_feb_dec, 4, 6, 2)  # the refused leave counts nothing
    assert people[COUNTY] == ([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2, 3, 1)
    assert [(u.label, u.total, u.calendar_days) for u in figures.leave_units] == [("财务与资金运用科", 6, 9)]
    assert figures.leave_months == [1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert figures.calendar_note is None


def test_a_year_without_holiday_data_is_counted_monday_to_friday_and_the_figures_say_so(year: Approvals) -> None:
    figures = Stats(year.db).year(year.orgcharts.current("xx-nrpb"), 2027, date(2027, 1, 5))
    assert figures.leave_months[0] == 1  # B's rest: New Year's Day 2027 is a Friday, counted as worked
    assert [(u.total, u.calendar_days) for u in figures.leave_units] == [(1, 2)]
    assert figures.calendar_note is not None
    assert "no holiday data for 2027" in figures.calendar_note and "Monday-Friday" in figures.calendar_note


def test_meetings_are_counted_by_size_band_and_month(year: Approvals) -> None:
    figures = Stats(year.db).year(year.orgcharts.current("xx-nrpb"), 2026, date(2026, 4, 1))
    assert [(m.label, m.months[1], m.months[2], m.total) for m in figures.meetings] == [
        ("1–19", 1, 0, 1), ("20–49", 1, 0, 1), ("50–99", 0, 0, 0), ("100+", 0, 1, 1)]


def test_time_per_step_gives_the_median_and_the_90th_percentile(year: Approvals) -> None:
    figures = Stats(year.db).year(year.orgcharts.current("xx-nrpb"), 2026, date(2026, 4, 1))
    head = next(s for s in figures.steps if s.step == "科室主要负责人签字")
    assert (head.count, head.median_hours, head.p90_hours) == (3, 3.0, 5.0)  # 1 h, 3 h, 5 h


def test_reports_filed_late_or_still_missing_are_counted_per_unit(year: Approvals) -> None:
    figures = Stats(year.db).year(year.orgcharts.current("xx-nrpb"), 2026, date(2026, 4, 1))
    assert [(o.label, o.done_late, o.open_overdue) for o in figures.overdue] == [("财务与资金运用科", 1, 1)]


def test_hr_and_the_leadership_see_statistics_others_do_not(year: Approvals) -> None:
    chart = year.orgcharts.current("xx-nrpb")
    assert [may_see(chart, p) for p in ("feng.jie", "chu.yun", "wang.jun", STAFF, HEAD)] == [
        True, True, True, False, False]


def test_calendar_days_split_at_month_and_year_ends() -> None:
    assert calendar_days_by_month(date(2026, 1, 30), date(2026, 2, 2), 2026)[:2] == [2, 2]
    assert sum(calendar_days_by_month(date(2025, 12, 30), date(2026, 1, 2), 2026)) == 2
    assert nearest_rank([5.0, 1.0, 3.0], 0.9) == 5.0 and nearest_rank([2.0], 0.9) == 2.0


def test_working_days_split_at_a_year_end_over_new_years_day_and_its_tiaoxiu_sunday() -> None:
    start, end = date(2025, 12, 29), date(2026, 1, 4)  # Mon - Sun; 1-3 Jan off, Sun 4 Jan worked
    assert working_days_by_month(start, end, 2025, WorkingCalendar())[11] == 3
    assert working_days_by_month(start, end, 2026, WorkingCalendar())[0] == 1
    assert calendar_days_by_month(start, end, 2026)[0] == 4


def _granted(app: Approvals, person: str, depart_on: str, return_on: str) -> None:
    request_id = app.service.submit(person, "leave", leave_fields(depart_on=depart_on, return_on=return_on))
    _approve_all(app, request_id)


def test_a_leave_over_national_day_2025_counts_the_tiaoxiu_days_and_not_the_holiday(db_url: str) -> None:
    app = make_app(db_url, CHART_A, clock=FixedClock(datetime(2025, 9, 1, 9, 0)))
    # Sat 27 Sep - Sun 12 Oct: 1-8 Oct off; worked: Sun 28, Mon 29, Tue 30 Sep (调休 on the 28th)
    # and Thu 9, Fri 10, Sat 11 Oct (调休 on the 11th): 6 working days of 16
    _granted(app, STAFF, "2025-09-27", "2025-10-12")
    figures = Stats(app.db).year(app.orgcharts.current("xx-nrpb"), 2025, date(2025, 10, 13))
    (line,) = figures.leave_people
    assert (line.months[8], line.months[9], line.total, line.calendar_days) == (3, 3, 6, 16)
    assert figures.calendar_note is None
    app.db.dispose()


def _chart_with_calendar(holidays: list[str], working_days: list[str]) -> str:
    text = CHART_A.read_text(encoding="utf-8")
    days = f"  calendar:\n    holidays: {holidays}\n    working_days: {working_days}\n"
    return text.replace("organization:\n", "organization:\n" + days.replace("'", ""), 1)


def test_a_closure_in_the_org_chart_is_not_counted_as_a_working_day(db_url: str) -> None:
    app = make_app(db_url, clock=FixedClock(datetime(2026, 11, 23, 9, 0)))
    app.admin.save(_chart_with_calendar(["2026-12-04"], []), "system", "xx.yaml")  # the bureau shuts on Friday
    _granted(app, STAFF, "2026-12-01", "2026-12-05")  # Tue - Sat: Tue, Wed, Thu count
    (line,) = Stats(app.db).year(app.orgcharts.current("xx-nrpb"), 2026, date(2026, 12, 7)).leave_people
    assert (line.months[11], line.total, line.calendar_days) == (3, 3, 5)
    app.db.dispose()


HOLIDAYS, EXTRA = ["2026-05-06", "2026-08-14", "2026-12-31"], ["2026-06-20", "2026-11-28"]


def _is_working(day: date) -> bool:
    """The rule written out again, day by day: the chart's own days first, then the package."""
    if day.isoformat() in EXTRA:
        return True
    return day.isoformat() not in HOLIDAYS and bool(chinese_calendar.is_workday(day))


def test_fifty_generated_leaves_add_up_to_a_day_by_day_recount(db_url: str) -> None:
    app = make_app(db_url, clock=FixedClock(datetime(2025, 12, 15, 9, 0)))
    app.admin.save(_chart_with_calendar(HOLIDAYS, EXTRA), "system", "xx.yaml")
    chart = app.orgcharts.current("xx-nrpb")
    applicants = ["zhou.qiang", "zhao.lei", "sun.li", "chu.yun", STAFF, COUNTY, "zhu.wei", "lv.bin"]
    rng = random.Random(20261201)
    people: dict[str, list[int]] = {p: [0] * 12 for p in applicants}
    units: dict[str, list[int]] = {}
    spans: dict[str, int] = dict.fromkeys(applicants, 0)
    touched: set[str] = set()
    weekdays = 0
    for _ in range(50):
        person = rng.choice(applicants)
        depart = date(2025, 12, 15) + timedelta(days=rng.randrange(380))  # some cross into 2027
        back = depart + timedelta(days=rng.randrange(15))
        _granted(app, person, depart.isoformat(), back.isoformat())
        day = depart
        while day <= back:
            if day.year == 2026:
                spans[person] += 1
                unit = units.setdefault(chart.people[person].unit, [0] * 12)
                if _is_working(day):
                    people[person][day.month - 1] += 1
                    unit[day.month - 1] += 1
                touched |= {day.isoformat()} & {*HOLIDAYS, *EXTRA}
                weekdays += day.weekday() < 5
            day += timedelta(days=1)
    figures = Stats(app.db).year(chart, 2026, date(2026, 12, 31))
    assert {line.key: line.months for line in figures.leave_people} == {
        p: months for p, months in people.items() if spans[p]}
    assert {line.key: line.calendar_days for line in figures.leave_people} == {p: n for p, n in spans.items() if n}
    assert {line.key: line.months for line in figures.leave_units} == units
    assert figures.leave_months == [sum(m[i] for m in people.values()) for i in range(12)]
    # the data reaches the chart's own days, and Monday-Friday would have counted otherwise
    assert touched & set(HOLIDAYS) and touched & set(EXTRA) and sum(figures.leave_months) != weekdays
    app.db.dispose()
