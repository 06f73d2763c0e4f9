"""Database faults inside an action: nothing partial is written, and the user is told the
database is unavailable (try again) or that someone was faster, never shown a raw error."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from faultkit import failing_statement, footprint, lost_connection
from sqlalchemy import event
from support import CHART_A, PROCESSES, leave_fields, make_app, open_steps, pick

from approvals.app import Approvals
from approvals.errors import UnavailableError
from approvals.store import database


def _waiting_decision(app: Approvals) -> tuple[int, int, str]:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [task] = open_steps(app, request_id)
    return request_id, task.id, task.assignee


def _refusing_connects(app: Approvals, refusals: list[int], times: int) -> Any:
    """A ``do_connect`` listener that loses the first ``times`` connections, counting them."""
    def refuse(*_args: object) -> None:
        if len(refusals) < times:
            refusals.append(1)
            raise lost_connection(app)
    return refuse


def test_a_lost_connection_on_any_statement_of_a_decision_writes_nothing_and_says_try_again(
        app: Approvals) -> None:
    request_id, task_id, assignee = _waiting_decision(app)
    before, faults = footprint(app), 0
    for nth in range(1, 60):
        with failing_statement(app, nth) as seen:
            try:
                app.service.decide(task_id, assignee, "approve", "")
            except UnavailableError as exc:
                faults += 1
                assert "nothing was saved" in str(exc) and not exc.outcome_unknown
                assert footprint(app) == before, f"statement {nth} ({seen[-1][:40]}) left a partial write"
                continue
        break  # the decision ran past its last statement: it went through
    assert faults >= 5 and footprint(app) != before
    assert [t.status for t in app.queries.steps(request_id)][0] == "approved"


def test_a_fault_during_the_commit_says_the_action_may_have_been_saved(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    """The COMMIT was sent and the answer lost: the engine cannot know, and must not guess."""
    _request_id, task_id, assignee = _waiting_decision(app)
    before = footprint(app)
    dialect = app.db.engine.dialect

    def commit_lost(_dbapi_connection: object) -> None:
        raise lost_connection(app)

    monkeypatch.setattr(dialect, "do_commit", commit_lost)
    with pytest.raises(UnavailableError, match="may have been saved") as raised:
        app.service.decide(task_id, assignee, "approve", "")
    monkeypatch.undo()
    assert raised.value.outcome_unknown and footprint(app) == before


def test_a_database_unreachable_for_a_moment_is_retried_before_the_action_starts(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    _request_id, task_id, assignee = _waiting_decision(app)
    monkeypatch.setattr(database, "BACKOFF", (0.01, 0.01, 0.01))
    refusals: list[int] = []
    refuse_twice = _refusing_connects(app, refusals, 2)
    app.db.engine.dispose()  # no pooled connection: the next action connects
    event.listen(app.db.engine, "do_connect", refuse_twice)
    app.service.decide(task_id, assignee, "approve", "")
    event.remove(app.db.engine, "do_connect", refuse_twice)
    assert len(refusals) == 2 and app.queries.task(task_id).status == "approved"


def test_a_page_read_while_the_database_is_unreachable_for_a_moment_is_retried(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    request_id, _task_id, _assignee = _waiting_decision(app)
    monkeypatch.setattr(database, "BACKOFF", (0.01, 0.01, 0.01))
    refusals: list[int] = []
    refuse_twice = _refusing_connects(app, refusals, 2)
    app.db.engine.dispose()
    event.listen(app.db.engine, "do_connect", refuse_twice)
    steps = app.queries.steps(request_id)
    event.remove(app.db.engine, "do_connect", refuse_twice)
    assert len(refusals) == 2 and [t.status for t in steps] == ["open"]


def test_a_database_that_stays_unreachable_is_unavailable_after_a_bounded_wait(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    _request_id, task_id, assignee = _waiting_decision(app)
    monkeypatch.setattr(database, "BACKOFF", (0.01, 0.01, 0.01))
    attempts = []

    def refuse(*_args: object) -> None:
        attempts.append(1)
        raise lost_connection(app)

    app.db.engine.dispose()
    event.listen(app.db.engine, "do_connect", refuse)
    try:
        with pytest.raises(UnavailableError, match="nothing was saved"):
            app.service.decide(task_id, assignee, "approve", "")
    finally:
        event.remove(app.db.engine, "do_connect", refuse)
    assert len(attempts) == 1 + len(database.BACKOFF)
    assert app.queries.task(task_id).is_open


def test_sqlite_held_locked_past_the_busy_timeout_is_unavailable_not_a_raw_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process holds the write lock (a backup, a long script): the action waits for
    the busy timeout, then the user is told to try again; nothing is written."""
    url = f"sqlite:///{tmp_path}/locked.sqlite3"
    monkeypatch.setenv(database.BUSY_TIMEOUT_ENV, "200")
    app = make_app(url, CHART_A, processes=PROCESSES)
    _request_id, task_id, assignee = _waiting_decision(app)
    before = footprint(app)
    holder = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(UnavailableError, match="busy"):
            app.service.decide(task_id, assignee, "approve", "")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert footprint(app) == before
    app.service.decide(task_id, assignee, "approve", "")  # the lock released: it goes through
    app.db.dispose()


def test_sqlite_durability_is_full_unless_normal_is_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def synchronous(name: str) -> int:
        db = database.Database(f"sqlite:///{tmp_path}/{name}.sqlite3")
        with db.reading() as s:
            value = s.connection().exec_driver_sql("PRAGMA synchronous").scalar()
        db.dispose()
        return int(value or 0)

    monkeypatch.delenv(database.SYNCHRONOUS_ENV, raising=False)
    assert synchronous("default") == 2  # FULL
    monkeypatch.setenv(database.SYNCHRONOUS_ENV, "normal")
    assert synchronous("normal") == 1
    monkeypatch.setenv(database.SYNCHRONOUS_ENV, "OFF")
    with pytest.raises(ValueError, match="FULL or NORMAL"):
        synchronous("off")
