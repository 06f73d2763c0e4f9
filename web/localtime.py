"""Times and days on a page, in the organization's time zone (``organization.time_zone``).

Stored times are wall times in the installation's storage zone (``APPROVALS_TIME_ZONE``,
approvals/clock.py); a page shows them, and counts "today", in the zone of the signed-in
person's organization. The server's ``TZ`` plays no part. Before anyone signs in (the sign-in
page's lockout message) the storage zone is used.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, has_request_context
from flask_login import current_user

from approvals.clock import local as stored_to_local
from approvals.clock import today_in
from web.engine import engine
from web.pagememo import once
from web.users import me


def page_zone() -> str:
    """The zone this page reckons in, found once per page."""
    return once("time_zone", _zone)


def _zone() -> str:
    if has_request_context() and current_user.is_authenticated:
        return me().chart.organization.time_zone
    return engine().clock.zone


def local(value: datetime) -> datetime:
    """A stored time as the page's organization reads it on its clocks."""
    return stored_to_local(engine().clock, value, page_zone())


def today() -> date:
    """The organization's day: due dates, 剩 N 个工作日 and 'today' on forms count from it."""
    return today_in(engine().clock, page_zone())


def when(value: datetime | date | None) -> str:
    """Times as people write them on forms here: 2026-11-23 09:00 (no seconds, no zone), on the
    clocks of the reader's organization, whatever the server's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def init_app(app: Flask) -> None:
    app.jinja_env.filters["when"] = when
