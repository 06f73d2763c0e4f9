"""How a task changed hands without anyone deciding it (issue 19, points 7 and 10): a chart
change (人事变动), an acting approver named (代理审批) or ended (代理结束). Read off the
``reassigned`` audit entries, so the timeline, the task page and the inspector's trail say
the same thing: "曾由 蒋涛 持有 → 人事变动 → 何平", who made the change and why, and whether
the one before had read the task (the new holder's 已阅 is their own)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from approvals.store.models import AuditEntry
from web.i18n import gettext as _
from web.localtime import when
from web.presenters import name

CAUSE = {
    "orgchart": _l("personnel change"),
    "delegation": _l("acting approver"),
    "delegation_ended": _l("acting approver ended"),
}


@dataclass(frozen=True)
class Handover:
    task_id: int
    old: str
    new: str
    cause: str  # orgchart, delegation, delegation_ended
    by: str  # who did it: the admin who saved the chart, the principal or admin naming a delegate
    comment: str  # the chart save's reason (人事变动 requires one)
    read_at: datetime | None  # when the old holder had read the task (已阅), if they had

    @property
    def cause_label(self) -> str:
        return str(CAUSE.get(self.cause, self.cause))

    @property
    def line(self) -> str:
        """曾由 蒋涛 持有（11-23 09:00 已阅） → 人事变动 → 何平"""
        old = name(self.old)
        if self.read_at is not None:
            old = _("%(name)s (read %(time)s)", name=old, time=when(self.read_at))
        return _("held by %(old)s → %(cause)s → %(new)s", old=old, cause=self.cause_label, new=name(self.new))

    @property
    def why(self) -> str:
        """冯洁：蒋涛调任办公室 — who made the change, and the reason given with it."""
        if self.cause != "orgchart":
            return _("named by %(name)s", name=name(self.by)) if self.cause == "delegation" else ""
        if self.comment:
            return _("%(name)s changed the org chart: %(why)s", name=name(self.by), why=self.comment)
        return _("%(name)s changed the org chart", name=name(self.by))


def _cause(detail: dict[str, Any]) -> str:
    """Entries written before the cause was recorded say it in their reason."""
    if detail.get("cause"):
        return str(detail["cause"])
    reason = str(detail.get("reason", ""))
    if reason.startswith("delegation ended"):
        return "delegation_ended"
    return "delegation" if reason.startswith("delegation") else "orgchart"


def of_entry(entry: AuditEntry) -> Handover:
    detail = json.loads(entry.detail or "{}")
    read = detail.get("read_at")
    return Handover(entry.task_id or 0, detail.get("from", ""), detail.get("to", ""), _cause(detail), entry.actor,
                    detail.get("comment", ""), datetime.fromisoformat(read) if read else None)


def by_task(entries: list[AuditEntry]) -> dict[int, list[Handover]]:
    """task id -> its handovers, oldest first."""
    found: dict[int, list[Handover]] = {}
    for entry in entries:
        if entry.action == "reassigned" and entry.task_id is not None:
            found.setdefault(entry.task_id, []).append(of_entry(entry))
    return found
