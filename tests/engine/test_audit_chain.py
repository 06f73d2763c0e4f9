"""The audit trail is tamper-evident: `approvals audit verify` catches any edit, deletion or swap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import tampering
from click.testing import CliRunner
from support import NOW

from approvals.audit import chain as audit
from approvals.audit.chain import Entry
from approvals.cli import cli
from approvals.store.database import Database
from approvals.store.migrate import upgrade


@pytest.fixture
def chained(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    upgrade(db)
    with db.transaction() as s:
        audit.append(s, [Entry("zhao.lei", "submitted", 1, detail={"type": "leave"})], NOW)
    for n in range(2, 6):
        with db.transaction() as s:
            audit.append(s, [Entry(f"person{n}", "decided", 1, n, "approve", f"同意 {n}")], NOW)
    yield db
    db.dispose()


def _verify(db: Database) -> audit.Verification:
    with db.reading() as s:
        return audit.verify(s)


def _sql(db: Database, statement: str) -> None:
    tampering.sql(db, statement)  # on PostgreSQL, past the append-only trigger (as its owner could)


def test_an_untouched_chain_verifies(chained: Database) -> None:
    result = _verify(chained)
    assert result.ok and result.checked == 5


def test_editing_a_comment_is_caught_at_that_entry(chained: Database) -> None:
    _sql(chained, "UPDATE audit_entries SET comment = '不同意' WHERE seq = 3")
    result = _verify(chained)
    assert not result.ok and result.seq == 3 and "edited" in result.problem


def test_changing_the_actor_is_caught(chained: Database) -> None:
    _sql(chained, "UPDATE audit_entries SET actor = 'someone.else' WHERE seq = 2")
    assert _verify(chained).seq == 2


def test_deleting_an_entry_in_the_middle_is_caught(chained: Database) -> None:
    _sql(chained, "DELETE FROM audit_entries WHERE seq = 3")
    result = _verify(chained)
    assert not result.ok and result.seq == 3 and "missing" in result.problem


def test_deleting_the_last_entry_is_caught_by_the_head(chained: Database) -> None:
    _sql(chained, "DELETE FROM audit_entries WHERE seq = 5")
    result = _verify(chained)
    assert not result.ok and "removed from the end" in result.problem


def test_swapping_two_entries_is_caught(chained: Database) -> None:
    _sql(chained, "UPDATE audit_entries SET seq = 100 WHERE seq = 2")
    _sql(chained, "UPDATE audit_entries SET seq = 2 WHERE seq = 3")
    _sql(chained, "UPDATE audit_entries SET seq = 3 WHERE seq = 100")
    result = _verify(chained)
    assert not result.ok and result.seq == 2


def test_rehashing_an_edited_entry_still_breaks_the_next_link(chained: Database) -> None:
    with chained.reading() as s:
        row = s.get(audit.AuditEntry, 3)
        assert row is not None
        forged = audit._digest(row.seq, row.at, Entry(row.actor, row.action, row.request_id, row.task_id,
                                                      "reject", row.comment), row.detail, row.prev_hash)
    _sql(chained, f"UPDATE audit_entries SET decision = 'reject', hash = '{forged}' WHERE seq = 3")
    result = _verify(chained)
    assert not result.ok and result.seq == 4


def test_cli_verify_exits_1_and_names_the_entry(chained: Database, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["--database", chained.url, "audit", "verify"])
    assert ok.exit_code == 0 and "5 entries verified" in ok.output
    _sql(chained, "UPDATE audit_entries SET comment = 'x' WHERE seq = 4")
    broken = runner.invoke(cli, ["--database", chained.url, "audit", "verify"])
    assert broken.exit_code == 1 and "entry #4" in broken.output
