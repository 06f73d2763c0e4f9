"""Secrets at rest in SM4-GCM (issue 22): robot secrets, webhook URLs and e-mail addresses in
``channel_settings`` are stored sealed under a data key kept in a file, its key id in each
value; a rotated key still opens older values until ``approvals crypto rotate`` re-seals them;
a missing or wrong key is an error naming the key, never an empty value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from approvals.app import Approvals
from approvals.cli import cli
from approvals.crypto import CryptoError, atrest
from approvals.notifications import channels, settings
from approvals.store.models import ChannelSetting

ORG = "xx-nrpb"
HOOK = "https://oapi.dingtalk.com/robot/send?access_token=abc123"


def _keygen(path: Path) -> str:
    result = CliRunner().invoke(cli, ["crypto", "keygen", "--file", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_text().split()[-2]


@pytest.fixture
def keyfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data-keys"
    _keygen(path)
    monkeypatch.setenv(atrest.FILE_ENV, str(path))
    return path


def _stored(app: Approvals) -> dict[str, tuple[str, str]]:
    with app.db.reading() as s:
        return {r.channel: (r.target, r.secret) for r in s.scalars(select(ChannelSetting))}


def test_robot_secrets_urls_and_addresses_are_stored_sealed_and_used_plain(app: Approvals, keyfile: Path) -> None:
    assert os.stat(keyfile).st_mode & 0o777 == 0o600
    settings.put(app.db, ORG, None, "dingtalk", HOOK, "SECabc")
    settings.put(app.db, ORG, "shen.yue", "email", "shen.yue@example.cn")
    stored = _stored(app)
    key_id = keyfile.read_text().split()[0]
    for target, _secret in stored.values():
        assert target.startswith(f"sm4gcm:{key_id}:") and "abc123" not in target and "shen.yue" not in target
    assert stored["dingtalk"][1].startswith("sm4gcm:") and "SECabc" not in stored["dingtalk"][1]
    with app.db.reading() as s:
        found = settings.targets(s.connection(), ORG, "shen.yue")
    assert {(t.channel, settings.plain_target(t.target), settings.plain_secret(t.secret)) for t in found} == {
        ("email", "shen.yue@example.cn", ""), ("dingtalk", HOOK, "SECabc")}
    shown = CliRunner().invoke(cli, ["--database", app.db.url, "notify", "show"])
    assert "oapi.dingtalk.com" in shown.output and "shen.yue@example.cn" in shown.output


def test_a_value_sealed_under_a_rotated_key_still_opens_and_rotate_reseals_it(app: Approvals, keyfile: Path) -> None:
    settings.put(app.db, ORG, None, "dingtalk", HOOK, "SECabc")
    old = _stored(app)["dingtalk"][1]
    new_id = _keygen(keyfile)  # the new key is now current; the old one stays listed
    assert settings.plain_secret(old) == "SECabc"
    result = CliRunner().invoke(cli, ["--database", app.db.url, "crypto", "rotate"])
    assert result.exit_code == 0, result.output
    assert "channel_settings.secret: re-sealed 1" in result.output
    target, secret = _stored(app)["dingtalk"]
    assert atrest.key_id_of(target) == atrest.key_id_of(secret) == new_id
    keyfile.write_text("".join(line + "\n" for line in keyfile.read_text().splitlines() if line.startswith(new_id)))
    assert (settings.plain_target(target), settings.plain_secret(secret)) == (HOOK, "SECabc")
    again = CliRunner().invoke(cli, ["--database", app.db.url, "crypto", "rotate"])
    assert "channel_settings.secret: re-sealed 0" in again.output


def test_a_missing_or_wrong_key_is_an_error_naming_it_never_an_empty_value(
        app: Approvals, keyfile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.put(app.db, ORG, None, "dingtalk", HOOK, "SECabc")
    sealed = _stored(app)["dingtalk"][1]
    key_id = atrest.key_id_of(sealed)
    other = tmp_path / "other-keys"
    _keygen(other)
    monkeypatch.setenv(atrest.FILE_ENV, str(other))
    with pytest.raises(CryptoError, match=f"sealed with data key '{key_id}', which is not in"):
        settings.plain_secret(sealed)
    other.write_text(f"{key_id} {'00' * 16}\n")  # the right id, the wrong key
    with pytest.raises(CryptoError, match=f"channel_settings.secret: .*key is wrong.*'{key_id}'"):
        settings.plain_secret(sealed)
    monkeypatch.setenv(atrest.FILE_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(CryptoError, match="nowhere not found"):
        settings.plain_secret(sealed)
    monkeypatch.delenv(atrest.FILE_ENV)
    with pytest.raises(CryptoError, match="not in no data key configured"):
        settings.plain_secret(sealed)


def test_a_sealed_value_copied_to_another_column_does_not_open(keyfile: Path) -> None:
    sealed = atrest.seal_secret("SECabc", "channel_settings.secret")
    with pytest.raises(CryptoError, match="does not open"):
        atrest.open_secret(sealed, "channel_settings.target")


def test_a_key_file_others_can_read_is_refused(keyfile: Path) -> None:
    keyfile.chmod(0o644)
    with pytest.raises(CryptoError, match="readable by others.*chmod 600"):
        atrest.keyring()


def test_the_smtp_password_may_be_given_sealed(keyfile: Path) -> None:
    sealed = CliRunner().invoke(cli, ["crypto", "seal", "--purpose", "smtp.password"], input="s3cret\n")
    assert sealed.exit_code == 0 and sealed.output.startswith("sm4gcm:")
    email = channels.from_env({"APPROVALS_SMTP_HOST": "127.0.0.1", "APPROVALS_SMTP_PASSWORD": sealed.output.strip(),
                               atrest.FILE_ENV: str(keyfile)})["email"]
    assert isinstance(email, channels.Email) and email.password == "s3cret"


def test_without_a_data_key_values_are_stored_as_given(app: Approvals) -> None:
    settings.put(app.db, ORG, None, "dingtalk", HOOK, "SECabc")
    assert _stored(app)["dingtalk"] == (HOOK, "SECabc")


def test_masking_keeps_the_ends_only() -> None:
    assert atrest.mask("110101199003071234") == "110***********1234"
    assert atrest.mask("13800138000") == "138****8000"
    assert atrest.mask("123") == "***"
