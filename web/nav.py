"""What every page's menu needs: who is signed in, their roles and the numbers waiting."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from approvals.stats import may_see
from web.engine import engine
from web.users import me


def _menu() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {}
    user = me()
    chart = user.chart
    waiting = engine().queries.waiting(chart, user.id)
    in_duty_unit = user.unit_id in chart.duties.values()
    return {
        "menu": {
            "inbox": waiting.decisions,
            "notices": waiting.notices,
            "show_notices": in_duty_unit or waiting.notices > 0,
            "reports": waiting.reports,
            "show_stats": may_see(chart, user.id),  # HR and the leadership
        }
    }


def init_app(app: Flask) -> None:
    app.context_processor(_menu)
