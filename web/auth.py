"""Signing in and out, and the language switch. Everyone in an org chart can sign in.

The rules (throttling, lockout, audit) are the engine's (approvals/identity/signin.py); sessions that
end are web/sessions.py; this module turns them into pages and messages.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, login_required, login_url
from werkzeug.wrappers import Response

from approvals.errors import ApprovalsError, FieldError
from approvals.identity import credentials, signin
from approvals.identity.signin import Outcome, SignIn
from web import identity, messages, sessions, signin_session, twofactor, users
from web.engine import current_chart, engine, org_ids
from web.i18n import LANGUAGES
from web.i18n import gettext as _
from web.localtime import when
from web.urls import safe_next
from web.users import me

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.session_protection = "strong"
    manager.user_loader(_load)
    manager.unauthorized_handler(_unauthorized)
    sessions.init_app(app)


def _load(person_id: str) -> users.User | None:
    """Only the person whose session was just checked (a remember-me cookie never is)."""
    return users.load(person_id) if sessions.let_through(person_id) else None


def _unauthorized() -> Response:
    if not sessions.ended():  # an ended session has said so already
        flash(_("Please sign in first."), "message")
    return redirect(login_url("auth.login", next_url=request.url))





def _sign_in() -> SignIn:
    return SignIn(engine().db, engine().clock, current_app.config["APPROVALS_SIGNIN_POLICY"],
                  known=lambda name: users.load(name) is not None)


def _address() -> str:
    return request.remote_addr or "unknown"


def _refusal(outcome: Outcome) -> str:
    until = when(outcome.locked_until)
    if outcome.status == signin.LOCKED:
        return _("Too many failed sign-ins: this account is locked until %(time)s. Try again then, "
                 "or ask your administrator for help.", time=until)
    if outcome.status == signin.ADDRESS_LOCKED:
        return _("Too many failed sign-ins from your network address: signing in from it is paused "
                 "until %(time)s.", time=until)
    if outcome.status == signin.DISABLED:
        return _("This account is disabled. Ask your administrator to enable it.")
    return _("Unknown user name or wrong password.")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    if request.method == "GET":
        return render_template("auth/login.html", error=None, person="", **_choices())
    person_id = request.form.get("person", "").strip()
    user = users.load(person_id) if person_id else None
    if user is not None and not identity.methods().of(user.org_id).password:  # this organization signs in elsewhere
        identity.audit_password_off(person_id, _address())
        page = render_template("auth/login.html", error=identity.password_off_text(), person=person_id, **_choices())
        return page, 403, {}
    outcome = _sign_in().attempt(person_id, request.form.get("password", ""), _address())
    user = users.load(outcome.person) if outcome.ok and outcome.person else None
    if user is not None:
        session["signin_next"] = request.args.get("next")
        return twofactor.after_first_factor(user.id, outcome.generation, "password", None)
    page = render_template("auth/login.html", error=_refusal(outcome), person=person_id, **_choices())
    if outcome.locked_until is None:
        return page, 200, {}
    wait = max(1, int((outcome.locked_until - engine().clock.now()).total_seconds()))
    return page, 429, {"Retry-After": str(wait)}


@bp.post("/logout")
@login_required
def logout() -> Response:
    _sign_in().sign_out(me().id, _address())
    elsewhere = identity.provider_logout(session.get(signin_session.LOGOUT))  # the provider's session too
    sessions.end()
    flash(_("You have signed out."), "info")
    return redirect(elsewhere or url_for("auth.login"))


def _choices() -> dict[str, object]:
    """What the sign-in page offers: the password form when any organization keeps passwords,
    and each organization's other methods."""
    configured = identity.methods()
    names = {org: current_chart_name(org) for org in configured.orgs}
    others = [(names[org], [m for m in configured.of(org).methods]) for org in configured.orgs
              if configured.of(org).methods]
    passwords = not configured.orgs or any(o.password for o in configured.orgs.values()) or \
        len(configured.orgs) < len(org_ids())
    return {"others": others, "passwords": passwords}


def current_chart_name(org: str) -> str:
    try:
        return current_chart(org).organization.name
    except ApprovalsError:
        return org


@bp.post("/language")
def language() -> Response:
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> str | Response | tuple[str, int]:
    """A person changes their own password: the current one, then the new one twice. Their
    other sessions end (a stolen cookie stops working); this one continues."""
    if request.method == "GET":
        return render_template("auth/password.html", errors={})
    new = request.form.get("new", "")
    errors: dict[str, str] = {}
    if new != request.form.get("repeat", ""):
        errors["repeat"] = _("The two new passwords differ.")
    else:
        try:
            engine().accounts.change_own_password(me().id, request.form.get("current", ""), new)
        except FieldError as exc:
            errors = messages.field_errors(exc)
    if errors:
        return render_template("auth/password.html", errors=errors), 400
    sessions.start(credentials.session_generation(engine().db, me().id) or 0)
    flash(_("Your password has been changed. Other devices signed in as you have been signed out."), "success")
    return redirect(url_for("applicant.home"))
