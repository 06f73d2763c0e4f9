"""The ``approvals audit`` commands (verify, keygen, checkpoint, prune, check-copy) and ``approvals worker``.

Registered under ``approvals audit`` (and ``worker`` at the top) by approvals/cli/__init__.py.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import click

from approvals.app import Approvals
from approvals.audit import access_log, checkpoints, trail_check, verifications
from approvals.audit import chain as audit
from approvals.cli.common import app_of, fail
from approvals.errors import ApprovalsError
from approvals.jobs import worker


@click.command("verify")
@click.option("--checkpoint", "points", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A signed checkpoint file, or a directory of them (repeatable).")
@click.option("--public-key", type=click.Path(path_type=Path), help="The checkpoints' public key (PEM).")
@click.option("--full", is_flag=True, help="Walk the whole chain, not only the entries after the newest "
              "checkpoint.")
@click.option("--skip-rows", is_flag=True, help="Skip checking request and task rows against the trail.")
@click.pass_context
def verify(ctx: click.Context, points: tuple[Path, ...], public_key: Path | None, full: bool,
           skip_rows: bool) -> None:
    """Recompute the hash chain; with checkpoints, prove it extends each of them. Then check
    request and task rows against the trail. Exit 1 on any problem."""
    app = app_of(ctx)
    ok = _verify_chain(app, points, public_key, full)
    if not skip_rows:
        with app.db.reading() as s:
            found = trail_check.check(s)
        for item in found:
            click.echo(f"ROW CONTRADICTS TRAIL {item}")
        click.echo(f"rows checked against the trail: {len(found)} contradiction(s)")
        ok = ok and not found
    sys.exit(0 if ok else 1)

@click.command("keygen")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the key pair (keep it off the database server).")
@click.option("--algorithm", type=click.Choice(checkpoints.KEY_ALGORITHMS), default=None,
              help="sm2: GB/T 32918 with SM3 (国密), PEM keys OpenSSL 3 reads. Default: sm2 under "
              "APPROVALS_CRYPTO_PROFILE=gm, else ed25519.")
def keygen(out: Path, algorithm: str | None) -> None:
    """Create the key pair that signs checkpoints (private key mode 0600)."""
    try:
        private, public = checkpoints.keygen(out, algorithm)
    except ApprovalsError as exc:
        fail(str(exc))
    click.echo(f"private key: {private} (mode 600; give it to whoever signs checkpoints, never to the database)")
    click.echo(f"public key:  {public} (for `approvals audit verify --public-key`)")

@click.command("checkpoint")
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path), help="Private key (PEM).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for checkpoint files (outside the database; e.g. another machine's share).")
@click.pass_context
def checkpoint(ctx: click.Context, key_path: Path, out: Path) -> None:
    """Verify the chain against the checkpoints in OUT, then sign its head into a new file there."""
    app = app_of(ctx)
    try:
        point = checkpoints.take(app.db, checkpoints.load_private_key(key_path), out, app.clock.now())
    except ApprovalsError as exc:
        fail(str(exc))
    click.echo(f"checkpoint written: {out / point.name} (entry #{point.seq}, hash {point.hash[:16]}…)")

@click.command("prune")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted, delete nothing.")
@click.pass_context
def prune(ctx: click.Context, dry_run: bool) -> None:
    """Delete access-log rows older than APPROVALS_AUDIT_RETENTION_DAYS (at least 180).
    The hash chain is kept in full."""
    app = app_of(ctx)
    try:
        days = access_log.retention_days()
        count = access_log.prune(app.db, app.clock.now(), days, dry_run=dry_run)
    except ApprovalsError as exc:
        fail(str(exc))
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"access log: {verb} {count} view(s) older than {days} days; "
               "audit chain: kept in full (never pruned)")

@click.command("check-copy")
@click.argument("code")
@click.pass_context
def check_copy(ctx: click.Context, code: str) -> None:
    """Check the verification code printed on a paper 审批单 (approvals/reports/printable.py)."""
    from approvals.reports import printable

    result = printable.check(app_of(ctx).db, code)
    if not result.ok:
        fail(result.problem)
    state = (f"{result.later} entr{'y' if result.later == 1 else 'ies'} since: the paper is out of date"
             if result.later else "nothing since: the paper is up to date")
    click.echo(f"ok: audit entry #{result.seq} of request #{result.request_id}; {state}")


@click.command("worker")
@click.pass_context
def worker_cmd(ctx: click.Context) -> None:
    """Run scheduled jobs (audit checkpoints, access-log pruning) until SIGTERM or SIGINT."""
    stopping = threading.Event()
    try:
        jobs = worker.jobs_from_env(app_of(ctx), stopping=stopping)
    except ApprovalsError as exc:
        fail(str(exc))
    worker.Worker(jobs, stopping=stopping).run()


def _verify_chain(app: Approvals, points: tuple[Path, ...], public_key: Path | None, full: bool) -> bool:
    now = app.clock.now()
    with app.db.reading() as s:
        found = {chain: audit.segments(s, chain) for chain in audit.chains(s) or [audit.SYSTEM]}
    for chain, segments in found.items():
        click.echo(f"hash segments{audit.name(chain)}: " + ", ".join(f"#{first}- {alg}" for first, alg in segments))
    if not points:
        with app.db.reading() as s:
            result = audit.verify(s)
        click.echo(str(result))
        verifications.record(app.db, now, "cli", "full", result)
        return result.ok
    if public_key is None:
        fail("--checkpoint needs --public-key: the key that checks the checkpoints' signatures")
    try:
        key = checkpoints.load_public_key(public_key)  # type: ignore[arg-type]
    except ApprovalsError as exc:
        fail(str(exc))
    with app.db.reading() as s:
        report = checkpoints.verify(s, points, key, full=full)
    for line in report.lines():
        click.echo(line)
    # Recorded even when a checkpoint was contradicted before any walk: the page shows the failure.
    recorded = report.chain or audit.Verification(False, 0, "; ".join(str(f) for f in report.findings))
    verifications.record(app.db, now, "cli", "incremental" if report.start else "full", recorded,
                         report.start.name if report.start else "")
    return report.ok
