"""The audit chain in SM3 (issue 22): a deployment that chooses SM3 from the start, and a running
SHA-256 chain that switches at a checkpoint, where the older entries keep verifying with their
own function. Every tampering the SHA-256 chain catches is caught in SM3 too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import tampering
from click.testing import CliRunner, Result
from support import NOW, leave_fields, open_steps

from approvals.app import Approvals
from approvals.audit import chain as audit
from approvals.audit import checkpoints
from approvals.audit.chain import Entry
from approvals.cli import cli
from approvals.crypto import hashing
from approvals.errors import ConfigurationError
from approvals.store.database import Database
from approvals.store.migrate import upgrade


def _act(app: Approvals, applicant: str = "shen.yue") -> None:
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = open_steps(app, request_id)[0]
    app.service.decide(task.id, task.assignee, "approve", "同意")


def _cli(db: Database, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database", db.url, "audit", *args])


def _recomputed(db: Database, seq: int, algorithm: str) -> str:
    with db.reading() as s:
        row = s.connection().execute(audit._WALK.where(audit.AuditEntry.seq == seq)).one()
    return audit._digest(row.seq, row.at, row, row.detail, row.prev_hash, hashing.hasher(algorithm))


@pytest.fixture
def sm3_chain(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv(hashing.SETTING, "sm3")
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


def test_a_deployment_that_chooses_sm3_hashes_every_entry_with_sm3(sm3_chain: Database) -> None:
    with sm3_chain.reading() as s:
        assert audit.segments(s) == [(1, "sm3")]
        stored = audit.entry_hash(s, 3)
    assert stored == _recomputed(sm3_chain, 3, "sm3") != _recomputed(sm3_chain, 3, "sha256")
    assert _verify(sm3_chain).ok
    result = _cli(sm3_chain, "verify", "--skip-rows")
    assert result.exit_code == 0, result.output
    assert "hash segments: #1- sm3" in result.output and "5 entries verified" in result.output


def _rehash(db: Database, seq: int) -> None:
    """Edit entry #seq and give it the SM3 hash of its new content: the next link breaks."""
    tampering.sql(db, f"UPDATE audit_entries SET decision = 'reject' WHERE seq = {seq}")
    tampering.sql(db, f"UPDATE audit_entries SET hash = '{_recomputed(db, seq, 'sm3')}' WHERE seq = {seq}")


TAMPERINGS: dict[str, tuple[Callable[[Database], None], int, str]] = {
    "edit": (lambda db: tampering.sql(db, "UPDATE audit_entries SET comment = '驳回' WHERE seq = 3"), 3, "edited"),
    "delete": (lambda db: tampering.sql(db, "DELETE FROM audit_entries WHERE seq = 3"), 3, "missing"),
    "cut the tail": (lambda db: tampering.sql(db, "DELETE FROM audit_entries WHERE seq = 5"), 5,
                     "removed from the end"),
    "swap": (lambda db: tampering.sql(db, "UPDATE audit_entries SET seq = 100 WHERE seq = 2",
                                      "UPDATE audit_entries SET seq = 2 WHERE seq = 3",
                                      "UPDATE audit_entries SET seq = 3 WHERE seq = 100"), 2, "does not link"),
    "rehash one entry": (lambda db: _rehash(db, 3), 4, "does not link"),
    "hash with the other function": (lambda db: tampering.sql(
        db, "UPDATE audit_segments SET algorithm = 'sha256'"), 1, "hash function was changed"),
}


@pytest.mark.parametrize("case", list(TAMPERINGS))
def test_tampering_with_an_sm3_chain_is_caught_as_with_sha256(sm3_chain: Database, case: str) -> None:
    tamper, seq, words = TAMPERINGS[case]
    tamper(sm3_chain)
    found = _verify(sm3_chain)
    assert not found.ok and found.seq == seq and words in found.problem, str(found)


def test_a_chain_recomputed_in_sm3_from_an_entry_is_caught_by_the_checkpoint(
        app: Approvals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(hashing.SETTING, "sm3")
    private, public = checkpoints.keygen(tmp_path / "keys", "sm2")
    _act(app)
    checkpoints.take(app.db, checkpoints.load_private_key(private), tmp_path / "cp", app.clock.now())
    tampering.recompute(app.db, 2, "reject")
    assert _verify(app.db).ok  # the chain alone cannot tell
    result = _cli(app.db, "verify", "--checkpoint", str(tmp_path / "cp"), "--public-key", str(public))
    assert result.exit_code == 1 and "CONTRADICTED" in result.output and "rewritten or forked" in result.output


@pytest.mark.parametrize("key_algorithm", ["ed25519", "sm2"])
def test_a_running_sha256_chain_switches_to_sm3_at_a_checkpoint_and_verifies_across(
        app: Approvals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key_algorithm: str) -> None:
    private, public = checkpoints.keygen(tmp_path / "keys", key_algorithm)
    key, out = checkpoints.load_private_key(private), tmp_path / "cp"
    _act(app)
    first = checkpoints.take(app.db, key, out, app.clock.now())  # still SHA-256: nothing switches
    monkeypatch.setenv(hashing.SETTING, "sm3")
    _act(app, "sun.li")
    second = checkpoints.take(app.db, key, out, app.clock.now())
    _act(app)
    with app.db.reading() as s:  # each chain switched: the system chain first, then the bureau's
        found = audit.segments(s)
        bureau = audit.segments(s, "xx-nrpb")
        head = max(seq for seq, _ in audit.heads(s).values())
    assert found == [(1, "sha256"), (second.seq + 1, "sm3")] and first.seq < second.seq < head
    assert bureau[-1] == (second.seq + 2, "sm3") and bureau[0][1] == "sha256"
    assert tampering.entry_hash(app.db, 1) == _recomputed(app.db, 1, "sha256")
    assert tampering.entry_hash(app.db, head) == _recomputed(app.db, head, "sm3")
    with app.db.reading() as s:
        marker = s.connection().execute(audit._WALK.where(audit.AuditEntry.seq == second.seq + 1)).one()
    assert marker.action == "audit_hash_switched" and '"to":"sm3"' in marker.detail
    full = _cli(app.db, "verify", "--full", "--checkpoint", str(out), "--public-key", str(public))
    assert full.exit_code == 0, full.output
    assert f"#1- sha256, #{second.seq + 1}- sm3" in full.output and f"{head} entries verified" in full.output
    incremental = _cli(app.db, "verify", "--checkpoint", str(out), "--public-key", str(public))
    assert incremental.exit_code == 0, incremental.output
    assert f"{head - second.seq} entries verified" in incremental.output
    third = checkpoints.take(app.db, key, out, app.clock.now())  # already SM3: no second switch
    with app.db.reading() as s:
        assert audit.segments(s) == found and max(seq for seq, _ in audit.heads(s).values()) == third.seq


def test_an_edit_before_the_switch_is_still_caught_with_sha256(app: Approvals, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    private, _public = checkpoints.keygen(tmp_path / "keys")
    _act(app)
    monkeypatch.setenv(hashing.SETTING, "sm3")
    checkpoints.take(app.db, checkpoints.load_private_key(private), tmp_path / "cp", app.clock.now())
    _act(app)
    tampering.sql(app.db, "UPDATE audit_entries SET comment = '不同意' WHERE seq = 2")
    found = _verify(app.db)
    assert not found.ok and found.seq == 2 and "edited" in found.problem


def test_an_unknown_hash_setting_is_refused_naming_the_value(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(hashing.SETTING, "md5")
    db = Database(db_url)
    upgrade(db)
    with pytest.raises(ConfigurationError, match="APPROVALS_AUDIT_HASH='md5' is not one of sha256, sm3"):
        with db.transaction() as s:
            audit.append(s, [Entry("zhao.lei", "submitted", 1)], NOW)
    db.dispose()
