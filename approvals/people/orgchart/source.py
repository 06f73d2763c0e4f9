"""Where the current org chart comes from, chosen by configuration.

A bureau may keep its chart in a YAML file, in the engine's database (``approvals.store``)
or in a directory service; the engine only asks a source for the current chart, so a new
source is a class with one method, named in ``APPROVALS_ORGCHART_SOURCE``:

    APPROVALS_ORGCHART_SOURCE=yaml:/etc/approvals/xx-natural-resources.yaml
    APPROVALS_ORGCHART_SOURCE=mybureau.directory:LdapOrgChartSource
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Collection
from pathlib import Path
from typing import Protocol, runtime_checkable

from approvals.errors import ApprovalsError
from approvals.people.orgchart.loader import load_orgchart
from approvals.people.orgchart.model import OrgChart

SOURCE_ENV = "APPROVALS_ORGCHART_SOURCE"
_EXPECTED = "expected yaml:/path/to/chart.yaml or package.module:ClassName"


@runtime_checkable
class OrgChartSource(Protocol):
    """Anything that can hand out the current chart of an organization."""

    def current(self, org_id: str | None = None) -> OrgChart:
        """The chart in force now; ``None`` means the only (or default) organization."""
        ...


class YamlFileSource:
    """One organization's chart in one YAML file, re-read when the file changes.

    Checking size and modification time costs one ``stat`` per call, so an admin's edit
    is picked up by the next request without a restart and without re-parsing every time.
    """

    def __init__(self, path: str | Path, *, known_processes: Collection[str] | None = None) -> None:
        self.path = Path(path)
        self.known_processes = known_processes
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._chart: OrgChart | None = None

    def current(self, org_id: str | None = None) -> OrgChart:
        chart = self._fresh_chart()
        if org_id is not None and org_id != chart.id:
            raise ApprovalsError(f"{self.path} holds organization {chart.id!r}, not {org_id!r}; "
                                 f"point {SOURCE_ENV} at that organization's file")
        return chart

    def _fresh_chart(self) -> OrgChart:
        try:
            stat = self.path.stat()
        except OSError as exc:
            raise ApprovalsError(f"cannot read org chart {self.path}: "
                                 f"{exc.strerror or exc}") from exc
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._chart is None or stamp != self._stamp:
                # The stamp is stored only after a good parse, so a broken edit raises on
                # every call until it is fixed instead of being remembered as current.
                self._chart = load_orgchart(self.path, known_processes=self.known_processes)
                self._stamp = stamp
            return self._chart


def source_from_config(spec: str, *,
                       known_processes: Collection[str] | None = None) -> OrgChartSource:
    """Build the source a configuration string names (see the module docstring).

    ``known_processes`` is passed to a YAML source only; a plugged-in class is built with no
    arguments, so it reads its own settings (connection strings and the like) itself.
    """
    kind, sep, rest = spec.strip().partition(":")
    if not sep or not kind or not rest:
        raise ApprovalsError(f"{SOURCE_ENV}={spec!r} is not a source; {_EXPECTED}")
    if kind == "yaml":
        return YamlFileSource(rest, known_processes=known_processes)
    return _plugged_in(spec, kind, rest)


def _plugged_in(spec: str, module_name: str, class_name: str) -> OrgChartSource:
    prefix = f"{SOURCE_ENV}={spec!r}"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ApprovalsError(f"{prefix}: cannot import module {module_name!r} ({exc}); "
                             f"{_EXPECTED}") from exc
    factory = getattr(module, class_name, None)
    if not callable(factory):
        raise ApprovalsError(f"{prefix}: module {module_name!r} has no class {class_name!r}")
    try:
        source = factory()
    except TypeError as exc:
        raise ApprovalsError(f"{prefix}: {class_name} must be constructible with no arguments "
                             f"({exc})") from exc
    if not isinstance(source, OrgChartSource):
        raise ApprovalsError(f"{prefix}: {class_name} has no current(org_id=None) method, "
                             "so it is not an org chart source")
    return source
