"""``approvals api``: personal access tokens and system clients from the command line (an
operator's tool: it is trusted as the web's administrators are; every change is audited)."""

from __future__ import annotations

import click

from approvals.cli.common import app_of
from approvals.errors import ApprovalsError
from approvals.identity.api_access import PERSONAL_SCOPES, SCOPES, ApiAccess
from approvals.notifications.addresses import host_of
from approvals.notifications.api_events import TYPES
from approvals.notifications.todos import SYSTEMS, Todos
from approvals.notifications.webhooks import ALL, Webhooks


def _access(ctx: click.Context) -> ApiAccess:
    app = app_of(ctx)  # the root command's engine, closed when the command ends
    return ApiAccess(app.db, app.clock)


@click.group("api")
def api_group() -> None:
    """Tokens and system clients of the open API (/api/v1, docs/api.md)."""


@api_group.command("token")
@click.argument("person")
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, default=("read",), type=click.Choice(PERSONAL_SCOPES))
@click.option("--days", default=30, show_default=True, type=int)
@click.pass_context
def token(ctx: click.Context, person: str, name: str, scopes: tuple[str, ...], days: int) -> None:
    """A personal access token for PERSON (printed once; only its hash is kept)."""
    try:
        issued = _access(ctx).create_token(person, name, scopes, days)
    except ApprovalsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(issued.token)
    click.echo(f"token #{issued.token_id} of {person}, expires {issued.expires_at:%Y-%m-%d %H:%M}", err=True)


@api_group.command("revoke-token")
@click.argument("person")
@click.argument("token_id", type=int)
@click.pass_context
def revoke_token(ctx: click.Context, person: str, token_id: int) -> None:
    try:
        _access(ctx).revoke_token(token_id, person)
    except ApprovalsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"token #{token_id} of {person} revoked")


@api_group.command("client")
@click.argument("org")
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(list(SCOPES)))
@click.option("--by", "actor", default="system", show_default=True, help="who registers it (audit)")
@click.pass_context
def client(ctx: click.Context, org: str, name: str, scopes: tuple[str, ...], actor: str) -> None:
    """Register a system client of ORG; prints its id and secret (the secret once)."""
    try:
        client_id, secret = _access(ctx).create_client(org, name, scopes, actor)
    except ApprovalsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"client_id={client_id}\nclient_secret={secret}")


@api_group.command("rotate")
@click.argument("org")
@click.argument("client_id")
@click.option("--by", "actor", default="system", show_default=True)
@click.pass_context
def rotate(ctx: click.Context, org: str, client_id: str, actor: str) -> None:
    """A new secret for CLIENT_ID; the old one works 24 hours more."""
    try:
        click.echo(f"client_secret={_access(ctx).rotate_secret(client_id, actor, [org])}")
    except ApprovalsError as exc:
        raise click.ClickException(str(exc)) from exc


@api_group.command("revoke-client")
@click.argument("org")
@click.argument("client_id")
@click.option("--by", "actor", default="system", show_default=True)
@click.pass_context
def revoke_client(ctx: click.Context, org: str, client_id: str, actor: str) -> None:
    """CLIENT_ID and its access tokens stop working at once."""
    try:
        _access(ctx).revoke_client(client_id, actor, [org])
    except ApprovalsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"client {client_id} revoked")


# ---- webhooks ---------------------------------------------------------------------------------

def _webhooks(ctx: click.Context) -> Webhooks:
    app = app_of(ctx)
    return Webhooks(app.db, app.clock)


@api_group.group("webhook")
def webhook_group() -> None:
    """An organization's signed webhooks (docs/api.md, "Webhooks")."""


@webhook_group.command("add")
@click.argument("org")
@click.argument("url")
@click.option("--event", "events", multiple=True, default=(ALL,), show_default=True,
              help=f"an event type ({', '.join(TYPES)}) or {ALL} for all; repeat for several")
@click.option("--by", "actor", default="system", show_default=True, help="who adds it (audit)")
@click.pass_context
def webhook_add(ctx: click.Context, org: str, url: str, events: tuple[str, ...], actor: str) -> None:
    """Send ORG's events to URL, signed; prints the signing secret (once)."""
    try:
        webhook_id, secret = _webhooks(ctx).add(org, url, events, actor)
    except ApprovalsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"webhook_id={webhook_id}\nsecret={secret}")


@webhook_group.command("list")
@click.argument("org")
@click.pass_context
def webhook_list(ctx: click.Context, org: str) -> None:
    """ORG's webhooks: id, host (never the path: it may carry a token), events."""
    found = _webhooks(ctx).list(org)
    for w in found:
        click.echo(f"#{w.id}\t{host_of(w.url)}\t{' '.join(w.events)}\tadded by {w.created_by} "
                   f"{w.created_at:%Y-%m-%d %H:%M}")
    if not found:
        click.echo(f"{org} has no webhooks", err=True)


@webhook_group.command("remove")
@click.argument("org")
@click.argument("webhook_id", type=int)
@click.option("--by", "actor", default="system", show_default=True)
@click.pass_context
def webhook_remove(ctx: click.Context, org: str, webhook_id: int, actor: str) -> None:
    """Stop sending to webhook WEBHOOK_ID of ORG (deliveries already made still go)."""
    try:
        _webhooks(ctx).remove(webhook_id, actor, [org])
    except ApprovalsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"webhook #{webhook_id} removed")


# ---- to-dos pushed to DingTalk / Feishu / WeCom --------------------------------------------------

@api_group.group("todo")
def todo_group() -> None:
    """To-dos pushed into DingTalk 待办, Feishu 三方审批 or WeCom (docs/api.md)."""


@todo_group.command("set")
@click.argument("org")
@click.argument("system", type=click.Choice(SYSTEMS))
@click.option("--app-key", required=True, help="DingTalk appKey, Feishu app_id, WeCom corpid")
@click.option("--app-secret", required=True, help="DingTalk appSecret, Feishu app_secret, WeCom the app's secret")
@click.option("--api-base", default="", help="the platform's API address (default: the public one; 政务钉钉: its own)")
@click.option("--client", "client_id", default=None,
              help="the system client Feishu's approve/reject callbacks act through")
@click.option("--approval-code", default="", help="Feishu: the external approval definition's code")
@click.option("--agent-id", default="", help="WeCom: the app's agentid")
@click.option("--by", "actor", default="system", show_default=True)
@click.pass_context
def todo_set(ctx: click.Context, org: str, system: str, app_key: str, app_secret: str, api_base: str,
             client_id: str | None, approval_code: str, agent_id: str, actor: str) -> None:
    """Push ORG's waiting steps into SYSTEM; prints the callback token (Feishu: put it, with the
    callback URL /api/v1/integrations/feishu/ORG/callback, in the external approval definition)."""
    options = {k: v for k, v in {"approval_code": approval_code, "agent_id": agent_id}.items() if v}
    app = app_of(ctx)
    try:
        token = Todos(app.db, app.clock).put(org, system, app_key, app_secret, actor, api_base=api_base,
                                             client_id=client_id, options=options)
    except ApprovalsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"callback_token={token}")


@todo_group.command("list")
@click.argument("org")
@click.pass_context
def todo_list(ctx: click.Context, org: str) -> None:
    app = app_of(ctx)
    for s in Todos(app.db, app.clock).list(org):
        click.echo(f"{s.system}\t{host_of(s.api_base)}\tclient {s.client_id or '-'}")


@todo_group.command("remove")
@click.argument("org")
@click.argument("system", type=click.Choice(SYSTEMS))
@click.option("--by", "actor", default="system", show_default=True)
@click.pass_context
def todo_remove(ctx: click.Context, org: str, system: str, actor: str) -> None:
    app = app_of(ctx)
    if not Todos(app.db, app.clock).remove(org, system, actor):
        raise click.ClickException(f"{org} pushes no to-dos into {system}")
    click.echo(f"{org}: to-dos no longer pushed into {system}")
