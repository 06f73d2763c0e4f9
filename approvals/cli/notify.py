"""``approvals notify``: which channels are on (``set``, ``show``), the dead-letter list
(``dead``, ``retry``) and one delivery round by hand (``deliver``)."""

from __future__ import annotations

import os
import sys

import click

from approvals.cli.common import app_of
from approvals.errors import ApprovalsError
from approvals.jobs import notify as jobs
from approvals.notifications import delivery, settings
from approvals.notifications.channels import NAMES
from approvals.store.models import ChannelSetting


@click.group("notify")
def notify_group() -> None:
    """Notifications: channels, the dead-letter list, delivery."""


@notify_group.command("set")
@click.option("--org", "org_id", required=True, help="The organization id (organization.id in its chart).")
@click.option("--person", default=None, help="A person's own setting (default: the organization's).")
@click.option("--channel", required=True, type=click.Choice(NAMES))
@click.option("--target", default="", help="An e-mail address (a person) or a robot's webhook URL (the organization).")
@click.option("--secret", default="", help="The robot's signing secret (DingTalk 加签, Feishu 签名校验).")
@click.option("--off", is_flag=True, help="Turn the channel off (for the person, or for the whole organization).")
@click.pass_context
def set_cmd(ctx: click.Context, org_id: str, person: str | None, channel: str, target: str, secret: str,
            off: bool) -> None:
    """Turn a channel on or off for an organization or a person."""
    try:
        settings.put(app_of(ctx).db, org_id, person, channel, target, secret, enabled=not off)
    except ApprovalsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{channel} {'off' if off else 'on'} for {person or 'organization ' + org_id}")


@notify_group.command("show")
@click.pass_context
def show_cmd(ctx: click.Context) -> None:
    """List every channel setting (robot URLs shortened to their host)."""
    from sqlalchemy import select

    with app_of(ctx).db.reading() as s:
        for r in s.scalars(select(ChannelSetting).order_by(ChannelSetting.org_id, ChannelSetting.person_id)):
            shown = delivery.shown_target(r.channel, r.target)
            click.echo(f"{r.org_id}\t{r.person_id or '(organization)'}\t{r.channel}\t"
                       f"{'on' if r.enabled else 'off'}\t{shown}")


@notify_group.command("dead")
@click.pass_context
def dead_cmd(ctx: click.Context) -> None:
    """The dead-letter list: messages given up on, with their last error."""
    for d in delivery.dead(app_of(ctx).db):
        click.echo(f"#{d.id}\t{d.channel}\t{d.to}\t{d.attempts} tries\t{d.subject}\t{d.last_error}")


@notify_group.command("retry")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.pass_context
def retry_cmd(ctx: click.Context, ids: tuple[int, ...]) -> None:
    """Send dead messages IDS again (from now, with a fresh count of tries)."""
    app = app_of(ctx)
    click.echo(f"{delivery.retry(app.db, list(ids), app.clock.now())} message(s) will be sent again")


@notify_group.command("deliver")
@click.pass_context
def deliver_cmd(ctx: click.Context) -> None:
    """One delivery round now (what the worker does every APPROVALS_DELIVERY_EVERY seconds)."""
    click.echo(jobs.delivery_job(app_of(ctx), os.environ)() or "nothing to deliver")
