"""What an attacker with write access to the database does to the audit trail, for the tests
that show each change is caught. On PostgreSQL the append-only triggers are switched off
first, as the table's owner or a superuser could."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from approvals.audit import chain as audit
from approvals.audit.chain import Entry
from approvals.store.database import Database

TABLES = ("audit_entries", "access_log")


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


def head(db: Database) -> tuple[int, str]:
    with db.reading() as s:
        return audit.head_of(s)


def entry_hash(db: Database, seq: int) -> str:
    with db.reading() as s:
        found = audit.entry_hash(s, seq)
    assert found is not None
    return found


def truncate(db: Database, keep: int) -> None:
    """Remove every entry after #keep and move the head back to it."""
    digest = entry_hash(db, keep)
    sql(db, f"DELETE FROM audit_entries WHERE seq > {keep}",
        f"UPDATE audit_head SET seq = {keep}, hash = '{digest}'")


def wipe(db: Database) -> None:
    sql(db, "DELETE FROM audit_entries", "DELETE FROM audit_head")


def append_forged(db: Database, entry: Entry, at: datetime) -> int:
    """A forged entry chained properly onto the head, the head moved: the chain alone verifies."""
    with db.transaction() as s:
        return audit.append(s, [entry], at)


def recompute(db: Database, seq: int, decision: str) -> None:
    """Change entry #seq's decision and recompute every hash from there, head included."""
    with db.reading() as s:
        rows = list(s.connection().execute(audit._WALK.where(audit.AuditEntry.seq >= seq)
                                           .order_by(audit.AuditEntry.seq)))
    prev = rows[0].prev_hash
    statements = []
    for row in rows:
        changed = Entry(row.actor, row.action, row.request_id, row.task_id,
                        decision if row.seq == seq else row.decision, row.comment, row.orgchart_version,
                        row.on_behalf_of)
        digest = audit._digest(row.seq, row.at, changed, row.detail, prev)
        statements.append(f"UPDATE audit_entries SET decision = {_literal(changed.decision)}, "
                          f"prev_hash = '{prev}', hash = '{digest}' WHERE seq = {row.seq}")
        prev = digest
    statements.append(f"UPDATE audit_head SET hash = '{prev}'")
    sql(db, *statements)


def _literal(value: str | None) -> str:
    return "NULL" if value is None else f"'{value}'"
