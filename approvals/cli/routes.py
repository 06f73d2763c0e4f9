"""Routes and processes: ``route`` previews who approves, ``check`` validates every process and chart."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from approvals.app import DEFAULT_ORGCHARTS
from approvals.cli.common import EXIT_REFUSED, app_of, fail, system_clock, today_of
from approvals.clock import today
from approvals.errors import ApprovalsError, RefusedError, UnknownError
from approvals.people.orgchart.loader import load_orgchart
from approvals.process.check import run_check
from approvals.process.routes import explained, preview


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--set expects NAME=VALUE, got {item!r}", EXIT_REFUSED)
        result[name.strip()] = value
    return result


@click.command("route")
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
        registry = app_of(ctx).definitions
        chart = load_orgchart(orgchart, known_processes=registry.ids())
        pid = chart.organization.processes.get(process) or process
        result = preview(chart, registry.get(pid), process, applicant, _parse_sets(sets), today_of(chart))
    except (RefusedError, UnknownError) as exc:
        fail(str(exc), EXIT_REFUSED)
    except ApprovalsError as exc:  # a broken org chart or process file
        fail(str(exc), 1)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    steps = result.steps if explain else result.visible

    def display(person: str) -> str:
        return f"{person} ({chart.display_name(person)})"

    lines = explained(result.steps, display) if explain else [(s, s.who(display)) for s in steps]
    for n, (step, who) in enumerate(lines, 1):
        together = f"  (at the same time as {', '.join(step.parallel_with)})" if step.parallel_with else ""
        click.echo(f"{n}. {step.kind:<8} {step.role:<22} {who}  {step.name}{together}"
                   + (f"  [{step.reason}]" if explain else ""))
    if not steps:
        click.echo("no steps: nobody inside the organization approves this request")


@click.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--type", "request_type", default="leave", show_default=True,
              help="Request type whose route is computed for every person.")
@click.pass_context
def check_cmd(ctx: click.Context, files: tuple[str, ...], request_type: str) -> None:
    """Validate every process and org chart, then compute every person's route."""
    paths = [Path(f) for f in files] or sorted(DEFAULT_ORGCHARTS.glob("*.yaml"))
    report = run_check(app_of(ctx).definitions, paths, request_type, today(system_clock()))
    for line in report.lines:
        click.echo(line)
    sys.exit(0 if report.ok else 1)
