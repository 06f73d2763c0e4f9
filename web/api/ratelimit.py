"""A per-caller rate limit: past ``APPROVALS_API_RATE_PER_MINUTE`` calls in a minute, 429 with
Retry-After. Counted in this process (a fixed one-minute window per caller): with N gunicorn
workers a caller gets at most N times the limit, which still stops a runaway client loop."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

WINDOW = 60.0


class RateLimit:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def wait(self, caller: str) -> int:
        """0 if ``caller`` may go on (and count the call), else the seconds to wait."""
        if self.per_minute <= 0:
            return 0
        now = self.clock()
        with self._lock:
            start, used = self._windows.get(caller, (now, 0))
            if now - start >= WINDOW:
                start, used = now, 0
            if used >= self.per_minute:
                return max(1, math.ceil(start + WINDOW - now))
            self._windows[caller] = (start, used + 1)
            if len(self._windows) > 10_000:  # forget idle callers
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < WINDOW}
            return 0
