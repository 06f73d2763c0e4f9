"""Signing in and out, and the language switch. Everyone in an org chart can sign in."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from approvals import credentials
from web import users
from web.engine import engine
from web.i18n import LANGUAGES
from web.i18n import gettext as _

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = _l("Please sign in first.")
    manager.session_protection = "strong"
    manager.user_loader(users.load)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a crafted ?next= must not send someone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("applicant.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    error = None
    person_id = ""
    if request.method == "POST":
        person_id = request.form.get("person", "").strip()
        password = request.form.get("password", "")
        user = users.load(person_id) if person_id else None
        if user is not None and credentials.check(engine().db, person_id, password):
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in (no fixation)
            if lang:
                session["lang"] = lang
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        error = _("Unknown user name or wrong password.")
    return render_template("auth/login.html", error=error, person=person_id)


@bp.post("/logout")
@login_required
def logout() -> Response:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Response:
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))
