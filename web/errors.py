"""Error pages in the user's language; no stack trace ever reaches a page.

Engine errors that escape a view become the page they mean: not permitted -> 403, unknown
id -> 404, someone else acted first -> 409, the database unavailable -> 503 with Retry-After
(a page that was only being read reloads itself then). A database error that escaped the
engine's translation is classified the same way (approvals/store/faults.py); anything else
is logged and shown as 500.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from approvals.crypto import CryptoError
from approvals.errors import ApprovalsError, ConflictError, NotPermittedError, UnavailableError, UnknownError
from approvals.store.faults import translate
from web.errorpage import hints, page, plain, titles
from web.i18n import gettext as _
from web.messages import explain, sealed

log = logging.getLogger(__name__)


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


RETRY_AFTER = 5  # seconds: a restarted database or a lock released is usually back by then


def _unavailable(exc: UnavailableError) -> tuple[str, int, dict[str, str]]:
    """503 with Retry-After. A GET reloads itself after that; a form is never resent for the
    user (the idempotency key makes resending it by hand safe)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, exc.__cause__ or exc)
    if exc.outcome_unknown:
        detail = _("The database stopped answering while your action was being saved, so it may have "
                   "been saved. Look at the request before you try again.")
    elif request.method == "GET":
        detail = _("The database is not answering at the moment. This page tries again by itself.")
    else:  # the fault may have come after the action committed (a read for the answer page)
        detail = _("The database is not answering at the moment. Sending the form again is safe: if your "
                   "action already went through, it is not done a second time.")
    headers = {"Retry-After": str(RETRY_AFTER)}
    refresh = RETRY_AFTER if request.method == "GET" else None
    title, hint = titles()[503], hints()[503]
    try:
        html = render_template("error.html", code=503, title=title, hint=hint, detail=detail, refresh=refresh)
    except Exception:  # noqa: BLE001 - the page's own reads (the signed-in user) need the database too
        html = plain(title, detail, hint, refresh=refresh)
    return html, 503, headers


def _database(exc: SQLAlchemyError) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """A database error that escaped the engine's translation: the same classes, else a bug."""
    translated = translate(exc)
    if translated is None:
        return _unexpected(exc)
    return _engine(translated)


def _engine(exc: ApprovalsError) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    if isinstance(exc, UnavailableError):
        return _unavailable(exc)
    if isinstance(exc, CryptoError):  # the server's keys, not the person's doing: a 500 naming the key
        log.error("a sealed value did not open on %s %s: %s", request.method, request.path, exc)
        return page(500, sealed(exc))
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
    app.register_error_handler(SQLAlchemyError, _database)
    app.register_error_handler(InternalServerError, _unexpected)
    app.register_error_handler(HTTPException, _http)
