"""Error pages in the user's language; no stack trace ever reaches a page.

Engine errors that escape a view become the page they mean: not permitted -> 403, unknown
id -> 404, someone else acted first -> 409. Anything unexpected is logged and shown as 500.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from approvals.errors import ApprovalsError, ConflictError, NotPermittedError, UnknownError
from web.i18n import gettext as _
from web.messages import explain

log = logging.getLogger(__name__)


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You may not open this page"),
        404: _("Not found"),
        405: _("Not allowed this way"),
        409: _("Someone else was faster"),
        413: _("The file is too large"),
        500: _("Something went wrong on our side"),
    }


def _hints() -> dict[int, str]:
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
    }


def page(code: int, detail: str = "") -> tuple[str, int]:
    title = _titles().get(code, _("Error"))
    hint = _hints().get(code, "")
    return render_template("error.html", code=code, title=title, hint=hint, detail=detail), code


def _http(exc: HTTPException) -> tuple[str, int]:
    return page(exc.code or 500)


def _csrf(exc: CSRFError) -> tuple[str, int]:
    return page(
        400,
        _(
            "The form has expired or did not come from this site. Reload the page and "
            "submit it again."
        ),
    )


def _engine(exc: ApprovalsError) -> tuple[str, int]:
    if isinstance(exc, NotPermittedError):
        return page(403)
    if isinstance(exc, UnknownError):
        return page(404)
    if isinstance(exc, ConflictError):
        return page(409, explain(exc))
    return page(400, explain(exc))


def _unexpected(exc: Exception) -> tuple[str, int]:
    original = getattr(exc, "original_exception", None) or exc
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    try:
        return page(500)
    except Exception:  # the error page itself failed (e.g. templates missing): plain text
        return "500 Internal Server Error", 500


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(ApprovalsError, _engine)
    app.register_error_handler(InternalServerError, _unexpected)
    app.register_error_handler(HTTPException, _http)
