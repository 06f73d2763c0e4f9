"""The administrators' pages (三员分立, approvals/people/offices.py): the system administrator's
(the org chart with an impact preview, versions, personnel changes, acting approvers, accounts,
processes, the directory), the security administrator's (``security``: sign-in policy, two
factors, API clients) and the audit administrator's (``trail``: every administrator's actions).
Each page needs its own office; anyone else gets a page saying which office it needs, and the
refusal is in the trail the audit administrator reads."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from approvals.audit import officers
from approvals.people.offices import AUDIT, SECURITY, SYSTEM
from web.engine import engine
from web.i18n import gettext as _
from web.users import User, me

bp = Blueprint("admin", __name__, url_prefix="/admin")

OFFICE_OF_PAGE = {"admin.security": SECURITY, "admin.trail": AUDIT}  # every other page: SYSTEM


def offices_held(user: User) -> dict[str, frozenset[str]]:
    return {SYSTEM: user.admin_of, SECURITY: user.security_of, AUDIT: user.audit_of}


@bp.before_request
@login_required
def _office_holders_only() -> tuple[str, int] | None:
    """Every page here is for the holder of its office; others get 403 naming the office, audited."""
    user = me()
    office = OFFICE_OF_PAGE.get(request.endpoint or "", SYSTEM)
    held = offices_held(user)
    if held[office]:
        return None
    holds = [o for o, orgs in held.items() if orgs]
    officers.refused(engine().db, engine().clock.now(), user.id, office, request.path, holds)
    titles = {SYSTEM: _("system administrator"), SECURITY: _("security administrator"),
              AUDIT: _("audit administrator")}
    return render_template("admin/refused.html", office=office, needs=titles[office],
                           holds="、".join(titles[o] for o in holds)), 403


from web.admin import (  # noqa: E402,F401  (they add routes to bp)
    accounts,
    changes,
    directory,
    officers_pages,
    orgchart,
    processes,
    versions,
    webhooks,
)
