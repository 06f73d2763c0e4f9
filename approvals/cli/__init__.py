"""The ``approvals`` command: one module per command group, all registered here.

    setup.py       init-db, load-orgchart, deploy, serve
    routes.py      route, check
    accounts.py    set-password, disable-account, enable-account
    audit.py       audit verify/keygen/checkpoint/prune/check-copy, and worker
    notify.py      notify set/show/dead/retry/deliver
    crypto.py      crypto keygen/rotate/seal (data keys for secrets at rest, SM4)
    api.py         api token/client/rotate/revoke-* (the open API's callers)
    directory.py   directory sync (the directory as the people source)
    common.py      the engine for a command (``app_of``) and ``fail``
"""

from __future__ import annotations

from typing import Any

import click

from approvals.cli import accounts, api, audit, crypto, directory, notify, routes, setup


@click.group()
@click.option("--database", envvar="APPROVALS_DATABASE_URL", default=None,
              help="SQLAlchemy URL (default sqlite:///instance/approvals.sqlite3).")
@click.option("--processes", envvar="APPROVALS_PROCESSES", default=None, type=click.Path(file_okay=False),
              help="Directory of BPMN files (default: processes/ of this checkout).")
@click.pass_context
def cli(ctx: click.Context, database: str | None, processes: str | None) -> None:
    """Approval engine for public bodies."""
    ctx.obj = {"database": database, "processes": processes}


for command in (setup.init_db, setup.load_orgchart_cmd, setup.deploy_cmd, setup.serve, routes.route_cmd,
                routes.check_cmd, accounts.set_password_cmd, accounts.disable_account_cmd,
                accounts.enable_account_cmd, audit.worker_cmd, notify.notify_group, crypto.crypto_group,
                api.api_group, directory.directory_group):
    cli.add_command(command)


@cli.group("audit")
def audit_group() -> None:
    """The audit trail."""


for command in (audit.verify, audit.keygen, audit.checkpoint, audit.prune, audit.check_copy):
    audit_group.add_command(command)


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="approvals")
