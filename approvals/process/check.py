"""``approvals check``: validate every process and org chart, then try every person's route.

A bureau runs this after editing a file: it names broken files, shapes no bureau means (an
empty chart, a unit supervised by its own head, a contractor as chief or head, a supervision
loop; see orgchart/findings.py), then everyone who could not submit (vacant post, missing
supervisor, no matching route) and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from approvals.errors import ApprovalsError, RouteLimitError, RuleRefusalError
from approvals.people.orgchart.findings import findings
from approvals.people.orgchart.loader import load_orgchart
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import is_known_role
from approvals.process import choices
from approvals.process.calendar import WorkingCalendar, data_note
from approvals.process.definitions import DefinitionRegistry
from approvals.process.routes import preview


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    ok: bool = True

    def problem(self, line: str) -> None:
        self.lines.append(line)
        self.ok = False


def _check_roles(registry: DefinitionRegistry, chart: OrgChart, name: str, report: CheckReport) -> None:
    for process_id in chart.organization.processes.values():
        for step in registry.get(process_id).steps.values():
            if not is_known_role(chart, step.role):
                report.problem(f"  {process_id} step {step.bpmn_id!r} names role {step.role!r}, "
                               f"which {name} does not define")


def _check_findings(chart: OrgChart, report: CheckReport) -> None:
    """Shapes the format allows but no bureau means (approvals/people/orgchart/findings.py); errors
    fail the check, warnings are listed."""
    for finding in findings(chart):
        if finding.severity == "error":
            report.problem(f"  {finding}")
        else:
            report.lines.append(f"  {finding}")


def _check_people(registry: DefinitionRegistry, chart: OrgChart, request_type: str, today: date,
                  report: CheckReport) -> None:
    """Preview every person's route; name everyone who could not submit, and why.

    A refusal the process makes by design (a refusal end event: a risk area, a unit whose
    meetings follow their own rules) is listed, not failed: deploy accepts such a process,
    and check agrees with deploy. Only people a fault leaves without a route fail it."""
    process_id = chart.organization.processes.get(request_type)
    if process_id is None:
        report.lines.append(f"  no {request_type!r} process for this organization")
        return
    definition = registry.get(process_id)
    blocked = 0
    refused: dict[str, list[str]] = {}
    if not chart.people:
        return  # reported as an empty chart
    for person in chart.people:
        try:
            preview(chart, definition, request_type, person, choices.sample(definition.steps.values(), chart, person),
                    today)
        except RouteLimitError as exc:  # the process loops for everyone: said once, not per person
            report.problem(f"  PROCESS ERROR {exc}")
            return
        except RuleRefusalError as exc:
            refused.setdefault(str(exc), []).append(f"{person} ({chart.display_name(person)})")
        except ApprovalsError as exc:
            blocked += 1
            report.problem(f"  {person} ({chart.display_name(person)}) cannot submit {request_type}: {exc}")
    for why, people in refused.items():
        report.lines.append(f"  refused by the process's own rule (as designed; deploy accepts it): "
                            f"{', '.join(people)}: {why}")
    by_design = sum(len(people) for people in refused.values())
    tail = f", {by_design} refused by the process's own rules" if by_design else ""
    report.lines.append(f"  {request_type}: {len(chart.people) - blocked - by_design} of {len(chart.people)} "
                        f"people have a route{tail}")


def run_check(registry: DefinitionRegistry, charts: list[Path], request_type: str, today: date) -> CheckReport:
    report = CheckReport()
    for error in registry.errors:
        report.problem(f"PROCESS ERROR {error}")
    report.lines.append(f"processes: {len(registry.ids())} valid ({', '.join(registry.ids())})")
    note = data_note(WorkingCalendar(), today)
    if note:  # not a failure: deadlines still count, on weekends only, and the line says so
        report.lines.append(f"WARNING working days: {note}")
    for path in charts:
        try:
            chart = load_orgchart(path, known_processes=registry.ids())
        except ApprovalsError as exc:
            report.problem(f"ORG CHART ERROR {exc}")
            continue
        report.lines.append(f"{path.name}: {chart.organization.name}, {len(chart.people)} people, "
                            f"{len(chart.units)} units")
        _check_findings(chart, report)
        _check_roles(registry, chart, path.name, report)
        report.lines.extend(f"  vacant post: posts.{post}" for post, holder in chart.posts.items() if holder is None)
        _check_people(registry, chart, request_type, today, report)
    return report
