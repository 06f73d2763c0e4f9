"""Sessions that end: on sign-out, a new password or a disabled account (in every worker, for
every copy of the cookie), after a spell without activity, and at the end of a working day.

A session is a signed cookie, so it cannot be deleted on the server; instead it carries the
person's session generation (``credentials.session_generation``) and two times, and each
request checks them before anything else looks at the user. Anything that should end a
person's sessions moves the generation in the database, which every worker reads.

flask_login's remember-me cookie is never issued, and cannot bring a session back either: the
user loader accepts only the person this check has just let through, and a remember cookie
comes with no generation.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, g, request, session
from flask_login import logout_user

from approvals import credentials
from web import idempotency
from web.engine import engine, now, remember_charts
from web.i18n import gettext as _

GENERATION, SINCE, SEEN = "signin_generation", "signin_at", "seen_at"
SEEN_STEP = 60  # seconds: a busy page should not rewrite the cookie on every request


def start(generation: int) -> None:
    """Stamp a fresh session (right after ``login_user``)."""
    stamp = now().timestamp()
    session[GENERATION], session[SINCE], session[SEEN] = generation, stamp, stamp


def let_through(person_id: str) -> bool:
    """For the user loader: whether this request's session was checked for ``person_id``."""
    return bool(g.get("session_person") == person_id)


def end() -> None:
    """Forget the sign-in in this browser, keeping the language."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def ended() -> bool:
    """Whether this request found its session ended (the login page says so, not "sign in first")."""
    return bool(g.get("session_ended"))


def _check() -> None:
    person = session.get("_user_id")
    if person is None or request.endpoint == "static":
        return
    problem = _problem(person)
    if problem is None:
        g.session_person = person
        return
    end()
    g.session_ended = True
    flash(problem, "info")


def _problem(person: str) -> str | None:
    hours, minutes = (current_app.config[k] for k in ("APPROVALS_SESSION_MAX_HOURS", "APPROVALS_SESSION_IDLE_MINUTES"))
    at = now().timestamp()
    if session.get(GENERATION) != _generation(person):
        return _("Your session has ended (signed out, new password or account disabled). Please sign in again.")
    if hours and at - float(session.get(SINCE, 0)) > hours * 3600:
        return _("Your session has expired: it lasts at most %(hours)s hours. Please sign in again.", hours=hours)
    if minutes and at - float(session.get(SEEN, 0)) > minutes * 60:
        return _("Your session has expired after %(minutes)s minutes without activity. Please sign in again.",
                 minutes=minutes)
    if at - float(session.get(SEEN, 0)) >= SEEN_STEP:
        session[SEEN] = at
    return None


def _generation(person: str) -> int | None:
    """The person's session generation, read with what the page needs next (every chart in
    force, for the user loader; a form's key, for a resend): one visit to the database."""
    approvals = engine()
    with approvals.db.glancing() as conn:
        generation = credentials.session_generation(conn, person)
        remember_charts(approvals.orgcharts.current_all(session=conn))
        idempotency.prefetch(conn, person)
    return generation


def init_app(app: Flask) -> None:
    app.before_request(_check)
