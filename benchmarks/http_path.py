"""A decision over HTTP against the same decision through the engine (issue 11's goal: the
HTTP path at most 1.5x the engine's decide), in one process, interleaved route by route.

Each round submits two leave requests through the engine API; each of their three decisions
is made once through ``ApprovalService.decide`` and once through ``POST /tasks/<id>/decide``
(the Flask app in-process via its test client: signed in, CSRF on, audit on, the form as
the task page sends it, with its idempotency key; the redirect not followed). The HTTP figure
is the whole request: the session check, CSRF, the key's lookup and recording, the engine's
decide and the flashed message. The two take turns at going first, since whichever runs
second meets caches the other has just filled. No network, so the ratio is the web layer's
own cost. ``python -m benchmarks.http_path [ROUNDS]`` prints the figures alone.
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
from benchmarks.stats import Figure, summarize


def decide_figures(tmp: Path, rounds: int = 40) -> list[Figure]:
    from approvals import credentials

    url = f"sqlite:///{tmp}/http-path.sqlite3"
    app = workload.engine_app(url)
    who = workload.applicant(app)
    with app.db.transaction() as s:
        for person in app.orgcharts.current("xx-nrpb").people:
            credentials.set_password(s, person, "demo", app.clock.now())
    saved = dict(os.environ)  # the app reads its settings from the environment; make bench goes on after
    os.environ.update(APPROVALS_DATABASE_URL=url, APPROVALS_SECRET_KEY="bench-" + "x" * 40, APPROVALS_ADMINS="")
    from web import create_app

    try:
        web = create_app({"APPROVALS_ENGINE": app})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    browsers: dict[str, Browser] = {}
    engine_ms: list[float] = []
    http_ms: list[float] = []
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
            with browser.client.session_transaction() as session:  # the inbox would show it, once
                session.pop("_flashes", None)
            if round_no >= 3:
                engine_ms.append(by_engine_ms)
                http_ms.append((end - start) * 1000)
    app.db.dispose()
    ratio = summarize("http_decide_over_engine_decide_ratio",
                      [h / e for h, e in zip(http_ms, engine_ms, strict=True)], "x", goal="<= 1.5")
    ratio.met = ratio.median <= 1.5
    return [summarize("engine_decide_in_process_ms", engine_ms, "ms"),
            summarize("http_decide_in_process_ms", http_ms, "ms"), ratio]


def _engine_decide(app: workload.Approvals, task: Any) -> float:
    start = time.perf_counter()
    app.service.decide(task.id, task.assignee, "approve", "")
    return (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="approvals-http-path-") as tmp:
        for figure in decide_figures(Path(tmp), int(sys.argv[1]) if len(sys.argv) > 1 else 40):
            print(figure.line(), flush=True)
