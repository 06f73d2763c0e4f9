"""A worker killed (SIGKILL) at any moment leaves every action whole: each request is as it
was before the action or as the action left it, never in between."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from faultkit import finish_all, problems
from support import CHART_A, ROOT, make_app

DRIVER = Path(__file__).with_name("crash_driver.py")
KILLS = 4


def _run_and_kill(url: str, seed: int) -> int:
    """Start the driver, let it work for a random moment after its first action, SIGKILL it;
    returns how many actions it reported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    proc = subprocess.Popen([sys.executable, str(DRIVER), url, str(seed)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.strip() == "ready", f"driver did not start: {first!r} {proc.stderr.read() if proc.stderr else ''}"
    time.sleep(random.Random(seed).uniform(0.05, 0.6))
    proc.send_signal(signal.SIGKILL)
    out, _err = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return len(out.splitlines())


def test_a_worker_killed_mid_action_leaves_no_half_written_action_and_every_request_finishes(
        db_url: str) -> None:
    app = make_app(db_url, CHART_A)
    try:
        actions = sum(_run_and_kill(db_url, seed) for seed in range(KILLS))
        assert actions > KILLS  # the kills landed in a working loop, not at start-up
        assert problems(app) == []
        assert finish_all(app) == []
        assert problems(app) == []
    finally:
        app.db.dispose()
