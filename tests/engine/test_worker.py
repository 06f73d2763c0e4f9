"""`approvals worker`: scheduled jobs, each at its own interval; the first signs an audit
checkpoint when a key and a directory are configured, and says clearly when they are not."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from approvals.app import Approvals
from approvals.audit import checkpoints, verifications
from approvals.errors import ApprovalsError
from approvals.jobs import worker


def _env(tmp_path: Path, every: str = "1") -> dict[str, str]:
    private, _public = checkpoints.keygen(tmp_path / "keys")
    return {worker.KEY_ENV: str(private), worker.DIR_ENV: str(tmp_path / "checkpoints"), worker.EVERY_ENV: every}


def test_the_checkpoint_job_verifies_the_chain_and_writes_a_signed_checkpoint(app: Approvals, tmp_path: Path) -> None:
    jobs = worker.jobs_from_env(app, _env(tmp_path, "15"))
    job = next(j for j in jobs if j.name == "audit checkpoint")
    assert job.every == 15 * 60
    line = job.run()
    [written] = (tmp_path / "checkpoints").glob("checkpoint-*.json")
    assert written.name in line
    public = checkpoints.load_public_key(tmp_path / "keys" / checkpoints.PUBLIC_NAME)
    point = checkpoints.read(written, public)
    recorded = verifications.latest(app.db)
    assert recorded is not None and recorded.source == "worker" and recorded.mode == "checkpoint"
    assert (recorded.to_seq, recorded.to_hash) == (point.seq, point.hash)


def test_without_a_key_checkpoints_are_off_and_the_log_says_so(app: Approvals,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="approvals.worker"):
        jobs = worker.jobs_from_env(app, {})
    assert [j.name for j in jobs] == ["deliver notifications", "reminders", "prune access log", "forget form keys"]
    assert "audit checkpoints are OFF: set APPROVALS_CHECKPOINT_KEY" in caplog.text


def test_a_bad_interval_is_refused_with_the_setting_named(app: Approvals, tmp_path: Path) -> None:
    with pytest.raises(ApprovalsError, match="APPROVALS_CHECKPOINT_EVERY='soon'"):
        worker.jobs_from_env(app, _env(tmp_path, "soon"))


def test_each_job_runs_at_its_own_interval_and_a_failing_job_does_not_stop_the_others(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    runs: list[str] = []

    def broken() -> str:
        raise ApprovalsError("the checkpoint directory is not writable")

    jobs = [worker.Job("often", 10, lambda: runs.append("often") or "ok"), worker.Job("broken", 10, broken),
            worker.Job("daily", 86400, lambda: runs.append("daily") or "ok")]
    loop = worker.Worker(jobs, clock=lambda: now[0])
    for at in (0, 5, 10, 20):
        now[0] = at
        loop.run_due()
    assert runs == ["often", "daily", "often", "often"]
    assert "broken failed: the checkpoint directory is not writable" in caplog.text


def test_the_worker_command_signs_a_checkpoint_and_stops_cleanly_on_sigterm(app: Approvals, tmp_path: Path) -> None:
    env = {**os.environ, **_env(tmp_path), "APPROVALS_DATABASE_URL": app.db.url}
    command = [sys.executable, "-c", "from approvals.cli import main; main(['worker'])"]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not list((tmp_path / "checkpoints").glob("checkpoint-*.json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list((tmp_path / "checkpoints").glob("checkpoint-*.json")), "no checkpoint written"
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and "worker stopping (SIGTERM)" in err and "worker stopped" in err


def test_an_idle_round_logs_nothing_and_a_round_that_did_something_logs_its_line(
        caplog: pytest.LogCaptureFixture) -> None:
    lines = iter(["", "1 notification(s) dispatched; 1 message(s) sent, 0 to retry, 0 dead", ""])
    loop = worker.Worker([worker.Job("deliver notifications", 10, lambda: next(lines))], clock=lambda: 0.0)
    with caplog.at_level(logging.INFO, logger="approvals.worker"):
        for _ in range(3):
            loop.jobs[0].due = 0.0
            loop.run_due()
    assert [r.getMessage() for r in caplog.records] == [
        "deliver notifications: 1 notification(s) dispatched; 1 message(s) sent, 0 to retry, 0 dead"]
