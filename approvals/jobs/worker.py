"""``approvals worker``: the background process beside the web server, running scheduled jobs.

A plain loop, no Flask and no extra service: each job has its own interval and runs first at
start-up, a job that fails is logged and tried again at its next turn, and SIGTERM or SIGINT
stop it at once: the wait between jobs is interruptible, and the delivery job watches the same
stop flag, leaving a message it was sending to its lease (``delivery.py``) rather than waiting
for a hanging receiver.

Jobs today: signing an audit checkpoint every ``APPROVALS_CHECKPOINT_EVERY`` minutes (when
``APPROVALS_CHECKPOINT_KEY`` and ``APPROVALS_CHECKPOINT_DIR`` are set), pruning the access
log once a day, forgetting form keys (store/idempotency.py) older than a day every hour,
delivering notifications every ``APPROVALS_DELIVERY_EVERY`` seconds and the
daily reminder scan every hour (approvals/jobs/notify.py).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from approvals.app import Approvals
from approvals.audit import access_log, checkpoints
from approvals.errors import ApprovalsError
from approvals.jobs import notify as notification_jobs
from approvals.store import idempotency

log = logging.getLogger("approvals.worker")

KEY_ENV, DIR_ENV, EVERY_ENV = "APPROVALS_CHECKPOINT_KEY", "APPROVALS_CHECKPOINT_DIR", "APPROVALS_CHECKPOINT_EVERY"
DEFAULT_EVERY_MINUTES = 60.0
HOUR = 3600.0
DAY = 24 * HOUR


@dataclass
class Job:
    name: str
    every: float  # seconds
    run: Callable[[], str]  # returns one line for the log; "" when nothing happened (nothing logged)
    due: float = 0.0  # monotonic time of the next run; 0: at start-up


class Worker:
    def __init__(self, jobs: list[Job], clock: Callable[[], float] = time.monotonic,
                 stopping: threading.Event | None = None) -> None:
        """``stopping``: the flag SIGTERM/SIGINT set; pass the one the jobs watch."""
        self.jobs = jobs
        self.clock = clock
        self.stopping = stopping or threading.Event()

    def run_due(self) -> None:
        """Run every job whose time has come (each at most once)."""
        for job in self.jobs:
            if self.stopping.is_set() or self.clock() < job.due:
                continue
            job.due = self.clock() + job.every
            try:
                line = job.run()
                if line:
                    log.info("%s: %s", job.name, line)
            except ApprovalsError as exc:
                log.error("%s failed: %s", job.name, exc)
            except Exception:  # noqa: BLE001 - one bad run must not stop the other jobs
                log.exception("%s failed", job.name)

    def stop(self, signum: int = signal.SIGTERM, _frame: FrameType | None = None) -> None:
        log.info("worker stopping (%s)", signal.Signals(signum).name)
        self.stopping.set()

    def run(self) -> None:
        """Until SIGTERM/SIGINT: run what is due, then sleep until the next job is."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("worker started: %s", ", ".join(f"{j.name} every {j.every:g} s" for j in self.jobs) or "no jobs")
        while not self.stopping.is_set():
            self.run_due()
            next_due = min((j.due for j in self.jobs), default=self.clock() + 3600)
            self.stopping.wait(max(0.05, next_due - self.clock()))
        log.info("worker stopped")


def checkpoint_job(app: Approvals, key_path: Path, out: Path) -> Callable[[], str]:
    """Verify the chain against the checkpoints in ``out`` and sign a new one there."""
    key = checkpoints.load_private_key(key_path)  # at start-up: a bad key stops the worker with the reason

    def run() -> str:
        point = checkpoints.take(app.db, key, out, app.clock.now(), source="worker")
        return f"checkpoint written: {out / point.name} (entry #{point.seq})"

    return run


def prune_job(app: Approvals, days: int) -> Callable[[], str]:
    def run() -> str:
        count = access_log.prune(app.db, app.clock.now(), days)
        return f"access log: deleted {count} view(s) older than {days} days" if count else ""

    return run


def forget_keys_job(app: Approvals) -> Callable[[], str]:
    def run() -> str:
        count = idempotency.forget_old(app.db, app.clock.now())
        return f"forgot {count} form key(s) older than a day" if count else ""

    return run


def jobs_from_env(app: Approvals, env: Mapping[str, str] | None = None,
                  stopping: threading.Event | None = None) -> list[Job]:
    """``stopping``: the worker's stop flag, which a long job (delivery) watches to end at once."""
    env = os.environ if env is None else env
    jobs = [Job("deliver notifications", notification_jobs.every(env),
                notification_jobs.delivery_job(app, env, stopping)),
            Job("reminders", notification_jobs.SCAN_EVERY, notification_jobs.scan_job(app)),
            Job("prune access log", DAY, prune_job(app, access_log.retention_days(env))),
            Job("forget form keys", HOUR, forget_keys_job(app))]
    key, out = env.get(KEY_ENV), env.get(DIR_ENV)
    if key and out:
        minutes = _minutes(env.get(EVERY_ENV))
        jobs.insert(0, Job("audit checkpoint", minutes * 60, checkpoint_job(app, Path(key), Path(out))))
    else:
        log.warning("audit checkpoints are OFF: set %s (private key) and %s (directory outside the database) "
                    "to sign one every %s minutes", KEY_ENV, DIR_ENV, env.get(EVERY_ENV) or DEFAULT_EVERY_MINUTES)
    return jobs


def _minutes(raw: str | None) -> float:
    try:
        minutes = float(raw or DEFAULT_EVERY_MINUTES)
    except ValueError:
        minutes = 0.0
    if not minutes > 0:
        raise ApprovalsError(f"{EVERY_ENV}={raw!r}: expected a number of minutes above 0 (default "
                             f"{DEFAULT_EVERY_MINUTES:g})")
    return minutes
