"""To-dos where staff already are: a step waiting for someone becomes a to-do in DingTalk
(待办), Feishu (三方审批: an external instance with its tasks) or WeCom (an app message card with
同意/驳回 buttons), and is closed there when it is done here. Set per organization with
``approvals api todo set``; the pushes are outbox messages made by the worker from the same
``api_events`` as the webhooks, so they have the same guarantees (at least once, retries,
dead letters). The apps' request shapes are in ``todo_apps.py``; docs/api.md says which API
versions they follow.

People: a to-do goes to the org chart's person id as the app's user id (DingTalk ``unionId``,
Feishu ``user_id``, WeCom ``userid``); directories synced from the same source share them.

Callbacks (Feishu's approve/reject buttons): ``web/api/integrations.py`` checks the app's
callback token and acts as the person through the organization's system client named here,
so the audit trail says "via client X" and the UI's rules decide.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from approvals.audit.chain import Entry, append
from approvals.clock import Clock
from approvals.crypto import atrest
from approvals.crypto.rotate import SECRET, TARGET
from approvals.errors import FieldError, Issue
from approvals.notifications import addresses
from approvals.process.definitions import DECISION_KINDS
from approvals.store.database import Database
from approvals.store.models import Request, Task, TodoSetting

SYSTEMS = ("dingtalk", "feishu", "wecom")
DEFAULT_BASES = {"dingtalk": "https://api.dingtalk.com", "feishu": "https://open.feishu.cn",
                 "wecom": "https://qyapi.weixin.qq.com"}
CREDENTIALS = "todo_settings.credentials"
# what each app needs besides its key and secret
NEEDED = {"dingtalk": (), "feishu": ("approval_code",), "wecom": ("agent_id",)}
ENDED = ("approved", "rejected", "completed", "withdrawn", "terminated")


def channel(system: str) -> str:
    return f"todo_{system}"


@dataclass(frozen=True)
class Setting:
    org_id: str
    system: str
    api_base: str
    credentials: dict[str, str]
    client_id: str | None


def _setting(row: Any) -> Setting:
    return Setting(row.org_id, row.system, row.api_base, json.loads(atrest.open_secret(row.credentials, CREDENTIALS)),
                   row.client_id)


class Todos:
    """Turn an organization's to-do push on (replacing its old setting), list, turn off."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def put(self, org_id: str, system: str, app_key: str, app_secret: str, actor: str, *, api_base: str = "",
            client_id: str | None = None, options: Mapping[str, str] | None = None) -> str:
        """Returns the callback token (Feishu: give it as the external approval's callback token)."""
        if system not in SYSTEMS:
            raise FieldError([Issue("system", system, f"expected one of {', '.join(SYSTEMS)}")])
        if not app_key or not app_secret:
            raise FieldError([Issue("app_key", app_key, "give the app's key (id) and secret")])
        base = addresses.check_url("api_base", (api_base or DEFAULT_BASES[system]).rstrip("/"))
        extra = dict(options or {})
        missing = [name for name in NEEDED[system] if not extra.get(name)]
        if missing:
            raise FieldError([Issue(missing[0], "", f"{system} needs --{missing[0].replace('_', '-')}")])
        extra.setdefault("callback_token", secrets.token_urlsafe(24))
        creds = {"app_key": app_key, "app_secret": app_secret, **extra}
        now = self.clock.now()
        with self.db.transaction() as s:
            s.execute(delete(TodoSetting).where(TodoSetting.org_id == org_id, TodoSetting.system == system))
            s.execute(insert(TodoSetting).values(
                org_id=org_id, system=system, api_base=base, client_id=client_id, created_by=actor, created_at=now,
                credentials=atrest.seal_secret(json.dumps(creds, sort_keys=True), CREDENTIALS)))
            append(s, [Entry(actor, "todo_push_set", detail={"org": org_id, "system": system,
                                                              "host": addresses.host_of(base), "client": client_id})],
                   now)
        return creds["callback_token"]

    def list(self, org_id: str) -> list[Setting]:
        with self.db.reading() as s:
            rows = s.execute(select(*TodoSetting.__table__.c).where(TodoSetting.org_id == org_id)
                             .order_by(TodoSetting.system)).all()
        return [_setting(r) for r in rows]

    def remove(self, org_id: str, system: str, actor: str) -> bool:
        now = self.clock.now()
        with self.db.transaction() as s:
            gone = s.execute(delete(TodoSetting).where(TodoSetting.org_id == org_id,
                                                       TodoSetting.system == system)).rowcount
            if gone:
                append(s, [Entry(actor, "todo_push_removed", detail={"org": org_id, "system": system})], now)
        return bool(gone)


def setting_of(db: Database, org_id: str, system: str) -> Setting | None:
    with db.reading() as s:
        row = s.execute(select(*TodoSetting.__table__.c).where(TodoSetting.org_id == org_id,
                                                               TodoSetting.system == system)).first()
    return _setting(row) if row is not None else None


# ---- dispatch: events -> pushes --------------------------------------------------------------

def _key(event_id: int, system: str, part: str = "") -> str:
    return hashlib.sha256(f"todo\n{event_id}\n{system}\n{part}".encode()).hexdigest()[:40]


def _task_status(t: Any) -> str:
    """Feishu's task status for one of our rows."""
    if t.is_open:
        return "PENDING"
    if t.status in ("approve", "approved", "consent", "record", "acknowledged", "reported"):
        return "APPROVED"
    if t.status in ("reject", "rejected", "return", "returned"):
        return "REJECTED"
    if t.status == "transferred":
        return "TRANSFERRED"
    return "DONE"


_INSTANCE_STATUS = {"pending": "PENDING", "returned": "PENDING", "approved": "APPROVED", "completed": "APPROVED",
                    "rejected": "REJECTED", "withdrawn": "CANCELED", "terminated": "TERMINATED"}


def _ms(at: datetime | None) -> str:
    return str(int(at.timestamp() * 1000)) if at else "0"


def instance_of(conn: Connection, request_id: int, at: datetime, link: str) -> dict[str, Any]:
    """Our request as the state of a Feishu external instance (its whole task list)."""
    req = conn.execute(select(Request.id, Request.status, Request.applicant, Request.request_type,
                              Request.created_at, Request.updated_at).where(Request.id == request_id)).one()
    tasks = conn.execute(select(Task.id, Task.name, Task.kind, Task.assignee, Task.is_open, Task.status,
                                Task.created_at, Task.decided_at).where(Task.request_id == request_id,
                                                                         Task.kind.in_(DECISION_KINDS))
                         .order_by(Task.id)).all()
    ended = req.status in ENDED
    return {"status": _INSTANCE_STATUS.get(req.status, "PENDING"), "instance_id": str(req.id),
            "user_id": req.applicant, "title": "@i18n@title", "start_time": _ms(req.created_at),
            "end_time": _ms(req.updated_at) if ended else "0", "update_time": _ms(at), "update_mode": "REPLACE",
            "links": {"pc_link": f"{link}/requests/{req.id}", "mobile_link": f"{link}/requests/{req.id}"},
            "form": [{"name": "@i18n@type", "value": "@i18n@type_value"}],
            "task_list": [{"task_id": str(t.id), "user_id": t.assignee, "title": "@i18n@task_" + str(t.id),
                           "status": _task_status(t), "create_time": _ms(t.created_at),
                           "end_time": "0" if t.is_open else _ms(t.decided_at), "update_time": _ms(at),
                           "links": {"pc_link": f"{link}/tasks/{t.id}", "mobile_link": f"{link}/tasks/{t.id}"},
                           "action_context": str(t.id),
                           "action_configs": [{"action_type": "APPROVE"}, {"action_type": "REJECT"}]
                           if t.is_open else []} for t in tasks],
            "i18n_resources": [{"locale": "zh-CN", "is_default": True, "texts": [
                {"key": "@i18n@title", "value": f"审批 #{req.id}"},
                {"key": "@i18n@type", "value": "类型"}, {"key": "@i18n@type_value", "value": req.request_type},
                *({"key": "@i18n@task_" + str(t.id), "value": t.name} for t in tasks)]}]}


def instructions(conn: Connection, system: str, event: Any, link: str) -> list[tuple[str, dict[str, Any]]]:
    """(key part, instruction) for one event: what ``todo_apps`` does in ``system``."""
    data = json.loads(event.payload)
    rid = event.request_id
    if system == "feishu":  # the whole instance, each time: REPLACE keeps Feishu in step
        return [("", {"op": "sync", "instance": instance_of(conn, rid, event.created_at, link)})] if rid else []
    if event.kind == "task.created" and data.get("kind") in DECISION_KINDS and data.get("assignee"):
        name = conn.execute(select(Task.name).where(Task.id == event.task_id)).scalar() or ""
        return [("", {"op": "create", "task_id": event.task_id, "request_id": rid, "person": data["assignee"],
                      "title": f"{name} · 审批 #{rid}", "due_on": data.get("due_on"),
                      "url": f"{link}/tasks/{event.task_id}"})]
    if event.kind in ("task.done", "task.transferred"):
        kind = conn.execute(select(Task.kind).where(Task.id == event.task_id)).scalar()
        return [("", {"op": "done", "task_id": event.task_id, "request_id": rid})] if kind in DECISION_KINDS else []
    if event.kind.startswith("request.") and event.kind.split(".")[1] in (*ENDED, "returned"):
        return [("", {"op": "close_request", "request_id": rid})]  # steps closed without a decision of theirs
    return []


def messages(conn: Connection, events: Iterable[Any], now: datetime, link: str) -> list[dict[str, Any]]:
    """The outbox rows of ``events``' pushes to their organizations' apps."""
    events = list(events)
    orgs = {d.org_id for d in events if d.org_id}
    if not orgs:
        return []
    found = conn.execute(select(*TodoSetting.__table__.c).where(TodoSetting.org_id.in_(orgs))).all()
    by_org: dict[str, list[Any]] = {}
    for row in found:
        by_org.setdefault(row.org_id, []).append(row)
    rows = []
    for d in events:
        for setting in by_org.get(d.org_id or "", []):
            for part, instruction in instructions(conn, setting.system, d.event, link):
                rows.append({"notification_id": None, "event_id": d.event.id, "channel": channel(setting.system),
                             "target": atrest.seal_secret(setting.api_base, TARGET),
                             "secret": atrest.seal_secret(atrest.open_secret(setting.credentials, CREDENTIALS), SECRET),
                             "idempotency_key": _key(d.event.id, setting.system, part), "subject": d.event.kind,
                             "body": json.dumps(instruction, ensure_ascii=False, sort_keys=True),
                             "status": "pending", "attempts": 0, "next_attempt_at": now, "claim": None,
                             "claimed_until": None, "last_error": "", "created_at": now, "sent_at": None})
    return rows
