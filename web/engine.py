"""The one engine instance of an app, and small helpers views use to reach it.

The engine is built by the same ``approvals.app.build`` the CLI uses; tests hand in a
ready-made one (``APPROVALS_ENGINE``) with a fixed clock and a throwaway database.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app

from approvals.app import Approvals, build


def init_app(app: Flask) -> None:
    approvals = app.config.get("APPROVALS_ENGINE")
    if approvals is None:
        approvals = build(
            app.config.get("APPROVALS_DATABASE_URL"), app.config.get("APPROVALS_PROCESSES")
        )
    app.extensions["approvals"] = approvals


def engine() -> Approvals:
    approvals: Approvals = current_app.extensions["approvals"]
    return approvals


def now() -> datetime:
    """The engine's clock, so ages and due dates agree with what the engine decided."""
    return engine().clock.now()


def today() -> date:
    return now().date()
