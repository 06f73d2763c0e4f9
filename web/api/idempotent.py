"""``Idempotency-Key`` on the API's actions, kept with the forms' keys (approvals/store/
idempotency.py): the key is recorded in the action's own transaction, so an action whose
answer was lost runs once however often the call is sent again. A key is bound to its person
and the address it was first sent to; sent again there, the first outcome is answered
(``replayed``); sent to another address it is refused (422) and nothing is done."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import request
from werkzeug.exceptions import UnprocessableEntity

from approvals.errors import AlreadyDoneError
from approvals.store import idempotency
from web.engine import engine
from web.i18n import gettext as _
from web.users import me

T = TypeVar("T")
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None  # None when replayed
    location: str  # the resource the action made or changed
    replayed: bool = False


def _key(raw: str) -> str:
    """The stored key: the forms' column holds 32 hex digits; a client's key may be any text."""
    return hashlib.sha256(f"api\0{me().id}\0{raw}".encode()).hexdigest()[:32]


def once(run: Callable[[], T], location_of: Callable[[T], str]) -> Outcome[T]:
    raw = request.headers.get(HEADER, "").strip()
    if not raw:
        value = run()
        return Outcome(value, location_of(value))
    if len(raw) > 200 or not raw.isprintable():
        raise UnprocessableEntity(_("Idempotency-Key must be 1 to 200 printable characters."))
    key, person, target = _key(raw), me().id, request.path
    done = idempotency.lookup(engine().db, key)
    if done is None:
        claim = idempotency.Claim(key, person, request.endpoint or request.path, target=target)
        try:
            with idempotency.claiming(claim):
                value = run()
        except AlreadyDoneError:  # the same key in flight at once: the other one won
            done = idempotency.lookup(engine().db, key)
        else:
            location = location_of(value)
            if claim.recorded:
                idempotency.note_outcome(engine().db, claim, location, engine().clock.now())
            return Outcome(value, location)
    if done is None or not done.resends(person, target):
        raise UnprocessableEntity(_("This Idempotency-Key was used on another operation; nothing was done."))
    return Outcome(None, done.outcome or "", replayed=True)
