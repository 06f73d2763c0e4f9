"""催办 (urge) limits: an applicant may urge a step's holder once per interval, and an urge
belongs to the holder it was sent to, so it does not follow the task to a new holder.

The interval is ``APPROVALS_URGE_INTERVAL_HOURS`` (default 24; read at each urge, so a change
needs no restart). A task that moves (delegation, a chart change) has its urge count and time
reset (``FORGOTTEN``): the new holder starts clean and may be urged at once.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from approvals.errors import ApprovalsError, InvalidStateError
from approvals.store.rows import TaskRow

INTERVAL_ENV = "APPROVALS_URGE_INTERVAL_HOURS"
DEFAULT_HOURS = 24.0
FORGOTTEN: dict[str, Any] = {"urge_count": 0, "urged_at": None}


class TooSoonError(InvalidStateError):
    """An urge within the interval of the last one to the same holder."""

    def __init__(self, task_id: int, last: datetime, next_at: datetime) -> None:
        super().__init__(f"task #{task_id} was urged at {last:%Y-%m-%d %H:%M}; its holder can be urged "
                         f"again from {next_at:%Y-%m-%d %H:%M}")
        self.last, self.next_at = last, next_at


def interval() -> timedelta:
    raw = os.environ.get(INTERVAL_ENV)
    try:
        hours = float(raw) if raw else DEFAULT_HOURS
    except ValueError:
        hours = -1.0
    if not hours >= 0:
        raise ApprovalsError(f"{INTERVAL_ENV}={raw!r}: expected a number of hours, 0 or more (default "
                             f"{DEFAULT_HOURS:g})")
    return timedelta(hours=hours)


def check_interval(task: TaskRow, now: datetime) -> None:
    if task.urged_at is None:
        return
    next_at = task.urged_at + interval()
    if now < next_at:
        raise TooSoonError(task.id, task.urged_at, next_at)
