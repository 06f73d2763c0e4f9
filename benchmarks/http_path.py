"""A decision over HTTP against the same decision through the engine (issue 11's goal: the
HTTP path at most 1.5x the engine's decide), in one process, interleaved route by route.

Each round submits two leave requests through the engine API; each of their three decisions
is made once through ``ApprovalService.decide`` and once through ``POST /tasks/<id>/decide``
(the Flask app in-process via its test client: signed in, CSRF on, audit on, the form as
the task page sends it, with its idempotency key; the redirect not followed). The HTTP figure
is the whole request: the session check, CSRF, the key's lookup and recording, the engine's
decide and the flashed message. The two take turns at going first, since whichever runs
second meets caches the other has just filled. No network between browser and server, so
the ratio is the web layer's own cost. Run on SQLite at NORMAL (the bench's setting) and FULL (a
default install), and on PostgreSQL (the multi-worker deployment), where each of the engine's
statements crosses a socket. Beside them, ``http_post_floor``: a signed-in form that does
nothing, what any POST pays here. ``python -m benchmarks.http_path [ROUNDS]`` prints them alone.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import workload
from benchmarks.memory import Browser
from benchmarks.postgres import fresh_pg
from benchmarks.stats import Figure, summarize


def decide_figures(tmp: Path, rounds: int = 40, synchronous: str | None = None,
                   postgresql: str | None = None) -> list[Figure]:
    """``synchronous``: SQLite's setting for this run (the bench's NORMAL when None; FULL is what
    a default install runs, where each commit waits for the disk on both sides).
    ``postgresql``: the URL of an empty database to run on instead of SQLite."""
    from approvals.identity import credentials
    from approvals.store.database import SYNCHRONOUS_ENV

    suffix = "_postgresql" if postgresql else f"_{synchronous.lower()}_sync" if synchronous else ""
    url = postgresql or f"sqlite:///{tmp}/http-path{suffix}.sqlite3"
    saved = dict(os.environ)  # the app reads its settings from the environment; make bench goes on after
    if synchronous:
        os.environ[SYNCHRONOUS_ENV] = synchronous
    try:
        app = workload.engine_app(url)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    who = workload.applicant(app)
    with app.db.transaction() as s:
        for person in app.orgcharts.current("xx-nrpb").people:
            credentials.set_password(s, person, "demo", app.clock.now())
    os.environ.update(APPROVALS_DATABASE_URL=url, APPROVALS_SECRET_KEY="bench-" + "x" * 40, APPROVALS_ADMINS="")
    from web import create_app

    try:
        web = create_app({"APPROVALS_ENGINE": app})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    _add_floor(web)
    browsers: dict[str, Browser] = {}
    engine_ms: list[float] = []
    http_ms: list[float] = []
    floor_ms: list[float] = []
    for round_no in range(rounds + 3):  # three warm-up rounds
        by_engine = app.service.submit(who, "leave", workload.FIELDS)
        by_http = app.service.submit(who, "leave", workload.FIELDS)
        for _ in range(3):
            a = next(t for t in app.queries.steps(by_engine) if t.is_open and t.kind in workload.DECISIONS)
            b = next(t for t in app.queries.steps(by_http) if t.is_open and t.kind in workload.DECISIONS)
            if b.assignee not in browsers:
                browsers[b.assignee] = Browser(web, b.assignee)
            browser = browsers[b.assignee]
            form = browser.form(decision="approve")
            engine_first = (round_no + len(engine_ms)) % 2 == 0  # whichever runs second pays the other's cache misses
            if engine_first:
                by_engine_ms = _engine_decide(app, a)
            start = time.perf_counter()
            response = browser.client.post(f"/tasks/{b.id}/decide", data=form)
            end = time.perf_counter()
            if not engine_first:
                by_engine_ms = _engine_decide(app, a)
            assert response.status_code == 302 and response.location.endswith("/inbox"), response.status_code
            floor_start = time.perf_counter()
            assert browser.client.post("/bench/floor", data=browser.form()).status_code == 302
            floor_end = time.perf_counter()
            with browser.client.session_transaction() as session:  # the inbox would show it, once
                session.pop("_flashes", None)
            if round_no >= 3:
                engine_ms.append(by_engine_ms)
                http_ms.append((end - start) * 1000)
                floor_ms.append((floor_end - floor_start) * 1000)
    app.db.dispose()
    ratio = summarize(f"http_decide_over_engine_decide_ratio{suffix}",
                      [h / e for h, e in zip(http_ms, engine_ms, strict=True)], "x", goal="<= 1.5")
    ratio.met = ratio.median <= 1.5
    return [summarize(f"engine_decide_in_process_ms{suffix}", engine_ms, "ms"),
            summarize(f"http_decide_in_process_ms{suffix}", http_ms, "ms"), ratio,
            summarize(f"http_post_floor_in_process_ms{suffix}", floor_ms, "ms")]


def _add_floor(web: Any) -> None:
    """A form that does nothing, on this process's app only: what any signed-in POST pays here
    (session cookie in and out, the sign-in check, CSRF, the form key, a flashed message, the
    redirect) before its own work, so the decide's overhead can be read against it."""
    from flask import flash, redirect
    from flask_login import login_required

    @web.post("/bench/floor")
    @login_required  # type: ignore[misc]
    def bench_floor() -> Any:
        flash("ok", "success")
        return redirect("/inbox")


def _engine_decide(app: workload.Approvals, task: Any) -> float:
    start = time.perf_counter()
    app.service.decide(task.id, task.assignee, "approve", "")
    return (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="approvals-http-path-") as tmp:
        rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
        for synchronous in (None, "FULL"):
            for figure in decide_figures(Path(tmp), rounds, synchronous):
                print(figure.line(), flush=True)
        pg = fresh_pg()
        for figure in decide_figures(Path(tmp), rounds, postgresql=pg) if pg else []:
            print(figure.line(), flush=True)
