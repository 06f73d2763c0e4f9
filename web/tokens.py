"""个人访问令牌: a person creates and revokes their own personal access tokens for the API
(docs/api.md). A new token is shown once, on the page that answers its creation; the list
shows each token's name, prefix, scopes and expiry, never the token."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from approvals.errors import FieldError
from approvals.identity.api_access import MAX_DAYS, PERSONAL_SCOPES, SCOPES, ApiAccess, Issued, UnknownCredentialError
from web import messages
from web.engine import engine
from web.i18n import gettext as _
from web.users import me

bp = Blueprint("tokens", __name__)


def _access() -> ApiAccess:
    return ApiAccess(engine().db, engine().clock)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> str | tuple[str, int]:
    errors: dict[str, str] = {}
    issued: Issued | None = None
    form = {"name": request.form.get("name", ""), "days": request.form.get("days", "30"),
            "scopes": request.form.getlist("scopes") if request.method == "POST" else ["read"]}
    if request.method == "POST":
        try:
            days = int(form["days"])  # type: ignore[arg-type]
        except ValueError:
            days = 0
        try:
            issued = _access().create_token(me().id, str(form["name"]), form["scopes"], days)  # type: ignore[arg-type]
        except FieldError as exc:
            errors = messages.field_errors(exc)
        else:
            form = {"name": "", "days": "30", "scopes": ["read"]}
    return render_template("auth/tokens.html", tokens=_access().tokens(me().id), now=engine().clock.now(),
                           scopes={s: SCOPES[s] for s in PERSONAL_SCOPES}, max_days=MAX_DAYS, errors=errors,
                           issued=issued, form=form), 400 if errors else 200


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    try:
        _access().revoke_token(token_id, me().id)
    except UnknownCredentialError:
        abort(404)  # not theirs, or no such token: the same answer
    flash(_("Token #%(id)s revoked: it no longer opens the API.", id=token_id), "success")
    return redirect(url_for("tokens.tokens"))
