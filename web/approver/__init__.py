"""The approver's pages: inbox, a task with its request, decisions, filings and copies.

Whoever holds a task is an approver for it; nothing else makes one. Inspectors may hold a
task by their post (e.g. a discipline unit head's own staff) but never decide it.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("approver", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in person."""


from web.approver import delegation, lists, operations, questions, task, termination  # noqa: E402,F401  (they add routes to bp)
