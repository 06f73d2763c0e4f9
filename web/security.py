"""CSRF on every form and headers that keep pages from being framed, sniffed or cached; over
HTTPS, HSTS and Secure cookies.

A request counts as HTTPS when it is (``request.is_secure``), which behind a TLS-terminating
proxy needs ``APPROVALS_TRUST_PROXY`` (werkzeug's ProxyFix reads X-Forwarded-Proto and
X-Forwarded-For). Every cookie of such a response is marked Secure (the session cookie, which
also holds the CSRF token, and any a view sets; flask_login's remember cookie is never issued,
see web/sessions.py), whatever the configuration says; ``APPROVALS_SECURE_COOKIES=1`` marks
them Secure on every response.

Scripts and styles come only from this site (bpmn-js is vendored), so the content security
policy can forbid every other origin; bpmn-js draws with inline SVG styles and a data: logo.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype in ("text/html", "application/json", "text/csv"):
        # Requests and audit trails are not for shared caches or the back button of a kiosk.
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        _https(response)
    return response


def _https(response: Response) -> None:
    hsts = current_app.config["APPROVALS_HSTS_SECONDS"]
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
    cookies = response.headers.getlist("Set-Cookie")  # any set by a view (the session's: above)
    if any(not _secure(c) for c in cookies):
        response.headers.remove("Set-Cookie")
        for cookie in cookies:
            response.headers.add("Set-Cookie", cookie if _secure(cookie) else f"{cookie}; Secure")


def _secure(cookie: str) -> bool:
    return any(part.strip().lower() == "secure" for part in cookie.split(";")[1:])


class _SessionCookies(SecureCookieSessionInterface):
    """The session cookie is written after every after_request hook has run, so its Secure
    flag is decided here: configured, or the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.session_interface = _SessionCookies()
    app.after_request(_headers)
    proxies = app.config["APPROVALS_TRUST_PROXY"]
    if proxies:  # the proxy's X-Forwarded-For/-Proto tell the client's address and scheme
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
