"""The printable 审批单: a print page without navigation, the same page as a PDF, and the
inspectors' check of a verification code read off a paper copy."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask_login import current_user

bp = Blueprint("printout", __name__)


@bp.before_request
def _signed_in() -> Any:
    """Every page here needs a signed-in person (who may read the request is checked per page);
    as ``login_required`` does, without its untyped decorator."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


from web.printout import views  # noqa: E402,F401  (adds routes to bp)
