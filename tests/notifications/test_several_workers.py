"""Several workers, one delivery: three workers, each with an engine of its own on the same
database, deliver to a receiver slower than their lease. Every message reaches the receiver
once (docs/reliability.md, "Several workers, one delivery")."""

from __future__ import annotations

import threading
import time
from collections import Counter

from notifykit import robot
from sqlalchemy import select
from support import CHART_A, PROCESSES, leave_fields, make_app, pick

from approvals.app import Approvals, build
from approvals.clock import SystemClock
from approvals.jobs import notify as jobs
from approvals.notifications import settings
from approvals.store.models import OutboxMessage

XX = "xx-nrpb"
MESSAGES = 6
SLOW = 1.5  # seconds the receiver takes to answer each message ...
LEASE = "1"  # ... longer than a claim lasts unless its holder renews it


def _work(engine: Approvals, done: threading.Event) -> None:
    """What ``approvals worker`` does for delivery, round after round, until told to stop."""
    run = jobs.delivery_job(engine, {jobs.delivery.LEASE_ENV: LEASE}, stopping=done)
    while not done.is_set():
        run()
        done.wait(0.05)


def _statuses(app: Approvals) -> list[str]:
    with app.db.reading() as s:
        return list(s.scalars(select(OutboxMessage.status)))


def test_three_workers_with_a_receiver_slower_than_the_lease_deliver_every_message_once(db_url: str) -> None:
    app = make_app(db_url, CHART_A)
    engines = [build(db_url, PROCESSES, SystemClock()) for _ in range(3)]  # real time: leases run out
    done = threading.Event()
    try:
        with robot(delay=SLOW) as receiver:
            settings.put(app.db, XX, None, "wecom", receiver.url)
            chart = app.orgcharts.current(XX)
            for _ in range(MESSAGES):
                app.service.submit(pick(chart, "leader"), "leave", leave_fields())
            workers = [threading.Thread(target=_work, args=(e, done)) for e in engines]
            for w in workers:
                w.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (len(statuses := _statuses(app)) == MESSAGES
                                                       and set(statuses) == {"sent"}):
                time.sleep(0.1)
            time.sleep(2 * SLOW)  # time for any message claimed a second time to arrive again
            done.set()
            for w in workers:
                w.join(30)
            tries = Counter(t.key for t in receiver.tries)
            answered = Counter(receiver.answered)
        with app.db.reading() as s:
            keys = set(s.scalars(select(OutboxMessage.idempotency_key)))
        assert len(keys) == MESSAGES and set(_statuses(app)) == {"sent"}
        assert set(tries) == keys  # every message arrived ...
        assert [k for k, n in tries.items() if n > 1] == []  # ... and none twice
        assert answered == dict.fromkeys(keys, 1)
    finally:
        done.set()
        for e in engines:
            e.db.dispose()
        app.db.dispose()
