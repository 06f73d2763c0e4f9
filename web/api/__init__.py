"""The open API, ``/api/v1``: JSON for OA portals and mobile apps (docs/api.md).

One module per resource adds its operations to one blueprint (``blueprint.py``); every view
calls the engine's facade (``engine().service``, ``queries``, ``deployer``...) after the same
checks the pages make, with the caller made flask_login's user for the request (``auth.py``).
The OpenAPI 3.1 document is generated from the views and their pydantic models and served
at ``/api/v1/openapi.json``; ``/api/v1/docs`` draws it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

# Each module adds its routes to ``api`` on import.
from web.api import admin, audit, auth, integrations, lists, notifications, problems, processes, requests, tasks, tokens  # noqa: E402,F401,I001
from web.api.blueprint import TAGS, api
from web.api.docs import bp as docs_bp

SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "A personal access token (apr_pat_...) or a client's access token (apr_cat_..., "
                              "from POST /api/v1/oauth/token). A client names the person it acts for in X-Act-As."},
}
problems.init_app(api)
auth.before(api.before_request)


def init_app(app: Flask) -> None:
    """After ``security.init_app``: the API takes no cookies, so it is exempt from CSRF."""
    from web.security import csrf

    csrf.exempt(api)
    csrf.exempt(docs_bp)
    auth.init_app(app)
    app.register_api(api)  # type: ignore[attr-defined]
    app.register_blueprint(docs_bp)
    app.tags = list(TAGS.values())  # type: ignore[attr-defined]
