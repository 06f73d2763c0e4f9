"""``approvals worker`` killed (SIGKILL) in the middle of a delivery and started again: every
message arrives at least once, and a receiver honouring the idempotency key acts on each once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from notifykit import robot
from sqlalchemy import select
from support import CHART_A, ROOT, leave_fields, make_app, pick

from approvals.notifications import settings
from approvals.store.models import OutboxMessage


def _worker(url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "APPROVALS_DATABASE_URL": url, "APPROVALS_DELIVERY_EVERY": "0.2",
           "APPROVALS_DELIVERY_LEASE_SECONDS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", "from approvals.cli import main; main(['worker'])"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _stop(proc: subprocess.Popen[str], sig: int) -> None:
    proc.send_signal(sig)
    try:
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_worker_killed_mid_delivery_and_restarted_delivers_every_message_and_none_twice(db_url: str) -> None:
    app = make_app(db_url, CHART_A)
    try:
        chart = app.orgcharts.current("xx-nrpb")
        with robot(mode="hang_once") as receiver:
            settings.put(app.db, "xx-nrpb", None, "wecom", receiver.url)
            for _ in range(5):
                app.service.submit(pick(chart, "leader"), "leave", leave_fields())
            first = _worker(db_url)
            assert receiver.arrived.wait(60), "the worker never tried to deliver"
            _stop(first, signal.SIGKILL)  # mid-delivery: the receiver acted, the worker never heard back
            assert first.returncode == -signal.SIGKILL
            second = _worker(db_url)
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    with app.db.reading() as s:
                        statuses = s.scalars(select(OutboxMessage.status)).all()
                    if len(statuses) >= 5 and set(statuses) == {"sent"}:
                        break
                    time.sleep(0.2)
            finally:
                _stop(second, signal.SIGTERM)
            with app.db.reading() as s:
                keys = set(s.scalars(select(OutboxMessage.idempotency_key)).all())
            tried = [t.key for t in receiver.tries]
        assert len(keys) >= 5 and set(statuses) == {"sent"}
        assert set(tried) == keys  # every message delivered at least once
        assert len(tried) > len(keys)  # the one cut off by the kill was sent again ...
        assert set(receiver.effects) == keys  # ... and acted on once: the key was honoured
    finally:
        app.db.dispose()
