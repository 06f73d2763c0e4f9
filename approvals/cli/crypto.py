"""``approvals crypto``: data keys for secrets at rest (keygen, rotate, seal). See atrest.py."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from approvals.cli.common import app_of, fail
from approvals.crypto import atrest, rotate
from approvals.errors import ApprovalsError
from approvals.process.forms import sensitive_names


@dataclass(frozen=True)
class Version:
    """What ``definition_of`` needs to find a process version."""

    process_id: str
    process_sha: str


@click.group("crypto")
def crypto_group() -> None:
    """Data keys for secrets and sensitive fields at rest (SM4-GCM)."""


@crypto_group.command("keygen")
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The key file APPROVALS_DATA_KEY_FILE names; a new key is added as the current one.")
def keygen(path: Path) -> None:
    """Add a new SM4 data key to FILE (created mode 600); older keys stay to open older values."""
    try:
        taken = atrest.keyring({atrest.FILE_ENV: str(path)}).keys if path.exists() else {}
    except ApprovalsError as exc:
        fail(str(exc))
    key_id, hex_key = atrest.new_key_line(taken)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(f"{key_id} {hex_key}\n")
    click.echo(f"data key '{key_id}' added to {path} (current); run `approvals crypto rotate` to re-seal "
               "older values under it")


@crypto_group.command("rotate")
@click.option("--dry-run", is_flag=True, help="Count what would be re-sealed, change nothing.")
@click.pass_context
def rotate_cmd(ctx: click.Context, dry_run: bool) -> None:
    """Re-seal every sealed value (and plain ones written before sealing) under the current key."""
    app = app_of(ctx)

    def sensitive(process_id: str, sha: str) -> frozenset[str]:
        return sensitive_names(app.service.definition_of(Version(process_id, sha)).fields)

    try:
        counts = rotate.rotate(app.db, dry_run=dry_run, sensitive=sensitive)
    except ApprovalsError as exc:
        fail(str(exc))
    verb = "would re-seal" if dry_run else "re-sealed"
    for column, count in counts.items():
        click.echo(f"{column}: {verb} {count}")


@crypto_group.command("seal")
@click.option("--purpose", required=True, help="What the value is, e.g. smtp.password (it must be opened as such).")
def seal(purpose: str) -> None:
    """Seal the value read from standard input under the current key (e.g. for APPROVALS_SMTP_PASSWORD)."""
    value = sys.stdin.read().rstrip("\n")
    try:
        ring = atrest.keyring()
        if ring.current is None:
            fail(f"no data key is configured: set {atrest.FILE_ENV} or {atrest.INLINE_ENV}")
        click.echo(atrest.seal_secret(value, purpose, ring))
    except ApprovalsError as exc:
        fail(str(exc))
