"""What every page's menu needs: who is signed in, their roles and the numbers waiting."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from web.engine import engine
from web.users import me


def _menu() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {}
    user = me()
    queries = engine().queries
    chart = user.chart
    inbox = queries.inbox(chart, user.id, limit=1).total
    notices = queries.notices(chart, user.id, open_only=True, limit=1).total
    in_duty_unit = user.unit_id in chart.duties.values()
    return {
        "menu": {
            "inbox": inbox,
            "notices": notices,
            "show_notices": in_duty_unit or notices > 0,
            "reports": len(queries.reports_due(user.id)),
        }
    }


def init_app(app: Flask) -> None:
    app.context_processor(_menu)
