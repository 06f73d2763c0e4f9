"""The one engine instance of an app, and small helpers views use to reach it.

The engine is built by the same ``approvals.app.build`` the CLI uses; tests hand in a
ready-made one (``APPROVALS_ENGINE``) with a fixed clock and a throwaway database.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, has_app_context

from approvals.app import Approvals, build
from approvals.operations.deploy import warn_missing
from approvals.people.orgchart.model import OrgChart
from web.pagememo import once, page_memo


def init_app(app: Flask) -> None:
    approvals = app.config.get("APPROVALS_ENGINE")
    if approvals is None:
        approvals = build(
            app.config.get("APPROVALS_DATABASE_URL"), app.config.get("APPROVALS_PROCESSES")
        )
    app.extensions["approvals"] = approvals
    # Read the processes folder now, so a file that cannot be used is logged at start (it is
    # skipped; the others are in force; the admin's processes page names it).
    approvals.definitions.ids()
    # Loudly, at start: processes stored requests use that this server lacks (docs/processes.md)
    warn_missing(approvals.db, approvals.definitions)


def engine() -> Approvals:
    approvals: Approvals = current_app.extensions["approvals"]
    return approvals


def now() -> datetime:
    """The engine's clock, so ages agree with what the engine decided. A stored time: the day
    and the time shown come from web/localtime.py, in the organization's zone."""
    return engine().clock.now()


def current_chart(org_id: str) -> OrgChart:
    """The org chart in force, read once per page: a page names dozens of people and asking
    the database "which version is current" for each would cost a query per mention. The
    next page sees a chart an admin has just saved."""
    charts: dict[str, OrgChart] = once("charts", dict)
    if org_id not in charts:
        charts[org_id] = engine().orgcharts.current(org_id)
    return charts[org_id]


def remember_charts(charts: dict[str, OrgChart]) -> None:
    """Every chart in force, just read in one query (a page's first read, with the sign-in
    check): the page needs no second read of any chart, nor of the list of organizations."""
    if has_app_context():
        memo = page_memo()
        memo["charts"] = {**charts, **memo.get("charts", {})}
        memo.setdefault("org_ids", sorted(charts))
        memo.setdefault("charts_in_force", charts)


def charts_in_force() -> dict[str, OrgChart]:
    """Every organization's chart in force, as this page first read them."""
    return once("charts_in_force", _read_all)


def _read_all() -> dict[str, OrgChart]:
    charts = engine().orgcharts.current_all()
    remember_charts(charts)
    return charts


def org_ids() -> list[str]:
    """The organizations with a chart, read once per page (see ``current_chart``)."""
    return once("org_ids", lambda: engine().orgcharts.org_ids())
