"""HR statistics checked against hand counts on a small generated year (2026, clock from
5 January): three granted leaves, one refused, meetings of three sizes, timed decisions and
reports filed late or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from support import CHART_A, leave_fields, make_app, meeting_fields, open_steps

from approvals.app import Approvals
from approvals.clock import FixedClock
from approvals.definitions import DECISION_KINDS
from approvals.stats import Stats, calendar_days_by_month, may_see, nearest_rank

STAFF, COUNTY, PLANNER, HEAD = "shen.yue", "he.ping", "zhao.lei", "jiang.tao"


def _approve_all(app: Approvals, request_id: int) -> None:
    while steps := [t for t in open_steps(app, request_id) if t.kind in DECISION_KINDS]:
        app.service.decide(steps[0].id, steps[0].assignee, "approve", "")


@pytest.fixture
def year(db_url: str) -> Iterator[Approvals]:
    clock = FixedClock(datetime(2026, 1, 5, 9, 0))
    app = make_app(db_url, CHART_A, clock=clock)
    # A: 30 Jan - 2 Feb (2 + 2 days); the head takes 1 hour over it
    a = app.service.submit(STAFF, "leave", leave_fields(depart_on="2026-01-30", return_on="2026-02-02"))
    clock.advance(hours=1)
    app.service.decide(open_steps(app, a)[0].id, HEAD, "approve", "")
    _approve_all(app, a)
    # B: 30 Dec - 2 Jan 2027: 2 days in 2026; the head takes 3 hours
    b = app.service.submit(STAFF, "leave", leave_fields(depart_on="2026-12-30", return_on="2027-01-02"))
    clock.advance(hours=3)
    app.service.decide(open_steps(app, b)[0].id, HEAD, "approve", "")
    _approve_all(app, b)
    # D: refused by the head after 5 hours: no leave days, but a timed decision
    d = app.service.submit(STAFF, "leave", leave_fields(depart_on="2026-02-10", return_on="2026-02-11"))
    clock.advance(hours=5)
    app.service.decide(open_steps(app, d)[0].id, HEAD, "reject", "年初工作多")
    # C: 1-3 March, 3 days, for 何平 (county grade: his own route)
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


def test_leave_days_per_person_and_unit_by_month_match_a_hand_count(year: Approvals) -> None:
    chart = year.orgcharts.current("xx-nrpb")
    figures = Stats(year.db).year(chart, 2026, date(2026, 4, 1))
    people = {line.key: (line.months, line.total, line.count) for line in figures.leave_people}
    jan_feb_dec = [2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert people[STAFF] == (jan_feb_dec, 6, 2)  # the refused leave counts nothing
    assert people[COUNTY] == ([0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0], 3, 1)
    assert [(u.label, u.total) for u in figures.leave_units] == [("财务与资金运用科", 9)]
    assert figures.leave_months == [2, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert Stats(year.db).year(chart, 2027, date(2027, 1, 5)).leave_months[0] == 2  # B's rest


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
