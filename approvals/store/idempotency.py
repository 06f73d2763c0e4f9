"""Idempotent resends: a form sent again after its answer was lost runs its action once.

The web gives every rendered form a fresh random key. Before the engine runs the action a
POST asks for, the caller states the key (``claiming``); the action's transaction then
records it as its first write (``action``), so the key is stored exactly when the action
commits, never without it and never twice. A second send of the same key either finds the
row (``lookup``: answer with the first outcome) or, if both are in flight at once, its
insert does nothing and it rolls back with AlreadyDoneError (on PostgreSQL it waits for the
first transaction to end; SQLite writers queue at BEGIN IMMEDIATE anyway).

The key travels in a context variable rather than through every action's signature: the
engine's API stays as it is, and an action run without a key (CLI, tests) records nothing.
Keys are deleted a day after they were recorded (``KEEP``): a form older than 8 hours is
refused anyway (its CSRF token has expired).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, select, update

from approvals.clock import Clock
from approvals.errors import AlreadyDoneError
from approvals.store.database import Database, insert_if_absent
from approvals.store.models import IdempotencyKey

KEEP = timedelta(days=1)
ALREADY_DONE = "this form was already sent and its action was done; it was not done again"


@dataclass
class Claim:
    key: str
    person_id: str
    endpoint: str
    recorded: bool = False  # an action's transaction wrote the key (it may still roll back)
    outcome: str | None = None  # where success will send the user, when the caller knows before
    target: str | None = None  # the address the form was sent to (a task's decision, say)


@dataclass(frozen=True)
class Done:
    endpoint: str
    outcome: str | None  # None: the first answer was lost before it was noted
    person_id: str = ""
    target: str | None = None  # None: recorded without one (before migration 0009, or no address)

    def resends(self, person_id: str, target: str | None) -> bool:
        """Whether a form carrying this key, sent by ``person_id`` to ``target``, is the same
        form sent again; otherwise the key is someone else's, or was used on another form, and
        nothing was done for this one."""
        return self.person_id == person_id and (self.target is None or target is None or self.target == target)


_pending: ContextVar[Claim | None] = ContextVar("approvals_idempotency_claim", default=None)

_LOOKUP = select(IdempotencyKey.endpoint, IdempotencyKey.outcome, IdempotencyKey.person_id,
                 IdempotencyKey.target).where(IdempotencyKey.key == bindparam("form_key"))
_NOTE_OUTCOME = (update(IdempotencyKey)
                 .where(IdempotencyKey.key == bindparam("form_key"), IdempotencyKey.person_id == bindparam("person"))
                 .values(outcome=bindparam("led_to")))
_PURGE = delete(IdempotencyKey).where(IdempotencyKey.created_at < bindparam("before"))


def hold(claim: Claim) -> Token[Claim | None]:
    """From now on (in this context) the first action run records ``claim`` in its transaction."""
    return _pending.set(claim)


def release(token: Token[Claim | None]) -> None:
    _pending.reset(token)


@contextmanager
def claiming(claim: Claim) -> Iterator[Claim]:
    """``hold`` for the length of a block."""
    token = hold(claim)
    try:
        yield claim
    finally:
        release(token)


@contextmanager
def action(transaction: AbstractContextManager[Connection], clock: Clock) -> Iterator[Connection]:
    """``transaction`` (``Database.writing()``) with the pending claim, if any, written first:
    a duplicate is stopped before it reads anything, and the key commits with the action."""
    with transaction as conn:
        claim = _pending.get()
        if claim is not None and not claim.recorded:
            _record(conn, claim, clock.now())
        yield conn


def _record(conn: Connection, claim: Claim, now: datetime) -> None:
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT either way.
    inserted = conn.execute(insert_if_absent(conn, IdempotencyKey).returning(IdempotencyKey.key),
                            {"key": claim.key, "person_id": claim.person_id, "endpoint": claim.endpoint,
                             "outcome": claim.outcome, "target": claim.target, "created_at": now}).first()
    if inserted is None:
        raise AlreadyDoneError(ALREADY_DONE)
    claim.recorded = True  # one key, one action: a later action in the same request records nothing


def lookup(db: Database, key: str, person_id: str | None = None) -> Done | None:
    """The action ``key`` caused, if it committed, whoever sent it; with ``person_id``, only
    that person's (a page asks in its first read, store/first_read.py)."""
    with db.glancing() as conn:
        row = conn.execute(_LOOKUP, {"form_key": key}).first()
    if row is None or (person_id is not None and row.person_id != person_id):
        return None
    return Done(row.endpoint, row.outcome, row.person_id, row.target)


def note_outcome(db: Database, claim: Claim, outcome: str, now: datetime) -> None:
    """Remember where the answer sent the user (for a resend), and forget keys past ``KEEP``.
    Not needed when the claim carried its outcome into the action's own transaction."""
    with db.writing() as conn:
        conn.execute(_NOTE_OUTCOME, {"form_key": claim.key, "person": claim.person_id, "led_to": outcome[:500]})
        conn.execute(_PURGE, {"before": now - KEEP})


def forget_old(db: Database, now: datetime) -> int:
    """Delete keys past ``KEEP`` (the worker, hourly: an action whose outcome was known in
    advance writes no second time, so ``note_outcome`` may seldom run)."""
    with db.writing() as conn:
        return conn.execute(_PURGE, {"before": now - KEEP}).rowcount or 0
