"""The append-only, hash-chained audit trail.

Each entry's hash covers its own content and the previous entry's hash, and the single
``audit_head`` row holds the tip. Editing an entry breaks its own hash; deleting or swapping
entries breaks the links; cutting the tail no longer matches the head. Appends lock the head
row, so concurrent workers (PostgreSQL) extend one chain instead of forking it; the lock is
taken at the end of the action's transaction to keep it short.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from approvals.store.database import connection_of
from approvals.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64


@dataclass
class Entry:
    """An audit entry before it is chained (what happened, by whom, on whose behalf)."""

    actor: str
    action: str
    request_id: int | None = None
    task_id: int | None = None
    decision: str | None = None
    comment: str = ""
    orgchart_version: str | None = None
    on_behalf_of: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _digest(seq: int, at: datetime, e: AuditEntry | Entry, detail: str, prev_hash: str) -> str:
    payload = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), e.actor, e.action, e.request_id, e.task_id,
         e.decision, e.comment, e.orgchart_version, e.on_behalf_of, detail, prev_hash],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Built once: the append runs in every action, and Core statements on the action's connection
# skip the ORM unit of work (entries are never read back in the transaction that writes them).
_LOCK_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_NEW_HEAD = insert(AuditHead).values(id=1, seq=0, hash=GENESIS)
_MOVE_HEAD = (update(AuditHead).where(AuditHead.id == 1)
              .values(seq=bindparam("new_seq"), hash=bindparam("new_hash")))
_INSERT = insert(AuditEntry)


def append(db: Session | Connection, entries: list[Entry], at: datetime) -> int:
    """Chain ``entries`` onto the trail inside the caller's transaction; returns the new tip's seq
    (0 when there is nothing to append)."""
    if not entries:
        return 0
    conn = connection_of(db)
    head = conn.execute(_LOCK_HEAD).first()
    if head is None:
        conn.execute(_NEW_HEAD)
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    rows = []
    for e in entries:
        seq += 1
        detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = _digest(seq, at, e, detail, prev)
        rows.append({"seq": seq, "at": at, "actor": e.actor, "action": e.action, "request_id": e.request_id,
                     "task_id": e.task_id, "decision": e.decision, "comment": e.comment,
                     "orgchart_version": e.orgchart_version, "on_behalf_of": e.on_behalf_of,
                     "detail": detail, "prev_hash": prev, "hash": digest})
        prev = digest
    conn.execute(_INSERT, rows)
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
    return seq


@dataclass(frozen=True)
class Verification:
    """What a walk of the chain found. ``from_seq``: the entry it started after (0: the start);
    ``to_seq``/``to_hash``: the last entry it proved; ``complete``: it reached the head (a
    bounded walk may stop before)."""

    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None
    from_seq: int = 0
    to_seq: int = 0
    to_hash: str = GENESIS
    complete: bool = True

    def __str__(self) -> str:
        if self.ok:
            span = f" (#{self.from_seq + 1}-#{self.to_seq})" if self.from_seq else ""
            return f"audit chain intact: {self.checked} entries verified{span}"
        where = f" at entry #{self.seq}" if self.seq is not None else ""
        return f"audit chain BROKEN{where}: {self.problem} ({self.checked} entries checked)"


# Plain rows, not ORM objects: a walk reads every entry once, and building entities cost
# most of the time per entry.
_WALK = select(AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.request_id,
               AuditEntry.task_id, AuditEntry.decision, AuditEntry.comment, AuditEntry.orgchart_version,
               AuditEntry.on_behalf_of, AuditEntry.detail, AuditEntry.prev_hash, AuditEntry.hash)


def _entries(session: Session, after: int, batch: int = 5000) -> Iterator[Any]:
    conn = session.connection()
    last = after
    while True:
        rows = conn.execute(_WALK.where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def head_of(session: Session) -> tuple[int, str]:
    head = session.connection().execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def entry_hash(session: Session, seq: int) -> str | None:
    return session.connection().execute(select(AuditEntry.hash).where(AuditEntry.seq == seq)).scalar()


def _bad(row: Any, expected_seq: int, prev: str, not_before: tuple[int, datetime] | None) -> str | None:
    if row.seq != expected_seq:
        return f"entry #{expected_seq} is missing (next is #{row.seq})"
    if row.prev_hash != prev:
        return "does not link to the entry before it (removed or reordered)"
    if _digest(row.seq, row.at, row, row.detail, row.prev_hash) != row.hash:
        return "its content does not match its hash (edited)"
    if not_before is not None and row.seq > not_before[0] and row.at < not_before[1]:
        return (f"dated {row.at:%Y-%m-%d %H:%M:%S}, before the checkpoint that vouched for #{not_before[0]} "
                "was signed, yet it comes after it (written later and backdated: a forged append)")
    return None


def walk(session: Session, after_seq: int = 0, after_hash: str = GENESIS, *, limit: int | None = None,
         not_before: tuple[int, datetime] | None = None) -> Verification:
    """Walk the chain from the entry after ``after_seq`` (whose hash is ``after_hash``) to the
    head, or for at most ``limit`` entries; report the first entry edited, removed or moved.
    ``not_before`` = (seq, time): entries after that seq must not be dated before that time."""
    expected_seq, prev, checked = after_seq + 1, after_hash, 0
    for row in _entries(session, after_seq):
        problem = _bad(row, expected_seq, prev, not_before)
        if problem:
            seq = expected_seq if problem.startswith("entry #") else row.seq
            return Verification(False, checked, problem, seq, after_seq, expected_seq - 1, prev)
        prev, expected_seq, checked = row.hash, row.seq + 1, checked + 1
        if limit is not None and checked >= limit:
            return Verification(True, checked, from_seq=after_seq, to_seq=row.seq, to_hash=prev,
                                complete=False)
    head_seq, head_hash = head_of(session)
    if (head_seq, head_hash) != (expected_seq - 1, prev):
        return Verification(False, checked,
                            f"the chain ends at #{expected_seq - 1} but the head says #{head_seq} "
                            "(entries removed from the end)", head_seq, after_seq, expected_seq - 1, prev)
    return Verification(True, checked, from_seq=after_seq, to_seq=expected_seq - 1, to_hash=prev)


def verify(session: Session) -> Verification:
    """Walk the whole chain; report the first entry that was edited, removed or moved."""
    return walk(session)
