"""Whom the inspectors' person filters offer: everyone in the org chart in force, and after them
everyone who has left it (their entries stay in the trail and the access log, so an inspector
must still be able to pick them), marked as having left (已离开)."""

from __future__ import annotations

from dataclasses import dataclass

from approvals.people.orgchart.model import OrgChart
from web.engine import engine
from web.i18n import gettext as _
from web.pagememo import once


@dataclass(frozen=True)
class Choice:
    id: str
    label: str  # "韩冰 (han.bing)", or "蒋涛 (jiang.tao) · 已离开"
    left: bool


def former(chart: OrgChart) -> dict[str, str]:
    """Id -> name of everyone in an earlier version of ``chart``'s organization and not in it,
    each as the latest version that had them; read once per page."""
    return once(f"former-people-{chart.id}", lambda: _former(chart))


def _former(chart: OrgChart) -> dict[str, str]:
    source = engine().orgcharts
    found: dict[str, str] = {}
    for row in source.history(chart.id):  # newest first: the name they had last
        for pid, person in source.version(chart.id, row.version).people.items():
            if pid not in chart.people and pid not in found:
                found[pid] = person.name
    return found


def choices(chart: OrgChart) -> list[Choice]:
    current = [Choice(p.id, f"{p.name} ({p.id})", False) for p in chart.people.values()]
    left = [Choice(pid, _("%(name)s (%(id)s) · left", name=n, id=pid), True)
            for pid, n in sorted(former(chart).items(), key=lambda item: item[0])]
    return current + left
