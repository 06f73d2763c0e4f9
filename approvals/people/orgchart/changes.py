"""Personnel changes in the bureau's words, turned into the next org chart text.

An admin does not edit YAML to appoint a section head: each change here (任免 appointment or
removal, a new person, a transfer, someone leaving, a new title or grade, which unit holds a
duty) is applied to the current chart's text and gives the text of the next version. The text
is edited in place (ruamel.yaml's round trip), so the bureau's comments and layout survive and
the diff the admin sees before saving is the change and nothing else. The result is validated
and saved by ``OrgChartAdmin.save`` like any other edit, with its impact preview.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from approvals.errors import Issue, OrgChartError

UNIT_POSITIONS = ("head", "deputy", "supervisor")  # 主要负责人, 其他负责人, 分管领导


def _yaml() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)  # the shipped charts' layout
    yaml.width = 4096  # never fold a long line
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


@dataclass(frozen=True)
class Appoint:
    """任: ``person`` becomes a unit's head, a deputy or its supervising leader, or holds a
    post (``unit`` empty, ``position`` the post: chief, organ_leader, ...)."""

    person: str
    position: str
    unit: str = ""


@dataclass(frozen=True)
class Remove:
    """免: ``person`` no longer holds ``position`` (the post or unit position becomes vacant)."""

    person: str
    position: str
    unit: str = ""


@dataclass(frozen=True)
class AddPerson:
    person: str
    name: str
    unit: str
    title: str = ""
    grade: str = ""


@dataclass(frozen=True)
class Transfer:
    """To another unit; the head or deputy position held in the old unit is left vacant."""

    person: str
    unit: str
    title: str = ""


@dataclass(frozen=True)
class Leave:
    """Leaves the organization: off the chart, every position handed to ``successor`` (or left
    vacant); the account is disabled by the caller."""

    person: str
    successor: str = ""


@dataclass(frozen=True)
class Retitle:
    person: str
    title: str
    grade: str = ""  # "" = no grade


@dataclass(frozen=True)
class AssignDuty:
    duty: str
    unit: str


@dataclass(frozen=True)
class Rename:
    """A person's name changes (the directory says so); their id and posts stay."""

    person: str
    name: str


@dataclass(frozen=True)
class Batch:
    """Several changes saved as one version: a re-sync from the directory
    (approvals/directory.py), previewed and saved like one change."""

    changes: tuple[Appoint | Remove | AddPerson | Transfer | Leave | Retitle | AssignDuty | Rename, ...]


Change = Appoint | Remove | AddPerson | Transfer | Leave | Retitle | AssignDuty | Rename | Batch


def leaving(change: Change) -> list[str]:
    """Who leaves the organization with ``change`` (their accounts are disabled with it)."""
    parts = change.changes if isinstance(change, Batch) else (change,)
    return [c.person for c in parts if isinstance(c, Leave)]


def _refuse(where: str, value: object, message: str) -> OrgChartError:
    return OrgChartError("change", [Issue(where, value, message)])


def _unit(doc: Any, unit_id: str) -> CommentedMap:
    for unit in doc.get("units") or []:
        if unit.get("id") == unit_id:
            return unit  # type: ignore[no-any-return]
    raise _refuse("unit", unit_id, "no unit with this id in the chart")


def _person_index(doc: Any, person_id: str) -> int:
    for i, person in enumerate(doc.get("people") or []):
        if person.get("id") == person_id:
            return i
    raise _refuse("person", person_id, "no person with this id in the chart")


def _flow_seq(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _set_position(doc: Any, change: Appoint | Remove, holder: str | None) -> None:
    if not change.unit:
        posts = doc.setdefault("posts", CommentedMap())
        if isinstance(change, Remove) and posts.get(change.position) != change.person:
            raise _refuse(f"posts.{change.position}", posts.get(change.position),
                          f"{change.person} does not hold this post")
        posts[change.position] = holder
        return
    unit = _unit(doc, change.unit)
    if change.position == "deputy":
        deputies = [d for d in unit.get("deputies") or [] if d != change.person]
        if holder:
            deputies.append(holder)
        if deputies:
            unit["deputies"] = _flow_seq(deputies)
        else:
            unit.pop("deputies", None)
        return
    if change.position not in UNIT_POSITIONS:
        raise _refuse("position", change.position, f"expected one of {', '.join(UNIT_POSITIONS)} or a post")
    if isinstance(change, Remove) and unit.get(change.position) != change.person:
        raise _refuse(f"units[{change.unit}].{change.position}", unit.get(change.position),
                      f"{change.person} does not hold this position")
    unit[change.position] = holder


def _appoint(doc: Any, change: Appoint) -> None:
    _person_index(doc, change.person)
    if change.unit and change.position != "deputy":
        # a head moving up from deputy is no longer also a deputy
        unit = _unit(doc, change.unit)
        if change.position == "head" and change.person in (unit.get("deputies") or []):
            _set_position(doc, Remove(change.person, "deputy", change.unit), None)
    _set_position(doc, change, change.person)


def _remove(doc: Any, change: Remove) -> None:
    _set_position(doc, change, None)


def _add_person(doc: Any, change: AddPerson) -> None:
    _unit(doc, change.unit)
    people = doc["people"]
    if any(p.get("id") == change.person for p in people):
        raise _refuse("person", change.person, "someone already has this id")
    entry = CommentedMap([("id", change.person), ("name", change.name), ("unit", change.unit)])
    if change.title:
        entry["title"] = change.title
    if change.grade:
        entry["grade"] = change.grade
    entry.fa.set_flow_style()
    same_unit = [i for i, p in enumerate(people) if p.get("unit") == change.unit]
    people.insert(same_unit[-1] + 1 if same_unit else len(people), entry)  # after their colleagues


def _vacate_unit_positions(doc: Any, person: str, successor: str | None, *, only: str = "") -> None:
    for unit in doc.get("units") or []:
        if only and unit.get("id") != only:
            continue
        for key in ("head", "supervisor"):
            if unit.get(key) == person and not (only and key == "supervisor"):
                unit[key] = successor
        if person in (unit.get("deputies") or []):
            _set_position(doc, Remove(person, "deputy", unit["id"]), None)


def _transfer(doc: Any, change: Transfer) -> None:
    _unit(doc, change.unit)
    entry = doc["people"][_person_index(doc, change.person)]
    old = entry.get("unit")
    if old != change.unit:
        _vacate_unit_positions(doc, change.person, None, only=old)
    entry["unit"] = change.unit
    if change.title:
        entry["title"] = change.title


def _leave(doc: Any, change: Leave) -> None:
    people = doc["people"]
    index = _person_index(doc, change.person)
    if change.successor:
        _person_index(doc, change.successor)
    successor = change.successor or None
    _vacate_unit_positions(doc, change.person, successor)
    for post, holder in list((doc.get("posts") or {}).items()):
        if holder == change.person:
            doc["posts"][post] = successor
    comment = people.ca.items.get(index)
    del people[index]
    if comment and index < len(people) and index not in people.ca.items:
        people.ca.items[index] = comment  # the group heading above them stays above the next one


def _retitle(doc: Any, change: Retitle) -> None:
    entry = doc["people"][_person_index(doc, change.person)]
    entry["title"] = change.title
    if change.grade:
        entry["grade"] = change.grade
    else:
        entry.pop("grade", None)


def _assign_duty(doc: Any, change: AssignDuty) -> None:
    _unit(doc, change.unit)
    duties = doc.setdefault("duties", CommentedMap())
    if isinstance(duties.get(change.duty), dict):  # the long form keeps its name and description
        duties[change.duty]["unit"] = change.unit
    else:
        duties[change.duty] = change.unit


def _rename(doc: Any, change: Rename) -> None:
    doc["people"][_person_index(doc, change.person)]["name"] = change.name


def _batch(doc: Any, change: Batch) -> None:
    for part in change.changes:
        _APPLY[type(part)](doc, part)


_APPLY: dict[type, Callable[[Any, Any], None]] = {
    Appoint: _appoint, Remove: _remove, AddPerson: _add_person, Transfer: _transfer, Leave: _leave,
    Retitle: _retitle, AssignDuty: _assign_duty, Rename: _rename, Batch: _batch,
}


def apply_change(text: str, change: Change) -> str:
    """The chart text after ``change``; OrgChartError when the change names something the
    chart lacks. The loader validates the result when it is previewed or saved."""
    yaml = _yaml()
    try:
        doc = yaml.load(text)
    except YAMLError as exc:
        raise _refuse("(file)", None, f"the current chart cannot be read: {exc}") from exc
    _APPLY[type(change)](doc, change)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
