"""``approvals worker`` killed (SIGKILL) in the middle of a delivery and started again: every
message arrives at least once, and a receiver honouring the idempotency key acts on each once.
Stopped (SIGTERM) in the middle of a delivery to a hanging receiver: it ends at once, and the
message it was sending goes with the next worker, once."""

from __future__ import annotations

import signal
import time
from collections import Counter

from notifykit import robot, start_worker, stop_worker
from sqlalchemy import select
from support import CHART_A, leave_fields, make_app, pick

from approvals.app import Approvals
from approvals.notifications import settings
from approvals.store.models import Notification, OutboxMessage


def test_a_worker_killed_mid_delivery_and_restarted_delivers_every_message_and_none_twice(db_url: str) -> None:
    app = make_app(db_url, CHART_A)
    try:
        chart = app.orgcharts.current("xx-nrpb")
        with robot(mode="hang_once") as receiver:
            settings.put(app.db, "xx-nrpb", None, "wecom", receiver.url)
            for _ in range(5):
                app.service.submit(pick(chart, "leader"), "leave", leave_fields())
            first = start_worker(db_url)
            assert receiver.arrived.wait(60), "the worker never tried to deliver"
            stop_worker(first, signal.SIGKILL)  # mid-delivery: the receiver acted, the worker never heard back
            assert first.returncode == -signal.SIGKILL
            second = start_worker(db_url)
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    with app.db.reading() as s:
                        statuses = s.scalars(select(OutboxMessage.status)).all()
                    if len(statuses) >= 5 and set(statuses) == {"sent"}:
                        break
                    time.sleep(0.2)
            finally:
                stop_worker(second, signal.SIGTERM)
            with app.db.reading() as s:
                keys = set(s.scalars(select(OutboxMessage.idempotency_key)).all())
            tried = [t.key for t in receiver.tries]
        assert len(keys) >= 5 and set(statuses) == {"sent"}
        assert set(tried) == keys  # every message delivered at least once
        assert len(tried) > len(keys)  # the one cut off by the kill was sent again ...
        assert set(receiver.effects) == keys  # ... and acted on once: the key was honoured
    finally:
        app.db.dispose()


# The worker runs on the machine's clock while the requests were made on the tests' fixed one,
# so its daily scan may add overdue reminders: the test follows the messages of the new tasks.
_TASK_MESSAGES = (select(OutboxMessage.idempotency_key, OutboxMessage.status)
                  .join(Notification, Notification.id == OutboxMessage.notification_id)
                  .where(Notification.kind == "task"))


def _all_sent(app: Approvals, count: int, within: float = 60) -> dict[str, str]:
    """The new tasks' messages by key with their status, once ``count`` of them are sent."""
    deadline = time.monotonic() + within
    while True:
        with app.db.reading() as s:
            statuses = {key: status for key, status in s.execute(_TASK_MESSAGES)}
        if (len(statuses) >= count and set(statuses.values()) == {"sent"}) or time.monotonic() > deadline:
            return statuses
        time.sleep(0.2)


def test_sigterm_while_a_receiver_hangs_stops_the_worker_at_once_and_the_next_worker_sends_it_once(
        db_url: str) -> None:
    app = make_app(db_url, CHART_A)
    try:
        chart = app.orgcharts.current("xx-nrpb")
        with robot(mode="hang_first") as receiver:
            settings.put(app.db, "xx-nrpb", None, "wecom", receiver.url)
            for _ in range(3):
                app.service.submit(pick(chart, "leader"), "leave", leave_fields())
            first = start_worker(db_url)
            assert receiver.arrived.wait(60), "the worker never tried to deliver"
            time.sleep(0.3)  # well into the send: the receiver is holding it
            asked = time.monotonic()
            stop_worker(first, signal.SIGTERM)
            took = time.monotonic() - asked
            assert first.returncode == 0 and took < 5, f"exit {first.returncode} after {took:.1f} s"
            [cut_off] = [t.key for t in receiver.tries]  # nothing more was sent after the signal
            second = start_worker(db_url)
            try:
                statuses = _all_sent(app, 3)
            finally:
                stop_worker(second, signal.SIGTERM)
            keys = set(statuses)
            tries = Counter(t.key for t in receiver.tries if t.key in keys or t.key == cut_off)
            answered = Counter(k for k in receiver.answered if k in keys)
        assert len(keys) == 3 and list(statuses.values()) == ["sent"] * 3
        assert answered == dict.fromkeys(keys, 1)  # each delivered once, the cut-off one by the next worker
        assert tries == {**dict.fromkeys(keys, 1), cut_off: 2}  # its first try never got an answer
    finally:
        app.db.dispose()
