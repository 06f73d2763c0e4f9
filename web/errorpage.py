"""The error page itself: its title, hint and the plain fallback drawn without the database.

Beneath both web/errors.py (which maps exceptions to these pages) and the helpers that answer
a refusal with a page of their own (web/idempotency.py), so neither reaches up for the other.
"""

from __future__ import annotations

import logging

from flask import render_template, request
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from approvals.errors import ApprovalsError
from web.i18n import gettext as _
from web.i18n import is_english

log = logging.getLogger("web.errors")


def titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You may not open this page"),
        404: _("Not found"),
        405: _("Not allowed this way"),
        409: _("Someone else was faster"),
        413: _("The file is too large"),
        500: _("Something went wrong on our side"),
        503: _("The service is briefly unavailable"),
    }


def hints() -> dict[int, str]:
    return {
        400: _("Go back, reload the page and try again."),
        403: _(
            "This page belongs to someone else's work. If you think you should see it, ask "
            "an administrator."
        ),
        404: _("The address may be mistyped, or the item was removed."),
        405: _("Use the buttons on the page instead of typing the address."),
        409: _("Reload the page to see the current state."),
        413: _("Attachments may be at most 10 MB. Make the file smaller and try again."),
        500: _(
            "The error was logged. Try again in a moment; if it keeps happening, tell the "
            "administrator the time it happened."
        ),
        503: _("Try again in a few seconds; if it keeps happening, tell the administrator."),
    }


def _forbidden_hint() -> str:
    """A 403 on an office's pages says whose pages they are, not "someone else's work"."""
    if request.blueprint == "admin":
        return _("This page is for the administrators who keep the org chart. If you need a "
                 "change made, ask one of them.")
    if request.blueprint == "inspector":
        return _("The audit pages are for discipline inspectors. If you need a record checked, "
                 "ask one of them.")
    return hints()[403]


def page(code: int, detail: str = "") -> tuple[str, int]:
    """The error page; when drawing it meets a database fault of its own (the navigation reads
    the signed-in user and the inbox counts), the same words on a plain page, with the same code:
    a 403, 404 or 409 must not turn into a 500 because the database faltered twice."""
    title = titles().get(code, _("Error"))
    hint = _forbidden_hint() if code == 403 else hints().get(code, "")
    try:
        return render_template("error.html", code=code, title=title, hint=hint, detail=detail), code
    except (SQLAlchemyError, ApprovalsError) as exc:
        log.warning("the %s page for %s %s met a database fault: %s", code, request.method, request.path,
                    getattr(exc, "__cause__", None) or exc)
        return plain(title, detail, hint), code


def plain(title: str, *lines: str, refresh: int | None = None) -> str:
    """A page drawn without the database or the templates: what an error page falls back on."""
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    body = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    lang = "en" if is_english() else "zh-CN"
    return (f'<!doctype html><html lang="{lang}"><meta charset=utf-8>{meta}<title>{escape(title)}</title>'
            f"<h1>{escape(title)}</h1>{body}</html>")
