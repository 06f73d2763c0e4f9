"""HR statistics for one organization and year: leave in working days (with calendar days
alongside) per person and unit by month, meetings by size, time taken per step (median and
p90) and overdue counts.

What is counted, so a reader can check a figure by hand:

- Leave: requests of type ``leave`` that were granted (status ``approved``, report still due,
  or ``completed``), from ``depart_on`` to ``return_on`` inclusive, in **working days**
  (工作日) of the organization's calendar (approvals/process/calendar.py ``for_chart``): China's public
  holidays and 调休 working days from the ``chinese-calendar`` package, with the org chart's
  own closures and extra working days (``organization.calendar``) winning over them. Each line
  also keeps the **calendar days** (日历天) of the same span, weekends and holidays included,
  so HR can reconcile with the dates on the form. A leave crossing a month end is split
  between the months; only days inside the year count. A person's unit is the one the org
  chart in force gives them now. For a year the package has no data for, working days are
  Monday-Friday and ``Statistics.calendar_note`` says so.
- Meetings: requests of type ``meeting`` that were granted, by month of ``held_on`` and by
  band of ``participants`` (MEETING_BANDS).
- Step times: decisions (approve/consent/record) decided in the year, from the task's creation
  to its decision, in hours; median and p90 by nearest rank (p90 is a value that occurred).
- Overdue: tasks with a due date in the year (return reports, and decisions where the
  process sets one): done after the due date, or still open past it on ``today``.

Each figure is one statement over the organization's rows of that year; nothing is stored.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select

from approvals.clock import DEFAULT_ZONE, convert
from approvals.people.orgchart.model import OrgChart
from approvals.process.calendar import PACKAGE_YEARS, WorkingCalendar, for_chart
from approvals.process.definitions import DECISION_KINDS
from approvals.store.database import Database
from approvals.store.models import Request, Task

GRANTED = ("approved", "completed")
MEETING_BANDS = ((1, 19), (20, 49), (50, 99), (100, None))  # participants, inclusive
LEADERSHIP_KIND = "leadership"
HR_DUTY = "filing"  # the unit that keeps leave records (局人事科登记备案)


@dataclass
class Line:
    """One row of a by-month table: a person, a unit or a meeting band, with 12 months."""

    key: str
    label: str
    unit: str = ""
    months: list[int] = field(default_factory=lambda: [0] * 12)  # leave: working days
    count: int = 0  # requests behind the figures
    calendar_days: int = 0  # leave only: the same spans in calendar days, to match the forms

    @property
    def total(self) -> int:
        return sum(self.months)


@dataclass(frozen=True)
class StepTime:
    """One step of one process version: a deploy that renames a process or changes its route
    does not merge the old requests' times into the new version's row, and each row is
    named by its own version (``process_id``, ``process_sha``)."""

    request_type: str
    step: str
    count: int
    median_hours: float
    p90_hours: float
    process_id: str = ""
    process_sha: str = ""
    org_id: str = ""


@dataclass
class Overdue:
    unit: str
    label: str
    done_late: int = 0
    open_overdue: int = 0


@dataclass(frozen=True)
class Statistics:
    org_id: str
    year: int
    today: date
    leave_people: list[Line]
    leave_units: list[Line]
    leave_months: list[int]
    meetings: list[Line]
    steps: list[StepTime]
    overdue: list[Overdue]
    calendar_note: str | None = None  # the year has no holiday data: working days are Mon-Fri


def may_see(chart: OrgChart, person: str) -> bool:
    """HR (members of the unit holding the filing duty) and the leadership see statistics."""
    who = chart.people.get(person)
    if who is None:
        return False
    unit = chart.units.get(who.unit)
    return who.unit == chart.duties.get(HR_DUTY) or (unit is not None and unit.kind == LEADERSHIP_KIND)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def calendar_days_by_month(start: date, end: date, year: int) -> list[int]:
    """Calendar days from ``start`` to ``end`` inclusive, per month of ``year``."""
    return _days_by_month(start, end, year, None)


def working_days_by_month(start: date, end: date, year: int, calendar: WorkingCalendar) -> list[int]:
    """Working days of ``calendar`` from ``start`` to ``end`` inclusive, per month of ``year``:
    a leave over the National Day week counts the 调休 Saturday and not the holiday weekdays."""
    return _days_by_month(start, end, year, calendar)


def _days_by_month(start: date, end: date, year: int, calendar: WorkingCalendar | None) -> list[int]:
    months = [0] * 12
    first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
    day = first
    while day <= last:
        if calendar is None or calendar.is_working_day(day):
            months[day.month - 1] += 1
        day += timedelta(days=1)
    return months


def calendar_note(calendar: WorkingCalendar, year: int) -> str | None:
    """What a reader of ``year``'s leave figures must know when the package has no holiday data
    for it (the figures then count Monday-Friday), or None."""
    if not calendar.missing_years([year]):
        return None
    return (f"the chinese-calendar package has no holiday data for {year} (it knows "
            f"{PACKAGE_YEARS.start}-{PACKAGE_YEARS.stop - 1}): leave working days in {year} are counted "
            f"Monday-Friday, without public holidays or 调休 days; upgrade the package, or list the "
            f"year's holidays under organization.calendar in the org chart")


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Stats:
    """``storage_zone``: the zone stored times are written in (the clock's); a step's time and
    whether it was done late are reckoned in the chart's organization's zone."""

    def __init__(self, db: Database, storage_zone: str = DEFAULT_ZONE) -> None:
        self.db = db
        self.storage_zone = storage_zone

    def year(self, chart: OrgChart, year: int, today: date) -> Statistics:
        calendar = for_chart(chart)
        leave_people, leave_units, months = self._leave(chart, year, calendar)
        return Statistics(chart.id, year, today, leave_people, leave_units, months,
                          self._meetings(chart.id, year), self._steps(chart, year),
                          self._overdue(chart, year, today), calendar_note(calendar, year))

    def _granted(self, org_id: str, request_type: str) -> list[Any]:
        with self.db.reading(snapshot=False) as s:
            return list(s.connection().execute(
                select(Request.id, Request.applicant, Request.fields_json)
                .where(Request.org_id == org_id, Request.request_type == request_type,
                       Request.status.in_(GRANTED)).order_by(Request.id)))

    def _leave(self, chart: OrgChart, year: int,
               calendar: WorkingCalendar) -> tuple[list[Line], list[Line], list[int]]:
        people: dict[str, Line] = {}
        units: dict[str, Line] = {}
        for row in self._granted(chart.id, "leave"):
            values = json.loads(row.fields_json)
            start, end = _day(values.get("depart_on")), _day(values.get("return_on"))
            if start is None or end is None or end < start:
                continue
            spanned = sum(calendar_days_by_month(start, end, year))
            if not spanned:
                continue  # a weekend-only leave stays: 0 working days, its calendar days shown
            days = working_days_by_month(start, end, year, calendar)
            who = chart.people.get(row.applicant)
            unit_id = who.unit if who else ""
            unit = chart.units.get(unit_id)
            for line in (people.setdefault(row.applicant, Line(row.applicant, who.name if who else row.applicant,
                                                               unit.name if unit else "")),
                         units.setdefault(unit_id, Line(unit_id, unit.name if unit else "—"))):
                line.months = [a + b for a, b in zip(line.months, days, strict=True)]
                line.calendar_days += spanned
                line.count += 1
        by_total = sorted(people.values(), key=lambda line: (-line.total, -line.calendar_days, line.label))
        unit_lines = sorted(units.values(), key=lambda line: (-line.total, -line.calendar_days, line.label))
        months = [sum(line.months[m] for line in unit_lines) for m in range(12)]
        return by_total, unit_lines, months

    def _meetings(self, org_id: str, year: int) -> list[Line]:
        bands = [Line(f"{low}-{high or ''}", f"{low}–{high}" if high else f"{low}+") for low, high in MEETING_BANDS]
        for row in self._granted(org_id, "meeting"):
            values = json.loads(row.fields_json)
            held = _day(values.get("held_on"))
            try:
                size = int(values.get("participants"))
            except (TypeError, ValueError):
                continue
            if held is None or held.year != year:
                continue
            for line, (low, high) in zip(bands, MEETING_BANDS, strict=True):
                if size >= low and (high is None or size <= high):
                    line.months[held.month - 1] += 1
                    line.count += 1
        return bands

    def _steps(self, chart: OrgChart, year: int) -> list[StepTime]:
        zone = chart.organization.time_zone  # the year begins at midnight there
        start = convert(datetime(year, 1, 1), zone, self.storage_zone)
        end = convert(datetime(year + 1, 1, 1), zone, self.storage_zone)
        statement = (select(Request.request_type, Request.process_id, Request.process_sha, Task.name,
                            Task.created_at, Task.decided_at)
                     .join_from(Task, Request, Request.id == Task.request_id)
                     .where(Request.org_id == chart.id, Task.kind.in_(DECISION_KINDS),
                            Task.decided_at >= start, Task.decided_at < end))
        hours: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
        with self.db.reading(snapshot=False) as s:
            for row in s.connection().execute(statement):
                key = (row.request_type, row.process_id, row.process_sha, row.name)
                hours[key].append((row.decided_at - row.created_at).total_seconds() / 3600)
        return [StepTime(kind, step, len(values), round(statistics.median(values), 1),
                         round(nearest_rank(values, 0.9), 1), pid, sha, chart.id)
                for (kind, pid, sha, step), values in sorted(hours.items())]

    def _overdue(self, chart: OrgChart, year: int, today: date) -> list[Overdue]:
        statement = (select(Request.applicant, Task.is_open, Task.due_on, Task.decided_at)
                     .join_from(Task, Request, Request.id == Task.request_id)
                     .where(Request.org_id == chart.id, Task.status != "cancelled",
                            and_(Task.due_on >= date(year, 1, 1), Task.due_on <= date(year, 12, 31))))
        lines: dict[str, Overdue] = {}
        zone = chart.organization.time_zone
        with self.db.reading(snapshot=False) as s:
            for row in s.connection().execute(statement):
                late_open = row.is_open and row.due_on < today
                late_done = (not row.is_open and row.decided_at is not None
                             and convert(row.decided_at, self.storage_zone, zone).date() > row.due_on)
                if not (late_open or late_done):
                    continue
                who = chart.people.get(row.applicant)
                unit = chart.units.get(who.unit) if who else None
                line = lines.setdefault(unit.id if unit else "", Overdue(unit.id if unit else "",
                                                                         unit.name if unit else "—"))
                line.open_overdue += int(late_open)
                line.done_late += int(late_done)
        return sorted(lines.values(), key=lambda o: (-(o.open_overdue + o.done_late), o.label))


def years(values: Iterable[int], this_year: int) -> list[int]:
    """The years a statistics page offers: this one and the three before."""
    return sorted({this_year - i for i in range(4)} | set(values), reverse=True)
