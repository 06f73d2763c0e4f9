"""The applicant's pages: start a request (with the route preview), follow it, act on it.

Everyone who can sign in is an applicant. The form comes from the process's field
definitions; the preview is the engine's dry run of the same process.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("applicant", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in person."""


from web.applicant import followup, requests, start  # noqa: E402,F401  (they add routes to bp)
