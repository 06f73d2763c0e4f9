"""The append-only, hash-chained audit trail: one chain per organization (issue 24).

Each entry's hash covers its own content and the previous entry's hash in its chain, and the
chain's row in ``audit_heads`` holds the tip. Editing an entry breaks its own hash; deleting or
swapping entries breaks the links; cutting the tail no longer matches the head.

An organization's entries (anything about its requests, charts, groups) form its own chain;
entries without an organization (sign-ins, deployments, API clients) form the system chain,
named ``""``, which is the single global chain of installations before migration 0017,
continued. Appends lock only their chain's head row, so two bureaus never wait on each other;
within a bureau, concurrent workers (PostgreSQL) extend one chain instead of forking it. The
lock is taken at the end of the action's transaction and held through its commit: a row lock
ends with the transaction, and chaining after commit would leave entries unchained meanwhile.

``seq`` stays one number across the installation (PostgreSQL: the sequence ``audit_seq``,
taken after the head lock so that seqs rise along each chain); ``prev_seq`` names the entry
before in the same chain.

The hash function is SHA-256 or SM3 (``APPROVALS_AUDIT_HASH``, issue 22). Each chain starts
with the deployment's choice and switches at a checkpoint (``switch``): the entries before keep
their function, recorded per chain and segment in ``audit_segments``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from approvals.crypto import hashing
from approvals.store.database import connection_of
from approvals.store.models import AuditEntry, AuditHead, AuditSegment, Request

GENESIS = "0" * 64
SYSTEM = ""  # the chain of entries that belong to no organization
_SHA256 = hashing.hasher(hashing.SHA256)

# Set by the open API while a system client acts as a person (approvals/identity/api_access.py):
# every entry the action writes says so in its detail ("via": "client NAME (ID)"), without the
# engine's actions having to carry it through their signatures.
VIA: ContextVar[str | None] = ContextVar("approvals_audit_via", default=None)


@dataclass
class Entry:
    """An audit entry before it is chained (what happened, by whom, on whose behalf). ``org``:
    the chain it goes to; None lets ``append`` choose (the request's organization, else the
    system chain)."""

    actor: str
    action: str
    request_id: int | None = None
    task_id: int | None = None
    decision: str | None = None
    comment: str = ""
    orgchart_version: str | None = None
    on_behalf_of: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    org: str | None = None


def _digest(seq: int, at: datetime, e: AuditEntry | Entry, detail: str, prev_hash: str,
            hash_fn: Callable[[bytes], str] = _SHA256) -> str:
    payload = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), e.actor, e.action, e.request_id, e.task_id,
         e.decision, e.comment, e.orgchart_version, e.on_behalf_of, detail, prev_hash],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hash_fn(payload.encode("utf-8"))


# Built once: the append runs in every action, and Core statements on the action's connection
# skip the ORM unit of work (entries are never read back in the transaction that writes them).
_LOCK_HEAD = (select(AuditHead.seq, AuditHead.hash, AuditHead.algorithm)
              .where(AuditHead.chain == bindparam("chain")).with_for_update())
_NEW_HEAD = insert(AuditHead).values(seq=0, hash=GENESIS, algorithm=hashing.SHA256)
_MOVE_HEAD = (update(AuditHead).where(AuditHead.chain == bindparam("the_chain"))
              .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"), algorithm=bindparam("new_algorithm")))
_INSERT = insert(AuditEntry)
_ORGS = select(Request.id, Request.org_id)
_NEXT_PG = text("SELECT nextval('audit_seq') FROM generate_series(1, :n)")
_TOP = select(func.coalesce(func.max(AuditEntry.seq), 0))


def append(db: Session | Connection, entries: list[Entry], at: datetime, org: str | None = None) -> int:
    """Chain ``entries`` onto their chains inside the caller's transaction; returns the highest
    seq written (0 when there is nothing to append). An entry's chain: its ``org``, else
    ``org`` here, else its request's organization, else the system chain."""
    if not entries:
        return 0
    conn = connection_of(db)
    by_chain: dict[str, list[Entry]] = {}
    for e, chain in zip(entries, _chains(conn, entries, org), strict=True):
        by_chain.setdefault(chain, []).append(e)
    top = 0
    for chain in sorted(by_chain):  # one order for every writer: no deadlock between two chains
        seq, prev, algorithm = _lock(conn, chain)
        configured = hashing.configured() if seq == 0 else algorithm  # a new chain: the deployment's choice
        top = max(top, _chain(conn, chain, by_chain[chain], at, seq, prev, configured, configured != algorithm))
    return top


def _chains(conn: Connection, entries: list[Entry], org: str | None) -> list[str]:
    """The chain of each entry. Looks requests up only for entries no caller placed (one
    statement); the engine's actions name their organization and skip it."""
    unplaced = {e.request_id for e in entries if e.org is None and org is None and e.request_id is not None}
    orgs = {r.id: r.org_id for r in conn.execute(_ORGS.where(Request.id.in_(unplaced)))} if unplaced else {}
    return [e.org if e.org is not None else org if org is not None else orgs.get(e.request_id, SYSTEM)
            for e in entries]


def _lock(conn: Connection, chain: str) -> tuple[int, str, str]:
    """Lock ``chain``'s head (creating it the first time): (seq, hash, algorithm) of its tip."""
    head = conn.execute(_LOCK_HEAD, {"chain": chain}).first()
    if head is None:
        _create_head(conn, chain)
        head = conn.execute(_LOCK_HEAD, {"chain": chain}).first()
    assert head is not None
    return head.seq, head.hash, head.algorithm


def _create_head(conn: Connection, chain: str) -> None:
    """Insert the chain's head unless a concurrent action just did (then wait for its lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(AuditHead).values(chain=chain, seq=0, hash=GENESIS, algorithm=hashing.SHA256)
                     .on_conflict_do_nothing(index_elements=["chain"]))
    else:  # SQLite: the writer lock (BEGIN IMMEDIATE) already serialises every write
        conn.execute(_NEW_HEAD.values(chain=chain))


def _next_seqs(conn: Connection, n: int) -> list[int]:
    """``n`` new seqs, rising, unique across chains. PostgreSQL: from ``audit_seq`` (no lock
    beyond the chain's own); SQLite: after the highest, under its one writer lock."""
    if conn.dialect.name == "postgresql":
        return sorted(conn.execute(_NEXT_PG, {"n": n}).scalars().all())
    top = conn.execute(_TOP).scalar_one()
    return list(range(top + 1, top + n + 1))


def _chain(conn: Connection, chain: str, entries: list[Entry], at: datetime, seq: int, prev: str,
           algorithm: str, new_segment: bool = False) -> int:
    """Write ``entries`` after entry #seq (hash ``prev``) of ``chain`` and move its head;
    ``new_segment``: they start a segment hashed with ``algorithm``."""
    hash_fn = hashing.hasher(algorithm)
    seqs = _next_seqs(conn, len(entries))
    if new_segment:
        conn.execute(insert(AuditSegment).values(first_seq=seqs[0], algorithm=algorithm, started_at=at, chain=chain))
    rows = []
    via = VIA.get()
    for e, new in zip(entries, seqs, strict=True):
        said = {**e.detail, "via": via} if via else e.detail
        detail = json.dumps(said, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = _digest(new, at, e, detail, prev, hash_fn)
        rows.append({"seq": new, "at": at, "actor": e.actor, "action": e.action, "request_id": e.request_id,
                     "task_id": e.task_id, "decision": e.decision, "comment": e.comment,
                     "orgchart_version": e.orgchart_version, "on_behalf_of": e.on_behalf_of,
                     "detail": detail, "prev_hash": prev, "hash": digest, "chain": chain, "prev_seq": seq})
        prev, seq = digest, new
    conn.execute(_INSERT, rows)
    conn.execute(_MOVE_HEAD, {"the_chain": chain, "new_seq": seq, "new_hash": prev, "new_algorithm": algorithm})
    return seq


def switch(db: Session | Connection, algorithm: str, at: datetime) -> list[int]:
    """Hash every chain's entries from its next one on with ``algorithm``; the entries before
    keep their own. The first entry of each new segment records the switch
    (``audit_hash_switched``, from and to). Returns their seqs (none when every chain already
    uses ``algorithm``). Called by ``checkpoints.take`` right after it signs, so each switch
    sits just after a signed head."""
    hashing.hasher(algorithm)  # refuses an unknown name before anything is written
    conn = connection_of(db)
    written = []
    chains = conn.execute(select(AuditHead.chain).order_by(AuditHead.chain)).scalars().all() or [SYSTEM]
    for chain in chains:
        seq, prev, old = _lock(conn, chain)
        if old == algorithm:
            continue
        marker = Entry("system", "audit_hash_switched", detail={"from": old, "to": algorithm})
        written.append(_chain(conn, chain, [marker], at, seq, prev, algorithm, new_segment=True))
    return written


def chains(session: Session | Connection) -> list[str]:
    """Every chain with a head, in name order (the system chain, "", first)."""
    return list(connection_of(session).execute(select(AuditHead.chain).order_by(AuditHead.chain)).scalars())


def segments(session: Session | Connection, chain: str = SYSTEM) -> list[tuple[int, str]]:
    """(first seq, algorithm) of every segment of ``chain``, in order; SHA-256 from the start
    when none was recorded."""
    conn = connection_of(session)
    found = [(r.first_seq, r.algorithm) for r in conn.execute(
        select(AuditSegment.first_seq, AuditSegment.algorithm).where(AuditSegment.chain == chain)
        .order_by(AuditSegment.first_seq))]
    first = conn.execute(select(func.min(AuditEntry.seq)).where(AuditEntry.chain == chain)).scalar() or 1
    if not found or found[0][0] > first:
        found.insert(0, (min(first, found[0][0]) if found else first, hashing.SHA256))
    return found


def algorithm_at(found: list[tuple[int, str]], seq: int) -> str:
    """The algorithm of entry #seq among ``segments``."""
    return next(alg for first, alg in reversed(found) if first <= seq)


@dataclass(frozen=True)
class Verification:
    """What a walk found. ``from_seq``: the entry it started after (0: the start);
    ``to_seq``/``to_hash``: the last entry it proved; ``complete``: it reached the head (a
    bounded walk may stop before). ``chain``: the chain walked (a walk of every chain: the
    one with the problem, else the one holding ``to_seq``); ``heads``: (chain, seq, hash) of
    every chain's tip the walk proved."""

    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None
    from_seq: int = 0
    to_seq: int = 0
    to_hash: str = GENESIS
    complete: bool = True
    chain: str = SYSTEM
    heads: tuple[tuple[str, int, str], ...] = ()

    def __str__(self) -> str:
        if self.ok:
            span = f" (#{self.from_seq + 1}-#{self.to_seq})" if self.from_seq else ""
            chains = f" in {len(self.heads)} chains" if len(self.heads) > 1 else ""
            return f"audit chain intact: {self.checked} entries verified{span}{chains}"
        where = f" at entry #{self.seq}" if self.seq is not None else ""
        return f"audit chain BROKEN{where}{name(self.chain)}: {self.problem} ({self.checked} entries checked)"


def name(chain: str) -> str:
    """How a message names a chain: nothing for the system chain (the one chain of old)."""
    return f" (chain of {chain})" if chain else ""


# Plain rows, not ORM objects: a walk reads every entry once, and building entities cost
# most of the time per entry.
_WALK = select(AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.request_id,
               AuditEntry.task_id, AuditEntry.decision, AuditEntry.comment, AuditEntry.orgchart_version,
               AuditEntry.on_behalf_of, AuditEntry.detail, AuditEntry.prev_hash, AuditEntry.hash,
               AuditEntry.prev_seq)


def _entries(session: Session, after: int, chain: str, batch: int = 5000) -> Iterator[Any]:
    conn = session.connection()
    last = after
    query = _WALK.where(AuditEntry.chain == chain).order_by(AuditEntry.seq).limit(batch)
    while True:
        rows = conn.execute(query.where(AuditEntry.seq > last)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def head_of(session: Session, chain: str = SYSTEM) -> tuple[int, str]:
    head = session.connection().execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.chain == chain)).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def heads(session: Session) -> dict[str, tuple[int, str]]:
    """Every chain's (seq, hash) tip."""
    return {r.chain: (r.seq, r.hash) for r in session.connection().execute(
        select(AuditHead.chain, AuditHead.seq, AuditHead.hash))}


def entry_hash(session: Session, seq: int, chain: str | None = None) -> str | None:
    """The hash of entry #seq (None when there is none, or it is not in ``chain``)."""
    query = select(AuditEntry.hash).where(AuditEntry.seq == seq)
    if chain is not None:
        query = query.where(AuditEntry.chain == chain)
    return session.connection().execute(query).scalar()


def chain_of(session: Session, seq: int) -> str:
    """The chain entry #seq belongs to (the system chain when there is no such entry)."""
    return session.connection().execute(select(AuditEntry.chain).where(AuditEntry.seq == seq)).scalar() or SYSTEM


def entry_intact(session: Session, seq: int) -> bool:
    """Entry #seq alone: its content matches its hash, and it links to the entry before it in
    its chain. (A whole walk is ``verify``.)"""
    conn = session.connection()
    row = conn.execute(_WALK.add_columns(AuditEntry.chain).where(AuditEntry.seq == seq)).first()
    if row is None:
        return False
    before = row.prev_seq if row.prev_seq is not None else seq - 1
    previous = entry_hash(session, before, row.chain) if before else GENESIS
    fn = hashing.hasher(algorithm_at(segments(session, row.chain), seq))
    return previous == row.prev_hash and _digest(seq, row.at, row, row.detail, row.prev_hash, fn) == row.hash


def _bad(row: Any, last: int, prev: str, not_before: tuple[int, datetime] | None,
         hash_fn: Callable[[bytes], str]) -> tuple[int, str] | None:
    """(the entry to name, what is wrong with it), or None. ``last``: the entry before in the walk."""
    claimed = row.prev_seq if row.prev_seq is not None else row.seq - 1  # before 0017: seq - 1
    if last < claimed < row.seq:
        missing = last + 1 if row.prev_seq is None else claimed
        return missing, f"entry #{missing} is missing (next is #{row.seq})"
    if row.prev_hash != prev:
        return row.seq, "does not link to the entry before it (removed or reordered)"
    if _digest(row.seq, row.at, row, row.detail, row.prev_hash, hash_fn) != row.hash:
        return row.seq, "its content does not match its hash (edited, or its segment's hash function was changed)"
    if not_before is not None and row.seq > not_before[0] and row.at < not_before[1]:
        return row.seq, (f"dated {row.at:%Y-%m-%d %H:%M:%S}, before the checkpoint that vouched for "
                         f"#{not_before[0]} was signed, yet it comes after it (written later and backdated: "
                         "a forged append)")
    return None


def walk(session: Session, after_seq: int = 0, after_hash: str = GENESIS, *, chain: str = SYSTEM,
         limit: int | None = None, not_before: tuple[int, datetime] | None = None) -> Verification:
    """Walk ``chain`` from the entry after ``after_seq`` (whose hash is ``after_hash``) to its
    head, or for at most ``limit`` entries; report the first entry edited, removed or moved.
    ``not_before`` = (seq, time): entries after that seq must not be dated before that time."""
    last, prev, checked = after_seq, after_hash, 0
    found = _Segments(segments(session, chain))
    for row in _entries(session, after_seq, chain):
        problem = _bad(row, last, prev, not_before, found.hash_fn(row.seq))
        if problem:
            return Verification(False, checked, problem[1], problem[0], after_seq, last, prev, chain=chain)
        prev, last, checked = row.hash, row.seq, checked + 1
        if limit is not None and checked >= limit:
            return Verification(True, checked, from_seq=after_seq, to_seq=last, to_hash=prev, complete=False,
                                chain=chain, heads=((chain, last, prev),))
    head_seq, head_hash = head_of(session, chain)
    if (head_seq, head_hash) != (last, prev):
        return Verification(False, checked,
                            f"the chain ends at #{last} but the head says #{head_seq} "
                            "(entries removed from the end)", head_seq, after_seq, last, prev, chain=chain)
    return Verification(True, checked, from_seq=after_seq, to_seq=last, to_hash=prev, chain=chain,
                        heads=((chain, last, prev),))


def starts_after(session: Session, seq: int) -> dict[str, tuple[int, str]]:
    """Per chain, its last entry at or before #seq: where a walk of the entries after #seq
    starts (a chain begun after #seq starts from its genesis)."""
    conn = session.connection()
    last = (select(AuditEntry.chain, func.max(AuditEntry.seq).label("seq"))
            .where(AuditEntry.seq <= seq).group_by(AuditEntry.chain).subquery())
    rows = conn.execute(select(last.c.chain, last.c.seq, AuditEntry.hash)
                        .join(AuditEntry, AuditEntry.seq == last.c.seq))
    return {r.chain: (r.seq, r.hash) for r in rows}


def count_after(session: Session, seq: int) -> int:
    """How many entries, of every chain, come after #seq."""
    return session.connection().execute(select(func.count()).where(AuditEntry.seq > seq)).scalar_one()


def walk_all(session: Session, starts: dict[str, tuple[int, str]] | None = None,
             not_before: dict[str, tuple[int, datetime]] | None = None, *, limit: int | None = None,
             from_seq: int | None = None) -> Verification:
    """Walk every chain, each from its entry in ``starts`` (else from its first entry), and
    stop at the first problem. A chain whose head row was removed but whose entries remain is
    walked too, and found cut off."""
    starts, not_before = starts or {}, not_before or {}
    conn = session.connection()
    names = set(chains(session)) | set(conn.execute(select(AuditEntry.chain).distinct()).scalars())
    checked, proved, complete = 0, [], True
    if from_seq is None:
        from_seq = max((s[0] for s in starts.values()), default=0)
    for chain in sorted(names | set(starts)):
        after_seq, after_hash = starts.get(chain, (0, GENESIS))
        left = None if limit is None else limit - checked
        if left is not None and left <= 0:
            complete = False
            break
        one = walk(session, after_seq, after_hash, chain=chain, not_before=not_before.get(chain), limit=left)
        checked += one.checked
        complete = complete and one.complete
        if not one.ok:
            return Verification(False, checked, one.problem, one.seq, one.from_seq, one.to_seq, one.to_hash,
                                chain=chain, heads=tuple(proved))
        proved.extend(one.heads)
    top = max(proved, key=lambda h: h[1], default=(SYSTEM, 0, GENESIS))
    return Verification(True, checked, from_seq=from_seq, to_seq=max(top[1], from_seq) if proved else from_seq,
                        to_hash=top[2], chain=top[0], heads=tuple(proved), complete=complete)


class _Segments:
    """The hash function per entry for a walk in rising seq order: one comparison per entry."""

    def __init__(self, found: list[tuple[int, str]]) -> None:
        self._found, self._until = found, 0
        self._fn = hashing.hasher(found[0][1])

    def hash_fn(self, seq: int) -> Callable[[bytes], str]:
        if seq >= self._until:
            index = max([i for i, (first, _) in enumerate(self._found) if first <= seq], default=0)
            self._fn = hashing.hasher(self._found[index][1])
            self._until = self._found[index + 1][0] if index + 1 < len(self._found) else 1 << 62
        return self._fn


def verify(session: Session) -> Verification:
    """Walk every chain whole; report the first entry that was edited, removed or moved."""
    return walk_all(session)
