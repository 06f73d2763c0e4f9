"""Configuration by environment variables, so gunicorn workers and `approvals serve` agree.

APPROVALS_DATABASE_URL    SQLAlchemy URL (default: the engine's SQLite file)
APPROVALS_PROCESSES       directory of BPMN files (default: processes/)
APPROVALS_SECRET_KEY      signs session cookies; generated (with a warning) when unset
APPROVALS_ADMINS          comma-separated admins, each administering one organization:
                          `person.id` (their own organization) or `org-id:person.id`
                          (that organization); when unset, each organization's head of
                          the unit holding duty `filing` (人事科, who keeps personnel
                          records) administers it, so `make run` has an admin; set it
                          (even empty) in production (docs/orgcharts.md)
APPROVALS_INSPECTORS      comma-separated person ids who inspect, besides the unit
                          holding duty `discipline`
APPROVALS_SECURE_COOKIES  1 behind HTTPS: cookies are sent over HTTPS only
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask

from approvals.offices import AdminRights

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a prevention plan is a document, not a video


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def from_environment() -> dict[str, Any]:
    env = os.environ
    return {
        "APPROVALS_DATABASE_URL": env.get("APPROVALS_DATABASE_URL"),
        "APPROVALS_PROCESSES": env.get("APPROVALS_PROCESSES"),
        "SECRET_KEY": env.get("APPROVALS_SECRET_KEY"),
        "APPROVALS_ADMINS": env.get("APPROVALS_ADMINS"),  # None: the default described above
        "APPROVALS_INSPECTORS": env.get("APPROVALS_INSPECTORS", ""),
        "SESSION_COOKIE_SECURE": _flag(env.get("APPROVALS_SECURE_COOKIES")),
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES,
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    }


def people(value: Any) -> frozenset[str]:
    """A comma-separated list (environment) or any iterable (tests) of person ids."""
    if isinstance(value, str):
        return frozenset(p.strip() for p in value.split(",") if p.strip())
    return frozenset(value or ())


def finish(app: Flask) -> None:
    """Derived settings: cookie hardening, role lists, a secret key for local use."""
    cfg = app.config
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = secrets.token_hex(32)
        log.warning(
            "APPROVALS_SECRET_KEY is not set: using a random key, so sign-ins end when "
            "the server restarts and do not carry across gunicorn workers. Set "
            "APPROVALS_SECRET_KEY to a long random string in production."
        )
    admins = cfg.get("APPROVALS_ADMINS")
    cfg["APPROVALS_ADMINS"] = None if admins is None else people(admins)
    AdminRights.parse(cfg["APPROVALS_ADMINS"])  # a mistyped entry stops the start, naming it
    cfg["APPROVALS_INSPECTORS"] = people(cfg.get("APPROVALS_INSPECTORS"))
    secure = bool(cfg.get("SESSION_COOKIE_SECURE"))
    cfg.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),  # one working day
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )
