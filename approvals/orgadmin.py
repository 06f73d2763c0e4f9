"""Changing the org chart when leaders change: preview the impact, save, move open tasks.

Every open task records the role it was resolved from; after an edit each role is resolved
again for the task's applicant, and a task whose post holder changed moves to the new holder
(or their acting delegate), each move in the audit trail. Earlier versions are kept forever.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from approvals import delegations
from approvals.audit import Entry
from approvals.clock import Clock
from approvals.errors import ApprovalsError
from approvals.orgchart.model import OrgChart
from approvals.orgchart.roles import resolve
from approvals.outbox import Outbox
from approvals.store.database import Database
from approvals.store.models import OrgChartVersion, Request, Task
from approvals.store.orgcharts import DatabaseOrgChartSource


@dataclass(frozen=True)
class Move:
    task_id: int
    request_id: int
    step: str
    role: str
    old: str
    new: str


@dataclass
class Impact:
    chart: OrgChart
    moves: list[Move] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)  # open tasks the new chart cannot place
    diff: str = ""


def _open_tasks(s: Session, org_id: str) -> list[tuple[Task, str]]:
    rows = s.execute(select(Task, Request.applicant).join(Request, Request.id == Task.request_id)
                     .where(Request.org_id == org_id, Task.is_open.is_(True)).order_by(Task.id))
    return [(t, a) for t, a in rows]


# Saving a chart moves open tasks, and decisions change them: the save locks the requests
# with open tasks first, in id order, as every action locks a task's request before the task
# (store/rows.py). A decision under way finishes first and the save then reads its tasks as
# they are; a decision arriving later waits for the save. (SQLite: BEGIN IMMEDIATE already
# serializes writers; FOR UPDATE is left out there.)
_LOCK_OPEN_REQUESTS = (select(Request.id)
                       .where(Request.org_id == bindparam("org_id"),
                              Request.id.in_(select(Task.request_id).where(Task.is_open.is_(True))))
                       .order_by(Request.id).with_for_update())


def _lock_open_requests(s: Session, org_id: str) -> None:
    s.execute(_LOCK_OPEN_REQUESTS, {"org_id": org_id}).all()


def _new_holder(chart: OrgChart, task: Task, applicant: str) -> str:
    """Who the task's role names under ``chart``; raises ApprovalsError when nobody."""
    if task.kind == "report":
        return task.assignee  # the applicant files it; only the receiver could change
    last = task.principal if task.role == "last_approver" else None
    return resolve(chart, task.role, applicant, last_approver=last).assignee


class OrgChartAdmin:
    def __init__(self, db: Database, orgcharts: DatabaseOrgChartSource, clock: Clock) -> None:
        self.db = db
        self.orgcharts = orgcharts
        self.clock = clock

    def current_text(self, org_id: str) -> str:
        history = self.orgcharts.history(org_id)
        return history[0].source_text if history else ""

    def impact(self, text: str, source_name: str = "orgchart.yaml") -> Impact:
        """Validate ``text`` (OrgChartError with every issue) and list what saving would move."""
        chart = self.orgcharts.parse(text, source_name)
        with self.db.reading() as s:
            return self._impact(s, chart, text)

    def _impact(self, s: Session, chart: OrgChart, text: str) -> Impact:
        old = self.current_text(chart.id)
        impact = Impact(chart, diff="".join(difflib.unified_diff(
            old.splitlines(keepends=True), text.splitlines(keepends=True), "current", "new")))
        for task, applicant in _open_tasks(s, chart.id):
            try:
                new = _new_holder(chart, task, applicant)
            except ApprovalsError as exc:
                impact.stuck.append(f"task #{task.id} ({task.name}, request #{task.request_id}): {exc}")
                continue
            if new != task.principal:
                impact.moves.append(Move(task.id, task.request_id, task.name, task.role, task.principal, new))
        return impact

    def save(self, text: str, actor: str | None, source_name: str = "orgchart.yaml", comment: str = "") -> Impact:
        chart = self.orgcharts.parse(text, source_name)
        now = self.clock.now()
        out = Outbox()
        with self.db.transaction() as s:
            _lock_open_requests(s, chart.id)
            impact = self._impact(s, chart, text)
            row, chart = self.orgcharts.save(s, text, source_name, actor, now, comment)
            out.record(Entry(actor or "system", "orgchart_saved", orgchart_version=chart.version,
                             detail={"org": chart.id, "version_id": row.id, "moves": len(impact.moves),
                                     "comment": comment}))
            out.signal("orgchart_changed", org_id=chart.id, version=chart.version, actor=actor)
            for move in impact.moves:
                self._move(s, move, chart, actor, now.date(), out)
            out.write(s, now)
        out.send(self)
        return impact

    def _move(self, s: Session, move: Move, chart: OrgChart, actor: str | None, day: object, out: Outbox) -> None:
        task = s.get(Task, move.task_id)
        assert task is not None
        old_assignee = task.assignee
        task.principal = move.new
        task.assignee = delegations.active_delegate(s, move.new, day) or move.new  # type: ignore[arg-type]
        task.orgchart_version = chart.version
        if task.role.startswith("duty:"):
            task.unit_id = chart.duties.get(task.role.removeprefix("duty:"))
        out.record(Entry(actor or "system", "reassigned", task.request_id, task.id,
                         orgchart_version=chart.version,
                         detail={"step": task.name, "role": task.role, "from": old_assignee, "to": task.assignee}))
        out.signal("reassigned", request_id=task.request_id, task_id=task.id, old_assignee=old_assignee,
                   new_assignee=task.assignee, reason="orgchart")

    def versions(self, org_id: str) -> list[OrgChartVersion]:
        return self.orgcharts.history(org_id)
