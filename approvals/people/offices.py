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
    """APPROVALS_ADMINS holds an entry that is neither ``person`` nor ``org:person``."""


@dataclass(frozen=True)
class AdminRights:
    """Parsed ``APPROVALS_ADMINS``; ``configured`` False means "unset: the filing heads"."""

    configured: bool = False
    own_org: frozenset[str] = frozenset()  # plain ids: admin of the org listing them
    named: frozenset[tuple[str, str]] = frozenset()  # (org id, person id)

    @classmethod
    def parse(cls, value: str | Iterable[str] | None) -> AdminRights:
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
                    f"APPROVALS_ADMINS: {entry!r} is neither a person id nor org-id:person-id "
                    "(e.g. feng.jie or cq-mca:li.na)")
            if sep:
                named.add((org, person))
            else:
                own.add(person)
        return cls(True, frozenset(own), frozenset(named))

    def administers(self, person: str, org_id: str, chart: OrgChart | None) -> bool:
        """Whether ``person`` administers ``org_id``, whose chart in force is ``chart``
        (None: the organization has no chart yet, so only an ``org:person`` entry counts)."""
        if (org_id, person) in self.named:
            return True
        if chart is None:
            return False
        if self.configured:
            return person in self.own_org and person in chart.people
        filing = chart.duties.get("filing")
        return filing is not None and chart.units[filing].head == person


@dataclass(frozen=True)
class Offices:
    """Admins and configured inspectors, as the engine needs them."""

    admins: AdminRights = field(default_factory=AdminRights)
    inspectors: frozenset[str] = frozenset()  # besides the members of the discipline unit

    def administers(self, person: str, org_id: str, chart: OrgChart | None) -> bool:
        return self.admins.administers(person, org_id, chart)

    def admin_of(self, person: str, charts: Mapping[str, OrgChart]) -> frozenset[str]:
        """Every organization ``person`` administers, among ``charts`` (org id -> chart in force)."""
        return frozenset(org for org, chart in charts.items() if self.administers(person, org, chart))

    def is_inspector(self, chart: OrgChart, person: str) -> bool:
        """Members of the unit holding duty ``discipline`` (纪检), and the configured inspectors."""
        if person in self.inspectors:
            return True
        unit = chart.duties.get("discipline")
        return unit is not None and person in chart.people and chart.people[person].unit == unit


NOBODY = Offices(AdminRights(configured=True))  # an empty APPROVALS_ADMINS: no admin anywhere


def require_admin(offices: Offices, person: str | None, org_id: str, chart: OrgChart | None, doing: str) -> None:
    """NotPermittedError unless ``person`` administers ``org_id`` (chart in force: ``chart``)."""
    if person is None or not offices.administers(person, org_id, chart):
        name = chart.organization.name if chart is not None else org_id
        raise NotPermittedError(f"{person} does not administer {name} ({org_id}), so may not {doing}")
