"""What ``approvals check`` finds wrong in a chart that loads: shapes the format allows but
no bureau can mean, each named with the unit or post and the people involved.

They are findings, not load errors: the format (orgchart-format.md) promises that a file
written against it loads, and an admin reorganizing a bureau saves intermediate versions.

    error    empty chart (no units or no people): nobody can submit or decide
    error    a unit supervised by its own head: the head's decisions would be checked by
             the head (分管 is the oversight above 主要负责人)
    error    a contractor (a person of a ``contractor`` unit: 外包或驻局企业, not on the
             bureau's establishment) holding a post such as ``chief``, or heading a unit
             that is not itself a contractor
    warning  a supervision loop: unit A's supervisor belongs to unit B, whose supervisor
             belongs to ... A. No route walks the chain, so nothing is misrouted, but a
             leadership unit supervised from inside the loop has no oversight at all
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from approvals.people.orgchart.model import OrgChart, Unit


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" (check exits 1) or "warning"
    where: str  # key path, as in loader issues
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


def findings(chart: OrgChart) -> list[Finding]:
    """Every finding, errors first, in file order within each kind."""
    found = [*_empty(chart), *_own_head(chart), *_contractors(chart), *_loops(chart)]
    return sorted(found, key=lambda f: f.severity != "error")


def _who(chart: OrgChart, person_id: str) -> str:
    return f"{person_id} ({chart.display_name(person_id)})"


def _empty(chart: OrgChart) -> Iterator[Finding]:
    if not chart.units or not chart.people:
        missing = "units" if not chart.units else "people"
        yield Finding("error", missing, f"the chart has no {missing}: nobody can submit a "
                                        "request or decide one; list the organization's "
                                        "units and people")


def _own_head(chart: OrgChart) -> Iterator[Finding]:
    for unit in chart.units.values():
        if unit.head is not None and unit.supervisor == unit.head:
            yield Finding("error", f"units[{unit.id}].supervisor",
                          f"{_who(chart, unit.head)} is both head and supervisor (分管局领导) of "
                          f"{unit.id}, so nobody oversees the head; name another leader")


def _is_contractor(chart: OrgChart, person_id: str | None) -> bool:
    person = chart.people.get(person_id or "")
    unit = chart.units.get(person.unit) if person else None
    return unit is not None and unit.kind == "contractor"


def _contractors(chart: OrgChart) -> Iterator[Finding]:
    for post, holder in chart.posts.items():
        if holder is not None and _is_contractor(chart, holder):
            yield Finding("error", f"posts.{post}",
                          f"{_who(chart, holder)} belongs to contractor unit "
                          f"{chart.people[holder].unit}; a post of the bureau is held by "
                          "someone on its establishment")
    for unit in chart.units.values():
        if unit.kind != "contractor" and _is_contractor(chart, unit.head):
            assert unit.head is not None
            yield Finding("error", f"units[{unit.id}].head",
                          f"{_who(chart, unit.head)} belongs to contractor unit "
                          f"{chart.people[unit.head].unit} but heads {unit.id} ({unit.kind}); "
                          "only a contractor unit is headed by a contractor")


def _supervising_unit(chart: OrgChart, unit: Unit) -> Unit | None:
    person = chart.people.get(unit.supervisor or "")
    return chart.units.get(person.unit) if person else None


def _loops(chart: OrgChart) -> Iterator[Finding]:
    reported: set[frozenset[str]] = set()
    for start in chart.units.values():
        path, unit = [start.id], _supervising_unit(chart, start)
        while unit is not None and unit.id not in path:
            path.append(unit.id)
            unit = _supervising_unit(chart, unit)
        if unit is None or unit.id != start.id or frozenset(path) in reported:
            continue
        reported.add(frozenset(path))
        chain = " → ".join(f"{u} (supervisor {chart.units[u].supervisor})" for u in path)
        yield Finding("warning", f"units[{start.id}].supervisor",
                      f"supervision loop: {chain} → {start.id}; the leaders in it oversee each "
                      "other and nobody above them does")
