"""HR statistics for HR (the filing duty's unit) and the leadership: leave days, meetings by
size, time per step and overdue counts, as a page with bar charts and as an XLSX workbook."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

from approvals.stats import may_see
from web.users import me

bp = Blueprint("stats", __name__, url_prefix="/stats")


@bp.before_request
@login_required
def _hr_and_leaders_only() -> None:
    """Figures about colleagues' leave are for HR and the leadership only."""
    user = me()
    if not may_see(user.chart, user.id):
        abort(403)


from web.stats import views  # noqa: E402,F401  (adds routes to bp)
