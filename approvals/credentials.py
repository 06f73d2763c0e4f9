"""Passwords for signing in, hashed by werkzeug.security (scrypt), never stored in clear."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from approvals.store.database import Database
from approvals.store.models import Credential

DEMO_PASSWORD = "demo"  # documented in the README; `approvals set-password` for real deployments


def set_password(session: Session, person_id: str, password: str, at: datetime) -> None:
    row = session.get(Credential, person_id)
    hashed = generate_password_hash(password)
    if row is None:
        session.add(Credential(person_id=person_id, password_hash=hashed, updated_at=at))
    else:
        row.password_hash, row.updated_at = hashed, at


def check(db: Database, person_id: str, password: str) -> bool:
    with db.reading() as s:
        row = s.get(Credential, person_id)
        return row is not None and check_password_hash(row.password_hash, password)
