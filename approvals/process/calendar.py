"""Working days (工作日): China's public holidays and 调休 days, plus an organization's own.

Chinese deadlines count working days, and a 调休 Saturday is a working day while a weekday in
the National Day week is not, so "Saturday and Sunday are off" is wrong several times a year.
The default source is the ``chinese-calendar`` package (the State Council's yearly notice,
one data year at a time); an org chart may add its own closures and extra working days
(``organization.calendar``, docs/orgcharts.md), which win over the package.

For a year the package has no data for, the calendar falls back to Monday-Friday and says so
(``missing_years``): ``approvals check`` and the admin page show it, because a deadline
counted over an unknown Spring Festival is wrong by a week.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

from approvals.people.orgchart.model import OrgChart

MAX_SPAN = 3660  # days walked at most: a limit of years of working days is a typo, not a rule


def _package_years() -> range:
    known = [d.year for d in chinese_calendar.holidays] + [d.year for d in chinese_calendar.workdays]
    return range(min(known), max(known) + 1)


PACKAGE_YEARS = _package_years()


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days; ``holidays``/``working_days`` are the organization's own."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.holidays:
            return False
        if day.year in PACKAGE_YEARS:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5  # no data for the year: weekends only (see missing_years)

    def add(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted): a limit of
        2 working days from a Friday before a weekend ends on Tuesday. ``days`` 0: ``start``."""
        day, left = start, days
        for _ in range(MAX_SPAN):
            if left <= 0:
                return day
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
        earlier): how far ``end`` is past a due date ``start``, or how many are left."""
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        for _ in range(min((end - start).days, MAX_SPAN)):
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """The years among ``years`` counted without holiday data (Monday-Friday only)."""
        return sorted({y for y in years if y not in PACKAGE_YEARS})


def default_calendar() -> WorkingCalendar:
    return WorkingCalendar()


def data_note(calendar: WorkingCalendar, today: date) -> str | None:
    """What an admin must know about this year and the next, or None when both have data."""
    missing = calendar.missing_years((today.year, today.year + 1))
    if not missing:
        return None
    years = ", ".join(str(y) for y in missing)
    return (f"the chinese-calendar package has no holiday data for {years} (it knows "
            f"{PACKAGE_YEARS.start}-{PACKAGE_YEARS.stop - 1}): working days there are counted as "
            f"Monday-Friday; upgrade the package when the State Council publishes the year's "
            f"holidays, or list them under organization.calendar in the org chart")


def for_chart(chart: OrgChart) -> WorkingCalendar:
    """The organization's calendar: the package's, with the chart's own days on top."""
    org = chart.organization
    return WorkingCalendar(org.holidays, org.working_days)

