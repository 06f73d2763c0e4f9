"""What a 审批单 shows, worked out for the template: every step with the person, the title
they held when they acted (from the org chart version the step was decided under), the time
and the comment; and the verification code of the request's latest audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from approvals.errors import ApprovalsError
from approvals.people.orgchart.model import OrgChart
from approvals.reports import printable
from approvals.store.models import Task
from web.engine import engine
from web.presenters import name as person_name
from web.presenters import person
from web.requestview import RequestView

CSS = Path(__file__).resolve().parents[1] / "static" / "print.css"


@dataclass(frozen=True)
class Line:
    """One step of the route on paper."""

    round: int
    step: str
    kind: str
    person: str
    title: str  # held when they acted
    behalf: str  # the principal's name when an acting approver decided
    status: str
    at: datetime | None
    comment: str


class Titles:
    """Titles as they were: one org chart version read once per sheet."""

    def __init__(self, org_id: str) -> None:
        self.org_id = org_id
        self.charts: dict[str, OrgChart | None] = {}

    def __call__(self, person_id: str | None, version: str | None) -> str:
        if not person_id:
            return ""
        chart = self._chart(version) if version else None
        held = chart.people.get(person_id) if chart else None
        if held is None:  # the version is gone (an external chart): the latest known title
            held = person(person_id)
        return held.title if held else ""

    def _chart(self, version: str) -> OrgChart | None:
        if version not in self.charts:
            try:
                self.charts[version] = engine().orgcharts.version(self.org_id, version)
            except ApprovalsError:
                self.charts[version] = None
        return self.charts[version]


def _actor(task: Task, applicant: str) -> str | None:
    if task.kind == "report":
        return applicant
    return task.decided_by or task.assignee


def lines(view: RequestView) -> list[Line]:
    titles = Titles(view.req.org_id)
    result = []
    for _number, rows in sorted(view.rounds):
        for row in rows:
            task = row.task
            actor = _actor(task, view.req.applicant)
            result.append(Line(
                task.round, row.name, row.kind, person_name(actor), titles(actor, task.orgchart_version),
                person_name(task.on_behalf_of) if task.on_behalf_of else "", row.status,
                task.decided_at if not task.is_open else None, task.comment or "",
            ))
    return result


def organization(org_id: str) -> str:
    """The organization's name for the form's heading: a paper copy leaves the building, and
    says whose form it is."""
    try:
        return engine().orgcharts.current(org_id).organization.name
    except ApprovalsError:
        return org_id


def code(request_id: int) -> str:
    found = printable.stamp(engine().db, request_id)
    return found.code if found else ""


def css() -> str:
    return CSS.read_text(encoding="utf-8")
