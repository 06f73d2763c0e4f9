"""Setting up: ``init-db`` (with the demo chart), ``load-orgchart``, ``deploy`` a process, ``serve`` the UI."""

from __future__ import annotations

from pathlib import Path

import click

from approvals.app import DEFAULT_ORGCHARTS
from approvals.cli.common import app_of, fail, today_of
from approvals.errors import ApprovalsError, ChartSavedFirstError
from approvals.identity import credentials
from approvals.people.orgchart.loader import load_orgchart, read_text
from approvals.people.orgchart.model import OrgChart
from approvals.process.definitions import DefinitionRegistry
from approvals.process.routes import preview
from approvals.text import checked


@click.command("init-db")
@click.option("--demo", is_flag=True, help="Also load the demo org chart (policy A) with demo passwords.")
@click.pass_context
def init_db(ctx: click.Context, demo: bool) -> None:
    """Create or upgrade the schema (Alembic); optionally load the demo org chart."""
    app = app_of(ctx)
    app.init_db()
    click.echo(f"database ready: {app.db.url}")
    if demo:
        path = DEFAULT_ORGCHARTS / "xx-natural-resources.yaml"
        chart = load_orgchart(path, known_processes=app.definitions.ids())
        # `make run` runs this on every start: seeding happens once, on a new database, so a
        # restart keeps the chart as edited and every password people changed since.
        if chart.id in app.orgcharts.org_ids():
            click.echo(f"demo org chart already loaded: {chart.organization.name}; "
                       "its people and passwords kept")
        else:
            app.admin.save(path.read_text(encoding="utf-8"), "system", path.name, "demo org chart")
            credentials.seed_demo_passwords(app.db, chart.people, app.clock.now())
            click.echo(f"demo org chart loaded: {chart.organization.name} ({len(chart.people)} people); "
                       f"every person signs in with password {credentials.DEMO_PASSWORD!r}")
        for line in _demo_logins(chart, app.definitions):
            click.echo(f"  {line}")


def _demo_logins(chart: OrgChart, definitions: DefinitionRegistry) -> list[str]:
    """Who to sign in as to try each kind of user, read off the chart (README has the tour)."""
    lines = []
    try:
        leave = definitions.get(chart.organization.processes["leave"])
        route = preview(chart, leave, "leave", _first_staff(chart), {}, today_of(chart))
        applicant = route.applicant
        approvers = ", ".join(f"{s.assignee} ({chart.display_name(s.assignee)})" for s in route.visible
                              if s.kind == "approve")
        lines.append(f"applicant: {applicant} ({chart.display_name(applicant)}); approvers in turn: {approvers}")
    except ApprovalsError:
        pass
    for duty, label in (("filing", "filing unit (admin unless APPROVALS_ADMINS is set)"),
                        ("discipline", "discipline inspector")):
        unit = chart.duties.get(duty)
        head = chart.units[unit].head if unit else None
        if head:
            lines.append(f"{label}: {head} ({chart.display_name(head)})")
    return lines


def _first_staff(chart: OrgChart) -> str:
    return next((p for p in chart.people if chart.category(p) == "staff"
                 and chart.unit_of(p).kind == "section"), next(iter(chart.people)))


@click.command("load-orgchart")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor", default="system", help="Who is loading it (recorded in the audit trail).")
@click.option("--comment", default="", help="Why (kept with the version).")
@click.option("--based-on", "based_on", default=None, metavar="VERSION",
              help="The version FILE was edited from (the first characters of its hash, as this command "
                   "prints them); refused if another is in force. Default: the version in force when the "
                   "command starts.")
@click.pass_context
def load_orgchart_cmd(ctx: click.Context, file: str, actor: str, comment: str, based_on: str | None) -> None:
    """Validate FILE and save it as the organization's new current org chart.

    Two loads (or a load and an admin's save) at once never both go through on the same
    version: the one that finds another version saved since it started is refused, naming who
    saved first, and nothing of it is written; run it again to load FILE over that version."""
    app = app_of(ctx)
    try:
        text = read_text(file)  # OrgChartError naming the line of a non-UTF-8 byte, not a traceback
        org_id = app.orgcharts.parse(text, Path(file).name).id
        history = app.admin.versions(org_id)
        replaced = history[0] if history else None
        if based_on is not None and (replaced is None or not replaced.version.startswith(based_on.strip().lower())):
            fail(f"--based-on {based_on}: " + (
                f"version {replaced.version[:12]} is in force (saved by {replaced.created_by or 'system'} at "
                f"{replaced.created_at:%Y-%m-%d %H:%M}); nothing was loaded" if replaced is not None
                else f"{org_id} has no org chart yet; nothing was loaded"))
        impact = app.admin.save(text, actor, Path(file).name, checked("--comment", comment),
                                based_on=replaced.id if replaced is not None else None)
    except ChartSavedFirstError as exc:
        when = f" at {exc.at:%Y-%m-%d %H:%M}" if exc.at else ""
        fail(f"{exc.by or 'someone'} saved the org chart first (version {exc.version[:12]}{when}) while this "
             f"load ran; nothing was loaded. Run the command again to load {file} over that version.")
    except ApprovalsError as exc:
        fail(str(exc))
    chart = impact.chart
    click.echo(f"loaded {chart.organization.name} ({chart.id}), version {chart.version[:12]}: "
               f"{len(chart.people)} people, {len(chart.units)} units; {len(impact.moves)} open task(s) moved")
    if replaced is not None:
        click.echo(f"  replaces version {replaced.version[:12]} (saved by {replaced.created_by or 'system'} "
                   f"at {replaced.created_at:%Y-%m-%d %H:%M})")
    for move in impact.moves:
        click.echo(f"  moved task #{move.task_id} ({move.step}) from {move.old} to {move.new}")


@click.command("deploy")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor", default="system", help="Who is deploying it (recorded in the audit trail).")
@click.option("--comment", default="", help="Why (kept with the deployment).")
@click.pass_context
def deploy_cmd(ctx: click.Context, file: str, actor: str, comment: str) -> None:
    """Validate FILE (BPMN) against every org chart using it and put it in force for every
    worker, without a restart; requests in flight stay on their version (docs/processes.md)."""
    app = app_of(ctx)
    try:
        xml = Path(file).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"{file}: not UTF-8 text (byte {exc.start})")
    try:
        check = app.deployer.deploy(xml, Path(file).name, actor, checked("--comment", comment))
    except ApprovalsError as exc:
        fail(f"deploy refused: {exc}")
    for defn in check.definitions:
        click.echo(f"deployed {defn.process_id} ({defn.name}), version {defn.sha256[:12]}")
    for org, request_type in check.used_by:
        click.echo(f"  used by {org} as {request_type!r}")
    click.echo(f"  routes checked for {check.people_checked} person/request-type pair(s)")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web UI for local use (production: gunicorn, see README)."""
    from web import create_app  # the engine never imports Flask; only this command does

    app = create_app({"APPROVALS_DATABASE_URL": ctx.obj["database"], "APPROVALS_PROCESSES": ctx.obj["processes"]})
    click.echo(f"serving on http://{host}:{port}/")
    app.run(host=host, port=port)
