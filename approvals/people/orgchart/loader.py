"""Read an org chart file (orgchart-format.md) into an immutable ``OrgChart``.

Admins edit these files by hand when leaders change, so every problem is collected before
anything is raised (one pass fixes the file) and each ``Issue`` names the key path, the value
and the fix. List items are named by their ``id`` (``units[planning].head``, stable while the
file is edited), or by 0-based position when they have none (``units[3]``).
Extensions (docs/orgcharts.md): ``organization.risk_areas``; ``null`` deputies and duties.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from approvals.clock import DEFAULT_ZONE, zone_problem
from approvals.errors import Issue, OrgChartError
from approvals.people.orgchart import yamlread
from approvals.people.orgchart.model import UNIT_KINDS, Duty, Organization, OrgChart, Person, Unit
from approvals.people.orgchart.roles import BUILTIN_ROLES
from approvals.people.orgchart.yamlread import item_path as _item_path
from approvals.people.orgchart.yamlread import join as _join

ORG_SLUG = (re.compile(r"[a-z0-9-]+"), "lowercase letters a-z, digits 0-9 and '-' (e.g. xx-nrpb)")
SLUG = (re.compile(r"[a-z0-9._-]+"),
        "lowercase letters a-z, digits 0-9, '.', '_' and '-' (e.g. zhao.lei)")
GRADES = ("county",)  # 县级干部; the only grade a policy reads

# Allowed keys of each mapping, and whether each is required.
TOP_KEYS = {"organization": True, "units": True, "people": True, "posts": False, "duties": False}
ORGANIZATION_KEYS = {"id": True, "name": True, "processes": True, "risk_areas": False, "calendar": False,
                    "time_zone": False}
CALENDAR_KEYS = {"holidays": False, "working_days": False}
UNIT_KEYS = {"id": True, "name": True, "kind": True, "head": False, "deputies": False,
             "supervisor": False}
PERSON_KEYS = {"id": True, "name": True, "unit": True, "title": False, "grade": False,
               "email": False, "employee_no": False}  # the last two: sign-in matching (docs/sign-in.md)
DUTY_KEYS = {"unit": False, "name": False, "name_en": False, "description": False}  # long form of a duty

_Item = TypeVar("_Item", Unit, Person)


def parse_orgchart(text: str, source: str = "<string>", *,
                   known_processes: Collection[str] | None = None) -> OrgChart:
    """Validate ``text`` against the format and build the chart, or raise one OrgChartError
    listing every issue. ``known_processes`` (the ids in processes/) is optional because a
    stored version that was validated when saved need not depend on today's process files."""
    data, issues = yamlread.compose(text, source)
    checker = _Checker(issues, known_processes)
    organization = checker.check(_root_mapping(data, source, issues))
    if issues or organization is None:
        raise OrgChartError(source, _first(issues))
    return OrgChart(organization, MappingProxyType(checker.units),
                    MappingProxyType(checker.people), MappingProxyType(checker.posts),
                    MappingProxyType(checker.duties),
                    version=hashlib.sha256(text.encode("utf-8")).hexdigest(), source=source,
                    duty_info=MappingProxyType(checker.duty_info))


MAX_ISSUES = 50  # a pasted garbage file could list thousands; the first ones say what is wrong


def _first(issues: list[Issue]) -> list[Issue]:
    if len(issues) <= MAX_ISSUES:
        return issues
    more = Issue("(file)", None, f"{len(issues) - MAX_ISSUES} more problems not listed; "
                                 "fix these first and check again")
    return [*issues[:MAX_ISSUES], more]


def load_orgchart(path: str | Path, *, known_processes: Collection[str] | None = None) -> OrgChart:
    """Read and parse a file; its name (not the full path) becomes ``OrgChart.source`` so the
    same chart loaded from a file or from the database names itself the same way."""
    path = Path(path)
    return parse_orgchart(read_text(path), path.name, known_processes=known_processes)


def read_text(path: str | Path) -> str:
    """A chart file's text, or OrgChartError naming the file: unreadable, too large (checked
    before reading it all), or not UTF-8 (with the line of the first bad byte)."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(yamlread.MAX_BYTES + 1)
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or exc}"
        raise OrgChartError(str(path), [Issue("(file)", None, reason)]) from exc
    return yamlread.decode(data, path.name)


# --- YAML ------------------------------------------------------------------------------

def _root_mapping(data: Any, source: str, issues: list[Issue]) -> dict[Any, Any]:
    if isinstance(data, dict):
        return data
    found = "an empty file" if data is None else _describe(data)
    issue = Issue("(top level)", None, "expected a mapping with the keys organization, units, "
                                       f"people (and optionally posts, duties), found {found}")
    raise OrgChartError(source, [*issues, issue])


# --- small helpers for messages --------------------------------------------------------

def _describe(value: object) -> str:
    if isinstance(value, str):
        return "text" if value.strip() else "empty text"
    names = {type(None): "nothing (null)", bool: f"true/false ({str(value).lower()})",
             int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return names.get(type(value), f"a {type(value).__name__}")


def _shown(value: object) -> object:
    """The value for Issue.value: scalars as found; whole lists or mappings would drown the line."""
    return None if isinstance(value, (list, dict)) else value


def _quote_hint(value: object) -> str:
    scalar = value is not None and not isinstance(value, (str, list, dict))
    return "; put it in quotes" if scalar else ""


def _did_you_mean(word: object, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- the checks -------------------------------------------------------------------------

class _Checker:
    """Builds model values from parsed YAML, appending an Issue for everything wrong."""

    def __init__(self, issues: list[Issue], known_processes: Collection[str] | None) -> None:
        self.issues = issues
        self.known = None if known_processes is None else frozenset(known_processes)
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self.posts: dict[str, str | None] = {}
        self.duties: dict[str, str] = {}
        self.duty_info: dict[str, Duty] = {}
        self.paths: dict[tuple[str, str], str] = {}  # ("units", id) -> key path of that item
        self.broken: set[str] = set()  # "units"/"people" when the list itself is unusable

    def add(self, where: str, value: object, message: str) -> None:
        self.issues.append(Issue(where, value, message))

    def check(self, root: dict[Any, Any]) -> Organization | None:
        """Fill units, people, posts and duties; the organization is None if it is unusable."""
        self.unknown_keys(root, TOP_KEYS, "")
        organization = self.organization(root)
        self.units = self.items(root, "units", self.unit, "unit")
        self.people = self.items(root, "people", self.person, "person")
        for unit in self.units.values():
            self.unit_references(unit, self.paths["units", unit.id])
        for person in (p for p in self.people.values() if p.unit):
            self.ref(person.unit, f"{self.paths['people', person.id]}.unit", self.units, "unit")
        self.posts, self.duties = self.read_posts(root), self.read_duties(root)
        return organization

    # generic readers ---------------------------------------------------------------------

    def unknown_keys(self, mapping: Mapping[Any, Any], allowed: Mapping[str, bool],
                     path: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.add(_join(path, key), None, f"unknown key; expected one of "
                         f"{', '.join(allowed)}{_did_you_mean(key, allowed)}")

    def value(self, parent: Mapping[Any, Any], key: object, path: str, *, required: bool) -> Any:
        value = parent.get(key)
        if value is None and required:
            state = "is empty" if key in parent else "is missing"
            self.add(_join(path, key), None, f"{state}; this key is required")
        return value

    def mapping(self, parent: Mapping[Any, Any], key: str, path: str, *,
                required: bool) -> dict[Any, Any] | None:
        value = self.value(parent, key, path, required=required)
        if value is None or isinstance(value, dict):
            return value
        self.add(_join(path, key), _shown(value), "expected a mapping (indented 'name: value' "
                                                  f"lines), found {_describe(value)}")
        return None

    def listing(self, parent: Mapping[Any, Any], key: str, path: str, *,
                required: bool) -> list[Any]:
        value = self.value(parent, key, path, required=required)
        if value is None or isinstance(value, list):
            return value or []
        hint = f"; write [{value}] for a single item" if isinstance(value, str) else ""
        self.add(_join(path, key), _shown(value),
                 f"expected a list, found {_describe(value)}{hint}")
        return []

    def text(self, parent: Mapping[Any, Any], key: object, path: str, *, required: bool = True,
             slug: tuple[re.Pattern[str], str] | None = None) -> str | None:
        value = self.value(parent, key, path, required=required)
        if value is None:
            return None
        where = _join(path, key)
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(where, _shown(value),
                     f"expected text, found {_describe(value)}{_quote_hint(value)}")
            return None
        if slug is not None and not slug[0].fullmatch(value):
            self.add(where, value, f"not a valid id: use only {slug[1]}")  # kept, to check the rest
        return value

    def choice(self, parent: Mapping[Any, Any], key: str, path: str, allowed: tuple[str, ...], *,
               required: bool, hint: str = "") -> str | None:
        value = self.text(parent, key, path, required=required)
        if value is None or value in allowed:
            return value
        self.add(_join(path, key), value, f"expected one of {', '.join(allowed)}{hint}")
        return None

    def texts(self, parent: Mapping[Any, Any], key: str, path: str) -> tuple[str, ...]:
        found = []
        for index, item in enumerate(self.listing(parent, key, path, required=False)):
            if isinstance(item, str) and item.strip():
                found.append(item)
            else:
                self.add(f"{_join(path, key)}[{index}]", _shown(item),
                         f"expected text, found {_describe(item)}{_quote_hint(item)}")
        return tuple(found)

    def name_key(self, key: object, path: str) -> bool:
        """Keys of the open mappings (processes, posts, duties) are names a process refers to."""
        if isinstance(key, str) and key.strip():
            return True
        self.add(_join(path, key), _shown(key), f"expected a name (text) as the key, found "
                                                f"{_describe(key)}{_quote_hint(key)}")
        return False

    def ref(self, target: str, where: str, known: Mapping[str, object], what: str) -> bool:
        if target in known:
            return True
        where_defined = "people" if what == "person" else "units"
        if where_defined in self.broken:
            return False  # the broken list is reported; every reference to it would be noise
        self.add(where, target, f"no {what} with this id under {where_defined}"
                                f"{_did_you_mean(target, known)}")
        return False

    # organization ------------------------------------------------------------------------

    def organization(self, root: Mapping[Any, Any]) -> Organization | None:
        path = "organization"
        org = self.mapping(root, path, "", required=True)
        if org is None:
            return None
        self.unknown_keys(org, ORGANIZATION_KEYS, path)
        org_id = self.text(org, "id", path, slug=ORG_SLUG)
        name = self.text(org, "name", path)
        processes = self.processes(org, path)
        risk_areas = self.texts(org, "risk_areas", path)
        holidays, working_days = self.calendar(org, path)
        time_zone = self.time_zone(org, path)
        if org_id is None or name is None:
            return None
        return Organization(org_id, name, MappingProxyType(processes), risk_areas, holidays, working_days,
                            time_zone)

    def time_zone(self, org: Mapping[Any, Any], path: str) -> str:
        """``organization.time_zone``: the IANA zone its days and times are reckoned in."""
        name = self.text(org, "time_zone", path, required=False)
        if name is None:
            return DEFAULT_ZONE
        problem = zone_problem(name)
        if problem:
            self.add(_join(path, "time_zone"), name, f"{problem}; it decides the day a step arrives, "
                                                     "due dates and every time shown")
            return DEFAULT_ZONE
        return name

    def calendar(self, org: Mapping[Any, Any], path: str) -> tuple[frozenset[date], frozenset[date]]:
        """``organization.calendar``: the bureau's own closures and extra working days."""
        where = _join(path, "calendar")
        raw = self.mapping(org, "calendar", path, required=False) or {}
        self.unknown_keys(raw, CALENDAR_KEYS, where)
        holidays, working = (self.dates(raw, key, where) for key in ("holidays", "working_days"))
        for day in sorted(holidays & working):
            self.add(_join(where, "working_days"), day.isoformat(), "this day is also under holidays; "
                     "a day is either a holiday or a working day, remove it from one list")
        return frozenset(holidays), frozenset(working)

    def dates(self, parent: Mapping[Any, Any], key: str, path: str) -> set[date]:
        found = set()
        for index, item in enumerate(self.listing(parent, key, path, required=False)):
            if isinstance(item, str):
                try:
                    item = date.fromisoformat(item.strip())
                except ValueError:
                    pass
            if isinstance(item, date) and not isinstance(item, datetime):
                found.add(item)
            else:
                self.add(f"{_join(path, key)}[{index}]", _shown(item),
                         "expected a date written YYYY-MM-DD, e.g. 2026-10-12")
        return found

    def processes(self, org: Mapping[Any, Any], path: str) -> dict[str, str]:
        where = _join(path, "processes")
        raw = self.mapping(org, "processes", path, required=True) or {}
        result = {}
        for request_type in raw:
            process_id = self.text(raw, request_type, where)
            if self.name_key(request_type, where) and process_id is not None:
                self.known_process(process_id, _join(where, request_type))
                result[request_type] = process_id
        return result

    def known_process(self, process_id: str, where: str) -> None:
        if self.known is None or process_id in self.known:
            return
        known = ", ".join(sorted(self.known)) or "none"
        self.add(where, process_id, f"no process with this id in processes/ (known: {known})"
                                    f"{_did_you_mean(process_id, self.known)}")

    # units and people --------------------------------------------------------------------

    def items(self, root: Mapping[Any, Any], key: str,
              build: Callable[[Mapping[Any, Any], str], _Item | None],
              what: str) -> dict[str, _Item]:
        """Build each list item; the first of two equal ids wins, the second is reported."""
        result: dict[str, _Item] = {}
        first: dict[str, int] = {}
        if not isinstance(root.get(key), list):
            self.broken.add(key)
        for index, raw in enumerate(self.listing(root, key, "", required=True)):
            path = _item_path(key, index, raw.get("id") if isinstance(raw, dict) else None)
            if not isinstance(raw, dict):
                self.add(path, _shown(raw), f"expected a mapping with id, name, ..., "
                                            f"found {_describe(raw)}")
                continue
            item = build(raw, path)
            if item is None:
                continue
            if item.id in first:
                self.add(f"{key}[{index}].id", item.id, f"duplicate {what} id: "
                         f"{key}[{first[item.id]}] already has it; ids must be unique")
                continue
            first[item.id], result[item.id], self.paths[key, item.id] = index, item, path
        return result

    def unit(self, raw: Mapping[Any, Any], path: str) -> Unit | None:
        self.unknown_keys(raw, UNIT_KEYS, path)
        unit_id = self.text(raw, "id", path, slug=SLUG)
        name = self.text(raw, "name", path)
        kind = self.choice(raw, "kind", path, UNIT_KINDS, required=True)
        head = self.text(raw, "head", path, required=False)
        deputies = self.texts(raw, "deputies", path)
        supervisor = self.text(raw, "supervisor", path, required=False)
        if unit_id is None:  # a broken name or kind is reported; references are still checked
            return None
        return Unit(unit_id, name or "", kind or "", head, deputies, supervisor)

    def person(self, raw: Mapping[Any, Any], path: str) -> Person | None:
        self.unknown_keys(raw, PERSON_KEYS, path)
        person_id = self.text(raw, "id", path, slug=SLUG)
        name = self.text(raw, "name", path)
        if isinstance(raw.get("unit"), list):
            self.add(f"{path}.unit", None, "a person belongs to exactly one unit; "
                                           "give one unit id, not a list")
            unit = None
        else:
            unit = self.text(raw, "unit", path)
        title = self.text(raw, "title", path, required=False) or ""
        grade = self.choice(raw, "grade", path, GRADES, required=False,
                            hint=" (县级干部), or leave grade out")
        email = self.text(raw, "email", path, required=False) or ""
        employee_no = self.text(raw, "employee_no", path, required=False) or ""
        if person_id is None:  # a broken name or unit is reported; references are still checked
            return None
        return Person(person_id, name or "", unit or "", title, grade, email, employee_no)

    def unit_references(self, unit: Unit, path: str) -> None:
        if unit.head is not None:
            self.ref(unit.head, f"{path}.head", self.people, "person")
        for deputy in unit.deputies:
            self.ref(deputy, f"{path}.deputies", self.people, "person")
        where = f"{path}.supervisor"
        if unit.supervisor is None or not self.ref(unit.supervisor, where, self.people, "person"):
            return
        home = self.units.get(self.people[unit.supervisor].unit)
        if home is not None and home.kind not in ("leadership", ""):  # "" = bad kind, reported
            self.add(where, unit.supervisor, "a supervisor (分管局领导) must be a member of a "
                     f"leadership unit; {unit.supervisor} is in {home.id} ({home.kind})")

    # posts and duties --------------------------------------------------------------------

    def read_posts(self, root: Mapping[Any, Any]) -> dict[str, str | None]:
        raw = self.mapping(root, "posts", "", required=False) or {}
        result: dict[str, str | None] = {}
        for post in raw:
            if not self.name_key(post, "posts"):
                continue
            if post in BUILTIN_ROLES or post.startswith("duty:"):  # the built-in would win
                self.add(f"posts.{post}", post, "this name is taken by a built-in role "
                         f"({', '.join(BUILTIN_ROLES)}, duty:<name>); rename the post")
                continue
            holder = self.text(raw, post, "posts", required=False)  # null = vacant
            if holder is not None:
                self.ref(holder, f"posts.{post}", self.people, "person")
            result[post] = holder
        return result

    def duty(self, raw: Mapping[Any, Any], path: str, duty: str) -> str | None:
        self.unknown_keys(raw, DUTY_KEYS, path)
        texts = {key: self.text(raw, key, path, required=False) or "" for key in ("name", "name_en", "description")}
        self.duty_info[duty] = Duty(**texts)
        return self.text(raw, "unit", path, required=False)

    def read_duties(self, root: Mapping[Any, Any]) -> dict[str, str]:
        raw = self.mapping(root, "duties", "", required=False) or {}
        result = {}
        for duty in raw:  # an open mapping: any name is fine, the value must be a unit
            if isinstance(raw.get(duty), dict):  # long form: unit, name, name_en, description
                unit_id = self.duty(raw[duty], f"duties.{duty}", str(duty))
            else:
                unit_id = self.text(raw, duty, "duties", required=False)  # null = not assigned
            if self.name_key(duty, "duties") and unit_id is not None:
                if self.ref(unit_id, f"duties.{duty}", self.units, "unit"):
                    result[duty] = unit_id
        return result
