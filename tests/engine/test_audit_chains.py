"""One audit chain per organization (issue 24): two bureaus on one installation append to
their own chains, so neither waits on the other's lock, and every check (verify, checkpoints,
tampering) covers every chain. An installation from before keeps its one chain as the system
chain, verified as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import tampering
from click.testing import CliRunner
from support import NOW, leave_fields, open_steps

from approvals.app import Approvals
from approvals.audit import chain as audit
from approvals.audit import checkpoints
from approvals.audit.chain import Entry
from approvals.cli import cli
from approvals.store.database import Database
from approvals.store.migrate import upgrade

BUREAU_A, BUREAU_B = "xx-nrpb", "cq-mca"


def _act(app: Approvals, applicant: str) -> int:
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = open_steps(app, request_id)[0]
    app.service.decide(task.id, task.assignee, "approve", "同意")
    return request_id


@pytest.fixture
def two(app: Approvals) -> Approvals:
    _act(app, "shen.yue")
    _act(app, "ye.qing")
    _act(app, "sun.li")
    return app


def _seqs(app: Approvals, chain: str) -> list[int]:
    with app.db.reading() as s:
        return list(s.scalars(sa.select(audit.AuditEntry.seq).where(audit.AuditEntry.chain == chain)
                              .order_by(audit.AuditEntry.seq)))


def test_each_bureau_has_its_own_chain_and_verify_walks_them_all(two: Approvals) -> None:
    a, b = _seqs(two, BUREAU_A), _seqs(two, BUREAU_B)
    assert a and b and not set(a) & set(b)
    with two.db.reading() as s:
        heads = audit.heads(s)
        first_b = s.get(audit.AuditEntry, b[0])
        result = audit.verify(s)
        request_b = s.get(audit.AuditEntry, b[-1])
    assert set(heads) >= {audit.SYSTEM, BUREAU_A, BUREAU_B}
    assert heads[BUREAU_B][0] == b[-1] and first_b is not None and first_b.prev_hash == audit.GENESIS
    assert request_b is not None and request_b.prev_seq == b[-2]  # seqs interleave; the link names the one before
    assert result.ok and result.checked == max(h[0] for h in heads.values()) and len(result.heads) == len(heads)


@pytest.mark.parametrize("case", ["edit", "delete", "cut the tail"])
def test_tampering_with_one_bureaus_chain_is_caught_and_names_it(two: Approvals, case: str) -> None:
    b = _seqs(two, BUREAU_B)
    statement, seq, words = {
        "edit": (f"UPDATE audit_entries SET comment = '驳回' WHERE seq = {b[1]}", b[1], "edited"),
        "delete": (f"DELETE FROM audit_entries WHERE seq = {b[1]}", b[1], "missing"),
        "cut the tail": (f"DELETE FROM audit_entries WHERE seq = {b[-1]}", b[-1], "removed from the end"),
    }[case]
    tampering.sql(two.db, statement)
    with two.db.reading() as s:
        found = audit.verify(s)
    assert not found.ok and found.seq == seq and words in found.problem and found.chain == BUREAU_B
    assert f"chain of {BUREAU_B}" in str(found)


def test_checkpoints_sign_every_chains_head_and_catch_a_rewrite_or_fork_of_any(two: Approvals,
                                                                               tmp_path: Path) -> None:
    private, public = checkpoints.keygen(tmp_path / "keys")
    point = checkpoints.take(two.db, checkpoints.load_private_key(private), tmp_path / "cp", two.clock.now())
    with two.db.reading() as s:
        assert sorted(point.heads) == sorted((c, *h) for c, h in audit.heads(s).items())
    b = _seqs(two, BUREAU_B)
    tampering.truncate(two.db, b[-2])  # the bureau's tail cut, its head moved back: the chain alone agrees
    for n in range(3):  # and a fork grown in its place
        tampering.append_forged(two.db, Entry("system", "orgchart_saved", detail={"n": n}, org=BUREAU_B),
                                two.clock.now())
    with two.db.reading() as s:
        assert audit.verify(s).ok
    result = CliRunner().invoke(cli, ["--database", two.db.url, "audit", "verify", "--skip-rows",
                                      "--checkpoint", str(tmp_path / "cp"), "--public-key", str(public)])
    assert result.exit_code == 1 and "CONTRADICTED" in result.output and f"chain of {BUREAU_B}" in result.output
    assert f"#{b[-1]}" in result.output


def test_a_pre_0017_chain_becomes_the_system_chain_and_new_entries_go_per_bureau(db_url: str) -> None:
    db = Database(db_url)
    upgrade(db, "0016")
    prev, rows = audit.GENESIS, []
    for seq in range(1, 4):  # the one global chain, as written before issue 24
        e = Entry(f"person{seq}", "decided", 1, seq, "approve", "同意")
        digest = audit._digest(seq, NOW, e, "{}", prev)
        rows.append(f"({seq}, '{NOW.isoformat(sep=' ')}', '{e.actor}', 'decided', 1, {seq}, 'approve', '同意', "
                    f"NULL, NULL, '{{}}', '{prev}', '{digest}')")
        prev = digest
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_entries (seq, at, actor, action, request_id, task_id, decision, "
                             "comment, orgchart_version, on_behalf_of, detail, prev_hash, hash) VALUES "
                             + ", ".join(rows)))
        conn.execute(sa.text(f"UPDATE audit_head SET seq = 3, hash = '{prev}' WHERE id = 1"))
    upgrade(db)
    with db.transaction() as s:
        audit.append(s, [Entry("system", "orgchart_saved")], NOW)
        audit.append(s, [Entry("ye.qing", "submitted", org=BUREAU_B)], NOW)
    with db.reading() as s:
        heads = audit.heads(s)
        result = audit.verify(s)
    assert heads[audit.SYSTEM][0] == 4 and heads[BUREAU_B][0] == 5
    assert result.ok and result.checked == 5
    tampering.sql(db, "DELETE FROM audit_entries WHERE seq = 2")
    with db.reading() as s:
        broken = audit.verify(s)
    assert not broken.ok and broken.seq == 2 and "missing" in broken.problem  # named as before
    db.dispose()


@pytest.fixture
def pg(db_url: str) -> Iterator[Database]:
    if not db_url.startswith("postgresql"):
        pytest.skip("row locks across connections: PostgreSQL (SQLite has one writer at a time)")
    db = Database(db_url)
    upgrade(db)
    yield db
    db.dispose()


def test_a_bureau_appending_does_not_wait_for_another_bureaus_open_transaction(pg: Database) -> None:
    with pg.engine.connect() as holder, pg.engine.connect() as other:
        with holder.begin():
            audit.append(holder, [Entry("shen.yue", "submitted", org=BUREAU_A)], NOW)  # A's head locked, uncommitted
            with other.begin():
                other.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
                audit.append(other, [Entry("ye.qing", "submitted", org=BUREAU_B)], NOW)  # would time out on one head
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"), other.begin():
                other.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
                audit.append(other, [Entry("sun.li", "submitted", org=BUREAU_A)], NOW)  # same bureau: it waits
    with pg.reading() as s:
        assert audit.verify(s).ok
