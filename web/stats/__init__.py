"""HR statistics for HR (the filing duty's unit) and the leadership: leave days, meetings by
size, time per step and overdue counts, as a page with bar charts and as an XLSX workbook."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app
from flask_login import current_user

from approvals.reports.stats import may_see
from web.users import me

bp = Blueprint("stats", __name__, url_prefix="/stats")


@bp.before_request
def _hr_and_leaders_only() -> Any:
    """Figures about colleagues' leave are for HR and the leadership only."""
    if not current_user.is_authenticated:  # as login_required does
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    user = me()
    if not may_see(user.chart, user.id):
        abort(403)
    return None


from web.stats import views  # noqa: E402,F401  (adds routes to bp)
