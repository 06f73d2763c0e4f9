"""Signed checkpoints kept outside the database catch what the chain alone cannot: a forged
append with the head moved, a truncation with the head moved, a chain recomputed from the
start, a wipe, a fork. Each is named with the checkpoint it contradicts and the entry."""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import tampering
from click.testing import CliRunner, Result
from support import leave_fields, open_steps

from approvals.app import Approvals
from approvals.audit import chain as audit
from approvals.audit import checkpoints, verifications
from approvals.audit.chain import Entry
from approvals.cli import cli


@dataclass
class Signed:
    app: Approvals
    private: Path
    public: Path
    out: Path
    first: checkpoints.Checkpoint
    second: checkpoints.Checkpoint


def _act(app: Approvals, applicant: str) -> int:
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = open_steps(app, request_id)[0]
    app.service.decide(task.id, task.assignee, "approve", "同意")
    return request_id


@pytest.fixture
def signed(app: Approvals, tmp_path: Path) -> Signed:
    """Two checkpoints with actions before, between and after them."""
    private, public = checkpoints.keygen(tmp_path / "keys")
    key = checkpoints.load_private_key(private)
    out = tmp_path / "checkpoints"
    _act(app, "shen.yue")
    first = checkpoints.take(app.db, key, out, app.clock.now())
    _act(app, "sun.li")
    second = checkpoints.take(app.db, key, out, app.clock.now())
    _act(app, "shen.yue")
    return Signed(app, private, public, out, first, second)


def _verify(s: Signed, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["--database", s.app.db.url, "audit", "verify", "--checkpoint", str(s.out),
                                    "--public-key", str(s.public), *extra])


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", "keygen", "--out", str(tmp_path / "k")])
    assert result.exit_code == 0 and "mode 600" in result.output
    private = tmp_path / "k" / checkpoints.PRIVATE_NAME
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and (tmp_path / "k" / checkpoints.PUBLIC_NAME).exists()
    again = CliRunner().invoke(cli, ["audit", "keygen", "--out", str(tmp_path / "k")])
    assert again.exit_code == 1 and "already exists" in again.output


def test_a_chain_that_extends_its_checkpoints_verifies_from_the_newest(signed: Signed) -> None:
    result = _verify(signed)
    assert result.exit_code == 0, result.output
    assert f"walked from checkpoint {signed.second.name} (#{signed.second.seq}" in result.output
    assert "0 contradiction(s)" in result.output


def test_the_checkpoint_command_signs_the_head_into_the_chosen_directory(signed: Signed) -> None:
    result = CliRunner().invoke(cli, ["--database", signed.app.db.url, "audit", "checkpoint",
                                      "--key", str(signed.private), "--out", str(signed.out)])
    assert result.exit_code == 0 and "checkpoint written" in result.output
    newest = max(signed.out.glob("checkpoint-*.json"))
    written = json.loads(newest.read_text())
    assert written["seq"] == tampering.top(signed.app.db)
    with signed.app.db.reading() as s:  # issue 24: every chain's head, the system chain's and the bureau's
        assert sorted(written["heads"]) == sorted([c, *h] for c, h in audit.heads(s).items())


def test_incremental_verify_reads_only_the_entries_after_the_newest_checkpoint(signed: Signed) -> None:
    # An edit before the checkpoint that leaves its hash alone is only seen by a full walk.
    tampering.sql(signed.app.db, f"UPDATE audit_entries SET comment = '改过' WHERE seq = {signed.first.seq}")
    head = tampering.top(signed.app.db)
    incremental = _verify(signed, "--skip-rows")
    assert incremental.exit_code == 0
    assert f"{head - signed.second.seq} entries verified (#{signed.second.seq + 1}-#{head})" in incremental.output
    full = _verify(signed, "--full", "--skip-rows")
    assert full.exit_code == 1 and f"entry #{signed.first.seq}" in full.output and "edited" in full.output


def test_a_forged_append_with_the_head_moved_is_named_against_the_newest_checkpoint(signed: Signed) -> None:
    forged = tampering.append_forged(signed.app.db, Entry("wang.jun", "decided", 1, None, "approve", "同意"),
                                     signed.second.at - timedelta(days=1))
    result = _verify(signed, "--skip-rows")
    assert result.exit_code == 1
    assert f"CONTRADICTED checkpoint {signed.second.name}" in result.output
    assert f"entry #{forged}" in result.output and "backdated" in result.output


def test_a_truncation_with_the_head_moved_is_named_with_the_checkpoint_it_cuts(signed: Signed) -> None:
    tampering.truncate(signed.app.db, signed.first.seq + 1)
    result = _verify(signed, "--skip-rows")
    assert result.exit_code == 1
    assert f"checkpoint {signed.second.name} (#{signed.second.seq}" in result.output
    assert f"now ends at #{signed.first.seq + 1}" in result.output
    assert signed.first.name not in result.output


def test_a_chain_recomputed_from_an_early_edit_contradicts_every_later_checkpoint(signed: Signed) -> None:
    decided = next(seq for seq in range(1, signed.first.seq + 1) if _action(signed, seq) == "decided")
    tampering.recompute(signed.app.db, decided, "reject")
    plain = CliRunner().invoke(cli, ["--database", signed.app.db.url, "audit", "verify", "--skip-rows"])
    assert plain.exit_code == 0  # the chain alone cannot tell
    result = _verify(signed, "--skip-rows")
    assert result.exit_code == 1
    for point in (signed.first, signed.second):
        assert f"checkpoint {point.name} (#{point.seq}" in result.output
    assert "rewritten or forked" in result.output


def test_a_wiped_trail_is_named_by_every_checkpoint(signed: Signed) -> None:
    tampering.wipe(signed.app.db)
    result = _verify(signed, "--skip-rows")
    assert result.exit_code == 1 and result.output.count("the chain is empty (wiped)") == 2


def test_a_fork_after_the_first_checkpoint_is_named_by_the_second(signed: Signed) -> None:
    chain = tampering.chain_of(signed.app.db, signed.first.seq)  # the bureau's chain
    tampering.truncate(signed.app.db, signed.first.seq)
    for n in range(signed.second.seq - signed.first.seq + 2):
        tampering.append_forged(signed.app.db, Entry("system", "orgchart_saved", detail={"n": n}, org=chain),
                                signed.app.clock.now())
    result = _verify(signed, "--skip-rows")
    assert result.exit_code == 1
    assert f"checkpoint {signed.second.name} (#{signed.second.seq}" in result.output
    # SQLite reuses the cut seqs (a fork at the same numbers); PostgreSQL's sequence does not
    # (the signed entry is simply gone).
    assert ("rewritten or forked" in result.output or "missing (removed)" in result.output)
    assert signed.first.name not in result.output


def test_an_altered_checkpoint_or_another_key_is_refused(signed: Signed, tmp_path: Path) -> None:
    path = signed.out / signed.second.name
    fields = json.loads(path.read_text())
    fields["seq"] = 1
    path.write_text(json.dumps(fields))
    result = _verify(signed, "--skip-rows")
    assert result.exit_code == 1 and "signature does not verify" in result.output
    assert signed.second.name in result.output
    _private, other = checkpoints.keygen(tmp_path / "other")
    foreign = CliRunner().invoke(cli, ["--database", signed.app.db.url, "audit", "verify", "--skip-rows",
                                       "--checkpoint", str(signed.out / signed.first.name), "--public-key", str(other)])
    assert foreign.exit_code == 1 and "signature does not verify" in foreign.output


def test_a_checkpoint_is_not_signed_over_a_broken_chain(signed: Signed) -> None:
    tampering.truncate(signed.app.db, signed.first.seq)
    with pytest.raises(checkpoints.CheckpointError, match="not signed"):
        checkpoints.take(signed.app.db, checkpoints.load_private_key(signed.private), signed.out,
                         signed.app.clock.now())
    recorded = verifications.latest(signed.app.db)
    assert recorded is not None and not recorded.ok


def test_a_private_key_readable_by_others_is_refused(signed: Signed) -> None:
    signed.private.chmod(0o644)
    with pytest.raises(checkpoints.CheckpointError, match="chmod 600"):
        checkpoints.load_private_key(signed.private)


def _action(s: Signed, seq: int) -> str:
    with s.app.db.reading() as session:
        entry = session.get(checkpoints.AuditEntry, seq)
        assert entry is not None
        return entry.action
