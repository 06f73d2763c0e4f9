"""The web UI: a thin Flask layer over the engine, one blueprint per kind of user.

Views call the same engine API as the CLI (``approvals.app.build``) and hold no route
logic; this package only turns requests into engine calls and engine answers into pages.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_openapi3 import Info, OpenAPI

from web import (
    api,
    auth,
    config,
    deadlines,
    engine,
    errors,
    i18n,
    idempotency,
    inputs,
    localtime,
    nav,
    pagememo,
    presenters,
    security,
    users,
)
from web.admin import bp as admin_bp
from web.applicant import bp as applicant_bp
from web.approver import bp as approver_bp
from web.auth import bp as auth_bp
from web.identity import bp as identity_bp
from web.inspector import bp as inspector_bp
from web.notifications import bp as notifications_bp
from web.printout import bp as printout_bp
from web.stats import bp as stats_bp
from web.tokens import bp as tokens_bp
from web.twofactor import bp as twofactor_bp


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment; ``test_config`` overrides it (``None`` values
    mean "use the environment", which is how ``approvals serve`` passes its options)."""
    # flask-openapi3's Flask subclass: it generates the open API's OpenAPI 3.1 document (web/api/).
    app = OpenAPI(__name__, instance_relative_config=True, doc_ui=False, info=Info(title="approvals", version="1"),
                  security_schemes=api.SECURITY_SCHEMES, validation_error_status=422,
                  validation_error_callback=api.problems.validation)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if v is not None})
    config.finish(app)

    pagememo.init_app(app)  # first: every request starts without the last page's memos
    engine.init_app(app)
    users.check_offices(app)  # 三员分立 against the charts in force: refused at start
    i18n.init_app(app)
    localtime.init_app(app)  # the |when filter: times on the organization's clocks
    auth.init_app(app)
    security.init_app(app)
    idempotency.init_app(app)  # after security: a forged form never reaches it
    inputs.init_app(app)  # query strings without NUL or control characters
    errors.init_app(app)
    presenters.init_app(app)
    nav.init_app(app)
    deadlines.init_app(app)

    for blueprint in (auth_bp, applicant_bp, approver_bp, admin_bp, inspector_bp, printout_bp, stats_bp,
                      notifications_bp, identity_bp, twofactor_bp, tokens_bp):
        app.register_blueprint(blueprint)
    api.init_app(app)
    return app
