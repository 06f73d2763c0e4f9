"""Naming an acting approver (代理审批) for a date range: new tasks go to the delegate, who
decides "on behalf of" the post holder. People do it for themselves; admins for anyone."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for

from approvals.errors import NotPermittedError, UnknownError
from web.approver import bp
from web.auth import safe_next
from web.delegations import handle, named
from web.engine import engine
from web.i18n import gettext as _
from web.users import me, offices


@bp.post("/delegation/<int:delegation_id>/end")
def end_delegation(delegation_id: int) -> Response:
    """End an acting approver now (withdraw one not yet begun): the principal, or an admin of
    their organization; the tasks still with the acting approver go back."""
    back = safe_next(request.form.get("back")) or url_for("approver.delegation")
    try:
        moved = engine().accounts.end_delegation(delegation_id, me().id, offices())
    except NotPermittedError:
        abort(404)
    except UnknownError:
        flash(_("This acting approver has already ended."), "info")
        return redirect(back)
    flash(_("Ended. %(n)s waiting task(s) went back.", n=moved), "success")
    return redirect(back)


@bp.route("/delegation", methods=["GET", "POST"])
def delegation() -> str | Response:
    user = me()
    return handle(
        user.chart,
        user.id,
        "approver/delegation.html",
        url_for("approver.delegation"),
        named=named([user.id]),
    )
