"""What every command module shares: the engine for the command, and failing with one line."""

from __future__ import annotations

import sys
from datetime import date

import click

from approvals.app import Approvals, build
from approvals.clock import SystemClock, today_in
from approvals.errors import ConfigurationError
from approvals.people.orgchart.model import OrgChart

EXIT_REFUSED = 2


def fail(message: str, code: int = 1) -> None:
    """One line on stderr and exit ``code`` (2: the input was refused), never a traceback."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def app_of(ctx: click.Context) -> Approvals:
    """One engine per command, its connections closed when the command ends."""
    root = ctx.find_root()
    if "app" not in root.obj:
        try:
            app = build(root.obj["database"], root.obj["processes"])
        except ConfigurationError as exc:  # e.g. APPROVALS_TIME_ZONE naming no zone
            fail(str(exc), 1)
        root.obj["app"] = app
        root.call_on_close(app.db.dispose)
    return root.obj["app"]  # type: ignore[no-any-return]


def system_clock() -> SystemClock:
    """The clock of the installation's zone (APPROVALS_TIME_ZONE), or one line naming the bad setting."""
    try:
        return SystemClock()
    except ConfigurationError as exc:
        fail(str(exc), 1)
        raise


def today_of(chart: OrgChart) -> date:
    """The chart's organization's day (its time_zone), whatever the machine's TZ says."""
    return today_in(system_clock(), chart.organization.time_zone)
