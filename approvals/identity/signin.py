"""Signing in and out: password checks throttled per account and per client address, with a
temporary lockout, every outcome in the audit trail. No Flask here; the web layer calls it.

Counts live in the database (``sign_in_throttle``), one row per account name or address,
locked while it is updated, so every gunicorn worker and every host sees the same count.
(Flask-Limiter would keep them in process memory or Redis and limits requests per route; it
has no notion of an account lockout that a correct password cannot lift.)

An attempt runs in three steps, so the write lock (on SQLite, the whole database) is never
held while a password hash is computed (~100 ms of scrypt):

1. read: is the account name or the address locked? Then refuse without checking anything;
2. check the password against the stored hash, or a dummy one for an unknown name (an
   unknown name costs what a known one does);
3. write, in one transaction: look again for a lockout a parallel attempt may just have set
   (if so, refuse even a correct password), count the failure or clear the account's count,
   and append the audit entries (``signed_in``, ``sign_in_failed``, ``locked_out``).

Unknown names are throttled like known ones, so a lockout says nothing about whether a name
exists; in the audit trail they appear as actor ``unknown`` (someone who typed a password into
the name field must not find it in the trail). Passwords are never recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from approvals.audit.chain import Entry
from approvals.clock import Clock
from approvals.identity import credentials
from approvals.notifications.outbox import Outbox
from approvals.store.database import Database
from approvals.store.models import Credential, SignInThrottle

UNKNOWN = "unknown"  # the audit actor for a name that is nobody's
MAX_NAME = 64  # longer names are nobody's (person ids are at most 64 characters)

SIGNED_IN = "signed_in"
WRONG = "wrong"  # unknown name or wrong password: one answer for both
LOCKED = "locked"  # the account name is locked
ADDRESS_LOCKED = "address_locked"  # the client address is locked
DISABLED = "disabled"  # right password, but the account is disabled


@dataclass(frozen=True)
class Policy:
    """How many failures within ``window`` lock an account or an address, and for how long.
    A limit of 0 switches that throttle off."""

    account_failures: int = 5
    address_failures: int = 30  # an office behind one NAT shares an address
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Outcome:
    status: str
    person: str | None = None  # who signed in
    generation: int = 0  # the session generation the new session carries
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status == SIGNED_IN


@dataclass(frozen=True)
class _Account:
    hash: str
    disabled: bool


class SignIn:
    """``known`` says whether a name is a person who may sign in (in an org chart); ``check``
    is the hash check (werkzeug's), injectable so a test can see that one ran."""

    def __init__(self, db: Database, clock: Clock, policy: Policy | None = None,
                 known: Callable[[str], bool] = lambda _name: True,
                 check: credentials.HashCheck = check_password_hash) -> None:
        self.db, self.clock, self.policy = db, clock, policy or Policy()
        self.known, self.check = known, check

    def attempt(self, name: str, password: str, address: str) -> Outcome:
        name = _name(name)
        keys = _keys(name, address)
        locked = self._lockout(keys, self.clock.now())
        if locked is not None:
            return self._refuse(name, address, locked)
        person = name if name and self.known(name) else None
        account = self._account(person)
        right = credentials.verify(account.hash if account else None, password, self.check)
        return self._record(name, person if right else None, account, address)

    def sign_out(self, person: str, address: str) -> None:
        """End every session of ``person`` (a copied cookie stops working too)."""
        now = self.clock.now()
        out = Outbox()
        with self.db.transaction() as s:
            credentials.end_sessions(s, person)
            out.record(Entry(person, "signed_out", detail={"address": address}))
            out.write(s, now)

    def locked_until(self, name: str, address: str) -> datetime | None:
        """When the account name or address may try again (None: it may now)."""
        locked = self._lockout(_keys(_name(name), address), self.clock.now())
        return locked[1] if locked else None

    # ---- the three steps ---------------------------------------------------------------

    def _lockout(self, keys: tuple[str, str], now: datetime, s: Session | None = None) -> tuple[str, datetime] | None:
        query = (select(SignInThrottle.key, SignInThrottle.locked_until)
                 .where(SignInThrottle.key.in_(keys), SignInThrottle.locked_until > now))
        if s is None:
            with self.db.reading(snapshot=False) as r:
                rows = r.execute(query).all()
        else:
            rows = s.execute(query.with_for_update()).all()
        locks = [(row.key, row.locked_until) for row in rows if row.locked_until is not None]
        if not locks:
            return None
        key, until = max(locks, key=lambda lock: (lock[0] == keys[0], lock[1]))  # the account's first
        return (LOCKED if key == keys[0] else ADDRESS_LOCKED), until

    def _account(self, person: str | None) -> _Account | None:
        if person is None:
            return None
        with self.db.reading(snapshot=False) as s:
            row = s.execute(select(Credential.password_hash, Credential.disabled)
                            .where(Credential.person_id == person)).first()
        return _Account(row.password_hash, row.disabled) if row else None

    def _record(self, name: str, person: str | None, account: _Account | None, address: str) -> Outcome:
        now = self.clock.now()
        keys = _keys(name, address)
        out = Outbox()
        with self.db.transaction() as s:
            locked = self._lockout(keys, now, s)
            if locked is not None:  # a parallel attempt locked it meanwhile: even a right password waits
                outcome = self._refused(out, name, address, locked)
            elif person is not None and account is not None and account.disabled:
                out.record(Entry(person, "sign_in_failed", detail={"address": address, "reason": DISABLED}))
                outcome = Outcome(DISABLED, person)
            elif person is not None:
                outcome = self._succeed(s, out, person, keys, address)
            else:
                outcome = self._fail(s, out, name, keys, address, now)
            out.write(s, now)
        return outcome

    def _refuse(self, name: str, address: str, locked: tuple[str, datetime]) -> Outcome:
        out = Outbox()
        with self.db.transaction() as s:
            outcome = self._refused(out, name, address, locked)
            out.write(s, self.clock.now())
        return outcome

    def _refused(self, out: Outbox, name: str, address: str, locked: tuple[str, datetime]) -> Outcome:
        status, until = locked
        out.record(Entry(self._actor(name), "sign_in_failed",
                         detail={"address": address, "reason": status, "locked_until": until.isoformat()}))
        return Outcome(status, locked_until=until)

    def _succeed(self, s: Session, out: Outbox, person: str, keys: tuple[str, str], address: str) -> Outcome:
        s.execute(delete(SignInThrottle).where(SignInThrottle.key == keys[0]))  # the address keeps its count
        generation = s.scalar(select(Credential.session_generation).where(Credential.person_id == person))
        out.record(Entry(person, "signed_in", detail={"address": address}))
        return Outcome(SIGNED_IN, person, int(generation or 0))

    def _fail(self, s: Session, out: Outbox, name: str, keys: tuple[str, str], address: str,
              now: datetime) -> Outcome:
        actor = self._actor(name)
        out.record(Entry(actor, "sign_in_failed", detail={"address": address, "reason": WRONG}))
        s.execute(delete(SignInThrottle).where(SignInThrottle.expires_at < now))  # long-past windows
        limits = (self.policy.account_failures, self.policy.address_failures)
        outcome = Outcome(WRONG)
        for key, limit, scope in zip(keys, limits, ("account", "address"), strict=True):
            until = self._count(s, key, limit, now)
            if until is not None:
                out.record(Entry(actor, "locked_out", detail={
                    "address": address, "scope": scope, "failures": limit, "locked_until": until.isoformat()}))
                if outcome.status == WRONG:  # this failure was the last allowed: say so now
                    outcome = Outcome(LOCKED if scope == "account" else ADDRESS_LOCKED, locked_until=until)
        return outcome

    def _count(self, s: Session, key: str, limit: int, now: datetime) -> datetime | None:
        """One more failure for ``key``; the end of the lockout when this one reaches the limit."""
        if limit <= 0:
            return None
        policy = self.policy
        row = _row(s, key, now)
        if now - row.window_start >= policy.window:
            row.failures, row.window_start = 0, now
        row.failures += 1
        row.expires_at = row.window_start + policy.window
        if row.failures < limit:
            return None
        row.failures, row.window_start = 0, now
        row.locked_until = now + policy.lockout
        row.expires_at = max(row.locked_until, now + policy.window)
        return row.locked_until

    def _actor(self, name: str) -> str:
        return name if name and self.known(name) else UNKNOWN


def _name(typed: str) -> str:
    """The name as counted: a longer one than any person id is nobody's, counted by its start."""
    typed = typed.strip()
    return typed if len(typed) <= MAX_NAME else typed[:MAX_NAME] + "…"


def _keys(name: str, address: str) -> tuple[str, str]:
    return f"account:{name}", f"address:{address[:100]}"


_INSERTS: dict[str, Any] = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def _row(s: Session, key: str, now: datetime) -> SignInThrottle:
    """The key's row, created if missing and locked (two workers creating it at once: one wins,
    the other finds it)."""
    insert = _INSERTS[s.get_bind().dialect.name]
    s.execute(insert(SignInThrottle)
              .values(key=key, failures=0, window_start=now, locked_until=None, expires_at=now)
              .on_conflict_do_nothing())
    return s.scalars(select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()
                     .execution_options(populate_existing=True)).one()
