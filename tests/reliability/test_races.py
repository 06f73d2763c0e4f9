"""Races that once gave a raw database error: each now has one clean outcome per party.

Threads meet at a barrier so the actions really run at the same moment; on PostgreSQL they
contend for rows, on SQLite they queue for the write lock (and must still end cleanly)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from faultkit import problems
from sqlalchemy import create_engine, func, select, text
from support import CHART_A, NOW, PG_URL, PROCESSES, database_url, leave_fields, make_app, meeting_fields

from approvals.app import Approvals, build
from approvals.clock import FixedClock
from approvals.errors import ApprovalsError
from approvals.process.definitions import DECISION_KINDS
from approvals.store.models import ProcessVersion, Task


def _together(actions: list[Callable[[], Any]]) -> list[str]:
    """Run ``actions`` at the same moment; each outcome: "ok", an engine error's class name,
    or "RAW <error>" for anything else (what a user would have seen as a 500)."""
    barrier, outcomes = threading.Barrier(len(actions)), [""] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            actions[i]()
            outcomes[i] = "ok"
        except ApprovalsError as exc:
            outcomes[i] = type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - the point is to catch what escaped
            outcomes[i] = f"RAW {type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_simultaneous_first_submits_of_a_new_process_version_all_go_through(db_url: str) -> None:
    """Eight workers (each its own engine, as gunicorn workers are) submit the first request
    of a process version at once: every submit succeeds and the version is stored once."""
    app = make_app(db_url, CHART_A)
    workers = [build(db_url, PROCESSES, FixedClock(NOW)) for _ in range(8)]
    chart = app.orgcharts.current("xx-nrpb")
    applicants = [p for p in chart.people if chart.category(p, uses_county_cadre=True) == "staff"]
    try:
        for request_type, fields in (("leave", leave_fields()), ("meeting", meeting_fields(30))):
            outcomes = _together([lambda w=w, a=a, t=request_type, f=fields: w.service.submit(a, t, f)
                                  for w, a in zip(workers, applicants, strict=False)])
            assert outcomes == ["ok"] * len(workers), request_type
        with app.db.reading() as s:
            assert s.scalar(select(func.count()).select_from(ProcessVersion)) == 2
    finally:
        for worker in (app, *workers):
            worker.db.dispose()


def _swap_head(app: Approvals, unit_id: str, head: str) -> str:
    data = yaml.safe_load(app.admin.current_text("xx-nrpb"))
    for unit in data["units"]:
        if unit["id"] == unit_id:
            unit["deputies"] = [d for d in [*unit.get("deputies", []), unit["head"]] if d != head]
            unit["head"] = head
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _decide_one(app: Approvals) -> None:
    with app.db.reading() as s:
        task = s.execute(select(Task).where(Task.is_open.is_(True), Task.kind.in_(DECISION_KINDS))
                         .order_by(Task.id).limit(1)).scalars().first()
    if task is not None:
        app.service.decide(task.id, task.assignee, "approve", "")


def test_saving_an_org_chart_while_decisions_run_moves_tasks_cleanly_or_asks_to_retry(db_url: str) -> None:
    """An admin saves a chart that moves open tasks while approvers decide them: the save waits
    for the decisions under way and goes through; a decision either goes through or is told
    why not (the task moved); none fails with a raw error; afterwards tasks and workflows agree."""
    app = make_app(db_url, CHART_A)
    chart = app.orgcharts.current("xx-nrpb")
    unit = next(u for u in chart.units.values() if u.kind == "section" and len(chart.members(u.id)) >= 4)
    first, second = unit.head, next(p for p in chart.members(unit.id) if p != unit.head)
    applicants = [p for p in chart.members(unit.id) if p not in (first, second)]
    for i in range(12):
        app.service.submit(applicants[i % len(applicants)], "leave", leave_fields())
    deciders = [build(db_url, PROCESSES, FixedClock(NOW)) for _ in range(2)]
    try:
        for round_ in range(6):
            text_ = _swap_head(app, unit.id, second if round_ % 2 == 0 else first)
            outcomes = _together([lambda t=text_: app.admin.save(t, "admin", "edited.yaml"),
                                  *[lambda d=d: _decide_one(d) for d in deciders]])
            assert outcomes[0] == "ok", outcomes  # the save waits for decisions under way, then goes through
            assert not [o for o in outcomes if o.startswith("RAW")], outcomes
        assert problems(app) == []
    finally:
        for worker in (app, *deciders):
            worker.db.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (a SQLite file has no server to restart)")
def test_the_connection_pool_recovers_after_the_database_drops_every_connection(tmp_path: Path) -> None:
    """As after a PostgreSQL restart: every backend of the app is terminated; the next read
    and the next action succeed on fresh connections (the pool tests each one at checkout)."""
    name = f"reliab_{uuid.uuid4().hex[:8]}"
    with database_url("postgresql", tmp_path) as url:
        app = make_app(f"{url}&application_name={name}", CHART_A)
        admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            chart = app.orgcharts.current("xx-nrpb")
            staff = [p for p in chart.people if chart.category(p, uses_county_cadre=True) == "staff"]
            first = app.service.submit(staff[0], "leave", leave_fields())
            with admin.begin() as conn:
                killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                           "WHERE application_name = :name"), {"name": name}).scalar()
            assert killed and killed >= 1
            assert [t.status for t in app.queries.steps(first)] == ["open"]
            second = app.service.submit(staff[1], "leave", leave_fields())
            assert app.queries.request(second).status == "pending"
        finally:
            admin.dispose()
            app.db.dispose()
