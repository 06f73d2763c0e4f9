"""Due dates in working days: when a new task falls due, how a due date reads today, and when
a report may be filed at all (docs/processes.md, "Time limits")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from approvals.errors import InvalidStateError
from approvals.process.calendar import WorkingCalendar
from approvals.process.definitions import StepDef


class ReportNotOpenError(InvalidStateError):
    """A report filed before the day its trip starts (the step's ``opens_field``)."""

    def __init__(self, opens_on: date, today: date) -> None:
        super().__init__(f"the report can be filed from {opens_on.isoformat()}, once the trip has started; "
                         f"today is {today.isoformat()}")
        self.opens_on = opens_on


@dataclass(frozen=True)
class Due:
    """A due date seen on a given day: ``left`` working days, or ``overdue`` working days past."""

    on: date
    left: int
    overdue: int

    @classmethod
    def of(cls, calendar: WorkingCalendar, due_on: date, today: date) -> Due:
        if today > due_on:
            return cls(due_on, 0, max(calendar.between(due_on, today), 1))
        return cls(due_on, calendar.between(today, due_on), 0)


def due_on(step: StepDef, fields: Mapping[str, Any], calendar: WorkingCalendar, today: date) -> date | None:
    """A new task's due date: a report ``due_days`` working days after its ``due_field`` date
    (that very day without ``due_days``); a decision ``due_days`` working days after today."""
    if step.kind == "report":
        value = fields.get(step.due_field or "")
        if not value:
            return None
        return calendar.add(date.fromisoformat(value), step.due_days or 0)
    return None if step.due_days is None else calendar.add(today, step.due_days)


def check_report_open(step: StepDef, fields: Mapping[str, Any], today: date) -> None:
    """A report on a trip is refused before the trip has started (``opens_field``): nothing
    has happened yet to report, and a report filed early closes the step for good."""
    opens = fields.get(step.opens_field or "")
    if opens and today < date.fromisoformat(opens):
        raise ReportNotOpenError(date.fromisoformat(opens), today)
