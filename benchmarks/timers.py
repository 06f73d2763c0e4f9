"""The timer scan (超时处理, approvals/operations/timeouts.py) at 100k open tasks, each with a
timer, 10k of them due: one scan forgets the timers of closed tasks and claims every due timer,
goal <= 1 s; the Python heap after each of 10 scans stays flat (goal: under 1 MB of growth).

The scan worked here claims all 10k due timers at once (the worker claims 200 per scan); each
scan's transaction is rolled back, so every scan sees the same 10k due. Firing a timer is a
decision (an engine step, ``engine_decide_ms``), not part of the scan.
``python -m benchmarks.timers [sqlite|postgresql URL]`` prints the figures alone; ``make bench``
includes them.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from approvals.operations import timeouts
from approvals.store.models import StepTimer, Task
from benchmarks import workload
from benchmarks.stats import Figure, summarize

OPEN, DUE, SCANS = 100_000, 10_000, 10
NOW = datetime(2026, 3, 2, 10, 0)


def _fill(url: str) -> workload.Approvals:
    app = workload.engine_app(url)
    hot = app.orgcharts.current("xx-nrpb").posts["organ_leader"]
    workload.generate_history(app, 0, OPEN, hot, hot_share=0.067)
    with app.db.writing() as conn:
        tasks = conn.execute(select(Task.id, Task.request_id).where(Task.is_open.is_(True))).all()
        rows = [{"task_id": t.id, "request_id": t.request_id, "timer_id": "auto_pass", "fired": 0, "claim": None,
                 "claimed_until": None,
                 "fire_at": NOW - timedelta(minutes=i % 60) if i < DUE else NOW + timedelta(hours=1 + i % 500)}
                for i, t in enumerate(tasks)]
        for start in range(0, len(rows), 20_000):
            conn.execute(insert(StepTimer), rows[start:start + 20_000])
    return app


def _scan(app: workload.Approvals) -> tuple[float, int]:
    """One scan as ``run_due`` makes it, every due timer claimed; rolled back."""
    with app.db.engine.connect() as conn:
        transaction = conn.begin()
        start = time.perf_counter()
        conn.execute(timeouts._FORGET_CLOSED, {"now": NOW})
        claimed = timeouts.claim(conn, NOW, secrets.token_hex(8), DUE + 1)
        took = time.perf_counter() - start
        transaction.rollback()
    return took, len(claimed)


def figures(url: str, label: str) -> list[Figure]:
    app = _fill(url)
    _scan(app)  # warm the caches
    tracemalloc.start()
    times, heaps = [], []
    for _ in range(SCANS):
        took, claimed = _scan(app)
        assert claimed == DUE, claimed
        times.append(took * 1000)
        heaps.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    app.db.dispose()
    scan = summarize(f"timer_scan_ms_{label}_{OPEN}_open_{DUE}_due", times, "ms", goal="<= 1000 ms")
    scan.met = max(times) <= 1000
    growth = (heaps[-1] - heaps[0]) / 1024
    heap = Figure(f"timer_scan_heap_growth_kb_over_{SCANS}_scans_{label}", growth, growth, 0.0, SCANS, "KB",
                  goal="flat (< 1024 KB)", met=growth < 1024)
    return [scan, heap]


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    if target == "sqlite":
        found = figures(f"sqlite:///{tempfile.mkdtemp(prefix='approvals-bench-')}/timers.sqlite3", "sqlite")
    else:
        found = figures(target, "postgresql")
    for figure in found:
        print(figure.line())
