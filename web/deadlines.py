"""How a due date reads on a page: "剩 N 个工作日", "今天到期" or "已超期 N 个工作日", counted in
the organization's working days (approvals/process/calendar.py) on the engine's clock."""

from __future__ import annotations

from datetime import date

from flask import Flask
from markupsafe import Markup, escape

from approvals.process.calendar import for_chart
from approvals.process.deadlines import Due
from web.i18n import gettext as _
from web.localtime import today
from web.users import me


def due_of(due_on: date | None) -> Due | None:
    if due_on is None:
        return None
    return Due.of(for_chart(me().chart), due_on, today())


def due_label(due_on: date | None) -> Markup:
    """A badge for a task's due date; empty without one."""
    due = due_of(due_on)
    if due is None:
        return Markup("")
    title = _("due %(day)s", day=due.on.isoformat())
    if due.overdue:
        text, css = _("%(n)s working days overdue", n=due.overdue), "due overdue"
    elif due.left == 0:
        text, css = _("due today"), "due today"
    else:
        text, css = _("%(n)s working days left", n=due.left), "due"
    return Markup('<span class="{}" title="{}">{}</span>').format(css, escape(title), text)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["due_label"] = due_label
