"""The one API blueprint every resource module adds its routes to, and the scope each needs.

flask-openapi3 was chosen (over apiflask and flask-smorest) because it emits OpenAPI 3.1 from
pydantic v2 models, whose JSON Schema (2020-12) *is* 3.1's schema dialect: apiflask and
flask-smorest go through apispec/marshmallow, which write 3.0 schemas (``nullable``) even when
the document says 3.1. Its ``OpenAPI`` class is a ``Flask`` subclass, so the existing app
factory, Flask-Login, Flask-WTF (CSRF; this blueprint is exempt: it takes no cookies) and every
blueprint stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_openapi3 import APIBlueprint, Tag

from web.api.schemas import Problem

F = TypeVar("F", bound=Callable[..., Any])

PREFIX = "/api/v1"
PROBLEM = {"content": {"application/problem+json": {"schema": Problem.model_json_schema()}}}
_ERRORS = {
    "401": {"description": "No valid bearer token", **PROBLEM},
    "403": {"description": "Not permitted (the UI's rules), or the token lacks the scope", **PROBLEM},
    "404": {"description": "No such item", **PROBLEM},
    "422": {"description": "A field is missing or invalid: each is named in errors", **PROBLEM},
    "429": {"description": "Past the client's rate limit (see Retry-After)", **PROBLEM},
    "503": {"description": "The database is briefly unavailable (see Retry-After)", **PROBLEM},
}

api = APIBlueprint("api", __name__, url_prefix=PREFIX, abp_security=[{"bearer": []}],
                   abp_responses=_ERRORS)  # type: ignore[arg-type]

TAGS = {name: Tag(name=name, description=text) for name, text in {
    "processes": "What a person may apply for, and the route a request would take",
    "requests": "Starting and following requests",
    "tasks": "Deciding and every other operation on a task",
    "lists": "My requests, inbox and done list",
    "notifications": "The notification centre",
    "audit": "Inspectors: audit search, a request's trail, the access log",
    "admin": "Administrators: chart versions, process deployment, webhooks",
    "tokens": "Personal access tokens and client credentials",
}.items()}

SCOPE_OF: dict[str, str] = {}  # endpoint -> scope a token needs for it
CONFLICT = {"409": {"description": "Someone else changed it first", **PROBLEM}}


def needs(scope: str) -> Callable[[F], F]:
    """Record the scope a view needs (checked before it runs, web/api/auth.py). Put it under
    the route decorator; the view itself is returned unchanged, so its signature is what
    flask-openapi3 reads."""

    def record(view: F) -> F:
        SCOPE_OF[f"api.{view.__name__}"] = scope
        return view

    return record
