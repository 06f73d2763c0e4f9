"""Why a row of a request's timeline is what it is, read from the request's audit trail: the
reason of a 转办 or 加签 for the row it opened (shown on that task's page, in the timeline and
in the notification), and who decided for the group when a 或签 member's row closed as not
needed. The rows themselves keep neither (a row's comment is its holder's own words)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from approvals.store.models import AuditEntry


@dataclass(frozen=True)
class Why:
    action: str  # "transferred" or "approver_added"
    by: str  # who transferred, or who added
    reason: str
    mode: str = ""  # 加签: "before" or "after"


@dataclass(frozen=True)
class Origins:
    why: dict[int, Why]  # new task id -> how it came to its holder
    decided_for_group: dict[int, str]  # 或签 row closed as not needed -> who decided


def read(entries: Iterable[AuditEntry]) -> Origins:
    why: dict[int, Why] = {}
    decided: dict[int, str] = {}
    for e in entries:
        if e.action not in ("transferred", "approver_added", "not_needed"):
            continue
        detail = json.loads(e.detail or "{}")
        if e.action == "transferred" and detail.get("new_task_id"):
            why[int(detail["new_task_id"])] = Why(e.action, e.actor, e.comment or "")
        elif e.action == "approver_added" and detail.get("added_task_id"):
            why[int(detail["added_task_id"])] = Why(e.action, e.actor, e.comment or "", detail.get("mode", ""))
        elif e.action == "not_needed" and e.task_id and detail.get("decided_by"):
            decided[e.task_id] = str(detail["decided_by"])
    return Origins(why, decided)
