"""Passwords and account state for signing in: hashed by werkzeug.security (scrypt), never
stored in clear; a session generation that ends every session of a person when it moves; an
account that may be disabled.

Every change here that a person or an inspector cares about (new password, account disabled or
enabled) is written to the audit trail in the same transaction, and moves the generation, so
sessions opened before it stop working in every worker (approvals/identity/signin.py checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from approvals.audit.chain import Entry
from approvals.notifications.outbox import Outbox
from approvals.store.database import Database
from approvals.store.models import Credential

DEMO_PASSWORD = "demo"  # documented in the README; `approvals set-password` for real deployments
UNUSABLE = "!"  # matches no password (an account disabled before it ever had one)

HashCheck = Callable[[str, str], bool]


@cache
def dummy_hash() -> str:
    """A hash made the way real ones are (werkzeug's default, scrypt), checked when the name is
    unknown so that an unknown name costs as much as a known one: timing tells nothing."""
    return generate_password_hash("not a password of anyone")


def verify(stored: str | None, password: str, check: HashCheck = check_password_hash) -> bool:
    """Whether ``password`` matches ``stored``; with nothing stored, a dummy hash is checked
    all the same and the answer is no."""
    if stored is None or stored == UNUSABLE:
        check(dummy_hash(), password)
        return False
    return check(stored, password)


def set_password(session: Session, person_id: str, password: str, at: datetime) -> None:
    """Store a new hash; sessions opened with the old password end."""
    row = session.get(Credential, person_id)
    hashed = generate_password_hash(password)
    if row is None:
        session.add(Credential(person_id=person_id, password_hash=hashed, updated_at=at))
    else:
        row.password_hash, row.updated_at = hashed, at
        row.session_generation += 1


def seed_demo_passwords(db: Database, people: Iterable[str], at: datetime) -> None:
    """The demo password for each person who has no credential yet: a person who has one
    (changed, reset, disabled) keeps it, so seeding twice changes nothing."""
    with db.transaction() as s:
        for person in people:
            if s.get(Credential, person) is None:
                set_password(s, person, DEMO_PASSWORD, at)


def change_password(db: Database, person_id: str, password: str, actor: str, at: datetime) -> None:
    """A new password and its audit entry (``password_changed``), in one transaction."""
    out = Outbox()
    with db.transaction() as s:
        set_password(s, person_id, password, at)
        # someone else's password: an administrator's reset, in the audit administrator's trail
        action = "password_changed" if actor == person_id else "password_reset"
        out.record(Entry(actor, action, detail={"person": person_id}))
        out.write(s, at)


def set_disabled(db: Database, person_id: str, disabled: bool, actor: str, at: datetime) -> bool:
    """Disable or enable an account (audit ``account_disabled``/``account_enabled``); disabling
    ends its sessions. Returns False when the account already was in that state."""
    out = Outbox()
    with db.transaction() as s:
        changed = mark_disabled(s, out, person_id, disabled, actor, at)
        out.write(s, at)
    return changed


def mark_disabled(s: Session, out: Outbox, person_id: str, disabled: bool, actor: str, at: datetime) -> bool:
    """``set_disabled`` inside the caller's transaction (a person leaving the org chart: the
    chart and the account change together)."""
    row = s.get(Credential, person_id, with_for_update=True)
    if row is None and not disabled:
        return False
    if row is None:
        row = Credential(person_id=person_id, password_hash=UNUSABLE, updated_at=at,
                         session_generation=0, disabled=False)
        s.add(row)
    if row.disabled == disabled:
        return False
    row.disabled = disabled
    row.session_generation += 1
    action = "account_disabled" if disabled else "account_enabled"
    out.record(Entry(actor, action, detail={"person": person_id}))
    return True


def end_sessions(session: Session, person_id: str) -> None:
    """Every session of the person stops working (sign-out ends them on every device)."""
    session.execute(update(Credential).where(Credential.person_id == person_id)
                    .values(session_generation=Credential.session_generation + 1))


_GENERATION = select(Credential.session_generation, Credential.disabled).where(
    Credential.person_id == bindparam("person"))


def session_generation(db: Database, person_id: str) -> int | None:
    """The generation a live session must carry, or None when the person may not be signed in
    (no credential, or disabled). Pages read it in their first read (store/first_read.py)."""
    with db.glancing() as conn:
        row = conn.execute(_GENERATION, {"person": person_id}).first()
    if row is None or row.disabled:
        return None
    return int(row.session_generation)


def check(db: Database, person_id: str, password: str) -> bool:
    """For set-up scripts (``init-db --demo``), not for signing in: no dummy hash, no throttle."""
    with db.reading() as s:
        row = s.get(Credential, person_id)
        return row is not None and verify(row.password_hash, password)
