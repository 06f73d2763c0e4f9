"""Fault-injection load: actions run while a share of SQL statements fail, and some COMMITs
succeed but lose their answer; what the user would see is counted, and the database checked.

A simulated user submits leave requests and decides them. Every action carries a form key
(as the web's forms do, store/idempotency.py); when told the database is unavailable it
sends the same form again, up to a few times, as a person pressing the button again would.
Afterwards the database is compared with what the user was told:

    attempted         actions the user started
    committed         actions the user was told went through (first answer or a resend)
    refused_cleanly   answers that were UnavailableError / ConflictError (503 / 409 pages)
    raw_errors        anything else (a 500 page)             goal 0
    lost_or_doubled   told done but not in the database, or in it twice    goal 0

plus the audit chain's verification. Nothing here asserts a time.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from approvals.audit import chain as audit
from approvals.errors import AlreadyDoneError, ApprovalsError, ConflictError, UnavailableError
from approvals.store import database, idempotency
from approvals.store.models import AuditEntry
from benchmarks import workload
from benchmarks.stats import Figure, summarize

RESENDS = 10  # a person gives up after pressing the button this many more times


def _lost_connection(dialect: str) -> Exception:
    if dialect == "sqlite":
        return sqlite3.OperationalError("disk I/O error")
    import psycopg

    return psycopg.OperationalError("server closed the connection unexpectedly")


@contextmanager
def faults(app: workload.Approvals, rate: float, seed: int) -> Iterator[None]:
    """``rate`` of statements fail before reaching the database; ``rate / 4`` of COMMITs go
    through and then lose their answer (the case a user cannot tell from a failure)."""
    rng, dialect = random.Random(seed), app.db.engine.dialect
    real_commit = dialect.do_commit

    def statement(*_args: Any) -> None:
        if rng.random() < rate:
            raise _lost_connection(dialect.name)

    def commit(dbapi_connection: Any) -> None:
        real_commit(dbapi_connection)
        if rng.random() < rate / 4:
            raise _lost_connection(dialect.name)

    event.listen(app.db.engine, "before_cursor_execute", statement)
    dialect.do_commit = commit  # type: ignore[method-assign]
    try:
        yield
    finally:
        event.remove(app.db.engine, "before_cursor_execute", statement)
        dialect.do_commit = real_commit  # type: ignore[method-assign]


class User:
    """Sends each action with a form key, resends it while the answer is 'unavailable'."""

    def __init__(self) -> None:
        self.answers: Counter[str] = Counter()
        self.done: Counter[str] = Counter()  # actions the user was told went through, by kind
        self.attempted = 0
        self._keys = 0

    def act(self, kind: str, action: Callable[[], Any]) -> Any:
        self.attempted += 1
        self._keys += 1
        key = f"{self._keys:032x}"
        for _ in range(1 + RESENDS):
            try:
                with idempotency.claiming(idempotency.Claim(key, "bench", kind)):
                    result = action()
                self.done[kind] += 1
                return result
            except AlreadyDoneError:  # a resend of a form whose first send went through
                self.answers["AlreadyDoneError (resend recognised)"] += 1
                self.done[kind] += 1
                return None
            except UnavailableError as exc:
                self.answers["UnavailableError" + (" (may have been saved)" if exc.outcome_unknown else "")] += 1
                continue
            except ConflictError:
                self.answers["ConflictError"] += 1
                continue
            except ApprovalsError as exc:
                self.answers[type(exc).__name__] += 1
                return None
            except Exception as exc:  # noqa: BLE001 - counted: this is what a user sees as a 500
                self.answers["raw " + type(exc).__name__] += 1
                return None
        return None

    def read(self, fn: Callable[[], Any]) -> Any:
        """A page read: reloaded until it shows (the 503 page reloads itself)."""
        for _ in range(20):
            try:
                return fn()
            except UnavailableError:
                self.answers["UnavailableError (read)"] += 1
        raise RuntimeError("a read kept failing")


def _work(app: workload.Approvals, user: User, who: str, requests: int) -> None:
    for _ in range(requests):
        request_id = user.act("submitted", lambda: app.service.submit(who, "leave", workload.FIELDS))
        if request_id is None:
            continue
        for _ in range(3):
            steps = user.read(lambda rid=request_id: app.queries.steps(rid))
            task = next((t for t in steps if t.is_open and t.kind in workload.DECISIONS), None)
            if task is None:
                break
            user.act("decided", lambda t=task: app.service.decide(t.id, t.assignee, "approve", ""))


def _in_database(app: workload.Approvals) -> tuple[Counter[str], bool]:
    with app.db.reading() as s:
        counts = Counter({a: n for a, n in s.execute(select(AuditEntry.action, func.count())
                                                     .group_by(AuditEntry.action))})
        return counts, audit.verify(s).ok


def fault_load(url: str, label: str, rate: float, requests: int, seed: int = 1) -> list[Figure]:
    app = workload.engine_app(url)
    who = workload.applicant(app)
    before, _ok = _in_database(app)
    user = User()
    saved_backoff = database.BACKOFF
    database.BACKOFF = (0.001, 0.002, 0.004)  # the retry path runs; the bench need not sleep
    try:
        with faults(app, rate, seed):
            _work(app, user, who, requests)
    finally:
        database.BACKOFF = saved_backoff
    after, chain_ok = _in_database(app)
    app.db.dispose()
    wrong = sum(abs((after[k] - before[k]) - user.done[k]) for k in ("submitted", "decided"))
    raw = sum(n for k, n in user.answers.items() if k.startswith("raw"))
    clean = sum(n for k, n in user.answers.items() if not k.startswith(("raw", "AlreadyDone")))
    name = f"faults_{label}_{round(rate * 100)}pct"
    print(json.dumps({"name": f"{name}_answers", **user.answers}, ensure_ascii=False), flush=True)

    def count(what: str, value: float, goal: str = "", met: bool | None = None) -> Figure:
        return Figure(f"{name}_{what}", value, value, 0.0, 1, "count", goal=goal, met=met)

    return [count("actions_attempted", user.attempted),
            count("actions_committed", sum(user.done.values())),
            count("actions_given_up", user.attempted - sum(user.done.values())),
            count("answers_refused_cleanly", clean),
            count("raw_errors", raw, "0", raw == 0),
            count("actions_lost_or_doubled", wrong, "0", wrong == 0),
            count("audit_chain_broken", 0 if chain_ok else 1, "0", chain_ok)]


def _app_with_synchronous(url: str, mode: str) -> workload.Approvals:
    saved = os.environ.get(database.SYNCHRONOUS_ENV)
    os.environ[database.SYNCHRONOUS_ENV] = mode
    try:
        return workload.engine_app(url)
    finally:
        if saved is None:
            del os.environ[database.SYNCHRONOUS_ENV]
        else:
            os.environ[database.SYNCHRONOUS_ENV] = saved


def synchronous_cost(tmp: Path, rounds: int) -> list[Figure]:
    """SQLite's durability setting: one engine step (submit or decision) with FULL and with
    NORMAL, the two databases taking turns so both see the same machine."""
    apps = {mode: _app_with_synchronous(f"sqlite:///{tmp}/sync-{mode}.sqlite3", mode) for mode in ("NORMAL", "FULL")}
    who = workload.applicant(apps["FULL"])
    steps: dict[str, list[float]] = {mode: [] for mode in apps}
    for _ in range(rounds):
        for mode, app in apps.items():
            start = time.perf_counter()
            workload.engine_flow(app, who)
            steps[mode].append((time.perf_counter() - start) * 1000 / 4)
    for app in apps.values():
        app.db.dispose()
    ratio = summarize("sqlite_step_synchronous_full_over_normal_ratio",
                      [f / n for f, n in zip(steps["FULL"], steps["NORMAL"], strict=True)], "x")
    return [summarize("sqlite_step_ms_synchronous_normal", steps["NORMAL"], "ms"),
            summarize("sqlite_step_ms_synchronous_full", steps["FULL"], "ms"), ratio]


def figures(tmp: Path, pg_url: str | None, requests: int = 40) -> list[Figure]:
    """``make bench``: fault loads at 1% and 10% on SQLite, 5% on PostgreSQL (when a server
    answers), and what SQLite's FULL durability costs over NORMAL."""
    found = [*fault_load(f"sqlite:///{tmp}/faults-1.sqlite3", "sqlite", 0.01, requests),
             *fault_load(f"sqlite:///{tmp}/faults-10.sqlite3", "sqlite", 0.10, requests)]
    if pg_url is not None:
        found += fault_load(pg_url, "postgresql", 0.05, requests)
    return [*found, *synchronous_cost(tmp, 20)]
