"""The directory's sign-in form (LDAP/AD): a user name and the directory's password, checked by
approvals/identity/ldap.py, then the shared last step of web/identity.py. CAS and 免登 are not
built yet (docs/sign-in.md says so): their methods answer 404."""

from __future__ import annotations

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from approvals.identity.external import Refused
from approvals.identity.ldap import Directory
from approvals.identity.methods import Method
from web import identity
from web.i18n import gettext as _
from web.identity import REASONS


def start(method: Method) -> Response | str:
    if method.kind != "ldap":
        abort(404)
    return render_template("auth/directory.html", method=method, error=None, person="")


def callback(method: Method) -> Response | str:
    if method.kind != "ldap" or request.method != "POST":
        abort(404)
    name = request.form.get("person", "")
    try:
        found, _entry = Directory(method).authenticate(name, request.form.get("password", ""))
    except Refused as exc:
        return _refused(method, exc, name)
    return identity.finish(found, "ldap")


def _refused(method: Method, exc: Refused, name: str) -> Response:
    """The form again with the reason (audited), so the person can correct a typo."""
    actor = name.strip() if exc.reason in ("wrong_password", "disabled") and len(name) <= 64 else "unknown"
    identity.ExternalSignIn(identity.engine().db, identity.engine().clock).refuse(
        method, exc.reason, exc.why, identity._address(), actor if exc.reason == "disabled" else "unknown")
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
