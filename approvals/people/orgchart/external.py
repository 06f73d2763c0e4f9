"""An org chart kept outside the engine (a YAML file, a directory service) behind the same
surface as the database-backed store, chosen by ``APPROVALS_ORGCHART_SOURCE``.

The engine only reads such a chart: edits happen at the source, so saving through the admin
page is refused with a message saying where to edit. Every version seen is remembered so a
task can still show the chart version that chose its approver.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from approvals.errors import ApprovalsError, UnknownPersonError
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.source import SOURCE_ENV, OrgChartSource


class ExternalOrgCharts:
    editable = False

    def __init__(self, source: OrgChartSource, description: str) -> None:
        self.source = source
        self.description = description
        self._seen: dict[str, OrgChart] = {}
        self._lock = threading.Lock()

    def current(self, org_id: str | None = None, *, session: Any = None, latest: Any = None) -> OrgChart:
        """``session`` and ``latest`` (the database's chart version) do not apply: the source knows."""
        chart = self.source.current(org_id)
        with self._lock:
            self._seen.setdefault(chart.version, chart)
        return chart

    def org_ids(self) -> list[str]:
        return [self.current().id]

    def current_all(self, *, latest: Any = None) -> dict[str, OrgChart]:
        """``latest`` (the database's chart versions) does not apply: the source knows."""
        chart = self.current()
        return {chart.id: chart}

    def for_person(self, person_id: str) -> OrgChart:
        chart = self.current()
        if person_id not in chart.people:
            raise UnknownPersonError(person_id, chart.organization.name)
        return chart

    def version(self, org_id: str, version: str) -> OrgChart:
        chart = self._seen.get(version)
        if chart is None:
            raise ApprovalsError(f"org chart version {version[:12]} of {org_id!r} is no longer available "
                                 f"from {self.description}")
        return chart

    def history(self, org_id: str) -> list[Any]:
        return []

    def _read_only(self) -> ApprovalsError:
        return ApprovalsError(f"the org chart comes from {self.description} ({SOURCE_ENV}); edit it there")

    def parse(self, text: str, source_name: str) -> OrgChart:
        raise self._read_only()

    def save(self, session: Any, text: str, source_name: str, actor: str | None, at: datetime,
             comment: str = "") -> Any:
        raise self._read_only()
