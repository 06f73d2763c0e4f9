"""Who holds the offices an org chart does not name: administrators and extra inspectors.

The operator configures both (the web reads ``APPROVALS_ADMINS`` and ``APPROVALS_INSPECTORS``);
the engine is told through an ``Offices`` value passed to the operations that need it
(``OrgChartAdmin.save``/``impact``, ``ApprovalService.delegate``), so it checks them again
without knowing where they came from.

Admin rights are per organization. An entry of ``APPROVALS_ADMINS`` is either

    person.id           admin of the organization whose chart lists that person
    org-id:person.id    admin of that organization (an operator of several, or a new one)

and with the setting absent (``None``), each organization's admin is the head of its unit
holding duty ``filing`` (人事科), read from the chart in force. Nobody is admin of every
organization by default. Rights are always judged against the chart *in force*, never the
text being saved: a chart naming its author as filing head grants nothing.

三员分立 (等保 2.0 三级, issue 20): the administrator is three offices, held by three people.

- the **system administrator** (``APPROVALS_ADMINS``, as before): accounts, configuration,
  processes, the org chart;
- the **security administrator** (``APPROVALS_SECURITY_ADMINS``): sign-in policy, roles,
  keys (two factors, API clients);
- the **audit administrator** (``APPROVALS_AUDIT_ADMINS``): reads every administrator's
  actions, and does nothing else.

The two new settings use the same entries; unset, nobody holds those offices (a deployment
upgraded from one admin keeps working, and is warned at start to name them). No person holds
two of the three: ``separate`` refuses the settings naming the person, and with
``APPROVALS_ADMINS`` unset, a filing head named for another office stops the start too
(``clashes`` against the charts in force). A chart saved later that makes such a person filing
head grants them nothing: a named office wins over the default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from approvals.errors import ApprovalsError, NotPermittedError
from approvals.people.orgchart.model import OrgChart

_ORG = re.compile(r"[a-z0-9-]+")
_PERSON = re.compile(r"[a-z0-9._-]+")


class OfficesConfigError(ApprovalsError):
    """An office setting holds an entry that is neither ``person`` nor ``org:person``, or
    names one person for two of the three offices."""


SYSTEM, SECURITY, AUDIT = "system", "security", "audit"
SETTINGS = {SYSTEM: "APPROVALS_ADMINS", SECURITY: "APPROVALS_SECURITY_ADMINS", AUDIT: "APPROVALS_AUDIT_ADMINS"}
TITLES = {SYSTEM: "system administrator", SECURITY: "security administrator", AUDIT: "audit administrator"}


@dataclass(frozen=True)
class AdminRights:
    """Parsed ``APPROVALS_ADMINS``; ``configured`` False means "unset: the filing heads"."""

    configured: bool = False
    own_org: frozenset[str] = frozenset()  # plain ids: admin of the org listing them
    named: frozenset[tuple[str, str]] = frozenset()  # (org id, person id)

    @classmethod
    def parse(cls, value: str | Iterable[str] | None, setting: str = "APPROVALS_ADMINS") -> AdminRights:
        """``None``: unset. A comma-separated string or any iterable of entries otherwise
        (an empty one means nobody administers through the web)."""
        if value is None:
            return cls()
        entries = value.split(",") if isinstance(value, str) else list(value)
        own: set[str] = set()
        named: set[tuple[str, str]] = set()
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            org, sep, person = entry.rpartition(":")
            if (sep and not _ORG.fullmatch(org)) or not _PERSON.fullmatch(person):
                raise OfficesConfigError(
                    f"{setting}: {entry!r} is neither a person id nor org-id:person-id "
                    "(e.g. feng.jie or cq-mca:li.na)")
            if sep:
                named.add((org, person))
            else:
                own.add(person)
        return cls(True, frozenset(own), frozenset(named))

    def people(self) -> frozenset[str]:
        """Every person named, whatever the organization."""
        return self.own_org | frozenset(p for _org, p in self.named)

    def administers(self, person: str, org_id: str, chart: OrgChart | None) -> bool:
        """Whether ``person`` administers ``org_id``, whose chart in force is ``chart``
        (None: the organization has no chart yet, so only an ``org:person`` entry counts)."""
        if (org_id, person) in self.named:
            return True
        if chart is None:
            return False
        if self.configured:
            return person in self.own_org and person in chart.people
        return self.default_admin(chart) == person

    @staticmethod
    def default_admin(chart: OrgChart) -> str | None:
        """The head of the unit holding duty ``filing`` (the default system administrator)."""
        filing = chart.duties.get("filing")
        return chart.units[filing].head if filing is not None else None


_NONE = AdminRights(configured=True)


@dataclass(frozen=True)
class Offices:
    """The three administrators and the configured inspectors, as the engine needs them."""

    admins: AdminRights = field(default_factory=AdminRights)  # system administrators
    inspectors: frozenset[str] = frozenset()  # besides the members of the discipline unit
    security: AdminRights = _NONE
    audit: AdminRights = _NONE

    def __post_init__(self) -> None:
        separate(self.admins, self.security, self.audit)

    def administers(self, person: str, org_id: str, chart: OrgChart | None) -> bool:
        """The system administrator's office (the admin pages, accounts, processes, charts).
        A person named for another office never holds it by the filing-head default."""
        if person in self.security.people() or person in self.audit.people():
            return False
        return self.admins.administers(person, org_id, chart)

    def holds(self, office: str, person: str, org_id: str, chart: OrgChart | None) -> bool:
        if office == SYSTEM:
            return self.administers(person, org_id, chart)
        rights = self.security if office == SECURITY else self.audit
        return rights.administers(person, org_id, chart)

    def office_of(self, office: str, person: str, charts: Mapping[str, OrgChart]) -> frozenset[str]:
        """Every organization where ``person`` holds ``office``, among ``charts``."""
        return frozenset(org for org, chart in charts.items() if self.holds(office, person, org, chart))

    def admin_of(self, person: str, charts: Mapping[str, OrgChart]) -> frozenset[str]:
        """Every organization ``person`` administers, among ``charts`` (org id -> chart in force)."""
        return frozenset(org for org, chart in charts.items() if self.administers(person, org, chart))

    def is_inspector(self, chart: OrgChart, person: str) -> bool:
        """Members of the unit holding duty ``discipline`` (纪检), and the configured inspectors."""
        if person in self.inspectors:
            return True
        unit = chart.duties.get("discipline")
        return unit is not None and person in chart.people and chart.people[person].unit == unit


def separate(system: AdminRights, security: AdminRights, audit: AdminRights) -> None:
    """三员分立: refuse settings naming one person for two offices, naming them."""
    named = {SYSTEM: system.people(), SECURITY: security.people(), AUDIT: audit.people()}
    offices = list(named)
    for i, one in enumerate(offices):
        for other in offices[i + 1:]:
            both = sorted(named[one] & named[other])
            if both:
                raise OfficesConfigError(
                    f"{both[0]} is named in {SETTINGS[one]} and in {SETTINGS[other]}: one person may not be "
                    f"both {TITLES[one]} and {TITLES[other]} (三员分立); name someone else for one of them")


def clashes(offices: Offices, charts: Mapping[str, OrgChart]) -> list[str]:
    """With ``APPROVALS_ADMINS`` unset: a filing head (the default system administrator) who is
    also named security or audit administrator, as sentences naming them (refused at start)."""
    if offices.admins.configured:
        return []
    found = []
    for org, chart in sorted(charts.items()):
        head = AdminRights.default_admin(chart)
        for office, rights in ((SECURITY, offices.security), (AUDIT, offices.audit)):
            if head is not None and head in rights.people():
                found.append(f"{head} heads the filing unit of {org}, so is its system administrator while "
                             f"APPROVALS_ADMINS is unset, and is named in {SETTINGS[office]}: one person may not "
                             f"be both (三员分立); set APPROVALS_ADMINS or name someone else")
    return found


NOBODY = Offices(AdminRights(configured=True))  # an empty APPROVALS_ADMINS: no admin anywhere


def require_admin(offices: Offices, person: str | None, org_id: str, chart: OrgChart | None, doing: str) -> None:
    """NotPermittedError unless ``person`` administers ``org_id`` (chart in force: ``chart``)."""
    if person is None or not offices.administers(person, org_id, chart):
        name = chart.organization.name if chart is not None else org_id
        raise NotPermittedError(f"{person} does not administer {name} ({org_id}), so may not {doing}")


def require_office(offices: Offices, office: str, person: str | None, org_id: str, chart: OrgChart | None,
                   doing: str) -> None:
    """NotPermittedError unless ``person`` holds ``office`` in ``org_id``."""
    if person is None or not offices.holds(office, person, org_id, chart):
        name = chart.organization.name if chart is not None else org_id
        raise NotPermittedError(f"{person} is not {TITLES[office]} of {name} ({org_id}), so may not {doing}")
