"""``approvals directory sync --org X [--save]``: the directory (LDAP/AD) as the people source,
from the command line. Without ``--save`` it only shows what would change, in names, with the
impact on open tasks; with it, the same plan is saved as a personnel change (the trail records
``orgchart_saved`` and ``directory_synced``). The directory is the organization's LDAP method
in the sign-in file (APPROVALS_SIGNIN_CONFIG; ``sync: true`` picks one of several)."""

from __future__ import annotations

import click

from approvals import directory
from approvals.cli.common import EXIT_REFUSED, app_of, fail
from approvals.errors import ApprovalsError
from approvals.identity.external import Refused
from approvals.identity.ldap import Directory
from approvals.identity.methods import SignInMethods

WORDS = {"appears": "appears", "leaves": "leaves (account disabled, posts vacant)", "renamed": "renamed",
         "disabled": "disabled in the directory (account disabled)", "skipped": "skipped (no unit to file under)"}


@click.group("directory")
def directory_group() -> None:
    """The directory (LDAP/AD) as the people source of the org chart."""


@directory_group.command("sync")
@click.option("--org", "org", required=True, help="The organization id (e.g. xx-nrpb).")
@click.option("--save", is_flag=True, help="Save the changes; without it, only show them.")
@click.option("--signin-config", envvar="APPROVALS_SIGNIN_CONFIG", default="",
              help="The sign-in file naming the directory (default: APPROVALS_SIGNIN_CONFIG).")
@click.option("--reason", default="目录同步", show_default=True, help="The reason kept with the new chart version.")
@click.pass_context
def sync_cmd(ctx: click.Context, org: str, save: bool, signin_config: str, reason: str) -> None:
    """Compare the chart in force with the directory; show who appears, leaves, changes name."""
    app = app_of(ctx)
    try:
        method = directory.source(SignInMethods.load(signin_config), org)
        chart = app.orgcharts.current(org)
        plan = directory.plan(chart, Directory(method).people(), app.db)
    except Refused as exc:
        fail(f"the directory of {org} could not be read: {exc.why}", 1)
    except ApprovalsError as exc:
        fail(str(exc), EXIT_REFUSED)
    if plan.empty and not plan.skipped:
        click.echo(f"{org}: the chart already matches the directory; nothing to do")
        return
    for what, who in directory.described(plan, chart):
        click.echo(f"{WORDS[what]}: {who}")
    try:
        previewed = directory.preview(app.admin, org, plan, "system")
        if previewed is not None:
            for move in previewed[1].moves:
                click.echo(f"open task #{move.task_id} moves from {chart.display_name(move.old)} to "
                           f"{previewed[1].chart.display_name(move.new)}")
        if not save:
            click.echo("nothing saved (add --save to save these changes)")
            return
        directory.save(app.admin, app.db, org, plan, "system", reason,
                       expected=previewed[0] if previewed is not None else None)
    except ApprovalsError as exc:
        fail(f"nothing saved: {exc}", EXIT_REFUSED)
    click.echo(f"saved: {org} synced from the directory {method.org}/{method.id}")
