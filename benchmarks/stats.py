"""Medians and spreads, one JSON line per figure; nothing here asserts a time."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass
class Figure:
    name: str
    median: float
    p95: float
    spread: float  # (p90 - p10) / median
    n: int
    unit: str
    goal: str = ""
    met: bool | None = None
    command: str = "make bench"

    def line(self) -> str:
        return json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()},
                          ensure_ascii=False)


def summarize(name: str, samples: list[float], unit: str, **extra: object) -> Figure:
    ordered = sorted(samples)
    n = len(ordered)
    median = statistics.median(ordered)

    def at(q: float) -> float:
        return ordered[min(n - 1, int(q * n))]

    spread = (at(0.9) - at(0.1)) / median if median else 0.0
    return Figure(name, median, at(0.95), spread, n, unit, **extra)  # type: ignore[arg-type]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds per call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples
