"""Single use: a value (OIDC state or nonce, CAS ticket, TOTP time step) is accepted the first
time and refused after, in every worker: the database's primary key decides, not memory."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from approvals.store.database import Database
from approvals.store.models import UsedOnce

KEEP = timedelta(days=1)  # longer than any state, ticket or code lives
_INSERTS: dict[str, Any] = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def use(db: Database, kind: str, value: str, now: datetime, keep: timedelta = KEEP) -> bool:
    """True the first time ``kind:value`` is used, False on every later use."""
    with db.transaction() as s:
        return use_in(s, kind, value, now, keep)


def use_in(s: Session, kind: str, value: str, now: datetime, keep: timedelta = KEEP) -> bool:
    """``use`` inside the caller's transaction."""
    key = f"{kind}:{value}"[:300]
    s.execute(delete(UsedOnce).where(UsedOnce.expires_at < now))
    done = s.execute(_INSERTS[s.get_bind().dialect.name](UsedOnce).values(key=key, expires_at=now + keep)
                     .on_conflict_do_nothing().returning(UsedOnce.key))
    return done.scalar() is not None
