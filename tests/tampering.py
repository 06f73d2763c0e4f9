"""What an attacker with write access to the database does to the audit trail, for the tests
that show each change is caught. On PostgreSQL the append-only triggers are switched off
first, as the table's owner or a superuser could."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from approvals.audit import chain as audit
from approvals.audit.chain import Entry
from approvals.crypto import hashing
from approvals.store.database import Database

TABLES = ("audit_entries", "audit_segments", "access_log")


def sql(db: Database, *statements: str) -> None:
    with db.engine.begin() as conn:
        _triggers(conn, "DISABLE")
        for statement in statements:
            conn.execute(text(statement))
        _triggers(conn, "ENABLE")


def _triggers(conn: Connection, verb: str) -> None:
    if conn.dialect.name == "postgresql":
        for table in TABLES:
            conn.execute(text(f"ALTER TABLE {table} {verb} TRIGGER USER"))


def head(db: Database, chain: str = audit.SYSTEM) -> tuple[int, str]:
    with db.reading() as s:
        return audit.head_of(s, chain)


def top(db: Database) -> int:
    """The highest seq of any chain's head: what a checkpoint signs as its ``seq``."""
    with db.reading() as s:
        return max((seq for seq, _ in audit.heads(s).values()), default=0)


def entry_hash(db: Database, seq: int) -> str:
    with db.reading() as s:
        found = audit.entry_hash(s, seq)
    assert found is not None
    return found


def chain_of(db: Database, seq: int) -> str:
    with db.reading() as s:
        return audit.chain_of(s, seq)


def truncate(db: Database, keep: int) -> None:
    """Remove every entry of #keep's chain after it and move that chain's head back to it."""
    digest, chain = entry_hash(db, keep), chain_of(db, keep)
    sql(db, f"DELETE FROM audit_entries WHERE seq > {keep} AND chain = '{chain}'",
        f"UPDATE audit_heads SET seq = {keep}, hash = '{digest}' WHERE chain = '{chain}'")


def wipe(db: Database) -> None:
    sql(db, "DELETE FROM audit_entries", "DELETE FROM audit_heads")


def append_forged(db: Database, entry: Entry, at: datetime) -> int:
    """A forged entry chained properly onto the head, the head moved: the chain alone verifies."""
    with db.transaction() as s:
        return audit.append(s, [entry], at)


def recompute(db: Database, seq: int, decision: str) -> None:
    """Change entry #seq's decision and recompute every hash of its chain from there, head included."""
    chain = chain_of(db, seq)
    with db.reading() as s:
        rows = list(s.connection().execute(audit._WALK.where(audit.AuditEntry.seq >= seq,
                                                             audit.AuditEntry.chain == chain)
                                           .order_by(audit.AuditEntry.seq)))
        segments = audit.segments(s, chain)
    prev = rows[0].prev_hash
    statements = []
    for row in rows:
        changed = Entry(row.actor, row.action, row.request_id, row.task_id,
                        decision if row.seq == seq else row.decision, row.comment, row.orgchart_version,
                        row.on_behalf_of)
        digest = audit._digest(row.seq, row.at, changed, row.detail, prev,
                               hashing.hasher(audit.algorithm_at(segments, row.seq)))
        statements.append(f"UPDATE audit_entries SET decision = {_literal(changed.decision)}, "
                          f"prev_hash = '{prev}', hash = '{digest}' WHERE seq = {row.seq}")
        prev = digest
    statements.append(f"UPDATE audit_heads SET hash = '{prev}' WHERE chain = '{chain}'")
    sql(db, *statements)


def _literal(value: str | None) -> str:
    return "NULL" if value is None else f"'{value}'"
