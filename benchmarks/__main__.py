"""`make bench`: engine overhead against bare SpiffWorkflow, the safe expression evaluator against
the eval it replaced, a 会签 step of five people next to a single step (benchmarks/groups.py),
flat with history, inbox at scale, memory, actions under injected database faults
(benchmarks/faults.py), audit verification per 100k entries, SM3 against SHA-256 per entry,
the timer scan at 100k open tasks (benchmarks/timers.py), the open API's decide against the
engine's and its inbox at 100k open (benchmarks/api.py). Prints one JSON line per figure and
rewrites the table in docs/performance.md.

Every figure is a median over repeated runs, with its baseline measured in the same run
(this machine is shared and noisy): ratios, not lone absolute times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from approvals.store.database import SYNCHRONOUS_ENV
from benchmarks import api as api_costs
from benchmarks import faults, workload
from benchmarks import notifications as notification_costs
from benchmarks import timers as timer_scan
from benchmarks.audit_sm3 import audit_sm3
from benchmarks.audit_verify import audit_verify
from benchmarks.expressions import safe_evaluator
from benchmarks.groups import group_figures
from benchmarks.http_path import decide_figures
from benchmarks.postgres import fresh_pg
from benchmarks.report import write_table
from benchmarks.stats import Figure, summarize, timed


def engine_overhead(tmp: Path, rounds: int) -> list[Figure]:
    """Bare Spiff and the engine interleaved, route by route, so both see the same machine.
    Per-step costs (submit, decide) and the ratio of the whole route, engine over bare."""
    app = workload.engine_app(f"sqlite:///{tmp}/overhead.sqlite3")
    who = workload.applicant(app)
    definition, variables = workload.bare_inputs(app, who)
    for _ in range(5):  # warm caches on both sides
        workload.bare_flow(definition, variables)
        workload.engine_steps(app, who)
    bare, engine = [], []
    for _ in range(rounds):
        bare.append(workload.bare_flow(definition, variables))
        engine.append(workload.engine_steps(app, who))
    app.db.dispose()
    ratio = summarize("engine_step_over_bare_spiff_ratio", [sum(e) / sum(b) for b, e in zip(bare, engine, strict=True)],
                      "x", goal="<= 2.0")
    ratio.met = ratio.median <= 2.0
    return [summarize("bare_spiff_step_ms", [sum(b) / 4 for b in bare], "ms"),
            summarize("engine_step_ms", [sum(e) / 4 for e in engine], "ms"), ratio,
            summarize("bare_spiff_start_ms", [b[0] for b in bare], "ms"),
            summarize("engine_submit_ms", [e[0] for e in engine], "ms"),
            summarize("bare_spiff_complete_task_ms", [x for b in bare for x in b[1:]], "ms"),
            summarize("engine_decide_ms", [x for e in engine for x in e[1:]], "ms"),
            summarize("engine_submit_over_bare_start_ratio", [e[0] / b[0] for b, e in zip(bare, engine, strict=True)],
                      "x"),
            summarize("engine_decide_over_bare_complete_ratio",
                      [sum(e[1:]) / sum(b[1:]) for b, e in zip(bare, engine, strict=True)], "x")]


def _history_app(url: str, requests: int, open_tasks: int) -> tuple[workload.Approvals, str]:
    app = workload.engine_app(url)
    hot = app.orgcharts.current("xx-nrpb").posts["organ_leader"]
    workload.generate_history(app, requests, open_tasks, hot, hot_share=0.067)
    return app, hot


def history(tmp: Path, sizes: list[int], rounds: int) -> list[Figure]:
    """The engine step with each number of stored requests, the databases taking turns round
    by round (so a burst of load on this shared machine hits every size alike); drift is each
    round's step over the same round's step at the smallest size."""
    apps = {size: _history_app(f"sqlite:///{tmp}/history-{size}.sqlite3", size, 0)[0] for size in sizes}
    who = {size: workload.applicant(app) for size, app in apps.items()}
    for size, app in apps.items():
        for _ in range(3):
            workload.engine_steps(app, who[size])
    steps: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(rounds):
        for size, app in apps.items():
            steps[size].append(sum(workload.engine_steps(app, who[size])) / 4)
    figures: list[Figure] = []
    base = steps[sizes[0]]
    for size in sizes:
        figures.append(summarize(f"engine_step_ms_with_{size}_requests", steps[size], "ms"))
        drift = summarize(f"step_vs_1k_with_{size}_requests",
                          [s / b for s, b in zip(steps[size], base, strict=True)], "x", goal="within +/-10% of 1k")
        drift.met = abs(drift.median - 1) <= 0.10
        figures.append(drift)
        figures.append(summarize(f"approvals_per_s_with_{size}_requests", [1000 / s for s in steps[size]], "1/s"))
        apps[size].db.dispose()
    return figures


def inbox(url: str, label: str, open_tasks: int, goal_ms: float, http_goal_ms: float = 5.0) -> list[Figure]:
    """The organ leader's inbox (first page + count) in the engine API, then over HTTP (GET
    /inbox, signed in, one gunicorn worker, rendered page) on the same database."""
    from benchmarks.http_load import inbox_latency

    app, hot = _history_app(url, 0, open_tasks)
    chart = app.orgcharts.current("xx-nrpb")
    timed(lambda: app.queries.inbox(chart, hot), 20)
    samples = timed(lambda: app.queries.inbox(chart, hot), 300)
    figure = summarize(f"inbox_page_and_count_{label}_{open_tasks}_open", samples, "ms", goal=f"p95 < {goal_ms} ms")
    figure.met = figure.p95 < goal_ms
    before = workload.yardstick_ms(app)
    latencies = inbox_latency(url, hot, 300)
    yardstick = (before + workload.yardstick_ms(app)) / 2  # the machine's speed around the HTTP samples
    app.db.dispose()
    web = summarize(f"http_inbox_page_{label}_{open_tasks}_open", latencies, "ms")
    scale = workload.QUIET_YARDSTICK_MS / yardstick
    quiet = summarize(f"http_inbox_page_{label}_{open_tasks}_open_on_a_quiet_host",
                      [ms * scale for ms in latencies], "ms",
                      goal=f"p95 < {http_goal_ms} ms (times x {workload.QUIET_YARDSTICK_MS} ms / this run's "
                           f"yardstick {yardstick:.3f} ms)")
    quiet.met = quiet.p95 < http_goal_ms
    return [figure, web, quiet]


def memory(tmp: Path, actions: int) -> list[Figure]:
    """One web worker's process (Flask app, decisions over its real endpoint) serving ``actions``
    actions: peak RSS (VmHWM) and the RSS slope over the second half of the run."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.memory", str(tmp / "memory.sqlite3"), str(actions)],
                         capture_output=True, text=True, check=True, env={**os.environ})
    lines = [line.split()[:2] for line in out.stdout.split("\n") if line.strip()]  # more columns: --heap
    peak_mb = next(float(v) for k, v in lines if k == "peak")
    samples = [(float(k), float(v)) for k, v in lines if k != "peak"]
    half = samples[len(samples) // 2:]
    n = len(half)
    mean_x = sum(x for x, _ in half) / n
    mean_y = sum(y for _, y in half) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in half) / sum((x - mean_x) ** 2 for x, _ in half)
    peak = Figure(f"peak_rss_mb_worker_after_{actions}_actions", peak_mb, peak_mb, 0.0, 1, "MB")
    drift = Figure("rss_slope_kb_per_1000_actions_second_half", slope * 1024 * 1000, slope * 1024 * 1000, 0.0,
                   n, "KB", goal="flat (< 256 KB per 1000 actions)")
    drift.met = drift.median < 256
    return [peak, drift]


def http(tmp: Path, per_approver: int = 40, repeats: int = 5) -> list[Figure]:
    """gunicorn 1 and 2 workers on PostgreSQL (alternating), 1 worker on SQLite."""
    from benchmarks.http_load import run

    results: dict[str, list[dict[str, float]]] = {"pg1": [], "pg2": [], "sqlite1": []}
    for i in range(repeats):
        for workers in (1, 2):  # alternating, so both see the same machine
            url = fresh_pg()
            if url is not None:
                results[f"pg{workers}"].append(run(url, workers, per_approver))
        results["sqlite1"].append(run(f"sqlite:///{tmp}/http-{i}.sqlite3", 1, per_approver))
    figures = []
    for key, label in (("pg1", "postgresql_1_worker"), ("pg2", "postgresql_2_workers"), ("sqlite1", "sqlite_1_worker")):
        if results[key]:
            figures.append(summarize(f"http_approvals_per_s_{label}", [r["approvals_per_s"] for r in results[key]],
                                     "1/s"))
    if results["pg1"] and results["pg2"]:
        pairs = zip(results["pg1"], results["pg2"], strict=True)
        ratios = [two["approvals_per_s"] / one["approvals_per_s"] for one, two in pairs]
        scale = summarize("http_2_workers_over_1_postgresql", ratios, "x", goal=">= 1.5")
        scale.met = scale.median >= 1.5
        figures.append(scale)
    runs = [r for rs in results.values() for r in rs]
    bad = [r["errors"] + abs(r["decided_in_db"] - r["ok"]) + abs(r["audit_decisions"] - r["ok"]) for r in runs]
    integrity = Figure("http_errors_plus_decisions_lost_or_doubled", float(sum(bad)), float(max(bad)), 0.0,
                       len(runs), "count", goal="0", met=sum(bad) == 0)
    figures.append(integrity)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--history", type=int, default=100_000,
                        help="largest stored-request count; at 1,000,000 and above only the figures that "
                             "depend on it run (history against 1k, inboxes), under `make bench-1m`")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    big = args.history >= 1_000_000
    # The figures before this round's were taken on SQLite's synchronous=NORMAL; they stay
    # comparable. What FULL (the default, docs/reliability.md) costs is its own figure.
    os.environ.setdefault(SYNCHRONOUS_ENV, "NORMAL")
    command = "make bench-1m" if big else "make bench"
    tmp = Path(tempfile.mkdtemp(prefix="approvals-bench-"))
    steps: list[Callable[[], list[Figure]]] = [
        lambda: history(tmp, sorted({1000, args.history}), args.rounds),
        lambda: inbox(f"sqlite:///{tmp}/inbox.sqlite3", "sqlite", args.history, 2.5),
        lambda: _pg_inbox(args.history),
    ]
    if not big:
        steps = [lambda: engine_overhead(tmp, args.rounds), lambda: notification_costs.figures(tmp, args.rounds),
                 lambda: safe_evaluator(args.rounds), lambda: group_figures(tmp, args.rounds), *steps,
                 lambda: http(tmp), lambda: decide_figures(tmp, args.rounds),
                 lambda: decide_figures(tmp, args.rounds, synchronous="FULL"), lambda: _pg_decide(tmp, args.rounds),
                 lambda: api_costs.figures(tmp, args.rounds, args.history),
                 lambda: memory(tmp, 10_000), lambda: faults.figures(tmp, fresh_pg()),
                 lambda: audit_verify(tmp), lambda: audit_sm3(tmp),
                 lambda: timer_scan.figures(f"sqlite:///{tmp}/timers.sqlite3", "sqlite"), lambda: _pg_timers()]
    figures: list[Figure] = []
    try:
        for step in steps:
            for figure in step():
                figure.command = command
                print(figure.line(), flush=True)
                figures.append(figure)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_table(figures, Path(__file__).resolve().parent.parent / "docs" / "performance.md")


def _pg_decide(tmp: Path, rounds: int) -> list[Figure]:
    url = fresh_pg()
    if url is None:
        print('{"name": "http_decide_postgresql", "skipped": "no PostgreSQL server answered"}')
        return []
    return decide_figures(tmp, rounds, postgresql=url)


def _pg_timers() -> list[Figure]:
    url = fresh_pg()
    if url is None:
        print('{"name": "timer_scan_postgresql", "skipped": "no PostgreSQL server answered"}')
        return []
    return timer_scan.figures(url, "postgresql")


def _pg_inbox(open_tasks: int) -> list[Figure]:
    url = fresh_pg()
    if url is None:
        print('{"name": "inbox_postgresql", "skipped": "no PostgreSQL server answered"}')
        return []
    return inbox(url, "postgresql", open_tasks, 2.5)


if __name__ == "__main__":
    main()
