"""Configuration by environment variables, so gunicorn workers and `approvals serve` agree.

APPROVALS_DATABASE_URL    SQLAlchemy URL (default: the engine's SQLite file)
APPROVALS_PROCESSES       directory of BPMN files (default: processes/)
APPROVALS_TIME_ZONE       IANA zone stored times are written in (default Asia/Shanghai; read by
                          approvals/clock.py, refused at start when it names no zone)
APPROVALS_SECRET_KEY      signs session cookies; generated (with a warning) when unset
APPROVALS_ADMINS          comma-separated admins, each administering one organization:
                          `person.id` (their own organization) or `org-id:person.id`
                          (that organization); when unset, each organization's head of
                          the unit holding duty `filing` (人事科, who keeps personnel
                          records) administers it, so `make run` has an admin; set it
                          (even empty) in production (docs/orgcharts.md)
APPROVALS_SECURITY_ADMINS the security administrators (三员分立: sign-in policy, roles, keys),
                          entries as in APPROVALS_ADMINS; unset: nobody (with a warning)
APPROVALS_AUDIT_ADMINS    the audit administrators, who read every administrator's actions;
                          unset: nobody (with a warning). No person may be named in two of
                          APPROVALS_ADMINS (the system administrators), APPROVALS_SECURITY_ADMINS
                          and APPROVALS_AUDIT_ADMINS: the start is refused, naming them
APPROVALS_INSPECTORS      comma-separated person ids who inspect, besides the unit
                          holding duty `discipline`
APPROVALS_SECURE_COOKIES  1: cookies are marked Secure on every response, even one the app
                          takes for plain HTTP (e.g. behind a proxy not trusted below).
                          Without it they are marked Secure whenever the request came over
                          HTTPS, which also turns on HSTS
APPROVALS_TRUST_PROXY     number of reverse proxies in front (nginx: 1; default 0): their
                          X-Forwarded-For and X-Forwarded-Proto are believed (werkzeug
                          ProxyFix), so the sign-in throttle sees each client's own address
                          and HTTPS is recognised. Never set it without a proxy that
                          overwrites those headers
APPROVALS_HSTS_SECONDS    Strict-Transport-Security max-age sent over HTTPS (default 31536000,
                          one year; 0: none)

APPROVALS_SIGNIN_CONFIG   a YAML file of each organization's sign-in methods (OIDC, LDAP/AD,
                          CAS, 政务钉钉/企业微信/飞书 免登), whether local passwords are on and
                          who needs two factors (approvals/identity/methods.py, docs/sign-in.md);
                          unset: local passwords only, as before
APPROVALS_TWO_FACTOR      "required" (default): administrators and inspectors who sign in with
                          a password give a TOTP code too (and everyone, where the sign-in file
                          says two_factor: everyone); "off": nobody is made to (a demo); anyone
                          who has set it up is asked all the same

Sign-in and sessions (docs/security.md "Sign-in and sessions"; 0 switches a throttle or a
timeout off):

APPROVALS_SIGNIN_ACCOUNT_FAILURES   failures on one account name that lock it (default 5)
APPROVALS_SIGNIN_ADDRESS_FAILURES   failures from one client address that lock it (default 30)
APPROVALS_SIGNIN_WINDOW_MINUTES     the span the failures are counted in (default 15)
APPROVALS_SIGNIN_LOCKOUT_MINUTES    how long a lockout lasts (default 15)
APPROVALS_SESSION_IDLE_MINUTES      a session ends after this long without a request (default 30)
APPROVALS_SESSION_MAX_HOURS         and this long after signing in, whatever happens (default 8)
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask

from approvals.identity.methods import SignInMethods
from approvals.identity.signin import Policy
from approvals.people.offices import AdminRights, separate

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a prevention plan is a document, not a video

NUMBERS = {  # setting: default (see the module docstring)
    "APPROVALS_TRUST_PROXY": 0,
    "APPROVALS_HSTS_SECONDS": 365 * 24 * 3600,
    "APPROVALS_SIGNIN_ACCOUNT_FAILURES": 5,
    "APPROVALS_SIGNIN_ADDRESS_FAILURES": 30,
    "APPROVALS_SIGNIN_WINDOW_MINUTES": 15,
    "APPROVALS_SIGNIN_LOCKOUT_MINUTES": 15,
    "APPROVALS_SESSION_IDLE_MINUTES": 30,
    "APPROVALS_SESSION_MAX_HOURS": 8,
}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def from_environment() -> dict[str, Any]:
    env = os.environ
    return {
        "APPROVALS_DATABASE_URL": env.get("APPROVALS_DATABASE_URL"),
        "APPROVALS_PROCESSES": env.get("APPROVALS_PROCESSES"),
        "SECRET_KEY": env.get("APPROVALS_SECRET_KEY"),
        "APPROVALS_ADMINS": env.get("APPROVALS_ADMINS"),  # None: the default described above
        "APPROVALS_SECURITY_ADMINS": env.get("APPROVALS_SECURITY_ADMINS"),
        "APPROVALS_AUDIT_ADMINS": env.get("APPROVALS_AUDIT_ADMINS"),
        "APPROVALS_INSPECTORS": env.get("APPROVALS_INSPECTORS", ""),
        "SESSION_COOKIE_SECURE": _flag(env.get("APPROVALS_SECURE_COOKIES")),
        # the worker sends e-mail with it; the settings page only asks for an address when set
        "APPROVALS_SMTP_HOST": env.get("APPROVALS_SMTP_HOST", ""),
        "APPROVALS_SIGNIN_CONFIG": env.get("APPROVALS_SIGNIN_CONFIG", ""),
        "APPROVALS_TWO_FACTOR_REQUIRED": env.get("APPROVALS_TWO_FACTOR", "required").strip().lower() != "off",
        **{name: env.get(name) for name in NUMBERS},
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES,
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    }


def people(value: Any) -> frozenset[str]:
    """A comma-separated list (environment) or any iterable (tests) of person ids."""
    if isinstance(value, str):
        return frozenset(p.strip() for p in value.split(",") if p.strip())
    return frozenset(value or ())


def _number(name: str, value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"{name} must be a whole number, 0 or more; got {value!r}")
    return number


def offices_settings(cfg: Any) -> None:
    """三员分立: the three administrators' settings, parsed so a mistyped entry or one person named
    twice stops the start, naming them; a deployment naming only APPROVALS_ADMINS (from before
    the split) keeps its system administrators and is told to name the other two."""
    admins = cfg.get("APPROVALS_ADMINS")
    cfg["APPROVALS_ADMINS"] = None if admins is None else people(admins)
    rights = [AdminRights.parse(cfg["APPROVALS_ADMINS"])]
    for name in ("APPROVALS_SECURITY_ADMINS", "APPROVALS_AUDIT_ADMINS"):
        value = cfg.get(name)
        cfg[name] = people(value)
        rights.append(AdminRights.parse(cfg[name], name))
        if value is None:
            log.warning(
                "%s is not set: nobody is %s administrator (三员分立, docs/security.md). APPROVALS_ADMINS "
                "keeps naming the system administrators (accounts, configuration, processes, org chart); "
                "name someone else in %s.", name, "security" if "SECURITY" in name else "audit", name)
    separate(*rights)


def signin_policy(cfg: Any) -> Policy:
    return Policy(
        account_failures=cfg["APPROVALS_SIGNIN_ACCOUNT_FAILURES"],
        address_failures=cfg["APPROVALS_SIGNIN_ADDRESS_FAILURES"],
        window=timedelta(minutes=cfg["APPROVALS_SIGNIN_WINDOW_MINUTES"]),
        lockout=timedelta(minutes=cfg["APPROVALS_SIGNIN_LOCKOUT_MINUTES"]),
    )


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
    offices_settings(cfg)
    cfg["APPROVALS_INSPECTORS"] = people(cfg.get("APPROVALS_INSPECTORS"))
    for name, default in NUMBERS.items():
        cfg[name] = _number(name, cfg.get(name), default)
    cfg["APPROVALS_SIGNIN_POLICY"] = signin_policy(cfg)
    # tests give the parsed settings (APPROVALS_SIGNIN); a deployment names a file
    given = cfg.get("APPROVALS_SIGNIN")
    cfg["APPROVALS_SIGNIN_METHODS"] = given if isinstance(given, SignInMethods) else \
        SignInMethods.parse(given) if given is not None else SignInMethods.load(cfg.get("APPROVALS_SIGNIN_CONFIG"))
    secure = bool(cfg.get("SESSION_COOKIE_SECURE"))
    cfg.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=cfg["APPROVALS_SESSION_MAX_HOURS"]),
        WTF_CSRF_TIME_LIMIT=cfg["APPROVALS_SESSION_MAX_HOURS"] * 3600 or None,
    )
