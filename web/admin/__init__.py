"""The admin's pages: the org chart (view, edit with an impact preview, versions and diffs)
and acting approvers for anyone. Admins are configured (``APPROVALS_ADMINS``)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from web.users import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
@admin_required
def _admins_only() -> None:
    """Every page here is for signed-in admins; others get 403 and nothing changes."""


from web.admin import accounts, changes, orgchart, processes, versions, webhooks  # noqa: E402,F401  (they add routes to bp)
