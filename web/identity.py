"""Sign-in by the organization's own identity services (docs/sign-in.md): the pages around
approvals/identity/. Every method ends in ``open_session``, which the local password uses
too, so two factors, the session stamp and the idle/maximum/revocation rules of
web/sessions.py are the same whatever proved who someone is.

URLs: ``/signin/<org>/<method>`` starts a method (a redirect to the provider, or the
directory's form), ``/signin/<org>/<method>/callback`` is where the provider sends the browser
back. A refusal is a page naming the reason (403), never a stack trace, and is audited.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from approvals.errors import ApprovalsError
from approvals.identity.external import ExternalSignIn, Identity, Refused, Result
from approvals.identity.methods import Method, SignInMethods
from approvals.identity.oidc import OidcClient, Pending
from web import sessions, users
from web.engine import current_chart, engine
from web.i18n import gettext as _

bp = Blueprint("identity", __name__)

PENDING = "oidc_pending"  # session key: sign-ins started in this browser, by state
LOGOUT = "signin_logout"  # session key: how to sign out at the provider too
MAX_PENDING = 5


def methods() -> SignInMethods:
    configured: SignInMethods = current_app.config["APPROVALS_SIGNIN_METHODS"]
    return configured


def _method(org: str, method_id: str) -> Method:
    method = methods().method(org, method_id)
    if method is None:
        abort(404)
    return method


def _address() -> str:
    return request.remote_addr or "unknown"


def _wall() -> float:
    clock = current_app.config.get("APPROVALS_WALL_CLOCK")
    return float(clock()) if clock else time.time()


def oidc_client(method: Method) -> OidcClient:
    return OidcClient(method, engine().db, engine().clock, wall=_wall)


# ---- ending in a session ---------------------------------------------------------------

def open_session(person: str, generation: int, kind: str, logout: dict[str, Any] | None = None) -> Response:
    """A fresh session for ``person`` (no fixation), stamped for web/sessions.py."""
    user = users.load(person)
    if user is None:
        return refusal("unknown", None)
    lang = session.get("lang")
    target = session.get("signin_next")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    sessions.start(generation)
    session["signin_kind"] = kind
    if logout:
        session[LOGOUT] = logout
    from web.auth import safe_next  # web.auth imports this module
    return redirect(safe_next(target))


def _l(text: str) -> str:
    """Marks a string for translation (extracted by pybabel's ``-k _l``); translated when shown."""
    return text


REASONS = {
    "unknown": _l("Nobody in the organization's chart has this identity (%(identity)s). Ask your administrator "
               "to add you to the chart, or to record this identity for you."),
    "ambiguous": _l("This identity (%(identity)s) belongs to more than one person in the chart (%(people)s), so "
                 "nobody is signed in. Ask your administrator to correct the chart."),
    "left": _l("This identity (%(identity)s) belongs to someone who has left the organization."),
    "disabled": _l("This account is disabled. Ask your administrator to enable it."),
    "password_off": _l("Your organization does not use passwords kept here: sign in with one of the buttons below."),
    "forged_token": _l("The sign-in provider's answer failed its signature check (forged or altered), so you are "
                    "not signed in."),
    "expired_token": _l("The sign-in provider's answer has expired. Please sign in again."),
    "wrong_audience": _l("The sign-in provider's answer was issued for another application, so you are not "
                      "signed in."),
    "replayed_state": _l("This sign-in answer was already used once; a used answer is never accepted again. "
                      "Please sign in again."),
    "replayed_nonce": _l("This sign-in answer was already used once; a used answer is never accepted again. "
                      "Please sign in again."),
    "bad_state": _l("This answer from the sign-in provider does not belong to a sign-in started in this browser. "
                 "Please sign in again."),
    "replayed_ticket": _l("This sign-in ticket was already used once; a used ticket is never accepted again. "
                       "Please sign in again."),
    "injection": _l("The user name contains characters a user name never has (%(chars)s). Type your user "
                 "name only."),
    "wrong_password": _l("Unknown user name or wrong password."),
}


def refusal(reason: str, result: Result | None, why: str = "", identity: str = "", chars: str = "") -> Response:
    text = REASONS.get(reason)
    people = "、".join(result.candidates) if result is not None else ""
    message = _(text, identity=identity, people=people, chars=chars) if text else \
        _("You are not signed in: %(why)s", why=why or reason)
    page = render_template("auth/refused.html", message=message, reason=reason)
    return Response(page, 403, mimetype="text/html")


def finish(identity: Identity, kind: str, logout: dict[str, Any] | None = None) -> Response:
    """The shared last step: the one person ``identity`` names, or the refusal page."""
    method = identity.method
    try:
        chart = current_chart(method.org)
    except ApprovalsError:
        abort(404)
    result = ExternalSignIn(engine().db, engine().clock).complete(identity, chart, _address())
    if not result.ok:
        return refusal(result.reason or "unknown", result, identity=identity.value)
    from web import twofactor  # two factors come after the identity, before the session
    return twofactor.after_first_factor(result.person or "", result.generation, kind, method, logout)


def refuse(method: Method, exc: Refused, actor: str = "unknown", **shown: str) -> Response:
    ExternalSignIn(engine().db, engine().clock).refuse(method, exc.reason, exc.why, _address(), actor)
    return refusal(exc.reason, None, why=exc.why, **shown)


# ---- routes ----------------------------------------------------------------------------

@bp.get("/signin/<org>/<method_id>")
def start(org: str, method_id: str) -> Response | str:
    method = _method(org, method_id)
    if request.args.get("next"):
        session["signin_next"] = request.args["next"]
    if method.kind == "oidc":
        return _oidc_start(method)
    from web import identity_more  # LDAP, CAS and 免登 pages
    return identity_more.start(method)


@bp.route("/signin/<org>/<method_id>/callback", methods=["GET", "POST"])
def callback(org: str, method_id: str) -> Response | str:
    method = _method(org, method_id)
    if method.kind == "oidc":
        return _oidc_callback(method)
    from web import identity_more
    return identity_more.callback(method)


def _oidc_start(method: Method) -> Response:
    redirect_uri = url_for("identity.callback", org=method.org, method_id=method.id, _external=True)
    try:
        url, pending = oidc_client(method).begin(redirect_uri)
    except Refused as exc:
        return refuse(method, exc)
    waiting = dict(session.get(PENDING) or {})
    waiting[pending.state] = pending.as_dict()
    session[PENDING] = dict(list(waiting.items())[-MAX_PENDING:])
    return redirect(url)


def _oidc_callback(method: Method) -> Response:
    state = request.args.get("state", "")
    waiting = dict(session.get(PENDING) or {})
    raw = waiting.pop(state, None)
    session[PENDING] = waiting
    client = oidc_client(method)
    try:
        identity, id_token = client.finish(request.args, Pending.from_dict(raw) if raw else None)
    except Refused as exc:
        return refuse(method, exc)
    return finish(identity, "oidc", {"org": method.org, "method": method.id, "id_token": id_token})


def provider_logout(logout: dict[str, Any] | None) -> str | None:
    """Where to send the browser after our sign-out, to end the provider's session too."""
    if not logout:
        return None
    method = methods().method(str(logout.get("org")), str(logout.get("method")))
    if method is None or method.kind != "oidc" or not method.get("logout", True):
        return None
    return oidc_client(method).logout_url(logout.get("id_token"), url_for("auth.login", _external=True))


def password_off_text() -> str:
    return _(REASONS["password_off"])


def audit_password_off(person: str, address: str) -> None:
    """A password typed for an organization that has switched local passwords off: refused
    before any check (so nothing is learnt about the password), and audited."""
    from approvals.audit import Entry
    from approvals.outbox import Outbox
    out = Outbox()
    with engine().db.transaction() as s:
        out.record(Entry(person, "sign_in_refused", detail={"method": "password", "kind": "password",
                                                            "address": address, "reason": "password_off"}))
        out.write(s, engine().clock.now())
