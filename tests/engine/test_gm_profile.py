"""Switching a deployment to 国密 is one setting plus keys (issue 22): with
APPROVALS_CRYPTO_PROFILE=gm a running SHA-256/Ed25519 deployment gets an SM2 checkpoint key by
default, its chain switches to SM3 at the next checkpoint, sensitive fields and secrets are
sealed in SM4 and refused without a data key, and `audit verify` passes across the switch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import make_app, pick, with_certificate

from approvals.app import Approvals
from approvals.audit import chain as audit
from approvals.audit import checkpoints
from approvals.cli import cli
from approvals.crypto import CryptoError, atrest, hashing, profile
from approvals.errors import ConfigurationError
from approvals.notifications import settings
from approvals.store.models import Request

ID_NUMBER = "110101199003071234"


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Approvals:
    chart, processes = with_certificate(tmp_path)
    app = make_app(db_url, chart, processes=processes)
    yield app
    app.db.dispose()


def _run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def _certificate(app: Approvals) -> int:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section")
    request_id = app.service.submit(applicant, "certificate", {"purpose": "办理贷款", "id_number": ID_NUMBER})
    task = next(t for t in app.queries.steps(request_id) if t.is_open)
    app.service.decide(task.id, task.assignee, "approve", "同意")
    return request_id


def test_a_running_deployment_switches_to_gm_with_one_setting_and_verify_passes_across(
        bureau: Approvals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: the standard profile, an Ed25519 key (keygen's default then), checkpoints in cp/.
    _run("audit", "keygen", "--out", str(tmp_path / "ed25519"))
    ed_key = checkpoints.load_private_key(tmp_path / "ed25519" / checkpoints.PRIVATE_NAME)
    before = _certificate(bureau)
    checkpoints.take(bureau.db, ed_key, tmp_path / "cp", bureau.clock.now())

    # The switch: the setting, a data key and a checkpoint key (SM2 by default now), as `make run` does.
    monkeypatch.setenv(profile.SETTING, "gm")
    _run("crypto", "keygen", "--file", str(tmp_path / "data-keys"))
    monkeypatch.setenv(atrest.FILE_ENV, str(tmp_path / "data-keys"))
    _run("audit", "keygen", "--out", str(tmp_path / "sm2"))
    sm2_public = tmp_path / "sm2" / checkpoints.PUBLIC_NAME
    assert checkpoints.scheme_of(checkpoints.load_public_key(sm2_public)) == checkpoints.SM2_SCHEME
    with pytest.raises(checkpoints.CheckpointError, match="SM2 only"):
        checkpoints.take(bureau.db, ed_key, tmp_path / "cp", bureau.clock.now())
    switched = checkpoints.take(bureau.db, checkpoints.load_private_key(tmp_path / "sm2" / checkpoints.PRIVATE_NAME),
                                tmp_path / "cp-sm2", bureau.clock.now())
    after = _certificate(bureau)

    with bureau.db.reading() as s:
        assert audit.segments(s) == [(1, "sha256"), (switched.seq + 1, "sm3")]
        fields = {r.id: json.loads(r.fields_json) for r in s.query(Request).where(Request.id.in_([before, after]))}
    assert fields[before]["id_number"] == ID_NUMBER  # stored before any key: as given, until rotated
    assert fields[after]["id_number"].startswith("sm4gcm:")
    rotated = _run("--database", bureau.db.url, "crypto", "rotate")
    assert "requests.fields_json: re-sealed 1" in rotated.output
    with bureau.db.reading() as s:
        assert json.loads(s.get(Request, before).fields_json)["id_number"].startswith("sm4gcm:")
    for points, public in ((tmp_path / "cp-sm2", sm2_public), (tmp_path / "cp", tmp_path / "ed25519" /
                                                                checkpoints.PUBLIC_NAME)):
        verified = CliRunner().invoke(cli, ["--database", bureau.db.url, "audit", "verify", "--full",
                                            "--checkpoint", str(points), "--public-key", str(public)])
        assert verified.exit_code == 0, verified.output
        assert f"#1- sha256, #{switched.seq + 1}- sm3" in verified.output


def test_gm_hashes_the_chain_with_sm3_and_refuses_a_contradicting_setting() -> None:
    assert hashing.configured({profile.SETTING: "gm"}) == "sm3"
    assert hashing.configured({profile.SETTING: "gm", hashing.SETTING: "sm3"}) == "sm3"
    assert hashing.configured({}) == "sha256"
    with pytest.raises(ConfigurationError, match="APPROVALS_AUDIT_HASH=sha256 contradicts APPROVALS_CRYPTO_PROFILE=gm"):
        hashing.configured({profile.SETTING: "gm", hashing.SETTING: "sha256"})
    with pytest.raises(ConfigurationError, match="'guomi' is not one of standard, gm"):
        profile.configured({profile.SETTING: "guomi"})


def test_under_gm_a_secret_is_refused_without_a_data_key_never_stored_plain(
        bureau: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(profile.SETTING, "gm")
    with pytest.raises(CryptoError, match="channel_settings.* no data key is configured: set APPROVALS_DATA_KEY_FILE"):
        settings.put(bureau.db, "xx-nrpb", None, "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=x")
    with pytest.raises(CryptoError, match=r"requests\.fields\.id_number.* no data key is configured"):
        _certificate(bureau)
