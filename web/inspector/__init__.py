"""The discipline inspector's pages: audit search, a request's full trail, CSV export and the
hash chain's verification status. Read-only: nothing here changes anything, and inspectors
are refused (403) on every decision endpoint elsewhere."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from web.users import inspector_required

bp = Blueprint("inspector", __name__, url_prefix="/inspect")


@bp.before_request
@login_required
@inspector_required
def _inspectors_only() -> None:
    """Every page here is for signed-in inspectors."""


from web.inspector import access, search, trail  # noqa: E402,F401  (they add routes to bp)
