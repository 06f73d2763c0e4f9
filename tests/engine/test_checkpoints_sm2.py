"""SM2 checkpoints (issue 22) agree with OpenSSL 3 both ways: a checkpoint we sign verifies with
``openssl pkeyutl`` and our public key; a checkpoint whose signature ``openssl`` made with a key
``openssl`` generated verifies with ``approvals audit verify``."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import leave_fields, open_steps

from approvals.app import Approvals
from approvals.audit import checkpoints
from approvals.cli import cli

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed "
                                "(`apt-get install openssl`)")
DISTID = "distid:1234567812345678"


def _openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *map(str, args)], capture_output=True, check=False)


def _act(app: Approvals) -> None:
    request_id = app.service.submit("shen.yue", "leave", leave_fields())
    task = open_steps(app, request_id)[0]
    app.service.decide(task.id, task.assignee, "approve", "同意")


def test_a_checkpoint_we_sign_with_sm2_verifies_with_openssl(app: Approvals, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", "keygen", "--algorithm", "sm2", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    private, public = tmp_path / "keys" / checkpoints.PRIVATE_NAME, tmp_path / "keys" / checkpoints.PUBLIC_NAME
    assert _openssl("pkey", "-in", private, "-noout").returncode == 0  # OpenSSL reads our PEM
    _act(app)
    point = checkpoints.take(app.db, checkpoints.load_private_key(private), tmp_path / "cp", app.clock.now())
    fields = json.loads((tmp_path / "cp" / point.name).read_text())
    assert fields["scheme"] == "sm2-sm3"
    (tmp_path / "payload").write_bytes(checkpoints._payload(fields))
    (tmp_path / "sig").write_bytes(base64.b64decode(fields["signature"]))
    check = ("pkeyutl", "-verify", "-pubin", "-inkey", public, "-rawin", "-digest", "sm3", "-pkeyopt", DISTID,
             "-in", tmp_path / "payload", "-sigfile", tmp_path / "sig")
    done = _openssl(*check)
    assert done.returncode == 0 and b"Signature Verified Successfully" in done.stdout, done.stderr
    (tmp_path / "payload").write_bytes(checkpoints._payload({**fields, "seq": point.seq + 1}))
    assert _openssl(*check).returncode != 0  # a changed checkpoint does not verify


def test_a_checkpoint_openssl_signs_verifies_with_ours(app: Approvals, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    private, public = keys / "openssl-key.pem", keys / "openssl-key.pub.pem"
    assert _openssl("genpkey", "-algorithm", "SM2", "-out", private).returncode == 0
    assert _openssl("pkey", "-in", private, "-pubout", "-out", public).returncode == 0
    os.chmod(private, 0o600)
    _act(app)
    # Signed by us first (the file layout), then its signature replaced by one openssl makes.
    point = checkpoints.take(app.db, checkpoints.load_private_key(private), tmp_path / "cp", app.clock.now())
    path = tmp_path / "cp" / point.name
    fields = json.loads(path.read_text())
    (tmp_path / "payload").write_bytes(checkpoints._payload(fields))
    done = _openssl("pkeyutl", "-sign", "-inkey", private, "-rawin", "-digest", "sm3", "-pkeyopt", DISTID,
                    "-in", tmp_path / "payload")
    assert done.returncode == 0, done.stderr
    fields["signature"] = base64.b64encode(done.stdout).decode()
    path.write_text(json.dumps(fields))
    verify = ["--database", app.db.url, "audit", "verify", "--checkpoint", str(path), "--public-key", str(public)]
    result = CliRunner().invoke(cli, verify)
    assert result.exit_code == 0, result.output
    fields["signature"] = base64.b64encode(done.stdout[:-1] + bytes([done.stdout[-1] ^ 1])).decode()
    path.write_text(json.dumps(fields))
    result = CliRunner().invoke(cli, verify)
    assert result.exit_code == 1 and "the signature does not verify with this public key" in result.output
