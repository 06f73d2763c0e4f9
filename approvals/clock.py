"""Time as a collaborator, in one zone: due dates and the 3-day rule are testable with a fixed
clock, and the server's own time zone (``TZ``) never decides a day.

Two zones meet here (docs/orgcharts.md, "Time zone"):

- the *storage zone* (``APPROVALS_TIME_ZONE``, default Asia/Shanghai): every stored time is a
  naive wall time in it. Times stay naive because the audit hash chain hashes them as stored,
  so old rows cannot be rewritten; a clock's ``zone`` names it.
- an *organization's zone* (``organization.time_zone`` in its chart, the same default): the day
  a step arrives, due dates, 剩 N 个工作日, statistics and every time shown are reckoned in it.

``local`` turns a stored time into the organization's wall time and ``today_in`` gives the
organization's day; when the two zones are the same (the usual case) both are the identity.
"""

from __future__ import annotations

import difflib
import os
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from approvals.errors import ConfigurationError

DEFAULT_ZONE = "Asia/Shanghai"
ZONE_ENV = "APPROVALS_TIME_ZONE"


class Clock(Protocol):
    zone: str  # the storage zone: stored times are wall times here

    def now(self) -> datetime: ...


def zone_problem(name: object) -> str | None:
    """Why ``name`` is not a time zone this engine can use, or None when it is one."""
    if not isinstance(name, str) or not name.strip():
        return "expected an IANA time zone name such as Asia/Shanghai or UTC"
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        near = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        hint = f"; did you mean {near[0]}?" if near else " such as Asia/Shanghai or UTC"
        return f"not an IANA time zone name{hint}"
    return None


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def configured_zone() -> str:
    """The storage zone from ``APPROVALS_TIME_ZONE``, refused at start when it names no zone:
    a typo would otherwise shift every due date by hours on the first request."""
    name = os.environ.get(ZONE_ENV, "").strip() or DEFAULT_ZONE
    problem = zone_problem(name)
    if problem:
        raise ConfigurationError(f"{ZONE_ENV}={name!r}: {problem} (the zone stored times are written in; "
                                 f"unset it for {DEFAULT_ZONE})")
    return name


class SystemClock:
    """The wall time in the storage zone, whatever ``TZ`` the server runs with."""

    def __init__(self, zone: str | None = None) -> None:
        self.zone = zone or configured_zone()

    def now(self) -> datetime:
        return datetime.now(_zone(self.zone)).replace(tzinfo=None)


class FixedClock:
    """A clock tests move by hand; ``at`` is a wall time in ``zone``."""

    def __init__(self, at: datetime, zone: str = DEFAULT_ZONE) -> None:
        self.at = at
        self.zone = zone

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)


def convert(value: datetime, from_zone: str, to_zone: str) -> datetime:
    """A naive wall time in ``from_zone`` as the naive wall time in ``to_zone`` at that instant."""
    if from_zone == to_zone:
        return value
    moved = value.replace(tzinfo=_zone(from_zone)).astimezone(_zone(to_zone))
    return moved.replace(tzinfo=None)


def local(clock: Clock, stored: datetime, zone: str) -> datetime:
    """A stored time as the organization in ``zone`` reads it on its clocks."""
    return convert(stored, clock.zone, zone)


def stored(clock: Clock, wall: datetime, zone: str) -> datetime:
    """The stored time of a wall time in ``zone`` (e.g. the start of a day in a search)."""
    return convert(wall, zone, clock.zone)


def now_in(clock: Clock, zone: str) -> datetime:
    return local(clock, clock.now(), zone)


def day_of(clock: Clock, stored: datetime, zone: str) -> date:
    """The organization's day at a stored time (e.g. the day a step arrived)."""
    return local(clock, stored, zone).date()


def today_in(clock: Clock, zone: str) -> date:
    """The organization's day now: the day a step arrives, the day 剩 N 个工作日 counts from."""
    return now_in(clock, zone).date()


def today(clock: Clock) -> date:
    """The day in the storage zone, for what belongs to no one organization (a deploy check)."""
    return clock.now().date()
