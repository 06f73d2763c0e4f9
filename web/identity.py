"""Sign-in by the organization's own identity services (docs/sign-in.md): the pages around
approvals/identity/. Every method ends in ``open_session``, which the local password uses
too, so two factors, the session stamp and the idle/maximum/revocation rules of
web/sessions.py are the same whatever proved who someone is.

URLs: ``/signin/<org>/<method>`` starts a method (a redirect to the provider, or the
directory's form), ``/signin/<org>/<method>/callback`` is where the provider sends the browser
back. A refusal is a page naming the reason (403), never a stack trace, and is audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from approvals.errors import ApprovalsError
from approvals.identity.cas import CasClient
from approvals.identity.external import ExternalSignIn, Identity, Refused, single_logout
from approvals.identity.ldap import Directory
from approvals.identity.methods import Method
from approvals.identity.miandeng import KINDS as MIANDENG
from approvals.identity.miandeng import NAMES, MiandengClient
from approvals.identity.oidc import OidcClient, Pending
from web import twofactor
from web.engine import current_chart, engine
from web.i18n import gettext as _
from web.signin_session import REASONS, methods, refusal

bp = Blueprint("identity", __name__)

PENDING = "oidc_pending"  # session key: sign-ins started in this browser, by state
MAX_PENDING = 5


def _method(org: str, method_id: str) -> Method:
    method = methods().method(org, method_id)
    if method is None:
        abort(404)
    return method


def _address() -> str:
    return request.remote_addr or "unknown"


def _wall() -> float:
    clock = current_app.config.get("APPROVALS_WALL_CLOCK")
    return float(clock()) if clock else time.time()


def oidc_client(method: Method) -> OidcClient:
    return OidcClient(method, engine().db, engine().clock, wall=_wall)


def finish(identity: Identity, kind: str, logout: dict[str, Any] | None = None,
           then: Callable[[str], None] | None = None) -> Response:
    """The shared last step: the one person ``identity`` names, or the refusal page. ``then``
    is told who signed in (CAS keeps it for single logout)."""
    method = identity.method
    try:
        chart = current_chart(method.org)
    except ApprovalsError:
        abort(404)
    result = ExternalSignIn(engine().db, engine().clock).complete(identity, chart, _address())
    if not result.ok:
        return refusal(result.reason or "unknown", result, identity=identity.value)
    if then is not None:
        then(result.person or "")
    return twofactor.after_first_factor(result.person or "", result.generation, kind, method, logout)


def refuse(method: Method, exc: Refused, actor: str = "unknown", **shown: str) -> Response:
    ExternalSignIn(engine().db, engine().clock).refuse(method, exc.reason, exc.why, _address(), actor)
    return refusal(exc.reason, None, why=exc.why, **shown)


# ---- routes ----------------------------------------------------------------------------

@bp.get("/signin/<org>/<method_id>")
def start(org: str, method_id: str) -> Response | str:
    method = _method(org, method_id)
    if request.args.get("next"):
        session["signin_next"] = request.args["next"]
    if method.kind == "oidc":
        return _oidc_start(method)
    if method.kind == "cas":
        return redirect(cas_client(method).login_url(_service(method)))
    if method.kind in MIANDENG:
        return _miandeng_start(method)
    return _directory_start(method)


@bp.route("/signin/<org>/<method_id>/callback", methods=["GET", "POST"])
def callback(org: str, method_id: str) -> Response | str:
    method = _method(org, method_id)
    if method.kind == "oidc":
        return _oidc_callback(method)
    if method.kind == "cas":
        return _cas_callback(method)
    if method.kind in MIANDENG:
        return _miandeng_callback(method)
    return _directory_callback(method)


def _oidc_start(method: Method) -> Response:
    redirect_uri = url_for("identity.callback", org=method.org, method_id=method.id, _external=True)
    try:
        url, pending = oidc_client(method).begin(redirect_uri)
    except Refused as exc:
        return refuse(method, exc)
    waiting = dict(session.get(PENDING) or {})
    waiting[pending.state] = pending.as_dict()
    session[PENDING] = dict(list(waiting.items())[-MAX_PENDING:])
    return redirect(url)


def _oidc_callback(method: Method) -> Response:
    state = request.args.get("state", "")
    waiting = dict(session.get(PENDING) or {})
    raw = waiting.pop(state, None)
    session[PENDING] = waiting
    client = oidc_client(method)
    try:
        identity, id_token = client.finish(request.args, Pending.from_dict(raw) if raw else None)
    except Refused as exc:
        return refuse(method, exc)
    return finish(identity, "oidc", {"org": method.org, "method": method.id, "id_token": id_token})


def provider_logout(logout: dict[str, Any] | None) -> str | None:
    """Where to send the browser after our sign-out, to end the provider's session too."""
    if not logout:
        return None
    method = methods().method(str(logout.get("org")), str(logout.get("method")))
    if method is None or method.kind not in ("oidc", "cas") or not method.get("logout", True):
        return None
    if method.kind == "cas":
        return cas_client(method).logout_url(url_for("auth.login", _external=True))
    return oidc_client(method).logout_url(logout.get("id_token"), url_for("auth.login", _external=True))


# ---- CAS 3.0 (approvals/identity/cas.py): the callback is the service URL; a GET brings the
# ticket, a POST from the CAS server is single logout.

def cas_client(method: Method) -> CasClient:
    return CasClient(method, engine().db, engine().clock.now())


def _service(method: Method) -> str:
    return url_for("identity.callback", org=method.org, method_id=method.id, _external=True)


def _cas_callback(method: Method) -> Response | str:
    client = cas_client(method)
    if request.method == "POST":
        return _cas_single_logout(method, client)
    ticket = request.args.get("ticket", "")
    try:
        identity = client.validate(ticket, _service(method))
    except Refused as exc:
        return refuse(method, exc)
    return finish(identity, "cas", {"org": method.org, "method": method.id},
                  then=lambda person: client.remember(ticket, person))


def _cas_single_logout(method: Method, client: CasClient) -> Response:
    """The CAS server's back-channel POST: end the sessions of whoever signed in with the ticket."""
    try:
        ticket, person = client.logout_person(request.form.get("logoutRequest", ""))
    except Refused as exc:
        ExternalSignIn(engine().db, engine().clock).refuse(method, exc.reason, exc.why, _address())
        return Response("refused: " + exc.why, 400, mimetype="text/plain")
    if person is not None:
        single_logout(engine().db, engine().clock, method, person, ticket, _address())
    return Response("ok", 200, mimetype="text/plain")


# ---- 免登 (approvals/identity/miandeng.py): the page opened inside the app passes ?code=.

def _miandeng_start(method: Method) -> Response | str:
    """Outside the app there is no code to trade: say where to open approvals instead."""
    if request.args.get("code"):
        return _miandeng_callback(method)
    message = _("Open approvals from inside %(app)s (%(label)s): it signs you in there without a password.",
                app=NAMES[method.kind], label=method.label)
    return render_template("auth/refused.html", message=message, reason="open_in_app")


def _miandeng_callback(method: Method) -> Response | str:
    client = MiandengClient(method, engine().db, engine().clock.now())
    try:
        identity = client.identify(request.values.get("code", ""))
    except Refused as exc:
        return refuse(method, exc)
    return finish(identity, method.kind)


def password_off_text() -> str:
    return _(REASONS["password_off"])


def audit_password_off(person: str, address: str) -> None:
    """A password typed for an organization that has switched local passwords off: refused
    before any check (so nothing is learnt about the password), and audited."""
    from approvals.audit.chain import Entry
    from approvals.notifications.outbox import Outbox
    out = Outbox()
    with engine().db.transaction() as s:
        out.record(Entry(person, "sign_in_refused", detail={"method": "password", "kind": "password",
                                                            "address": address, "reason": "password_off"}))
        out.write(s, engine().clock.now())


# ---- the directory's sign-in form (LDAP/AD): a user name and the directory's password, checked
# by approvals/identity/ldap.py, then the shared last step above. CAS and 免登 answer 404 (docs/sign-in.md).

def _directory_start(method: Method) -> Response | str:
    if method.kind != "ldap":
        abort(404)
    return render_template("auth/directory.html", method=method, error=None, person="")


def _directory_callback(method: Method) -> Response | str:
    if method.kind != "ldap" or request.method != "POST":
        abort(404)
    name = request.form.get("person", "")
    try:
        found, _entry = Directory(method).authenticate(name, request.form.get("password", ""))
    except Refused as exc:
        return _directory_refused(method, exc, name)
    return finish(found, "ldap")


def _directory_refused(method: Method, exc: Refused, name: str) -> Response:
    """The form again with the reason (audited), so the person can correct a typo."""
    actor = name.strip() if exc.reason in ("wrong_password", "disabled") and len(name) <= 64 else "unknown"
    ExternalSignIn(engine().db, engine().clock).refuse(
        method, exc.reason, exc.why, _address(), actor if exc.reason == "disabled" else "unknown")
    if exc.reason == "injection":
        message = _(REASONS["injection"], chars=exc.why.split("contains ")[-1].split(",")[0])
    elif exc.reason == "disabled":
        message = _(REASONS["disabled"])
    elif exc.reason == "wrong_password":
        message = _(REASONS["wrong_password"])
    else:
        message = _("The directory could not check your password just now: %(why)s", why=exc.why)
    page = render_template("auth/directory.html", method=method, error=message,
                           person=name if exc.reason != "injection" else "")
    return Response(page, 403 if exc.reason in ("injection", "disabled") else 401, mimetype="text/html")
