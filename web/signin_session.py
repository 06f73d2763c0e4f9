"""What every way of signing in ends with: the one person found gets a fresh session, or a page
saying why not (REASONS). Beneath the sign-in pages (web/identity.py, web/auth.py) and the
second factor (web/twofactor.py), which all end here."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, session
from flask_login import login_user
from werkzeug.wrappers import Response

from approvals.identity.external import Result
from approvals.identity.methods import SignInMethods
from web import sessions, users
from web.i18n import gettext as _
from web.urls import safe_next

LOGOUT = "signin_logout"  # session key: how to sign out at the provider too


def methods() -> SignInMethods:
    configured: SignInMethods = current_app.config["APPROVALS_SIGNIN_METHODS"]
    return configured


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
    return redirect(safe_next(target))


def lazy_text(text: str) -> str:
    """Marks a string for translation (extracted by pybabel's ``-k _l``); translated when shown."""
    return text


_l = lazy_text  # the name pybabel extracts (-k _l)

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
    "bad_ticket": _l("The sign-in ticket from the CAS server is missing or malformed. Please sign in again."),
    "cas_failure": _l("The CAS server did not accept this sign-in ticket (%(why)s). Please sign in again."),
    "cas_unreachable": _l("The CAS server could not be reached just now. Try again in a moment."),
    "cas_bad_answer": _l("The CAS server's answer could not be used, so you are not signed in. Tell your "
                         "administrator the time it happened."),
    "missing_attribute": _l("The sign-in service did not say who you are in the way this organization matches "
                            "people, so nobody is signed in. Ask your administrator."),
    "bad_code": _l("The app's sign-in code is missing or malformed. Open approvals from the app again."),
    "replayed_code": _l("This sign-in code was already used once; a used code is never accepted again. Open "
                        "approvals from the app again."),
    "app_unreachable": _l("The app's sign-in service could not be reached just now. Try again in a moment."),
    "app_refused": _l("The app's sign-in service refused this sign-in (%(why)s). Open approvals from the app "
                        "again."),
    "not_a_member": _l("The app says you are not a member of this organization, so nobody is signed in."),
}


def refusal(reason: str, result: Result | None, why: str = "", identity: str = "", chars: str = "") -> Response:
    text = REASONS.get(reason)
    people = "、".join(result.candidates) if result is not None else ""
    message = _(text, identity=identity, people=people, chars=chars, why=why) if text else \
        _("You are not signed in: %(why)s", why=why or reason)
    page = render_template("auth/refused.html", message=message, reason=reason)
    return Response(page, 403, mimetype="text/html")
