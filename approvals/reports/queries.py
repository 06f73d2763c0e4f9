"""Read-side views: inboxes, lists, a request's timeline. Each is one or two indexed queries.

Visibility rules live here so the CLI and the web UI show the same things to the same people.
A view of one statement reads with ``snapshot=False`` (PostgreSQL: no BEGIN/ROLLBACK round
trips); a page and its count in two statements keep one snapshot.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, Connection, Date, Select, bindparam, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from approvals.errors import NotPermittedError, UnknownRequestError, UnknownTaskError
from approvals.people.orgchart.model import OrgChart
from approvals.process.definitions import DECISION_KINDS
from approvals.store.database import Database
from approvals.store.models import (
    QUESTIONS_OPEN_WHILE,
    Attachment,
    AuditEntry,
    Notification,
    Question,
    Request,
    Task,
)
from approvals.store.rows import LISTED_REQUEST_COLUMNS, TASK_COLUMNS, ListedRequest, TaskRow

NOTICE_KINDS = ("file", "copy")
# A question (沟通) waits for its answer while its request is in progress; once the request
# ends (终止, withdrawn, decided) it is closed, answered or not (approvals/operations/ask.py).


COUNT_CAP = 1000  # an inbox shows "1000+": counting a leader's 67k open tasks on every page is waste


class Count(int):
    """A total that may be capped: arithmetic and truth as an int, shown as "1000+" when capped."""

    capped: bool = False

    @classmethod
    def of(cls, found: int, cap: int) -> Count:
        count = cls(min(found, cap))
        count.capped = found > cap
        return count

    def __str__(self) -> str:
        return f"{int(self)}+" if self.capped else str(int(self))


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    total: int
    # The items' requests, when the list read them with the page on the same connection.
    requests: Mapping[int, ListedRequest] = field(default_factory=dict)


@dataclass(frozen=True)
class Waiting:
    """What waits for a person, as a menu shows it: decisions and notices capped like inboxes."""

    decisions: Count
    notices: Count
    reports: int
    # Unread notifications (capped like inboxes); not compared: the lists above are what
    # the badges must agree with, and nearly every action adds a notification somewhere.
    unread: Count = field(default_factory=lambda: Count.of(0, COUNT_CAP), compare=False)
    questions: int = field(default=0, compare=False)  # 沟通 asked of the person, not answered yet


def _member_units(chart: OrgChart, person: str) -> list[str]:
    p = chart.people.get(person)
    return [p.unit] if p else []


def _mine(person: str, units: list[str]) -> Any:
    """My tasks: assigned to me, or held by a duty unit I belong to (its members may act)."""
    clauses = [Task.assignee == person]
    if units:
        clauses.append(Task.unit_id.in_(units))
    return or_(*clauses)


def _mine_branches(kinds: tuple[str, ...], with_units: bool) -> list[list[Any]]:
    person: BindParameter[str] = bindparam("person")
    where = [Task.is_open.is_(True), Task.kind.in_(kinds)]
    branches = [[Task.assignee == person, *where]]
    if with_units:
        branches.append([Task.unit_id.in_(bindparam("units", expanding=True)), Task.assignee != person, *where])
    return branches


def _capped_total(branches: list[list[Any]]) -> Any:
    counts = [select(func.count()).select_from(select(Task.id).where(*b).limit(COUNT_CAP + 1).subquery())
              .scalar_subquery() for b in branches]
    return sum(counts[1:], counts[0])


@functools.cache
def _waiting_statement(with_units: bool) -> Select[Any]:
    """Every page's menu badges (decisions, filings and copies, reports due) in one round trip."""
    reports = (select(func.count()).select_from(Task)
               .where(Task.assignee == bindparam("person"), Task.is_open.is_(True), Task.kind == "report")
               .scalar_subquery())
    unread = (select(func.count()).select_from(
        select(Notification.id).where(Notification.person_id == bindparam("person"), Notification.read_at.is_(None))
        .limit(COUNT_CAP + 1).subquery()).scalar_subquery())
    questions = (select(func.count()).select_from(Question).join(Request, Request.id == Question.request_id)
                 .where(Question.asked_to == bindparam("person"), Question.answered_at.is_(None),
                        Request.status.in_(QUESTIONS_OPEN_WHILE)).scalar_subquery())
    return select(_capped_total(_mine_branches(DECISION_KINDS, with_units)).label("decisions"),
                  _capped_total(_mine_branches(NOTICE_KINDS, with_units)).label("notices"),
                  reports.label("reports"), unread.label("unread"), questions.label("questions"))


@functools.cache
def _mine_statement(kinds: tuple[str, ...], with_units: bool, count_only: bool = False) -> Select[Any]:
    """Built once per shape (inboxes are the most frequent page): two index-ordered branches,
    "assigned to me" and "held by my duty unit", merged here instead of one OR (with OR the
    database sorts and counts a leader's whole inbox, tens of thousands, for one page).
    Each branch counts at most COUNT_CAP + 1 index entries: enough to say "1000+"; the count
    rides along as a column, evaluated once, so page and count are one round trip."""
    branches = _mine_branches(kinds, with_units)
    total = _capped_total(branches)
    if count_only:
        return select(total)
    # Overdue tasks come first, the most overdue first (ix_tasks_inbox_due), then the rest oldest
    # first (ix_tasks_inbox): each part of each branch is read in its index's order, a window
    # deep, so a page never sorts a leader's whole inbox.
    today = bindparam("today", type_=Date)
    window: BindParameter[int] = bindparam("window")
    parts = []
    for b in branches:
        parts.append(select(select(Task.id).where(*b, Task.due_on < today).order_by(Task.due_on, Task.id)
                            .limit(window).subquery().c.id))
        parts.append(select(select(Task.id).where(*b, or_(Task.due_on.is_(None), Task.due_on >= today))
                            .order_by(Task.id).limit(window).subquery().c.id))
    ids = union_all(*parts).subquery()
    overdue_first = case((Task.due_on < today, Task.due_on), else_=None).asc().nulls_last()
    return (select(*TASK_COLUMNS, total.label("total")).where(Task.id.in_(select(ids.c.id)))
            .order_by(overdue_first, Task.id).limit(bindparam("limit")).offset(bindparam("offset")))


_LISTED_REQUESTS = select(*LISTED_REQUEST_COLUMNS).where(Request.id.in_(bindparam("ids", expanding=True)))


def _listed(conn: Connection, ids: set[int]) -> dict[int, ListedRequest]:
    if not ids:
        return {}
    return {row.id: ListedRequest(*row) for row in conn.execute(_LISTED_REQUESTS, {"ids": list(ids)})}


class Queries:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _task_rows(s: Session, where: list[Any], order: tuple[Any, ...], limit: int, offset: int) -> Page:
        """A list page of tasks as plain rows (see ``_mine_page``), with its total."""
        found = s.connection().execute(select(*TASK_COLUMNS).where(*where).order_by(*order).limit(limit).offset(offset))
        total = s.scalar(select(func.count()).select_from(Task).where(*where)) or 0
        return Page([TaskRow(*row) for row in found], total)

    def _mine_page(self, s: Session, person: str, units: list[str], kinds: tuple[str, ...], limit: int,
                   offset: int, today: date | None = None) -> Page:
        """Open tasks of ``kinds`` assigned to ``person`` or held by one of ``units``, oldest first:
        the page and its capped count in one pre-built statement (see ``_mine_statement``), as
        plain rows: an inbox is read far more often than it is acted on, and building ORM
        objects for it cost a third of the read."""
        params = {"person": person, "units": units, "window": limit + offset, "limit": limit, "offset": offset,
                  "today": today or date.min}
        conn = s.connection()
        found_rows = conn.execute(_mine_statement(kinds, bool(units)), params).all()
        if found_rows:
            found = found_rows[0].total
        else:  # an empty page (past the end, or an empty inbox) still needs the count
            found = conn.execute(_mine_statement(kinds, bool(units), count_only=True), params).scalar() or 0
        tasks = [TaskRow(*row[:-1]) for row in found_rows]
        return Page(tasks, Count.of(found, COUNT_CAP), _listed(conn, {task.request_id for task in tasks}))

    def inbox(self, chart: OrgChart, person: str, limit: int = 50, offset: int = 0, *,
              today: date | None = None) -> Page:
        """Open decisions waiting for ``person``: overdue on ``today`` first, then oldest first."""
        with self.db.reading(snapshot=False) as s:  # one statement: no transaction to open
            return self._mine_page(s, person, _member_units(chart, person), DECISION_KINDS, limit, offset, today)

    def waiting(self, chart: OrgChart, person: str) -> Waiting:
        """The counts of ``inbox``, open ``notices``, ``reports_due``, unread notifications and
        unanswered questions (沟通) in one statement: every page's menu."""
        units = _member_units(chart, person)
        with self.db.reading(snapshot=False) as s:
            row = s.execute(_waiting_statement(bool(units)), {"person": person, "units": units}).one()
        return Waiting(Count.of(row.decisions, COUNT_CAP), Count.of(row.notices, COUNT_CAP), int(row.reports),
                       Count.of(row.unread, COUNT_CAP), int(row.questions))

    def notices(self, chart: OrgChart, person: str, *, open_only: bool = True, limit: int = 50,
                offset: int = 0) -> Page:
        """Filings (备案) and copies (抄送) for the person's unit(s)."""
        units = _member_units(chart, person)
        with self.db.reading() as s:
            if open_only:
                return self._mine_page(s, person, units, NOTICE_KINDS, limit, offset)
            where = [_mine(person, units), Task.kind.in_(NOTICE_KINDS)]
            return self._task_rows(s, where, (Task.id.desc(),), limit, offset)

    def reports_due(self, person: str) -> list[Task]:
        with self.db.reading(snapshot=False) as s:
            return list(s.scalars(select(Task).where(Task.assignee == person, Task.is_open.is_(True),
                                                     Task.kind == "report").order_by(Task.due_on, Task.id)))

    def overdue_reports(self, chart: OrgChart, person: str, today: date) -> list[Task]:
        """Reports past due for the units that receive them (e.g. duty:filing)."""
        units = _member_units(chart, person)
        with self.db.reading(snapshot=False) as s:
            receiver = or_(Task.receiver == person, Task.unit_id.in_(units)) if units else Task.receiver == person
            return list(s.scalars(select(Task).where(Task.kind == "report", Task.is_open.is_(True),
                                                     Task.due_on < today, receiver).order_by(Task.due_on)))

    def done_by(self, person: str, limit: int = 50, offset: int = 0) -> Page:
        with self.db.reading() as s:
            where = [Task.decided_by == person, Task.kind.in_(DECISION_KINDS + NOTICE_KINDS)]
            return self._task_rows(s, where, (Task.decided_at.desc(), Task.id.desc()), limit, offset)

    def my_requests(self, applicant: str, limit: int = 50, offset: int = 0) -> Page:
        with self.db.reading() as s:
            where = [Request.applicant == applicant]
            items = s.scalars(select(Request).where(*where).order_by(Request.id.desc()).limit(limit)
                              .offset(offset)).all()
            total = s.scalar(select(func.count()).select_from(Request).where(*where)) or 0
            return Page(items, total)

    def request(self, request_id: int) -> Request:
        with self.db.reading(snapshot=False) as s:
            req = s.get(Request, request_id)
            if req is None:
                raise UnknownRequestError(request_id)
            return req

    def requests(self, request_ids: Iterable[int]) -> dict[int, ListedRequest]:
        """Many requests in one query, by id: a list page of 50 tasks needs their 50 requests
        (one ``request`` call per row is 50 round trips). Plain rows without the workflow
        state, which no list shows and which is most of a request's bytes."""
        ids = set(request_ids)
        if not ids:
            return {}
        with self.db.reading(snapshot=False) as s:
            return _listed(s.connection(), ids)

    def task(self, task_id: int) -> Task:
        with self.db.reading(snapshot=False) as s:
            task = s.get(Task, task_id)
            if task is None:
                raise UnknownTaskError(task_id)
            return task

    def steps(self, request_id: int) -> list[Task]:
        with self.db.reading(snapshot=False) as s:
            return list(s.scalars(select(Task).where(Task.request_id == request_id).order_by(Task.id)))

    def attachments(self, request_id: int) -> list[Attachment]:
        with self.db.reading(snapshot=False) as s:
            return list(s.scalars(select(Attachment).where(Attachment.request_id == request_id)
                                  .order_by(Attachment.id)))

    def attachment(self, attachment_id: int) -> Attachment | None:
        with self.db.reading(snapshot=False) as s:
            return s.get(Attachment, attachment_id)

    def trail(self, request_id: int) -> list[AuditEntry]:
        with self.db.reading(snapshot=False) as s:
            return list(s.scalars(select(AuditEntry).where(AuditEntry.request_id == request_id)
                                  .order_by(AuditEntry.seq)))

    def holder_changes(self, request_id: int) -> list[AuditEntry]:
        """The request's ``reassigned`` entries, in order: tasks that changed hands without a
        decision (chart change, acting approver), for the timeline to say who held them before."""
        with self.db.reading(snapshot=False) as s:
            return list(s.scalars(select(AuditEntry).where(AuditEntry.request_id == request_id,
                                                           AuditEntry.action == "reassigned")
                                  .order_by(AuditEntry.seq)))

    def can_view(self, chart: OrgChart, person: str, request_id: int, *, privileged: bool = False) -> bool:
        """Applicant, anyone with a step on it (or in a duty unit holding one), inspectors/admins."""
        if privileged:
            return True
        req = self.request(request_id)
        if req.applicant == person:
            return True
        units = _member_units(chart, person)
        with self.db.reading(snapshot=False) as s:
            clauses = [Task.assignee == person, Task.principal == person, Task.decided_by == person,
                       Task.receiver == person]
            if units:
                clauses.append(Task.unit_id.in_(units))
            hit = s.scalar(select(Task.id).where(Task.request_id == request_id, or_(*clauses)).limit(1))
            return hit is not None

    def require_view(self, chart: OrgChart, person: str, request_id: int, *, privileged: bool = False) -> Request:
        req = self.request(request_id)
        if not self.can_view(chart, person, request_id, privileged=privileged):
            raise NotPermittedError(f"request #{request_id} is not yours to read")
        return req

    def fields(self, req: Request | ListedRequest) -> dict[str, Any]:
        return dict(json.loads(req.fields_json))
