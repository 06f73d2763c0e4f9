"""Changing the org chart when leaders change: preview the impact, save, move open tasks.

Every open task records the role it was resolved from; after an edit each role is resolved
again for the task's applicant, and a task whose post holder changed moves to the new holder
(or their acting delegate), each move in the audit trail. A decision whose new holder is the
request's own applicant is skipped instead, as the route would have at submission (rule 1,
``handover.py``); an acting delegate who is the applicant is passed over. Earlier versions are
kept forever.

Only an admin of the organization saves its chart: the caller passes ``Offices`` (who
administers what) and the engine checks the actor against the chart in force, never against
the text being saved. The operator's command line passes none: it is trusted like the
database itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from approvals.audit.chain import Entry
from approvals.clock import Clock
from approvals.errors import ApprovalsError, ConflictError, FieldError, Issue
from approvals.identity import credentials
from approvals.notifications.outbox import Outbox
from approvals.operations import delegations
from approvals.operations.handover import DefinitionOf, skip_for_applicant
from approvals.people.offices import Offices, require_admin
from approvals.people.orgchart.changes import Change, Leave, apply_change
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import group_holder, is_group_role, resolve
from approvals.process.definitions import DECISION_KINDS
from approvals.store.database import Database
from approvals.store.models import OrgChartVersion, Request, Task
from approvals.store.orgcharts import DatabaseOrgChartSource
from approvals.text import LINE_LENGTH
from approvals.text import checked as checked_text


@dataclass(frozen=True)
class Move:
    task_id: int
    request_id: int
    step: str
    role: str
    old: str
    new: str
    applicant: str = ""


@dataclass
class Impact:
    chart: OrgChart
    moves: list[Move] = field(default_factory=list)
    skips: list[Move] = field(default_factory=list)  # decisions the new chart gives their applicant
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
    if is_group_role(task.role):  # a member of a group step (会签/或签) keeps it while still in the group
        return group_holder(chart, task.role, applicant, task.principal)
    last = task.principal if task.role == "last_approver" else None
    return resolve(chart, task.role, applicant, last_approver=last).assignee


class OrgChartAdmin:
    def __init__(self, db: Database, orgcharts: DatabaseOrgChartSource, clock: Clock,
                 definition_of: DefinitionOf) -> None:
        self.db = db
        self.orgcharts = orgcharts
        self.clock = clock
        self.definition_of = definition_of  # a request's process version, to advance past a skip

    def current_text(self, org_id: str) -> str:
        history = self.orgcharts.history(org_id)
        return history[0].source_text if history else ""

    def check_admin(self, org_id: str, actor: str | None, offices: Offices | None) -> None:
        """NotPermittedError unless ``actor`` administers ``org_id`` under ``offices`` (None: the
        operator's own tools, no check), judged against the chart in force."""
        if offices is None:
            return
        chart = self.orgcharts.current(org_id) if org_id in self.orgcharts.org_ids() else None
        require_admin(offices, actor, org_id, chart, "change its org chart")

    def impact(self, text: str, source_name: str = "orgchart.yaml", *, actor: str | None = None,
               offices: Offices | None = None) -> Impact:
        """Validate ``text`` (OrgChartError with every issue) and list what saving would move;
        with ``offices``, only for an admin of the chart's organization."""
        chart = self.orgcharts.parse(text, source_name)
        self.check_admin(chart.id, actor, offices)
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
            if new == task.principal and task.assignee in chart.people:
                continue
            if new == task.principal:  # its acting delegate left the chart: back to the holder
                impact.moves.append(Move(task.id, task.request_id, task.name, task.role, task.assignee, new, applicant))
                continue
            move = Move(task.id, task.request_id, task.name, task.role, task.principal, new, applicant)
            skip = new == applicant and task.kind in DECISION_KINDS
            (impact.skips if skip else impact.moves).append(move)
        return impact

    def save(self, text: str, actor: str | None, source_name: str = "orgchart.yaml", comment: str = "", *,
             offices: Offices | None = None) -> Impact:
        """Save ``text`` as its organization's chart in force; with ``offices``, only for an
        admin of that organization (NotPermittedError otherwise)."""
        comment = checked_text("comment", comment, LINE_LENGTH)  # one line kept with the version
        return self._save(text, actor, source_name, comment, offices, None)

    # ---- personnel changes by form (orgchart/changes.py) --------------------------------

    def change_text(self, org_id: str, change: Change) -> str:
        """The text of the chart in force with ``change`` applied (OrgChartError if the change
        names a unit or person the chart lacks; the loader checks the rest)."""
        return apply_change(self.current_text(org_id), change)

    def preview_change(self, org_id: str, change: Change, *, actor: str | None = None,
                       offices: Offices | None = None) -> tuple[str, Impact]:
        text = self.change_text(org_id, change)
        return text, self.impact(text, self._source_name(org_id), actor=actor, offices=offices)

    def save_change(self, org_id: str, change: Change, reason: str, actor: str | None, *,
                    offices: Offices | None = None, expected: str | None = None) -> Impact:
        """Save the chart with ``change`` as a new version, ``reason`` kept with it (required).
        ``expected``: the text the admin previewed; if another change was saved since, the
        text differs and ConflictError asks for a fresh preview. A person leaving also has
        their account disabled, in the same transaction."""
        if not reason.strip():
            raise FieldError([Issue("reason", None, "is required")])
        text = self.change_text(org_id, change)
        if expected is not None and text != expected:
            raise ConflictError("the org chart was changed since the preview; check the impact again")

        def disable(s: Session, out: Outbox, at: datetime) -> None:
            if isinstance(change, Leave):
                credentials.mark_disabled(s, out, change.person, True, actor or "system", at)

        return self._save(text, actor, self._source_name(org_id), reason, offices, disable)

    def _source_name(self, org_id: str) -> str:
        history = self.orgcharts.history(org_id)
        return history[0].source_name if history else f"{org_id}.yaml"

    def _save(self, text: str, actor: str | None, source_name: str, comment: str, offices: Offices | None,
              also: Callable[[Session, Outbox, datetime], None] | None) -> Impact:
        chart = self.orgcharts.parse(text, source_name)
        self.check_admin(chart.id, actor, offices)
        now = self.clock.now()
        out = Outbox()
        with self.db.transaction() as s:
            if also is not None:
                also(s, out, now)
            _lock_open_requests(s, chart.id)
            impact = self._impact(s, chart, text)
            row, chart = self.orgcharts.save(s, text, source_name, actor, now, comment)
            out.record(Entry(actor or "system", "orgchart_saved", orgchart_version=chart.version,
                             detail={"org": chart.id, "version_id": row.id, "moves": len(impact.moves),
                                     "comment": comment}))
            out.signal("orgchart_changed", org_id=chart.id, version=chart.version, actor=actor)
            for principal, delegate in delegations.revoke_departed(s.connection(), chart.people, now.date()):
                out.record(Entry(actor or "system", "delegation_revoked", orgchart_version=chart.version,
                                 detail={"principal": principal, "delegate": delegate,
                                         "reason": "the delegate is no longer in the org chart"}))
            for move in impact.moves:
                self._move(s, move, chart, actor, now.date(), out)
            for skip in impact.skips:
                skip_for_applicant(s, skip.task_id, chart, actor, now, self.definition_of, out)
            out.write(s, now)
        out.send(self)
        return impact

    def _move(self, s: Session, move: Move, chart: OrgChart, actor: str | None, day: object, out: Outbox) -> None:
        task = s.get(Task, move.task_id)
        assert task is not None
        old_assignee = task.assignee
        task.principal = move.new
        task.assignee = delegations.active_delegate(s, move.new, day, move.applicant) or move.new  # type: ignore[arg-type]
        task.orgchart_version = chart.version
        task.urge_count, task.urged_at = 0, None  # an urge does not follow the task (notifications/urges.py)
        if task.role.startswith("duty:"):
            task.unit_id = chart.duties.get(task.role.removeprefix("duty:"))
        out.record(Entry(actor or "system", "reassigned", task.request_id, task.id,
                         orgchart_version=chart.version,
                         detail={"step": task.name, "role": task.role, "from": old_assignee, "to": task.assignee}))
        out.signal("reassigned", request_id=task.request_id, task_id=task.id, old_assignee=old_assignee,
                   new_assignee=task.assignee, reason="orgchart")

    def versions(self, org_id: str) -> list[OrgChartVersion]:
        return self.orgcharts.history(org_id)
