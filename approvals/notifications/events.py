"""Which signal tells whom what: an action's signals become notification rows, inserted in the
action's transaction (the outbox). One person, one row per thing to know.

=============  ====================================  ===========================================
kind           to                                    from
=============  ====================================  ===========================================
task           the new holder of a decision          task_assigned (approve, consent, record)
filing         the holder of a filing or copy         filed, copied (备案, 抄送)
report_due     the applicant                         report_due
urged          the holder                            urged (催办)
returned       the applicant                         returned
decided        the applicant                         completed (approved, rejected, completed)
moved          the new holder                        reassigned (chart change, delegation)
transferred    the new holder, with who and why      transferred (转办; instead of ``task``)
added          the person asked, with who and why    approver_added (加签; ``task`` when it opens)
question       the person asked                      asked (沟通)
answer         the asker                             answered (沟通)
terminated     the applicant, every open holder and  terminated (终止), with who and why
               everyone with an open question
overdue        the holder of an overdue decision     the daily scan (``scan.py``)
report_late    the applicant of an overdue report    the daily scan
escalated      the holder's supervisor               the daily scan, after N overdue working days
=============  ====================================  ===========================================
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from approvals.process.definitions import DECISION_KINDS
from approvals.store.models import Notification, Request

KINDS = ("task", "filing", "report_due", "urged", "returned", "decided", "moved", "overdue", "report_late",
         "escalated", "transferred", "added", "question", "answer", "terminated")
DECIDED_STATUSES = ("approved", "rejected", "completed")


@dataclass(frozen=True)
class Note:
    person_id: str
    kind: str
    request_id: int | None
    task_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)


def _note(name: str, p: dict[str, Any], applicants: dict[int, str]) -> Note | None:
    """The notification one signal makes, or None when it tells nobody anything new."""
    rid, tid = p.get("request_id"), p.get("task_id")
    if name == "task_assigned" and p["kind"] in DECISION_KINDS:
        return Note(p["assignee"], "task", rid, tid, {"kind": p["kind"], "due_on": _iso(p.get("due_on"))})
    if name in ("filed", "copied"):
        return Note(p["assignee"], "filing", rid, tid, {"kind": "file" if name == "filed" else "copy"})
    if name == "report_due":
        return Note(p["applicant"], "report_due", rid, tid, {"due_on": _iso(p.get("due_on"))})
    if name == "urged":
        return Note(p["assignee"], "urged", rid, tid, {"by": p["applicant"]})
    if name == "reassigned":
        # what happened (人事变动 / 代理审批 / 代理结束), by whom, and the chart save's reason
        return Note(p["new_assignee"], "moved", rid, tid, {"from": p["old_assignee"], "reason": p["reason"],
                                                            "by": p.get("actor"), "comment": p.get("comment", "")})
    if name == "returned" and rid in applicants:
        return Note(applicants[rid], "returned", rid, tid, {"by": p["actor"], "comment": p["comment"]})
    if name == "completed" and p["status"] in DECIDED_STATUSES and rid in applicants:
        return Note(applicants[rid], "decided", rid, None, {"status": p["status"]})
    return _told(name, p)


def _told(name: str, p: dict[str, Any]) -> Note | None:
    """The operations' notifications (docs/operations.md): each names who acted and why."""
    rid = p.get("request_id")
    if name == "transferred":
        return Note(p["new_assignee"], "transferred", rid, p["new_task_id"],
                    {"by": p["actor"], "from": p["old_assignee"], "reason": p["reason"]})
    if name == "approver_added":
        return Note(p["person"], "added", rid, p["added_task_id"],
                    {"by": p["actor"], "mode": p["mode"], "reason": p["reason"]})
    if name == "asked":
        return Note(p["person"], "question", rid, p["task_id"], {"by": p["actor"], "question": p.get("question", "")})
    if name == "answered":
        return Note(p["asked_by"], "answer", rid, p.get("task_id"), {"by": p["actor"], "answer": p.get("answer", "")})
    return None


def _terminated(p: dict[str, Any], applicants: dict[int, str]) -> list[Note]:
    """终止: the applicant, and everyone the request was waiting on (holders, people asked)."""
    rid = p["request_id"]
    told = [applicants[rid]] if rid in applicants else []
    told += [person for person in p.get("told", ()) if person not in told and person != p["actor"]]
    return [Note(person, "terminated", rid, None, {"by": p["actor"], "reason": p["reason"]}) for person in told]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


_APPLICANTS = select(Request.id, Request.applicant).where(Request.id.in_(bindparam("ids", expanding=True)))
_INSERT = insert(Notification)


def notes_of(conn: Connection, events: Iterable[tuple[str, dict[str, Any]]]) -> list[Note]:
    events = list(events)
    # Only a return or an outcome needs the applicant, which those payloads do not carry: one
    # read, in the action's transaction, and none for the common approval of a middle step.
    wanted = [p["request_id"] for name, p in events if name in ("returned", "completed", "terminated")]
    applicants = {r.id: r.applicant for r in conn.execute(_APPLICANTS, {"ids": wanted})} if wanted else {}
    # A row opened by 转办 or 前加签 is told once, by the notice naming who and why, not
    # also as a plain "waits for your decision".
    told = {p["new_task_id"] for name, p in events if name == "transferred"}
    told |= {p["added_task_id"] for name, p in events if name == "approver_added"}
    notes: list[Note | None] = []
    for name, payload in events:
        if name == "task_assigned" and payload.get("task_id") in told:
            continue
        if name == "terminated":
            notes.extend(_terminated(payload, applicants))
            continue
        notes.append(_note(name, payload, applicants))
    return [n for n in notes if n is not None]


def write(conn: Connection, events: Iterable[tuple[str, dict[str, Any]]], at: datetime) -> int:
    """Insert the notifications ``events`` make, in the caller's transaction; returns how many."""
    notes = notes_of(conn, events)
    if notes:
        conn.execute(_INSERT, [row(n, at) for n in notes])
    return len(notes)


def row(note: Note, at: datetime, dedup_key: str | None = None) -> dict[str, Any]:
    return {"person_id": note.person_id, "kind": note.kind, "request_id": note.request_id,
            "task_id": note.task_id, "params": json.dumps(note.params, ensure_ascii=False),
            "dedup_key": dedup_key, "created_at": at, "read_at": None, "dispatched_at": None}
