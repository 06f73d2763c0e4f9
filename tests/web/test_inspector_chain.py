"""The inspector's page never walks the whole chain: it shows what the last CLI or worker
verification recorded, and on request checks only the entries after it, at most a bounded
number, saying which ones it covered."""

from __future__ import annotations

from pathlib import Path

import pytest
import tampering
from click.testing import CliRunner
from flask import Flask
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.audit import checkpoints
from approvals.cli import cli
from web.inspector import chain

INSPECTOR = "yang.fan"


def _decide(engine: Approvals, applicant: str) -> None:
    task = open_task(engine, submit_leave(engine, applicant))
    engine.service.decide(task.id, task.assignee, "approve", "同意")


def _verify_from_cli(engine: Approvals) -> None:
    assert CliRunner().invoke(cli, ["--database", engine.db.url, "audit", "verify"]).exit_code == 0


def test_before_any_verification_the_page_says_so(engine: Approvals, web: Flask) -> None:
    assert "哈希链尚未校验" in text(client_for(web, INSPECTOR).get("/inspect/"))


def test_a_page_view_shows_the_last_recorded_verification_and_walks_nothing(engine: Approvals, web: Flask) -> None:
    _decide(engine, "shen.yue")
    _verify_from_cli(engine)
    head = tampering.top(engine.db)
    tampering.sql(engine.db, "UPDATE audit_entries SET comment = '不同意' WHERE seq = 2")
    page = text(client_for(web, INSPECTOR).get("/inspect/"))
    # The edit is not seen: the page reports the recorded run, it did not walk the chain.
    assert "哈希链完整" in page and f"第 {head} 条及之前的记录完整" in page and "全链校验" in page
    assert "命令行" in page and "哈希链已被破坏" not in page


def test_checking_the_newest_entries_starts_after_the_last_verified_one(engine: Approvals, web: Flask) -> None:
    _decide(engine, "shen.yue")
    _verify_from_cli(engine)
    verified = tampering.top(engine.db)
    _decide(engine, "sun.li")
    client = client_for(web, INSPECTOR)  # signing in is itself an audit entry
    head = tampering.top(engine.db)
    page = text(client.get("/inspect/?verify=1"))
    assert f"刚刚校验：第 {verified + 1} 至第 {head} 条（上次校验之后的 {head - verified} 条）" in page
    tampering.sql(engine.db, f"UPDATE audit_entries SET comment = '改过' WHERE seq = {head - 1}")
    broken = text(client.get("/inspect/?verify=1"))
    assert "哈希链已被破坏" in broken and f"位于第 #{head - 1} 条" in broken


def test_the_check_on_a_page_view_is_bounded(engine: Approvals, web: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _decide(engine, "shen.yue")
    monkeypatch.setattr(chain, "WALK_LIMIT", 3)
    client = client_for(web, INSPECTOR)  # signing in is itself an audit entry
    head = tampering.top(engine.db)
    page = text(client.get("/inspect/?verify=1"))
    # Chains are walked one after another (issue 24), so the 3 entries checked are the system
    # chain's first ones, not #1-#3 of the whole installation.
    assert "刚刚校验：第 1 至第" in page and f"另有 {head - 3} 条较新的记录本页未校验" in page


def test_a_checkpoint_contradicted_on_the_command_line_turns_the_page_red(
        engine: Approvals, web: Flask, tmp_path: Path) -> None:
    _decide(engine, "shen.yue")
    private, public = checkpoints.keygen(tmp_path / "keys")
    point = checkpoints.take(engine.db, checkpoints.load_private_key(private), tmp_path / "cp", engine.clock.now())
    tampering.wipe(engine.db)
    result = CliRunner().invoke(cli, ["--database", engine.db.url, "audit", "verify", "--skip-rows",
                                      "--checkpoint", str(tmp_path / "cp"), "--public-key", str(public)])
    assert result.exit_code == 1
    page = text(client_for(web, INSPECTOR).get("/inspect/"))
    assert "哈希链已被破坏" in page and point.name in page and "wiped" in page
