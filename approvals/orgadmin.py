"""Changing the org chart when leaders change: preview the impact, save, move open tasks.

Every open task records the role it was resolved from; after an edit each role is resolved
again for the task's applicant, and a task whose holder came from that post moves when the
post's holder changed: to the new holder (or their acting delegate), each move in the audit
trail with its reason. A decision whose new holder is the request's own applicant is skipped
instead, as the route would have at submission (rule 1, ``handover.py``); an acting delegate
who is the applicant is passed over. A task whose holder a person named (转办, 加签) stays
with them unless they can no longer hold it (``handover.py``). Earlier versions are kept
forever.

One save at a time per organization, and never on top of a version the saver did not see:
the save takes a lock for the organization first thing in its transaction (PostgreSQL: an
advisory lock; SQLite: BEGIN IMMEDIATE already serializes writers), then reads the version
in force. A save based on another version (``based_on``), or a personnel change that would
no longer give the text previewed, is ChartSavedFirstError naming who saved first; nothing
is written (docs/reliability.md, "Chart saves and open tasks").

Only an admin of the organization saves its chart: the caller passes ``Offices`` (who
administers what) and the engine checks the actor against the chart in force, never against
the text being saved. The operator's command line passes none: it is trusted like the
database itself.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, or_, select, text
from sqlalchemy.orm import Session

from approvals.audit.chain import Entry
from approvals.clock import Clock, day_of
from approvals.errors import ApprovalsError, ChartSavedFirstError, FieldError, Issue, OrgChartError, VacantPostError
from approvals.identity import credentials
from approvals.notifications.outbox import Outbox
from approvals.operations import delegations
from approvals.operations.handover import (
    ADDED,
    REASON,
    DefinitionOf,
    held_by_person,
    read_mark,
    skip_for_applicant,
    take_off_added,
)
from approvals.people import eligibility
from approvals.people.offices import Offices, require_admin
from approvals.people.orgchart.changes import Change, apply_change, leaving
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import group_holder, is_group_role, resolve
from approvals.process import vacancy
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
    reason: str = ""  # kept in the audit entry: why the task moved
    to_post: bool = False  # a person's row (转办) handed back to the post: it follows the post from now on
    vacant: bool = False  # the post is vacant and the step's if_vacant skipped or handed it on: ``reason`` says so
    change: str = "post"  # what changed, for the pages: post (a new holder), acting_left, holder_left


@dataclass
class Impact:
    chart: OrgChart
    moves: list[Move] = field(default_factory=list)
    skips: list[Move] = field(default_factory=list)  # decisions the new chart gives their applicant
    stuck: list[str] = field(default_factory=list)  # open tasks the new chart cannot place
    removed: list[Move] = field(default_factory=list)  # 加签 rows whose person can no longer hold them
    diff: str = ""
    based_on: int | None = None  # the id of the version in force the impact was worked out against


def _open_tasks(s: Session, org_id: str) -> list[tuple[Task, str]]:
    """Open tasks, and 后加签 rows queued behind an open one (their person may have left)."""
    waiting = or_(Task.is_open.is_(True), (Task.status == "queued") & (Task.origin == "after"))
    rows = s.execute(select(Task, Request.applicant).join(Request, Request.id == Task.request_id)
                     .where(Request.org_id == org_id, waiting).order_by(Task.id))
    return [(t, a) for t, a in rows]


_LATEST = (select(OrgChartVersion).where(OrgChartVersion.org_id == bindparam("org_id"))
           .order_by(OrgChartVersion.id.desc()).limit(1))
_CHART_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _lock_chart(s: Session, org_id: str) -> OrgChartVersion | None:
    """Take the organization's save lock, then read its version in force (None: no chart yet).
    PostgreSQL reads in READ COMMITTED, so the read after the lock sees a save that held it."""
    if s.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"orgchart:{org_id}".encode()).digest()[:8], "big", signed=True)
        s.execute(_CHART_LOCK, {"key": key})
    return s.scalars(_LATEST, {"org_id": org_id}).first()


def _saved_first(row: OrgChartVersion | None) -> ChartSavedFirstError:
    if row is None:
        return ChartSavedFirstError("the org chart was removed since the preview; check the impact again")
    return ChartSavedFirstError(
        f"someone saved the org chart first: version {row.version[:12]} by {row.created_by or 'system'} at "
        f"{row.created_at:%Y-%m-%d %H:%M}; nothing was saved: check the new impact and save again",
        version=row.version, by=row.created_by or "system", at=row.created_at)


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


def _new_holder(chart: OrgChart, task: Task, applicant: str, *, as_principal: str | None = None) -> str:
    """Who the task's role names under ``chart``; raises ApprovalsError when nobody."""
    principal = as_principal or task.principal
    if task.kind == "report":
        return task.assignee  # the applicant files it; only the receiver could change
    if is_group_role(task.role):  # a member of a group step (会签/或签) keeps it while still in the group
        return group_holder(chart, task.role, applicant, principal)
    last = principal if task.role == "last_approver" else None
    return resolve(chart, task.role, applicant, last_approver=last).assignee


def _post_holder(chart: OrgChart, task: Task, applicant: str) -> str:
    """Who holds the post of a task a person was named for, to hand it back: as
    ``_new_holder``, with the member who transferred a group step (会签/或签) standing for it."""
    if is_group_role(task.role) or task.role == "last_approver":
        return _new_holder(chart, task, applicant, as_principal=task.origin_by or task.principal)
    return _new_holder(chart, task, applicant)


def _plan_post(impact: Impact, task: Task, applicant: str) -> None:
    """A holder from the post moves when the post's holder changed; an acting delegate who can no
    longer act goes back to the holder; a decision the applicant would now hold is skipped."""
    chart = impact.chart
    new = _new_holder(chart, task, applicant)
    if new == task.principal:
        if task.assignee != task.principal and task.assignee not in chart.people:
            impact.moves.append(Move(task.id, task.request_id, task.name, task.role, task.assignee, new, applicant,
                                     f"orgchart: the acting approver {task.assignee} is no longer in the org chart",
                                     change="acting_left"))
        return
    move = Move(task.id, task.request_id, task.name, task.role, task.principal, new, applicant,
                f"orgchart: {new} now holds the post ({task.role})")
    (impact.skips if new == applicant and task.kind in DECISION_KINDS else impact.moves).append(move)


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
        with ``offices``, only for an admin of the chart's organization. ``based_on`` of the
        result is the version it was worked out against: pass it to ``save``."""
        chart = self.orgcharts.parse(text, source_name)
        self.check_admin(chart.id, actor, offices)
        with self.db.reading() as s:
            return self._impact(s, chart, text, s.scalars(_LATEST, {"org_id": chart.id}).first(), offices)

    def _impact(self, s: Session, chart: OrgChart, text: str, current: OrgChartVersion | None,
                offices: Offices | None) -> Impact:
        old = current.source_text if current is not None else ""
        impact = Impact(chart, based_on=current.id if current is not None else None, diff="".join(
            difflib.unified_diff(old.splitlines(keepends=True), text.splitlines(keepends=True), "current", "new")))
        for task, applicant in _open_tasks(s, chart.id):
            try:
                if held_by_person(s, task):
                    self._plan_named(impact, task, applicant, offices or Offices())
                else:
                    _plan_post(impact, task, applicant)
            except VacantPostError as exc:  # the step's if_vacant decides (approvals/process/vacancy.py)
                if not self._plan_vacant(s, impact, task, applicant, exc):
                    impact.stuck.append(f"task #{task.id} ({task.name}, request #{task.request_id}): {exc}")
            except ApprovalsError as exc:
                impact.stuck.append(f"task #{task.id} ({task.name}, request #{task.request_id}): {exc}")
        return impact

    def _plan_vacant(self, s: Session, impact: Impact, task: Task, applicant: str, vacant: VacantPostError) -> bool:
        """A post the new chart leaves vacant: the step's ``if_vacant`` skips it or hands it on,
        as it would at submission; False when the step refuses (an administrator places it)."""
        request = s.get(Request, task.request_id)
        step = self.definition_of(request).steps.get(task.bpmn_id) if request is not None else None
        if step is None or step.if_vacant == vacancy.REFUSE or task.kind not in DECISION_KINDS:
            return False
        try:
            handed, note = vacancy.fallback(impact.chart, step.if_vacant, applicant, vacant)
        except ApprovalsError:
            return False
        new = applicant if handed is None else handed.assignee
        move = Move(task.id, task.request_id, task.name, task.role, task.principal, new, applicant,
                    f"orgchart: {note}", vacant=True)
        (impact.skips if new == applicant else impact.moves).append(move)
        return True

    @staticmethod
    def _plan_named(impact: Impact, task: Task, applicant: str, offices: Offices) -> None:
        """A holder a person named (转办, 加签) keeps the task while they may hold it, as the
        operation that named them checked; otherwise an added opinion is taken off and a
        transferred step goes back to the post's holder (or is skipped, rule 1)."""
        chart = impact.chart
        waiting = eligibility.Waiting(task.id, task.request_id, applicant, task.name, task.role)
        refusal = eligibility.holder_refusal(chart, task.assignee, waiting, offices)
        if refusal is None:
            return
        why = f"orgchart: {task.assignee} {refusal}"
        if task.origin in ADDED:
            impact.removed.append(Move(task.id, task.request_id, task.name, task.role, task.assignee, "",
                                       applicant, why))
            return
        new = _post_holder(chart, task, applicant)
        move = Move(task.id, task.request_id, task.name, task.role, task.assignee, new, applicant,
                    f"{why}; back to the post's holder", to_post=True, change="holder_left")
        (impact.skips if new == applicant and task.kind in DECISION_KINDS else impact.moves).append(move)

    def save(self, text: str, actor: str | None, source_name: str = "orgchart.yaml", comment: str = "", *,
             offices: Offices | None = None, based_on: int | None = None) -> Impact:
        """Save ``text`` as its organization's chart in force; with ``offices``, only for an
        admin of that organization (NotPermittedError otherwise). ``based_on``: the version the
        saver previewed (``Impact.based_on``); if another was saved since, ChartSavedFirstError
        and nothing is saved. None: save over whatever is in force (still one save at a time)."""
        comment = checked_text("comment", comment, LINE_LENGTH)  # one line kept with the version
        return self._save(text, actor, source_name, comment, offices, None, based_on=based_on, check_based_on=True)

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
        text differs and ChartSavedFirstError asks for a fresh preview, checked again under
        the save's lock so two changes saved at once never both say "saved". A person leaving
        also has their account disabled, in the same transaction."""
        if not reason.strip():
            raise FieldError([Issue("reason", None, "is required")])
        text = self.change_text(org_id, change)
        if expected is not None and text != expected:
            raise _saved_first(self.orgcharts.history(org_id)[0] if self.orgcharts.history(org_id) else None)

        def disable(s: Session, out: Outbox, at: datetime) -> None:
            for person in leaving(change):
                credentials.mark_disabled(s, out, person, True, actor or "system", at)

        def still(current: OrgChartVersion | None) -> bool:  # the change on the version in force gives the same text
            try:
                return current is not None and apply_change(current.source_text, change) == text
            except OrgChartError:  # the version saved first no longer has what the change names
                return False

        return self._save(text, actor, self._source_name(org_id), reason, offices, disable, still=still)

    def _source_name(self, org_id: str) -> str:
        history = self.orgcharts.history(org_id)
        return history[0].source_name if history else f"{org_id}.yaml"

    def _save(self, text: str, actor: str | None, source_name: str, comment: str, offices: Offices | None,
              also: Callable[[Session, Outbox, datetime], None] | None, *, based_on: int | None = None,
              check_based_on: bool = False,
              still: Callable[[OrgChartVersion | None], bool] | None = None) -> Impact:
        chart = self.orgcharts.parse(text, source_name)
        self.check_admin(chart.id, actor, offices)
        now = self.clock.now()
        out = Outbox()
        with self.db.transaction() as s:
            current = _lock_chart(s, chart.id)  # first: one save at a time per organization
            if (check_based_on and based_on is not None and (current.id if current else None) != based_on) \
                    or (still is not None and not still(current)):
                raise _saved_first(current)
            if also is not None:
                also(s, out, now)
            _lock_open_requests(s, chart.id)
            impact = self._impact(s, chart, text, current, offices)
            row, chart = self.orgcharts.save(s, text, source_name, actor, now, comment)
            out.record(Entry(actor or "system", "orgchart_saved", orgchart_version=chart.version,
                             detail={"org": chart.id, "version_id": row.id, "moves": len(impact.moves),
                                     "comment": comment}))
            out.signal("orgchart_changed", org_id=chart.id, version=chart.version, actor=actor)
            day = day_of(self.clock, now, chart.organization.time_zone)
            for principal, delegate in delegations.revoke_departed(s.connection(), chart.people, day):
                out.record(Entry(actor or "system", "delegation_revoked", orgchart_version=chart.version,
                                 detail={"principal": principal, "delegate": delegate,
                                         "reason": "the delegate is no longer in the org chart"}))
            for removed in impact.removed:
                take_off_added(s, removed.task_id, removed.reason, chart, actor, now, self.clock, self.definition_of,
                               out)
            for move in impact.moves:
                self._move(s, move, chart, actor, day, out, comment)
            for skip in impact.skips:
                reason = skip.reason if skip.vacant else f"{skip.reason}; {REASON}" if skip.to_post else REASON
                skip_for_applicant(s, skip.task_id, chart, actor, now, self.definition_of, out, self.clock, reason)
            out.write(s, now)
        out.send(self)
        return impact

    def _move(self, s: Session, move: Move, chart: OrgChart, actor: str | None, day: date, out: Outbox,
              comment: str) -> None:
        """Hand the task to its new holder, unread (已阅 was the old holder's); the entry says it
        was a chart change (人事变动), by whom, with the save's reason (``comment``), and when
        the old holder had read it."""
        task = s.get(Task, move.task_id)
        assert task is not None
        old_assignee, read_at = task.assignee, task.opened_at
        task.opened_at = None
        task.principal = move.new
        task.assignee = delegations.active_delegate(s, move.new, day, move.applicant) or move.new
        task.orgchart_version = chart.version
        task.urge_count, task.urged_at = 0, None  # an urge does not follow the task (notifications/urges.py)
        if move.to_post:
            task.holder_from = "post"
        if task.role.startswith("duty:"):
            task.unit_id = chart.duties.get(task.role.removeprefix("duty:"))
        out.record(Entry(actor or "system", "reassigned", task.request_id, task.id,
                         orgchart_version=chart.version,
                         detail={"step": task.name, "role": task.role, "from": old_assignee, "to": task.assignee,
                                 "reason": move.reason, "cause": "orgchart", "change": move.change,
                                 "comment": comment, **read_mark(read_at)}))
        out.signal("reassigned", request_id=task.request_id, task_id=task.id, old_assignee=old_assignee,
                   new_assignee=task.assignee, reason="orgchart", actor=actor or "system", comment=comment)

    def versions(self, org_id: str) -> list[OrgChartVersion]:
        return self.orgcharts.history(org_id)
