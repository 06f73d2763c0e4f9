"""Finding one's requests again: 我的申请 and 已办 filtered by type, status, dates and text,
with each request's current step (who holds it, since when) read for the whole page at once.

A filtered page costs three statements whatever its length: the page, its count and the
current steps of the requests on it (docs/performance.md). Text is matched in the request's
fields (and, for 已办, one's own comment) with LIKE, escaped so ``%`` and ``_`` mean
themselves; a ``#12`` or ``12`` also finds request 12.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from approvals.process.definitions import DECISION_KINDS
from approvals.reports.queries import NOTICE_KINDS, Page
from approvals.store.database import Database
from approvals.store.models import Request, Task
from approvals.store.rows import LISTED_REQUEST_COLUMNS, TASK_COLUMNS, ListedRequest, TaskRow

TEXT_LIMIT = 100  # a search box, not a document: longer text is cut, not refused


@dataclass(frozen=True)
class ListFilter:
    """What a list page is narrowed to; empty fields narrow nothing."""

    request_type: str = ""
    status: str = ""
    since: date | None = None  # on or after, by the day submitted (已办: decided)
    until: date | None = None  # on or before
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.request_type or self.status or self.since or self.until or self.text)


def _day_bounds(column: Any, f: ListFilter) -> list[Any]:
    where = []
    if f.since:
        where.append(column >= datetime.combine(f.since, time.min))
    if f.until:
        where.append(column < datetime.combine(f.until + timedelta(days=1), time.min))
    return where


def _text(f: ListFilter, *columns: Any) -> list[Any]:
    text = f.text.strip()[:TEXT_LIMIT]
    if not text:
        return []
    clauses = [column.contains(text, autoescape=True) for column in columns]
    number = text.removeprefix("#")
    if number.isdigit() and len(number) < 10:
        clauses.append(Request.id == int(number))
    return [or_(*clauses)]


def _request_filters(f: ListFilter) -> list[Any]:
    where = []
    if f.request_type:
        where.append(Request.request_type == f.request_type)
    return where


class Listing:
    """The filtered lists; the same for the web UI and the CLI."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def my_requests(self, applicant: str, f: ListFilter, limit: int = 20, offset: int = 0) -> Page:
        """``applicant``'s requests, newest first, as plain rows (no workflow state)."""
        where = [Request.applicant == applicant, *_request_filters(f),
                 *_day_bounds(Request.created_at, f), *_text(f, Request.fields_json)]
        if f.status:
            where.append(Request.status == f.status)
        page = select(*LISTED_REQUEST_COLUMNS).where(*where).order_by(Request.id.desc())
        return self._page(page, select(func.count()).select_from(Request).where(*where), limit, offset,
                          ListedRequest)

    def done_by(self, person: str, f: ListFilter, limit: int = 50, offset: int = 0) -> Page:
        """What ``person`` decided or acknowledged, latest first."""
        where = [Task.decided_by == person, Task.kind.in_(DECISION_KINDS + NOTICE_KINDS),
                 *_request_filters(f), *_day_bounds(Task.decided_at, f),
                 *_text(f, Request.fields_json, Task.comment)]
        if f.status:
            where.append(Task.status == f.status)
        joined = select(*TASK_COLUMNS).join_from(Task, Request, Request.id == Task.request_id)
        page = joined.where(*where).order_by(Task.decided_at.desc(), Task.id.desc())
        count = (select(func.count()).select_from(Task).join(Request, Request.id == Task.request_id)
                 .where(*where))
        return self._page(page, count, limit, offset, TaskRow)

    def notices_seen(self, person: str, units: list[str], f: ListFilter, limit: int = 30,
                     offset: int = 0) -> Page:
        """Filings (备案) and copies (抄送) already acknowledged for ``person`` or ``units``,
        latest first: a filing desk looks up who went where last month."""
        mine = or_(Task.assignee == person, Task.unit_id.in_(units)) if units else Task.assignee == person
        where = [mine, Task.kind.in_(NOTICE_KINDS), Task.is_open.is_(False), *_request_filters(f),
                 *_day_bounds(Task.created_at, f), *_text(f, Request.fields_json)]
        if f.status:
            where.append(Task.kind == f.status)
        joined = select(*TASK_COLUMNS).join_from(Task, Request, Request.id == Task.request_id)
        page = joined.where(*where).order_by(Task.id.desc())
        count = (select(func.count()).select_from(Task).join(Request, Request.id == Task.request_id)
                 .where(*where))
        return self._page(page, count, limit, offset, TaskRow)

    def _page(self, page: Select[Any], count: Select[Any], limit: int, offset: int, row: type) -> Page:
        with self.db.reading() as s:  # page and count in one snapshot
            conn = s.connection()
            items = [row(*r) for r in conn.execute(page.limit(limit).offset(offset))]
            total = conn.execute(count).scalar() or 0
        return Page(items, total)

    def current_steps(self, request_ids: Iterable[int]) -> dict[int, list[TaskRow]]:
        """The open steps that hold each request up (decisions, and reports due), oldest first,
        for a page of requests in one statement."""
        ids = sorted(set(request_ids))
        if not ids:
            return {}
        statement = (select(*TASK_COLUMNS).where(Task.request_id.in_(ids), Task.is_open.is_(True),
                                                 Task.kind.in_((*DECISION_KINDS, "report")))
                     .order_by(Task.id))
        steps: dict[int, list[TaskRow]] = {}
        with self.db.reading(snapshot=False) as s:
            for r in s.connection().execute(statement):
                task = TaskRow(*r)
                steps.setdefault(task.request_id, []).append(task)
        return steps
