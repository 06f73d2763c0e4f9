"""Two factors (TOTP) between the first factor and the session (approvals/identity/totp.py).

Asked after a password, local or the directory's, when the person's organization requires it
of everyone (``two_factor: everyone`` in the sign-in settings) or the person administers or
inspects (always), and of anyone who has set it up. Someone required to use it who has not
set it up yet enrols on the spot: QR code, first code, recovery codes shown once. Between the
two factors the browser holds only "who, and since when" (five minutes); no session exists.
A provider (OIDC, CAS, 免登) runs its own second factor, so none is asked after it here.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from approvals.identity.external import Refused
from approvals.identity.methods import Method
from approvals.identity.totp import TwoFactors
from web import users
from web.engine import engine
from web.i18n import gettext as _
from web.signin_session import lazy_text as _l
from web.signin_session import methods, open_session

bp = Blueprint("twofactor", __name__)

PENDING = "second_factor"
WAIT = 300  # seconds the first factor stays good for
PASSWORD_KINDS = ("password", "ldap")


def _wall() -> float:
    clock = current_app.config.get("APPROVALS_WALL_CLOCK")
    return float(clock()) if clock else time.time()


def factors() -> TwoFactors:
    return TwoFactors(engine().db, engine().clock, wall=_wall)


def required(person: str) -> bool:
    """Whether ``person`` must give a second factor after a password. APPROVALS_TWO_FACTOR=off
    (web/config.py) switches the requirement off for a demo or a test; anyone enrolled is
    still asked."""
    if not current_app.config.get("APPROVALS_TWO_FACTOR_REQUIRED", True):
        return False
    user = users.load(person)
    if user is None:
        return False
    return methods().of(user.org_id).two_factor == "everyone" or user.is_admin or user.is_inspector


def after_first_factor(person: str, generation: int, kind: str, method: Method | None,
                       logout: dict[str, Any] | None = None) -> Response:
    if kind not in PASSWORD_KINDS:
        return open_session(person, generation, kind, logout)
    enrolled = factors().enrolled(person)
    if not enrolled and not required(person):
        return open_session(person, generation, kind, logout)
    session[PENDING] = {"person": person, "generation": generation, "kind": kind, "at": _wall()}
    return redirect(url_for("twofactor.code" if enrolled else "twofactor.enrol"))


def _pending() -> dict[str, Any] | None:
    pending = session.get(PENDING)
    if not pending or _wall() - float(pending.get("at", 0)) > WAIT:
        session.pop(PENDING, None)
        return None
    return dict(pending)


def _expired() -> Response:
    from flask import flash
    flash(_("The sign-in took too long between its two steps. Please sign in again."), "info")
    return redirect(url_for("auth.login"))


MESSAGES = {
    "wrong_code": _l("The code is not the one your app shows now, nor an unused recovery code."),
    "replayed_code": _l("This code was already used once; wait for the next code in your app."),
    "locked": _l("Too many wrong codes: the second step is locked for 15 minutes."),
}


def _message(exc: Refused) -> str:
    text = MESSAGES.get(exc.reason)
    return _(text) if text else exc.why


@bp.route("/signin/two-factor", methods=["GET", "POST"])
def code() -> Response | str | tuple[str, int]:
    pending = _pending()
    if pending is None:
        return _expired()
    if request.method == "GET":
        return render_template("auth/two_factor.html", error=None)
    try:
        factors().verify(pending["person"], request.form.get("code", ""))
    except Refused as exc:
        return render_template("auth/two_factor.html", error=_message(exc)), 401
    return open_session(pending["person"], int(pending["generation"]), pending["kind"])


@bp.route("/signin/two-factor/enrol", methods=["GET", "POST"])
def enrol() -> Response | str | tuple[str, int]:
    pending = _pending()
    if pending is None:
        return _expired()
    person = pending["person"]
    secret = factors().begin(person)
    qr = TwoFactors.qr_svg(person, secret)
    if request.method == "GET":
        return render_template("auth/two_factor_enrol.html", qr=qr, secret=secret, error=None)
    try:
        codes = factors().confirm(person, request.form.get("code", ""))
    except Refused as exc:
        return render_template("auth/two_factor_enrol.html", qr=qr, secret=secret, error=_message(exc)), 401
    open_session(person, int(pending["generation"]), pending["kind"])
    return render_template("auth/two_factor_codes.html", codes=codes)
