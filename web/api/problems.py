"""Every refusal of the API as RFC 9457 problem details (``application/problem+json``), in the
language of Accept-Language: the same engine errors the pages turn into 403/404/409/503 pages,
the same translated words (web/messages.py), and each refused field named with its reason."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, json, request
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from approvals.errors import (
    AlreadyDoneError,
    ApprovalsError,
    ConflictError,
    FieldError,
    InvalidStateError,
    NotPermittedError,
    UnavailableError,
    UnknownError,
)
from approvals.store.faults import translate
from web import messages
from web.errors import RETRY_AFTER
from web.i18n import gettext as _

log = logging.getLogger(__name__)
MEDIA = "application/problem+json"


def titles() -> dict[int, str]:
    return {400: _("The request could not be understood"), 401: _("Sign-in needed"),
            403: _("Not permitted"), 404: _("Not found"), 405: _("Not allowed this way"),
            409: _("Someone else was faster"), 413: _("The file is too large"),
            422: _("Some fields are not valid"), 429: _("Too many requests"),
            500: _("Something went wrong on our side"), 503: _("The service is briefly unavailable")}


def problem(status: int, detail: str = "", errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": titles().get(status, _("Error")), "status": status,
                            "detail": detail, "instance": request.path, "errors": errors or []}
    response = Response(json.dumps(body, ensure_ascii=False), status, mimetype=MEDIA)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _engine(exc: ApprovalsError) -> Response:
    if isinstance(exc, UnavailableError):
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc.__cause__ or exc)
        detail = (_("The database stopped answering while your action was being saved, so it may have been "
                    "saved. Look at the request before you try again.") if exc.outcome_unknown else
                  _("The database is not answering at the moment. Try again after Retry-After seconds."))
        return problem(503, detail, headers={"Retry-After": str(RETRY_AFTER)})
    if isinstance(exc, NotPermittedError):
        return problem(403, messages.explain(exc))
    if isinstance(exc, UnknownError):
        return problem(404, messages.explain(exc))
    if isinstance(exc, ConflictError | AlreadyDoneError):
        return problem(409, messages.explain(exc))
    if isinstance(exc, FieldError):
        issues = [{"field": f, "reason": reason} for f, reason in messages.field_errors(exc).items()]
        return problem(422, messages.explain(exc), issues)
    return problem(409 if isinstance(exc, InvalidStateError) else 422, messages.explain(exc))


def _http(exc: HTTPException) -> Response:
    code = exc.code or 500
    return problem(code, exc.description if code in (400, 413) and exc.description else "")


def _database(exc: SQLAlchemyError) -> Response:
    translated = translate(exc)
    return _engine(translated) if translated is not None else _unexpected(exc)


def _unexpected(exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return problem(500, _("The error was logged. Try again in a moment."))


def validation(exc: ValidationError) -> Response:
    """flask-openapi3's answer to a body, query or path pydantic refused: each field named."""
    issues = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "reason": e["msg"]} for e in exc.errors()]
    return problem(422, _("Some fields are not valid."), issues)


def init_app(bp: Blueprint) -> None:
    bp.register_error_handler(ApprovalsError, _engine)
    bp.register_error_handler(HTTPException, _http)
    bp.register_error_handler(SQLAlchemyError, _database)
    bp.register_error_handler(Exception, _unexpected)
