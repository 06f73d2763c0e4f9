"""The server's time zone as a test parameter, and the system clock stopped at one instant.

``server_zone`` sets ``TZ`` (and ``time.tzset()``) for a test and puts it back afterwards, so
a test can prove that the server's zone changes nothing. ``stop_system_clock`` makes
``datetime.now`` in approvals/clock.py answer one instant the way the operating system would:
an aware ``now(tz)`` in that zone, a naive ``now()`` in the server's ``TZ``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, tzinfo

import pytest

import approvals.clock

SERVER_ZONES = ["UTC", "America/New_York"]


@contextmanager
def server_zone(name: str) -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


class StoppedClock:
    """The instant the system clock shows; ``advance`` moves it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
        assert instant.tzinfo is not None, "an instant, with its zone"
        self.instant = instant
        stopped = self

        class _Stopped(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
                if tz is None:  # what the operating system does: the server's TZ
                    return stopped.instant.astimezone().replace(tzinfo=None)
                return stopped.instant.astimezone(tz)

        monkeypatch.setattr(approvals.clock, "datetime", _Stopped)

    def advance(self, **delta: float) -> None:
        self.instant += timedelta(**delta)
