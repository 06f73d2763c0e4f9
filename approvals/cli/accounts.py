"""Accounts: ``set-password``, ``disable-account``, ``enable-account``."""

from __future__ import annotations

import click

from approvals.cli.common import app_of, fail
from approvals.errors import ApprovalsError
from approvals.identity import credentials


@click.command("set-password")
@click.argument("person")
@click.password_option()
@click.pass_context
def set_password_cmd(ctx: click.Context, person: str, password: str) -> None:
    """Set PERSON's sign-in password (stored hashed)."""
    app = app_of(ctx)
    try:
        app.orgcharts.for_person(person)
    except ApprovalsError as exc:
        fail(str(exc))
    credentials.change_password(app.db, person, password, "system", app.clock.now())
    click.echo(f"password set for {person}; their open sessions have ended")


@click.command("disable-account")
@click.argument("person")
@click.pass_context
def disable_account_cmd(ctx: click.Context, person: str) -> None:
    """PERSON may no longer sign in; their open sessions end at once (audit: account_disabled)."""
    _set_disabled(ctx, person, True)


@click.command("enable-account")
@click.argument("person")
@click.pass_context
def enable_account_cmd(ctx: click.Context, person: str) -> None:
    """PERSON may sign in again (audit: account_enabled)."""
    _set_disabled(ctx, person, False)


def _set_disabled(ctx: click.Context, person: str, disabled: bool) -> None:
    app = app_of(ctx)
    state = "disabled" if disabled else "enabled"
    if credentials.set_disabled(app.db, person, disabled, "system", app.clock.now()):
        click.echo(f"account {person} {state}" + ("; their open sessions have ended" if disabled else ""))
    else:
        click.echo(f"account {person} was already {state}")
