"""What every page's menu needs: who is signed in, their roles and the numbers waiting."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from approvals.reports.queries import Count, Waiting
from approvals.reports.stats import may_see
from web.engine import engine
from web.pagememo import once
from web.users import me


def waiting() -> Waiting:
    """What waits for the signed-in person (the menu's badges), read once per page: the inbox
    shows the count of questions from it too."""
    return once("waiting", lambda: engine().queries.waiting(me().chart, me().id))


def _plus(count: Count, more: int) -> Count:
    total = Count(int(count) + more)
    total.capped = count.capped  # "1000+" stays "1000+"
    return total


def _menu() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {}
    user = me()
    chart = user.chart
    waiting_now = waiting()
    in_duty_unit = user.unit_id in chart.duties.values()
    return {
        "menu": {
            # the inbox badge counts what waits for the person: decisions, and questions (沟通)
            # put to them, which an applicant gets too (their inbox page lists them first)
            "inbox": _plus(waiting_now.decisions, waiting_now.questions),
            "notices": waiting_now.notices,
            "show_notices": in_duty_unit or waiting_now.notices > 0,
            "reports": waiting_now.reports,
            "unread": waiting_now.unread,
            "show_stats": may_see(chart, user.id),  # HR and the leadership
        }
    }


def init_app(app: Flask) -> None:
    app.context_processor(_menu)
