"""Who calls the API, checked before every view: a bearer token names a person (a personal
access token, or an access token of the configured sign-in provider: the hook below), or a
system client, which acts as a named person of its organization (``X-Act-As``) only with the
``act_as`` scope. That person then becomes flask_login's user for the request, so every view
runs the UI's own checks (web/users.py, web/requestview.py) on them: the API's authorization
is the UI's. The session cookie is never read here (the blueprint is exempt from CSRF).

Hook for issue 20 (sign-in provider tokens): ``APPROVALS_API_BEARER_VERIFIERS`` is a list of
callables ``verify(token) -> person_id | None``; a token none of ours knows is offered to them
in order, and the first person named is the caller, with the scopes in
``APPROVALS_API_PROVIDER_SCOPES`` (default: every personal scope).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import Token

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

from approvals.audit import chain as audit
from approvals.identity.api_access import PERSONAL_SCOPES, ApiAccess, Caller, UnknownCredentialError
from approvals.store.orgcharts import person_chart
from web import users
from web.api.blueprint import SCOPE_OF
from web.api.problems import problem
from web.api.ratelimit import RateLimit
from web.engine import charts_in_force, engine
from web.i18n import gettext as _

PUBLIC = {"api.client_token", "api.feishu_callback", "api_docs.openapi_json", "api_docs.docs", "api_docs.not_found"}
ACT_AS = "X-Act-As"


def access() -> ApiAccess:
    return ApiAccess(engine().db, engine().clock)


def caller() -> Caller:
    return g.api_caller  # type: ignore[no-any-return]


def _bearer() -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _identify(token: str) -> Caller | None:
    try:
        return access().caller(token)
    except UnknownCredentialError:
        pass
    verifiers: list[Callable[[str], str | None]] = current_app.config.get("APPROVALS_API_BEARER_VERIFIERS", [])
    scopes = current_app.config.get("APPROVALS_API_PROVIDER_SCOPES", PERSONAL_SCOPES)
    for verify in verifiers:
        person = verify(token)
        if person:
            return Caller(0, person, None, None, None, frozenset(scopes))
    return None


def _unauthorized(detail: str) -> Response:
    return problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="approvals"'})


def _person(who: Caller) -> str | Response:
    """The person the call acts as: the token's, or the one a client names in X-Act-As."""
    named = request.headers.get(ACT_AS, "").strip()
    if who.client_id is None:
        return who.person_id or ""
    if not named:
        return problem(403, _("A system client acts for a named person: send their id in the X-Act-As header."))
    if not who.allows("act_as"):
        return problem(403, _("This client may not act as a person (it lacks the act_as scope)."))
    try:
        chart = person_chart(charts_in_force(), named)
    except Exception:  # noqa: BLE001 - an unknown person is simply not in the client's organization
        chart = None
    if chart is None or chart.id != who.org_id:
        return problem(403, _("%(person)s is not a person of this client's organization.", person=named))
    return named


def _check() -> Response | None:
    if request.endpoint in PUBLIC or request.endpoint is None:
        return None
    token = _bearer()
    who = _identify(token) if token else None
    if who is None:
        return _unauthorized(_("Send a valid bearer token: a personal access token, or a client's access token."))
    wait = current_app.extensions["api_rate"].wait(who.client_id or f"token:{who.token_id}:{who.person_id}")
    if wait:
        return problem(429, _("Too many requests from this caller; try again in %(s)s seconds.", s=wait),
                       headers={"Retry-After": str(wait)})
    needed = SCOPE_OF.get(request.endpoint or "")
    if needed and not who.allows(needed):
        return problem(403, _("This token lacks the scope %(scope)s.", scope=needed))
    person = _person(who)
    if isinstance(person, Response):
        return person
    user = users.load(person)
    if user is None:
        return _unauthorized(_("The person this token speaks for is no longer in the org chart."))
    g._login_user = user  # flask_login's current_user for this request: the UI's checks apply
    g.api_caller = who
    if who.client_id:
        g.api_via = audit.VIA.set(f"client {who.client_name} ({who.client_id})")
    return None


def _forget_via(_exc: BaseException | None) -> None:
    token: Token[str | None] | None = g.pop("api_via", None)
    if token is not None:
        audit.VIA.reset(token)


def init_app(app: Flask) -> None:
    app.extensions["api_rate"] = RateLimit(int(app.config.get("APPROVALS_API_RATE_PER_MINUTE", 600)))
    app.teardown_request(_forget_via)


def before(bp_before: Callable[..., object]) -> None:
    bp_before(_check)
