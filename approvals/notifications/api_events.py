"""What integrations hear of: an action's signals become ``api_events`` rows, inserted in the
action's transaction beside its notifications (the same outbox), so a webhook or a pushed
to-do is never lost nor invented by a crash. The worker turns each row into signed webhook
deliveries (``webhooks.py``) and to-do pushes (``todos.py``).

The event types follow Feishu's approval events and DingTalk's ``bpms_instance_change`` /
``bpms_task_change``: the instance (our request) and its tasks.

======================  ===========================================================
type                    from
======================  ===========================================================
request.pending         submitted (a new request, or one resubmitted after a return)
request.approved        completed, status approved
request.rejected        completed, status rejected
request.completed       completed, status completed (a filing-only process ends)
request.withdrawn       completed, status withdrawn
request.returned        returned (退回 to the applicant)
request.terminated      terminated (终止), with who and why
task.created            task_assigned (a step waits for someone)
task.done               decided, acknowledged, reported, sent_back (退回 to a step)
task.transferred        transferred (转办), with the new task
task.overdue            the daily scan, once per task and day (``jobs/reminders.py``)
======================  ===========================================================
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert

from approvals.store.models import ApiEvent

TYPES = ("request.pending", "request.approved", "request.rejected", "request.completed", "request.withdrawn",
         "request.returned", "request.terminated", "task.created", "task.done", "task.transferred", "task.overdue")
_DONE = {"decided": "decision", "acknowledged": None, "reported": None, "sent_back": None}
_OUTCOMES = {"approved", "rejected", "completed", "withdrawn"}


def kind_of(name: str, payload: dict[str, Any]) -> str | None:
    """The event type one signal makes, or None when integrations need not hear of it."""
    if name == "submitted":
        return "request.pending"
    if name == "completed":
        status = payload.get("status")
        return f"request.{status}" if status in _OUTCOMES else None  # terminated: from ``terminated``
    if name == "returned":
        return "request.returned"
    if name == "terminated":
        return "request.terminated"
    if name == "task_assigned":
        return "task.created"
    if name in _DONE:
        return "task.done"
    if name == "transferred":
        return "task.transferred"
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return value


def data_of(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    data = {k: _plain(v) for k, v in payload.items()}
    if name == "sent_back":
        data["decision"] = "sent_back"
    elif name in ("acknowledged", "reported"):
        data["decision"] = name
    return data


def rows_of(events: Iterable[tuple[str, dict[str, Any]]], at: datetime) -> list[dict[str, Any]]:
    rows = []
    for name, payload in events:
        kind = kind_of(name, payload)
        if kind is not None:
            rows.append(row(kind, payload.get("request_id"), payload.get("task_id"), data_of(name, payload), at))
    return rows


def row(kind: str, request_id: int | None, task_id: int | None, data: dict[str, Any], at: datetime,
        dedup_key: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "request_id": request_id, "task_id": task_id,
            "payload": json.dumps(data, ensure_ascii=False, sort_keys=True), "dedup_key": dedup_key,
            "created_at": at, "dispatched_at": None}


_INSERT = insert(ApiEvent)


def write(conn: Connection, events: Iterable[tuple[str, dict[str, Any]]], at: datetime) -> int:
    """Insert the events ``events`` make, in the caller's transaction (one batched INSERT)."""
    rows = rows_of(events, at)
    if rows:
        conn.execute(_INSERT, rows)
    return len(rows)
