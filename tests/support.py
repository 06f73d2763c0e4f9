"""Plain factory functions for tests: a real engine on a throwaway database, real org charts.

SQLite always; PostgreSQL too when APPROVALS_TEST_DATABASE_URL is set (each test gets its
own schema, dropped afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from approvals.app import Approvals, build
from approvals.clock import Clock, FixedClock

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
ORGCHARTS = ROOT / "orgcharts"
CHART_A = ORGCHARTS / "xx-natural-resources.yaml"
CHART_B = ORGCHARTS / "cq-civil-affairs.yaml"
NOW = datetime(2026, 11, 23, 9, 0, 0)
PG_URL = os.environ.get("APPROVALS_TEST_DATABASE_URL")


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/approvals.sqlite3"
        return
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(url: str, *charts: Path, clock: Clock | None = None, processes: Path = PROCESSES) -> Approvals:
    app = build(url, processes, clock or FixedClock(NOW))
    app.init_db()
    for chart in charts:
        app.admin.save(chart.read_text(encoding="utf-8"), "system", chart.name)
    return app


def open_steps(app: Approvals, request_id: int) -> list[Any]:
    return [t for t in app.queries.steps(request_id) if t.is_open]


def leave_fields(**overrides: str) -> dict[str, str]:
    fields = {"destination": "北京市海淀区", "depart_on": "2026-12-01", "return_on": "2026-12-05",
              "reason": "探亲"}
    fields.update(overrides)
    return fields


def meeting_fields(participants: int, **overrides: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": "年度工作会议", "participants": str(participants),
                              "held_on": "2026-12-10", "venue": "三楼会议室"}
    fields.update(overrides)
    return fields


def walk(app: Approvals, request_id: int, report: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Act on every step in turn as the person a user would see it for; return the route taken.

    Decisions: approved by the task's assignee, after checking it is in their inbox.
    Filings/copies: acknowledged by their assignee. Reports: filed by the applicant.
    The result has the shape of the route preview's JSON steps.
    """
    taken: list[dict[str, Any]] = []
    seen: set[int] = set()
    for _ in range(50):
        new = [t for t in app.queries.steps(request_id)
               if t.id not in seen and t.status not in ("skipped", "satisfied")]
        pending = [t for t in new if t.is_open]
        if not pending:
            break
        task = pending[0]
        seen.add(task.id)
        chart = app.orgcharts.current(app.queries.request(request_id).org_id)
        if task.kind == "report":
            taken.append({"kind": "report", "role": task.role, "assignees": [task.receiver]})
            with back_from_trip(app, request_id):
                app.service.report(task.id, task.assignee, report or {})
        elif task.kind in ("file", "copy"):
            taken.append({"kind": task.kind, "role": task.role, "assignees": [task.assignee]})
            app.service.acknowledge(task.id, task.assignee)
        else:
            inbox = app.queries.inbox(chart, task.assignee)
            assert task.id in [t.id for t in inbox.items], f"task {task.id} missing from {task.assignee}'s inbox"
            taken.append({"kind": task.kind, "role": task.role, "assignees": [task.assignee]})
            app.service.decide(task.id, task.assignee, "approve", "")
    return taken


@contextmanager
def back_from_trip(app: Approvals, request_id: int) -> Iterator[None]:
    """A report is filed once the trip has started and with no date in the future: a fixed
    clock stands a week after the trip's return date while inside (when it is earlier)."""
    fields = app.queries.fields(app.queries.request(request_id))
    back = fields.get("return_on")
    if not back or not isinstance(app.clock, FixedClock):
        yield
        return
    before = app.clock.at
    app.clock.at = max(before, datetime.fromisoformat(back).replace(hour=9) + timedelta(days=7))
    try:
        yield
    finally:
        app.clock.at = before


# ---- picking people from a real chart by what they are, not by id ---------------------------


def pick(chart: Any, category: str, unit_kind: str | None = None, *, county: bool = False,
         supervised_by_organ_leader: bool | None = None) -> str:
    """The first person of ``category`` (first-match table) in a unit of ``unit_kind``."""
    organ_leader = chart.posts.get("organ_leader")
    for pid in chart.people:
        unit = chart.unit_of(pid)
        if chart.category(pid, uses_county_cadre=county) != category:
            continue
        if unit_kind is not None and unit.kind != unit_kind:
            continue
        if supervised_by_organ_leader is not None and (unit.supervisor == organ_leader) != supervised_by_organ_leader:
            continue
        return str(pid)
    raise LookupError(f"no {category} in a {unit_kind} unit in {chart.organization.name}")


def head_of_duty(chart: Any, duty: str) -> str:
    return str(chart.units[chart.duties[duty]].head)


def step(kind: str, role: str, who: str) -> dict[str, Any]:
    return {"kind": kind, "role": role, "assignees": [who]}


REPORT_A = {"actual_return_on": "2026-12-05", "itinerary": "北京市海淀区，未去中高风险地区"}
REPORT_B = {"test_date": "2026-12-06", "test_result": "阴性"}


CERTIFICATE = ROOT / "tests" / "fixtures" / "certificate_xx.bpmn"  # ID number and phone marked sensitive


def with_certificate(tmp_path: Path) -> tuple[Path, Path]:
    """(chart, processes): the shipped processes and chart A plus the certificate request
    (在职证明), whose ID number and phone fields are sensitive (docs/processes.md)."""
    import shutil

    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes)
    shutil.copy(CERTIFICATE, processes / CERTIFICATE.name)
    chart = tmp_path / CHART_A.name
    text = CHART_A.read_text(encoding="utf-8")
    chart.write_text(text.replace("    leave: leave_xx", "    certificate: certificate_xx\n    leave: leave_xx", 1),
                     encoding="utf-8")
    return chart, processes
