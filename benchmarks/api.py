"""The open API's cost (issue 21's goals): a decision through ``POST /api/v1/tasks/{id}/decide``
against the same decision through the engine (goal: at most 1.3x), interleaved route by route,
and a person's inbox through ``GET /api/v1/me/inbox`` with 100k open tasks (goal: p95 < 5 ms),
both on SQLite, the Flask app in-process through its test client with a personal access token
(bearer check, scope, rate limit, JSON), no network. ``python -m benchmarks.api [ROUNDS
[OPEN]]`` prints the figures alone; ``make bench`` includes them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from approvals.identity.api_access import ApiAccess
from benchmarks import workload
from benchmarks.stats import Figure, summarize, timed


def _web(app: workload.Approvals, url: str) -> Any:
    saved = dict(os.environ)
    os.environ.update(APPROVALS_DATABASE_URL=url, APPROVALS_SECRET_KEY="bench-" + "x" * 40, APPROVALS_ADMINS="")
    from web import create_app

    try:
        return create_app({"APPROVALS_ENGINE": app, "APPROVALS_API_RATE_PER_MINUTE": 10**9})
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _engine_decide(app: workload.Approvals, task: Any) -> float:
    start = time.perf_counter()
    app.service.decide(task.id, task.assignee, "approve", "")
    return (time.perf_counter() - start) * 1000


def decide_figures(tmp: Path, rounds: int = 40) -> list[Figure]:
    url = f"sqlite:///{tmp}/api-decide.sqlite3"
    app = workload.engine_app(url)
    web = _web(app, url)
    client = web.test_client()
    access = ApiAccess(app.db, app.clock)
    tokens: dict[str, str] = {}
    who = workload.applicant(app)
    engine_ms: list[float] = []
    api_ms: list[float] = []
    for round_no in range(rounds + 3):  # three warm-up rounds
        by_engine = app.service.submit(who, "leave", workload.FIELDS)
        by_api = app.service.submit(who, "leave", workload.FIELDS)
        for _ in range(3):
            a = next(t for t in app.queries.steps(by_engine) if t.is_open and t.kind in workload.DECISIONS)
            b = next(t for t in app.queries.steps(by_api) if t.is_open and t.kind in workload.DECISIONS)
            if b.assignee not in tokens:
                tokens[b.assignee] = access.create_token(b.assignee, "bench", ["read", "tasks:write"], 1).token
            headers = {"Authorization": f"Bearer {tokens[b.assignee]}"}
            engine_first = (round_no + len(engine_ms)) % 2 == 0  # the second pays the first's cache misses
            if engine_first:
                by_engine_ms = _engine_decide(app, a)
            start = time.perf_counter()
            response = client.post(f"/api/v1/tasks/{b.id}/decide", json={"decision": "approve"}, headers=headers)
            end = time.perf_counter()
            if not engine_first:
                by_engine_ms = _engine_decide(app, a)
            assert response.status_code == 200, response.get_data(as_text=True)
            if round_no >= 3:
                engine_ms.append(by_engine_ms)
                api_ms.append((end - start) * 1000)
    app.db.dispose()
    ratio = summarize("api_decide_over_engine_decide_ratio", [h / e for h, e in zip(api_ms, engine_ms, strict=True)],
                      "x", goal="<= 1.3")
    ratio.met = ratio.median <= 1.3
    return [summarize("engine_decide_ms_beside_api", engine_ms, "ms"),
            summarize("api_decide_in_process_ms", api_ms, "ms"), ratio]


def inbox_figures(tmp: Path, open_tasks: int = 100_000, goal_ms: float = 5.0) -> list[Figure]:
    url = f"sqlite:///{tmp}/api-inbox.sqlite3"
    app = workload.engine_app(url)
    hot = app.orgcharts.current("xx-nrpb").posts["organ_leader"]
    workload.generate_history(app, 0, open_tasks, hot, hot_share=0.067)
    web = _web(app, url)
    client = web.test_client()
    token = ApiAccess(app.db, app.clock).create_token(hot, "bench", ["read"], 1).token
    headers = {"Authorization": f"Bearer {token}"}

    def page() -> None:
        response = client.get("/api/v1/me/inbox?limit=20", headers=headers)
        assert response.status_code == 200 and len(response.get_json()["items"]) == 20, response.status_code

    timed(page, 20)
    samples = timed(page, 300)
    app.db.dispose()
    figure = summarize(f"api_inbox_page_sqlite_{open_tasks}_open", samples, "ms", goal=f"p95 < {goal_ms} ms")
    figure.met = figure.p95 < goal_ms
    return [figure]


def figures(tmp: Path, rounds: int = 40, open_tasks: int = 100_000) -> list[Figure]:
    return [*decide_figures(tmp, rounds), *inbox_figures(tmp, open_tasks)]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="approvals-api-bench-") as tmp:
        rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
        open_tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
        for figure in figures(Path(tmp), rounds, open_tasks):
            print(figure.line(), flush=True)
