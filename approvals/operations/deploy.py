"""Deploying a process: validate a BPMN file against every chart that uses it, then put it
in force for every worker at once, without a restart.

A deployment is refused, with every reason, when the XML or the project's conventions are
broken (``parse_bpmn``: a loop passing no userTask included), when a dry run goes past the
engine's step budget (a loop the route never leaves: refused at the first person, so the check
stays within seconds), when a step names a role a chart using the process does not define,
or when anyone in such a chart could not submit (a vacant post, a missing supervisor: the
route preview is run for every person). A rule of the process refusing someone
(``RuleRefusalError``) is the process working, not a broken route, and does not block.

A deployed version is stored in ``process_versions`` (where every version a request used is
kept) and listed in ``process_deployments``; the registry of each worker compares the latest
deployment id with the one it loaded (``DatabaseDeployments.marker``). Requests in flight stay
on the version they started on; new requests start on the deployed one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import SQLAlchemyError

from approvals.audit.chain import Entry
from approvals.clock import Clock
from approvals.errors import (
    ApprovalsError,
    Issue,
    NotPermittedError,
    ProcessDefinitionError,
    RouteLimitError,
    RuleRefusalError,
)
from approvals.notifications.outbox import Outbox
from approvals.people.offices import Offices
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import is_known_role
from approvals.process import choices
from approvals.process.definitions import DefinitionRegistry, ProcessDefinition, parse_bpmn
from approvals.process.routes import preview
from approvals.store.database import Database, insert_if_absent
from approvals.store.models import ProcessDeployment, ProcessVersion, Request

log = logging.getLogger(__name__)

MAX_BPMN_BYTES = 2_000_000  # the shipped processes are under 20 kB


class DatabaseDeployments:
    """The deployments table as the registry sees it (``definitions.DeployedVersions``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def marker(self) -> int | None:
        try:
            with self.db.reading(snapshot=False) as s:
                return s.scalar(select(func.max(ProcessDeployment.id)))
        except (SQLAlchemyError, ApprovalsError):
            return None  # no schema yet (before `approvals init-db`): the folder alone

    def current(self) -> list[tuple[str, str, str, str]]:
        latest = (select(func.max(ProcessDeployment.id)).group_by(ProcessDeployment.process_id))
        query = (select(ProcessDeployment.process_id, ProcessVersion.sha256, ProcessVersion.source_name,
                        ProcessVersion.xml)
                 .join(ProcessVersion, ProcessVersion.sha256 == ProcessDeployment.sha256)
                 .where(ProcessDeployment.id.in_(latest)).order_by(ProcessDeployment.process_id))
        try:
            with self.db.reading() as s:
                return [(p, sha, source, xml) for p, sha, source, xml in s.execute(query)]
        except (SQLAlchemyError, ApprovalsError):
            return []

    def history(self, processes: Collection[str] | None = None,
                people: Collection[str] = ()) -> list[ProcessDeployment]:
        """Newest first; with ``processes``, only deployments of those or made by ``people``."""
        query = select(ProcessDeployment).order_by(ProcessDeployment.id.desc())
        if processes is not None:
            query = query.where(or_(ProcessDeployment.process_id.in_(list(processes)),
                                    ProcessDeployment.deployed_by.in_(list(people))))
        with self.db.reading(snapshot=False) as s:
            return list(s.scalars(query))


@dataclass(frozen=True)
class Blocked:
    """Everyone in one organization whom the same reason keeps from submitting."""

    org_id: str
    org_name: str
    request_type: str
    reason: str
    people: tuple[str, ...]  # display names
    error: ApprovalsError = field(compare=False)  # the first person's, to say it in words
    sample: str = ""  # that person's id

    def __str__(self) -> str:
        return f"{self.org_name}, {self.request_type}: {len(self.people)} cannot submit " \
               f"({', '.join(self.people)}): {self.reason}"


@dataclass
class DeployCheck:
    """What a deployment would put in force, and where it is used."""

    definitions: list[ProcessDefinition]
    used_by: list[tuple[str, str]] = field(default_factory=list)  # (organization name, request type)
    people_checked: int = 0
    blocked: list[Blocked] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _check_chart(defn: ProcessDefinition, chart: OrgChart, today: date, check: DeployCheck) -> None:
    org = chart.organization.name
    for step in defn.steps.values():
        if not is_known_role(chart, step.role):
            check.issues.append(Issue(f"{org}: step {step.name} ({step.bpmn_id})", step.role,
                                      "names a role this organization's chart does not define"))
    for request_type, process_id in chart.organization.processes.items():
        if process_id != defn.process_id:
            continue
        check.used_by.append((org, request_type))
        reasons: dict[str, list[str]] = {}
        first: dict[str, tuple[str, ApprovalsError]] = {}
        for person in chart.people:
            check.people_checked += 1
            try:
                preview(chart, defn, request_type, person, choices.sample(defn.steps.values(), chart, person),
                        today)
            except RuleRefusalError:
                continue
            except RouteLimitError:
                raise  # the process loops for everyone: refused at the first, not after each person
            except ApprovalsError as exc:
                reasons.setdefault(str(exc), []).append(chart.display_name(person))
                first.setdefault(str(exc), (person, exc))
        check.blocked.extend(Blocked(chart.id, org, request_type, reason, tuple(names), first[reason][1],
                                     first[reason][0]) for reason, names in reasons.items())


def parse_deploy(xml: str, source: str) -> list[ProcessDefinition]:
    """The definitions in ``xml``, or ProcessDefinitionError naming what is wrong with the file
    itself (nothing about any chart or person yet)."""
    if len(xml.encode("utf-8")) > MAX_BPMN_BYTES:
        raise ProcessDefinitionError(source, [Issue("(file)", len(xml.encode("utf-8")),
                                                    f"larger than {MAX_BPMN_BYTES} bytes")])
    return parse_bpmn(xml, source)


def check_deploy(xml: str | list[ProcessDefinition], source: str, charts: dict[str, OrgChart],
                 today: date) -> DeployCheck:
    """Validate ``xml`` (or the definitions ``parse_deploy`` read from it) and every person's
    route in every chart using its processes; raise ProcessDefinitionError naming every problem
    (people by name), or return what it covers. A route going round past the engine's step
    budget refuses the file at the first person who meets it."""
    check = DeployCheck(parse_deploy(xml, source) if isinstance(xml, str) else xml)
    try:
        for defn in check.definitions:
            for chart in charts.values():
                _check_chart(defn, chart, today, check)
    except RouteLimitError as exc:
        raise ProcessDefinitionError(source, exc.issues) from exc
    if check.issues or check.blocked:
        raise DeployRefusedError(source, check)
    return check


class DeployRefusedError(ProcessDefinitionError):
    """A valid file that would leave people without a route, or name roles a chart lacks:
    ``check`` keeps the blocked people grouped by reason, so a page can say it in words."""

    def __init__(self, source: str, check: DeployCheck) -> None:
        self.check = check
        super().__init__(source, check.issues + [Issue(f"{b.org_name}, {b.request_type}", None, str(b))
                                                 for b in check.blocked])


class DeployNotPermittedError(NotPermittedError):
    """A page's admin may not check or deploy a process another organization uses: the check
    would name that organization's people. ``orgs`` names the organizations they lack."""

    def __init__(self, message: str, orgs: tuple[str, ...]) -> None:
        super().__init__(message)
        self.orgs = orgs


class ProcessDeployer:
    def __init__(self, db: Database, definitions: DefinitionRegistry,
                 charts: Callable[[], dict[str, OrgChart]], clock: Clock) -> None:
        self.db = db
        self.definitions = definitions
        self.charts = charts  # every organization's chart in force
        self.clock = clock

    def check(self, xml: str, source: str, actor: str | None = None, *,
              offices: Offices | None = None) -> DeployCheck:
        """What ``deploy`` would check, deploying nothing. From a page (``offices`` given) the
        same admin rights as deploying: the routes checked name the people of every
        organization using the process, so nobody else may run it."""
        charts = self.charts()
        definitions = parse_deploy(xml, source)
        self._require_admin(definitions, actor, offices, charts)
        return check_deploy(definitions, source, charts, self.clock.now().date())

    def _require_admin(self, definitions: list[ProcessDefinition], actor: str | None, offices: Offices | None,
                       charts: dict[str, OrgChart]) -> None:
        """From a page, only an admin of every organization whose chart uses the process (of
        some organization when none does yet); the operator's command line passes no offices.
        Asked before any route is checked, so a refusal names none of the others' people."""
        if offices is None:
            return
        ids = {defn.process_id for defn in definitions}
        using = [c for c in charts.values() if ids & set(c.organization.processes.values())]
        if not using and any(offices.administers(actor or "", c.id, c) for c in charts.values()):
            return
        lacking = [c for c in using or list(charts.values())[:1] if not offices.administers(actor or "", c.id, c)]
        if lacking:
            names = ", ".join(f"{c.organization.name} ({c.id})" for c in lacking)
            raise DeployNotPermittedError(
                f"{actor} does not administer {names}, whose chart uses {', '.join(sorted(ids))}, so may "
                "not check or deploy it; only that organization's admin may",
                tuple(c.organization.name for c in lacking))

    def deploy(self, xml: str, source: str, actor: str | None, comment: str = "", *,
               offices: Offices | None = None) -> DeployCheck:
        """Check the admin's rights, validate, then store and put in force in one transaction;
        this worker's registry reloads at once, the others at their next marker check."""
        charts = self.charts()
        definitions = parse_deploy(xml, source)
        self._require_admin(definitions, actor, offices, charts)
        check = check_deploy(definitions, source, charts, self.clock.now().date())
        now = self.clock.now()
        out = Outbox()
        with self.db.writing() as conn:
            for defn in check.definitions:
                conn.execute(insert_if_absent(conn, ProcessVersion),
                             {"sha256": defn.sha256, "source_name": source, "xml": defn.xml, "created_at": now})
                conn.execute(insert(ProcessDeployment),
                             {"process_id": defn.process_id, "sha256": defn.sha256, "deployed_at": now,
                              "deployed_by": actor, "comment": comment})
                out.record(Entry(actor or "system", "process_deployed",
                                 detail={"process": defn.process_id, "sha256": defn.sha256, "source": source,
                                         "comment": comment}))
            out.write(conn, now)
        self.definitions.reload()
        return check

    def history(self, orgs: Collection[str] | None = None) -> list[ProcessDeployment]:
        """Every deployment, newest first; with ``orgs`` (a page's admin), only those
        organizations' own: of a process their chart uses, or made by one of their people."""
        if orgs is None:
            return DatabaseDeployments(self.db).history()
        charts = [chart for org, chart in self.charts().items() if org in orgs]
        used = {pid for chart in charts for pid in chart.organization.processes.values()}
        people = {person for chart in charts for person in chart.people}
        return DatabaseDeployments(self.db).history(used, people)


def missing_processes(db: Database, definitions: DefinitionRegistry,
                      orgs: Collection[str] | None = None) -> dict[str, int]:
    """Processes stored requests use that are neither in the folder nor deployed, with how many
    requests use each: those requests still open (from their stored version), but nobody can
    start a new one, so the server says so at start and on the admin's processes page (there,
    counting only the requests of ``orgs``, the organizations the admin administers)."""
    query = select(Request.process_id, func.count()).group_by(Request.process_id)
    if orgs is not None:
        query = query.where(Request.org_id.in_(list(orgs)))
    try:
        with db.reading(snapshot=False) as s:
            used: dict[str, int] = {pid: count for pid, count in s.execute(query)}
    except (SQLAlchemyError, ApprovalsError):
        return {}
    known = set(definitions.ids())
    return {pid: count for pid, count in sorted(used.items()) if pid not in known}


def warn_missing(db: Database, definitions: DefinitionRegistry) -> dict[str, int]:
    """Log, loudly, each process stored requests use that this server does not have."""
    missing = missing_processes(db, definitions)
    for pid, count in missing.items():
        log.error("process %r is used by %d stored request(s) but is neither in %s nor deployed: "
                  "those requests open from their stored version, new ones cannot start. "
                  "Put the file back or run `approvals deploy FILE`.", pid, count, definitions.directory)
    return missing
