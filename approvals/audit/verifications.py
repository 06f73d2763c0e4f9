"""Recorded runs of ``audit verify`` and ``audit checkpoint`` (CLI and worker), so a page can
say what was verified and when without walking the chain itself.

A record is only a note in the database it describes: whoever can rewrite the chain can
rewrite these too. The proof is a signed checkpoint file checked by ``approvals audit verify
--checkpoint``; the records let the inspector page stay bounded and say how fresh it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from approvals.audit.chain import Verification
from approvals.store.database import Database
from approvals.store.models import AuditVerification


def record(db: Database, at: datetime, source: str, mode: str, result: Verification, checkpoint: str = "") -> None:
    with db.writing() as conn:
        conn.execute(insert(AuditVerification).values(
            at=at, source=source, mode=mode, ok=result.ok, from_seq=result.from_seq, to_seq=result.to_seq,
            to_hash=result.to_hash, checked=result.checked, problem=result.problem if not result.ok else "",
            checkpoint=checkpoint))


def latest(db: Database) -> AuditVerification | None:
    """The newest record, good or bad (what the page reports first)."""
    with db.reading(snapshot=False) as s:
        return s.scalars(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1)).first()


def latest_good(db: Database) -> AuditVerification | None:
    """The newest run that proved the chain up to an entry: a bounded check starts after it."""
    with db.reading(snapshot=False) as s:
        return s.scalars(select(AuditVerification).where(AuditVerification.ok.is_(True))
                         .order_by(AuditVerification.to_seq.desc(), AuditVerification.id.desc())
                         .limit(1)).first()
