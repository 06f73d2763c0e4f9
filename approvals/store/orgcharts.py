"""Org charts kept in the database: every saved version, the current one per organization.

This is the runtime source behind the same interface as a YAML file (``OrgChartSource``):
``approvals load-orgchart`` and the admin page both save a new version here. Parsed charts
are cached by version, and the "which version is current" check is one indexed query, so
a chart saved by another worker is seen by the next action. Saved versions are never edited,
so reads here need no snapshot (on PostgreSQL they skip BEGIN/ROLLBACK).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Collection
from contextlib import nullcontext
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, ScalarSelect, bindparam, func, select
from sqlalchemy.orm import Session

from approvals.errors import ApprovalsError, UnknownPersonError
from approvals.people.orgchart.loader import parse_orgchart
from approvals.people.orgchart.model import OrgChart
from approvals.store.database import Database, connection_of
from approvals.store.models import OrgChartVersion


def latest_version_id(org_id: ColumnElement[str]) -> ScalarSelect[int]:
    """SQL for the id of an organization's current chart version: an action reads it along
    with its task and request, so ``current(..., latest=...)`` needs no query of its own."""
    return select(func.max(OrgChartVersion.id)).where(OrgChartVersion.org_id == org_id).scalar_subquery()


# Built once: every action asks which chart version is current.
_LATEST_ANY = select(func.max(OrgChartVersion.id))
_LATEST_OF_ORG = _LATEST_ANY.where(OrgChartVersion.org_id == bindparam("org_id"))
_LATEST_PER_ORG = (select(OrgChartVersion.org_id, func.max(OrgChartVersion.id))
                   .group_by(OrgChartVersion.org_id).order_by(OrgChartVersion.org_id))
_SOURCE = select(OrgChartVersion.source_text, OrgChartVersion.source_name).where(OrgChartVersion.id == bindparam("id"))


class DatabaseOrgChartSource:
    def __init__(self, db: Database, known_processes: Callable[[], Collection[str]]) -> None:
        self.db = db
        self.known_processes = known_processes
        self._parsed: dict[int, OrgChart] = {}
        self._lock = threading.Lock()

    def parse(self, text: str, source_name: str) -> OrgChart:
        """Validate with the same loader as files (raises OrgChartError with every issue)."""
        return parse_orgchart(text, source_name, known_processes=self.known_processes())

    def save(self, session: Session, text: str, source_name: str, actor: str | None, at: datetime,
             comment: str = "") -> tuple[OrgChartVersion, OrgChart]:
        chart = self.parse(text, source_name)
        row = OrgChartVersion(org_id=chart.id, version=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                              source_text=text, source_name=source_name, created_at=at,
                              created_by=actor, comment=comment)
        session.add(row)
        session.flush()
        return row, chart

    def _chart(self, row_id: int, text: str, name: str) -> OrgChart:
        with self._lock:
            chart = self._parsed.get(row_id)
            if chart is None:
                chart = parse_orgchart(text, name)  # stored versions were validated when saved
                self._parsed[row_id] = chart
            return chart

    def org_ids(self) -> list[str]:
        with self.db.reading(snapshot=False) as s:
            return list(s.scalars(select(OrgChartVersion.org_id).distinct().order_by(OrgChartVersion.org_id)))

    def current(self, org_id: str | None = None, *, session: Session | Connection | None = None,
                latest: int | None = None) -> OrgChart:
        """``session``: an action's own transaction, so the lookup needs no second connection;
        ``latest``: the current version's id when the caller already read it (latest_version_id)."""
        with nullcontext(session) if session is not None else self.db.reading(snapshot=False) as s:
            conn = connection_of(s)
            if latest is None:
                latest = (conn.execute(_LATEST_ANY) if org_id is None
                          else conn.execute(_LATEST_OF_ORG, {"org_id": org_id})).scalar()
            if latest is None:
                what = f"organization {org_id!r}" if org_id else "any organization"
                raise ApprovalsError(f"no org chart loaded for {what}; run `approvals load-orgchart FILE`")
            if org_id is None and len(self.org_ids()) > 1:
                raise ApprovalsError("several organizations are loaded; name one")
            cached = self._parsed.get(latest)
            if cached is not None:
                return cached
            text, name = conn.execute(_SOURCE, {"id": latest}).one()
            return self._chart(latest, text, name)

    def version(self, org_id: str, version: str) -> OrgChart:
        with self.db.reading(snapshot=False) as s:
            row = s.scalars(select(OrgChartVersion).where(OrgChartVersion.org_id == org_id,
                                                          OrgChartVersion.version == version)
                            .order_by(OrgChartVersion.id.desc()).limit(1)).first()
            if row is None:
                raise ApprovalsError(f"organization {org_id!r} has no org chart version {version[:12]}")
            return self._chart(row.id, row.source_text, row.source_name)

    def history(self, org_id: str) -> list[OrgChartVersion]:
        with self.db.reading(snapshot=False) as s:
            return list(s.scalars(select(OrgChartVersion).where(OrgChartVersion.org_id == org_id)
                                  .order_by(OrgChartVersion.id.desc())))

    def current_all(self, *, latest: dict[str, int] | None = None) -> dict[str, OrgChart]:
        """Every organization's chart in force, by id, in one query: who someone is (each submit
        asks) and the names on a page that mentions people of any organization. ``latest``:
        the version ids in force, when the caller has just read them (a page's first read,
        store/first_read.py); then only a version not parsed yet is read."""
        if latest is not None and all(row_id in self._parsed for row_id in latest.values()):
            return {org_id: self._parsed[row_id] for org_id, row_id in latest.items()}
        charts: dict[str, OrgChart] = {}
        with self.db.reading(snapshot=False) as s:
            conn = connection_of(s)  # Core, not the ORM: this runs on every page
            for org_id, row_id in latest.items() if latest is not None else conn.execute(_LATEST_PER_ORG).all():
                chart = self._parsed.get(row_id)
                if chart is None:
                    text, name = conn.execute(_SOURCE, {"id": row_id}).one()
                    chart = self._chart(row_id, text, name)
                charts[org_id] = chart
        return charts

    def for_person(self, person_id: str) -> OrgChart:
        return person_chart(self.current_all(), person_id)


def person_chart(charts: dict[str, OrgChart], person_id: str) -> OrgChart:
    """The chart, among ``charts``, that has ``person_id`` on it."""
    for chart in charts.values():
        if person_id in chart.people:
            return chart
    raise UnknownPersonError(person_id)
