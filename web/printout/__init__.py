"""The printable 审批单: a print page without navigation, the same page as a PDF, and the
inspectors' check of a verification code read off a paper copy."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("printout", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in person (who may read the request is checked per page)."""


from web.printout import views  # noqa: E402,F401  (adds routes to bp)
