"""The org chart as immutable values: who works where and who holds which post.

Built by a source (``yaml_source``, ``db_source``) and never mutated; an edit produces a
new ``OrgChart`` with a new ``version``, so a task can say which chart chose its assignee.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from approvals.clock import DEFAULT_ZONE
from approvals.errors import UnknownPersonError

UNIT_KINDS = ("leadership", "section", "affiliated", "contractor")

# Applicant categories in the spec's first-match order (orgchart-format.md).
CATEGORIES = ("chief", "leader", "county_cadre", "unit_head", "unit_deputy", "staff")


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    processes: Mapping[str, str]  # request type -> BPMN process id
    # Extension (documented in docs/orgcharts.md): designated risk areas an admin maintains.
    risk_areas: tuple[str, ...] = ()
    # Extension: the organization's own closures and extra working days (approvals/process/calendar.py).
    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    # Extension: the zone its days and times are reckoned in (approvals/clock.py).
    time_zone: str = DEFAULT_ZONE


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    head: str | None = None  # 主要负责人; None = vacant
    deputies: tuple[str, ...] = ()  # 其他负责人
    supervisor: str | None = None  # 分管局领导


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    unit: str
    title: str = ""
    grade: str | None = None  # "county" = 县级干部
    email: str = ""  # matched against an outside identity's e-mail (docs/sign-in.md)
    employee_no: str = ""  # 工号, matched the same way


@dataclass(frozen=True)
class Duty:
    """What the chart says about a duty beyond its unit: its name in the bureau's words (and in
    English), and a description for the admin's pages. Extension, docs/orgcharts.md."""

    name: str = ""
    name_en: str = ""
    description: str = ""


@dataclass(frozen=True)
class OrgChart:
    organization: Organization
    units: Mapping[str, Unit]
    people: Mapping[str, Person]
    posts: Mapping[str, str | None]
    duties: Mapping[str, str]  # duty name -> unit id
    version: str = ""  # content hash of the source text; stable across reloads
    source: str = ""  # file name or other origin, for messages
    duty_info: Mapping[str, Duty] = field(default_factory=lambda: MappingProxyType({}))
    members_by_unit: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        members: dict[str, list[str]] = {uid: [] for uid in self.units}
        for person in self.people.values():
            members.setdefault(person.unit, []).append(person.id)
        frozen = {uid: tuple(ids) for uid, ids in members.items()}
        object.__setattr__(self, "members_by_unit", MappingProxyType(frozen))

    @property
    def id(self) -> str:
        return self.organization.id

    def person(self, person_id: str) -> Person:
        try:
            return self.people[person_id]
        except KeyError:
            raise UnknownPersonError(person_id, self.organization.name) from None

    def unit_of(self, person_id: str) -> Unit:
        return self.units[self.person(person_id).unit]

    def members(self, unit_id: str) -> tuple[str, ...]:
        return self.members_by_unit.get(unit_id, ())

    def category(self, person_id: str, *, uses_county_cadre: bool = False) -> str:
        """The applicant category, first match wins (orgchart-format.md)."""
        person = self.person(person_id)
        unit = self.units[person.unit]
        if self.posts.get("chief") == person_id:
            return "chief"
        if unit.kind == "leadership":
            return "leader"
        if uses_county_cadre and person.grade == "county":
            return "county_cadre"
        if unit.head == person_id:
            return "unit_head"
        if person_id in unit.deputies:
            return "unit_deputy"
        return "staff"

    def display_name(self, person_id: str | None) -> str:
        if person_id is None:
            return ""
        person = self.people.get(person_id)
        return person.name if person else person_id
