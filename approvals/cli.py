"""The ``approvals`` command: set up a database, load org charts, preview routes, check, verify."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from approvals import audit_cli, credentials
from approvals.app import DEFAULT_ORGCHARTS, Approvals, build
from approvals.check import run_check
from approvals.clock import SystemClock, today, today_in
from approvals.definitions import DefinitionRegistry
from approvals.errors import ApprovalsError, ChartSavedFirstError, ConfigurationError, RefusedError, UnknownError
from approvals.identity import api_cli
from approvals.notifications import cli as notify_cli
from approvals.orgchart.loader import load_orgchart, read_text
from approvals.orgchart.model import OrgChart
from approvals.routes import preview
from approvals.text import checked

EXIT_REFUSED = 2


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.option("--database", envvar="APPROVALS_DATABASE_URL", default=None,
              help="SQLAlchemy URL (default sqlite:///instance/approvals.sqlite3).")
@click.option("--processes", envvar="APPROVALS_PROCESSES", default=None, type=click.Path(file_okay=False),
              help="Directory of BPMN files (default: processes/ of this checkout).")
@click.pass_context
def cli(ctx: click.Context, database: str | None, processes: str | None) -> None:
    """Approval engine for public bodies."""
    ctx.obj = {"database": database, "processes": processes}


def _app(ctx: click.Context) -> Approvals:
    """One engine per command, its connections closed when the command ends."""
    root = ctx.find_root()
    if "app" not in root.obj:
        try:
            app = build(root.obj["database"], root.obj["processes"])
        except ConfigurationError as exc:  # e.g. APPROVALS_TIME_ZONE naming no zone
            _fail(str(exc), 1)
        root.obj["app"] = app
        root.call_on_close(app.db.dispose)
    return root.obj["app"]  # type: ignore[no-any-return]


def _clock() -> SystemClock:
    try:
        return SystemClock()
    except ConfigurationError as exc:
        _fail(str(exc), 1)
        raise


def _today(chart: OrgChart) -> date:
    """The chart's organization's day (its time_zone), whatever the machine's TZ says."""
    return today_in(_clock(), chart.organization.time_zone)


def _first_staff(chart: OrgChart) -> str:
    return next((p for p in chart.people if chart.category(p) == "staff"
                 and chart.unit_of(p).kind == "section"), next(iter(chart.people)))


def _registry(ctx: click.Context) -> DefinitionRegistry:
    return _app(ctx).definitions


@cli.command("init-db")
@click.option("--demo", is_flag=True, help="Also load the demo org chart (policy A) with demo passwords.")
@click.pass_context
def init_db(ctx: click.Context, demo: bool) -> None:
    """Create or upgrade the schema (Alembic); optionally load the demo org chart."""
    app = _app(ctx)
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
        route = preview(chart, leave, "leave", _first_staff(chart), {}, _today(chart))
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


@cli.command("load-orgchart")
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
    app = _app(ctx)
    try:
        text = read_text(file)  # OrgChartError naming the line of a non-UTF-8 byte, not a traceback
        org_id = app.orgcharts.parse(text, Path(file).name).id
        history = app.admin.versions(org_id)
        replaced = history[0] if history else None
        if based_on is not None and (replaced is None or not replaced.version.startswith(based_on.strip().lower())):
            _fail(f"--based-on {based_on}: " + (
                f"version {replaced.version[:12]} is in force (saved by {replaced.created_by or 'system'} at "
                f"{replaced.created_at:%Y-%m-%d %H:%M}); nothing was loaded" if replaced is not None
                else f"{org_id} has no org chart yet; nothing was loaded"))
        impact = app.admin.save(text, actor, Path(file).name, checked("--comment", comment),
                                based_on=replaced.id if replaced is not None else None)
    except ChartSavedFirstError as exc:
        when = f" at {exc.at:%Y-%m-%d %H:%M}" if exc.at else ""
        _fail(f"{exc.by or 'someone'} saved the org chart first (version {exc.version[:12]}{when}) while this "
              f"load ran; nothing was loaded. Run the command again to load {file} over that version.")
    except ApprovalsError as exc:
        _fail(str(exc))
    chart = impact.chart
    click.echo(f"loaded {chart.organization.name} ({chart.id}), version {chart.version[:12]}: "
               f"{len(chart.people)} people, {len(chart.units)} units; {len(impact.moves)} open task(s) moved")
    if replaced is not None:
        click.echo(f"  replaces version {replaced.version[:12]} (saved by {replaced.created_by or 'system'} "
                   f"at {replaced.created_at:%Y-%m-%d %H:%M})")
    for move in impact.moves:
        click.echo(f"  moved task #{move.task_id} ({move.step}) from {move.old} to {move.new}")


@cli.command("deploy")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor", default="system", help="Who is deploying it (recorded in the audit trail).")
@click.option("--comment", default="", help="Why (kept with the deployment).")
@click.pass_context
def deploy_cmd(ctx: click.Context, file: str, actor: str, comment: str) -> None:
    """Validate FILE (BPMN) against every org chart using it and put it in force for every
    worker, without a restart; requests in flight stay on their version (docs/processes.md)."""
    app = _app(ctx)
    try:
        xml = Path(file).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"{file}: not UTF-8 text (byte {exc.start})")
    try:
        check = app.deployer.deploy(xml, Path(file).name, actor, checked("--comment", comment))
    except ApprovalsError as exc:
        _fail(f"deploy refused: {exc}")
    for defn in check.definitions:
        click.echo(f"deployed {defn.process_id} ({defn.name}), version {defn.sha256[:12]}")
    for org, request_type in check.used_by:
        click.echo(f"  used by {org} as {request_type!r}")
    click.echo(f"  routes checked for {check.people_checked} person/request-type pair(s)")


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            _fail(f"--set expects NAME=VALUE, got {item!r}", EXIT_REFUSED)
        result[name.strip()] = value
    return result


@cli.command("route")
@click.option("--orgchart", "orgchart", required=True, type=click.Path(dir_okay=False))
@click.option("--process", "process", required=True, help="Request type (leave, meeting) or process id.")
@click.option("--applicant", required=True)
@click.option("--set", "sets", multiple=True, help="A request field, NAME=VALUE (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the route as JSON (routes.md contract).")
@click.option("--explain", is_flag=True, help="Also show steps removed by rules 1 and 2, and why.")
@click.pass_context
def route_cmd(ctx: click.Context, orgchart: str, process: str, applicant: str, sets: tuple[str, ...],
              as_json: bool, explain: bool) -> None:
    """Preview who will approve, in order: a dry run of the same BPMN the engine runs."""
    try:
        registry = _registry(ctx)
        chart = load_orgchart(orgchart, known_processes=registry.ids())
        pid = chart.organization.processes.get(process) or process
        result = preview(chart, registry.get(pid), process, applicant, _parse_sets(sets), _today(chart))
    except (RefusedError, UnknownError) as exc:
        _fail(str(exc), EXIT_REFUSED)
    except ApprovalsError as exc:  # a broken org chart or process file
        _fail(str(exc), 1)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    steps = result.steps if explain else result.visible
    for n, step in enumerate(steps, 1):
        who = step.who(lambda p: f"{p} ({chart.display_name(p)})")
        together = f"  (at the same time as {', '.join(step.parallel_with)})" if step.parallel_with else ""
        click.echo(f"{n}. {step.kind:<8} {step.role:<22} {who}  {step.name}{together}"
                   + (f"  [{step.reason}]" if explain else ""))
    if not steps:
        click.echo("no steps: nobody inside the organization approves this request")


@cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--type", "request_type", default="leave", show_default=True,
              help="Request type whose route is computed for every person.")
@click.pass_context
def check_cmd(ctx: click.Context, files: tuple[str, ...], request_type: str) -> None:
    """Validate every process and org chart, then compute every person's route."""
    paths = [Path(f) for f in files] or sorted(DEFAULT_ORGCHARTS.glob("*.yaml"))
    report = run_check(_registry(ctx), paths, request_type, today(_clock()))
    for line in report.lines:
        click.echo(line)
    sys.exit(0 if report.ok else 1)


@cli.group("audit")
def audit_group() -> None:
    """The audit trail."""


audit_cli.attach(cli, audit_group)  # verify, keygen, checkpoint, prune; and `worker`
cli.add_command(notify_cli.notify_group)  # approvals notify set/show/dead/retry/deliver
cli.add_command(api_cli.api_group)  # approvals api token/client/rotate/revoke-*


@cli.command("set-password")
@click.argument("person")
@click.password_option()
@click.pass_context
def set_password_cmd(ctx: click.Context, person: str, password: str) -> None:
    """Set PERSON's sign-in password (stored hashed)."""
    app = _app(ctx)
    try:
        app.orgcharts.for_person(person)
    except ApprovalsError as exc:
        _fail(str(exc))
    credentials.change_password(app.db, person, password, "system", app.clock.now())
    click.echo(f"password set for {person}; their open sessions have ended")


@cli.command("disable-account")
@click.argument("person")
@click.pass_context
def disable_account_cmd(ctx: click.Context, person: str) -> None:
    """PERSON may no longer sign in; their open sessions end at once (audit: account_disabled)."""
    _set_disabled(ctx, person, True)


@cli.command("enable-account")
@click.argument("person")
@click.pass_context
def enable_account_cmd(ctx: click.Context, person: str) -> None:
    """PERSON may sign in again (audit: account_enabled)."""
    _set_disabled(ctx, person, False)


def _set_disabled(ctx: click.Context, person: str, disabled: bool) -> None:
    app = _app(ctx)
    state = "disabled" if disabled else "enabled"
    if credentials.set_disabled(app.db, person, disabled, "system", app.clock.now()):
        click.echo(f"account {person} {state}" + ("; their open sessions have ended" if disabled else ""))
    else:
        click.echo(f"account {person} was already {state}")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web UI for local use (production: gunicorn, see README)."""
    from web import create_app  # the engine never imports Flask; only this command does

    app = create_app({"APPROVALS_DATABASE_URL": ctx.obj["database"], "APPROVALS_PROCESSES": ctx.obj["processes"]})
    click.echo(f"serving on http://{host}:{port}/")
    app.run(host=host, port=port)


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="approvals")
