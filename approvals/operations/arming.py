"""Arming a step's timers (超时处理) when its task opens; ``timeouts.py`` fires them.

A timer (``approvals/process/timers.py``) belongs to a task row: every row that opens a timed
step arms its timers from the moment it opens, whatever opened it: the route reaching the step,
a resubmission, a 退回 to the step or a 拿回 of it (``timer_rows`` from ``recording``,
``arm_task`` from ``rewind``). So a timer survives a 退回: the step, reached again, runs its
clock again. A 转办 keeps the step's clock running: the new row takes over the old row's
timers (``carry``). 加签 rows have none (they are opinions, not the step).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, update

from approvals.clock import convert
from approvals.people.orgchart.model import OrgChart
from approvals.process.calendar import for_chart
from approvals.process.definitions import StepDef
from approvals.store.models import StepTimer
from approvals.store.rows import TaskRow


def timer_rows(step: StepDef, task_id: int, request_id: int, arrived: datetime, clock_zone: str,
               chart: OrgChart) -> list[dict[str, Any]]:
    """The rows arming ``step``'s timers for a task opened at ``arrived`` (a stored time):
    counted in the organization's working days and zone, stored in the storage zone."""
    if not step.timers:
        return []
    zone, calendar = chart.organization.time_zone, for_chart(chart)
    local = convert(arrived, clock_zone, zone)
    return [{"task_id": task_id, "request_id": request_id, "timer_id": t.bpmn_id, "fired": 0, "claim": None,
             "claimed_until": None, "fire_at": convert(t.first_at(local, calendar), zone, clock_zone)}
            for t in step.timers]


def arm(conn: Connection, timer_rows: list[dict[str, Any]]) -> None:
    if timer_rows:
        conn.execute(insert(StepTimer), timer_rows)


def arm_task(conn: Connection, step: StepDef | None, task: TaskRow, clock_zone: str, chart: OrgChart) -> None:
    """Arm the timers of a row an operation opened for ``step`` (退回, 拿回)."""
    if step is not None and task.is_open:
        arm(conn, timer_rows(step, task.id, task.request_id, task.created_at, clock_zone, chart))


def carry(conn: Connection, old_task_id: int, new_task_id: int) -> None:
    """转办: the step's clock keeps running for its new holder."""
    conn.execute(update(StepTimer).where(StepTimer.task_id == old_task_id).values(task_id=new_task_id))
