"""Forms sent twice run their action once: every rendered form carries a fresh key.

Someone decides, the network drops the answer, they press the button again: the second POST
carries the same ``idempotency_key`` as the first. If the first one's action committed, its
key is in the database (written in the action's own transaction, approvals/store/idempotency.py)
and the second is answered where the first would have sent them, with "already done", and
nothing runs again. If both arrive at once, the second waits for the first and then gets
AlreadyDoneError, answered the same way. A POST without a key (scripts, tests) works as before.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, flash, g, make_response, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from approvals.errors import AlreadyDoneError, ApprovalsError
from approvals.store import idempotency
from web.engine import engine
from web.errorpage import page
from web.i18n import gettext as _
from web.pagememo import page_memo

FIELD = "idempotency_key"
log = logging.getLogger(__name__)
_KEY = re.compile(r"^[0-9a-f]{32}$")
_FOUND = "form_key_found"
# POSTs that only read, sent with a form's fields (and so its key) while it is being filled in:
# the route preview. The key belongs to the form's own action, and a preview sent after it (a
# late keystroke) must neither claim it nor be refused as a misused key.
_READS = frozenset({"applicant.preview_json"})


def new_key() -> str:
    """A fresh key for one rendered form (the template global ``idempotency_key()``)."""
    return uuid.uuid4().hex


def form_key() -> str | None:
    """The key this request's form carries, if it is a well-formed one."""
    key = request.form.get(FIELD, "") if request.method == "POST" else ""
    return key if _KEY.match(key) else None


def found(key: str, person_id: str, done: idempotency.Done | None) -> None:
    """What the page's first read (web/sessions.py) found for the form's key: ``_claim`` uses
    it once the CSRF check has passed, so a form costs no read of its own."""
    page_memo()[_FOUND] = (key, person_id, done)


def _done(key: str, person_id: str) -> idempotency.Done | None:
    """What ``key`` did, whoever sent it (``Done.resends`` tells a resend from a misused key)."""
    found = page_memo().get(_FOUND)
    if found is not None and found[:2] == (key, person_id):
        return found[2]  # type: ignore[no-any-return]
    return idempotency.lookup(engine().db, key)


def target() -> str:
    """The address this form was sent to, query included (``/tasks/12/decide``,
    ``/admin/processes?org=cq-mca``): a key is bound to it when its action records it."""
    return request.full_path.rstrip("?")[:500]


def promise(location: str) -> str:
    """The page a successful action answers with, said before it runs: the key is recorded with
    it in the action's own transaction, and ``_note`` has nothing left to write."""
    state = g.get("idempotency")
    if state is not None:
        state[0].outcome = location
    return location


def _claim() -> Response | None:
    """Before the view: answer a resend at once, or state the key for the action to record."""
    key = form_key()
    if key is None or not current_user.is_authenticated or request.endpoint in _READS:
        return None
    done = _done(key, current_user.id)
    if done is not None:
        return _already_done(done.outcome) if done.resends(current_user.id, target()) else _misused()
    claim = idempotency.Claim(key, current_user.id, request.endpoint or request.path, target=target())
    g.idempotency = (claim, idempotency.hold(claim))
    return None


def _already_done(outcome: str | None) -> Response:
    flash(_("This form was already sent and its action was done; it was not done a second time."), "success")
    return redirect(outcome or _fallback())


def _misused() -> Response:
    """A key used before by someone else, or by this person on another form: this form's action
    was not run, and it must not be reported as done."""
    log.warning("form key sent to %s by %s was used before on another form or by another person",
                request.path, current_user.id)
    html, code = page(400, _("This form carries the submission number of another form (or of another person's "
                             "form), so it was not accepted and nothing was done. Open the page again and send "
                             "the form from there."))
    return make_response(html, code)


def _fallback() -> str:
    """Where to go when the first answer was lost before it was noted: the page the form was on."""
    referrer = request.referrer or ""
    host = request.host_url
    return referrer if referrer.startswith(host) else url_for("applicant.home")


def _note(response: Response) -> Response:
    """After the view: remember where the first answer sent the user, for a resend."""
    state = g.pop("idempotency", None)
    if state is None:
        return response
    claim, token = state
    idempotency.release(token)
    if (claim.recorded and response.status_code in (301, 302, 303) and response.location
            and response.location != claim.outcome):
        try:
            idempotency.note_outcome(engine().db, claim, response.location, engine().clock.now())
        except ApprovalsError as exc:  # the action stands; a resend falls back to the form's page
            log.warning("could not note where form %s led: %s", claim.key, exc)
    return response


def _release(_exc: BaseException | None) -> None:
    """The view failed before ``_note``: the claim must not outlive this request."""
    state = g.pop("idempotency", None)
    if state is not None:
        idempotency.release(state[1])


def _duplicate(_exc: AlreadyDoneError) -> Response:
    """Two sends of one form at once: the second waited for the first, then found its key."""
    state = g.get("idempotency")
    done = idempotency.lookup(engine().db, state[0].key) if state else None
    if done is not None and state is not None and not done.resends(state[0].person_id, state[0].target):
        return _misused()
    return _already_done(done.outcome if done else None)


def init_app(app: Flask) -> None:
    """After ``security.init_app``: a form that fails its CSRF check never reaches ``_claim``."""
    app.jinja_env.globals["idempotency_key"] = new_key
    app.before_request(_claim)
    app.after_request(_note)
    app.teardown_request(_release)
    app.register_error_handler(AlreadyDoneError, _duplicate)
