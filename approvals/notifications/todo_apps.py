"""The outside apps' to-do APIs, as the worker's channels (``todo_dingtalk``, ``todo_feishu``,
``todo_wecom``): each ``send`` carries out one instruction of ``todos.instructions``.

Shapes followed (docs/api.md, "To-dos in DingTalk, Feishu and WeCom"):

- DingTalk 待办, new server API v1.0: ``POST /v1.0/oauth2/accessToken`` {appKey, appSecret};
  ``POST /v1.0/todo/users/{unionId}/tasks?operatorId=`` (``x-acs-dingtalk-access-token``) with
  sourceId, subject, executorIds, participantIds, detailUrl {appUrl, pcUrl}, dueTime (ms),
  isOnlyShowExecutor, priority, notifyConfigs; answer ``{"id": ...}``;
  ``PUT /v1.0/todo/users/{unionId}/tasks/{id}?operatorId=`` ``{"done": true}``.
- Feishu 三方审批, approval v4: ``POST /open-apis/auth/v3/tenant_access_token/internal``
  {app_id, app_secret}; ``POST /open-apis/approval/v4/external_instances`` (Bearer) with the
  whole instance and its task list (``update_mode`` REPLACE); answer ``{"code": 0}``.
- WeCom: ``GET /cgi-bin/gettoken?corpid=&corpsecret=``; ``POST /cgi-bin/message/send`` a
  ``template_card`` of ``card_type`` ``button_interaction`` (同意 / 驳回), duplicate check on;
  answer ``{"errcode": 0, "msgid", "response_code"}``; done: ``POST
  /cgi-bin/message/update_template_card`` with that response_code, the buttons replaced by 已处理.

Access tokens are cached per app until a minute before they expire. The id an app gives a
to-do is kept in ``todo_links`` so it can be closed when the step is done here.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from approvals.clock import Clock
from approvals.notifications.channels import TIMEOUT, Channel, DeliveryError, Message, post
from approvals.notifications.todos import channel
from approvals.store.database import Database, insert_if_absent
from approvals.store.models import TodoLink


def call(name: str, method: str, url: str, payload: dict[str, Any] | None,
         headers: dict[str, str] | None = None) -> dict[str, Any]:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else None
    req = urllib.request.Request(url, data, {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
                                 method=method)
    raw = post(name, req, TIMEOUT)
    try:
        reply = json.loads(raw or b"{}")
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise DeliveryError(f"{name} {urllib.parse.urlsplit(url).netloc}: the answer is not JSON: {raw[:200]!r}")
    return reply


@dataclass
class Tokens:
    """Access tokens by (API base, app key), kept until a minute before they expire."""

    held: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, base: str, key: str, fetch: Callable[[], tuple[str, float]]) -> str:
        with self.lock:
            found = self.held.get((base, key))
            if found and found[1] > time.monotonic():
                return found[0]
        token, life = fetch()
        with self.lock:
            self.held[(base, key)] = (token, time.monotonic() + max(life - 60, 1))
        return token


@dataclass
class App:
    system: str
    db: Database
    clock: Clock
    tokens: Tokens = field(default_factory=Tokens)

    def send(self, message: Message) -> None:
        creds, instruction = json.loads(message.secret), json.loads(message.body)
        base = message.target.rstrip("/")
        op = instruction["op"]
        if op == "sync":
            self.sync(base, creds, instruction["instance"])
        elif op == "create":
            if self._link(instruction["task_id"]) is None:  # a retry after it was made: not twice
                external = self.create(base, creds, instruction)
                with self.db.writing() as conn:
                    conn.execute(insert_if_absent(conn, TodoLink), [{
                        "system": self.system, "task_id": instruction["task_id"],
                        "request_id": instruction["request_id"], "person_id": instruction["person"],
                        "external_id": external, "created_at": self.clock.now(), "closed_at": None}])
        elif op == "done":
            link = self._link(instruction["task_id"])
            if link is None:
                raise DeliveryError(f"{self.system}: the to-do of task #{instruction['task_id']} is not made yet")
            self._close(base, creds, [link])
        elif op == "close_request":
            with self.db.reading() as s:
                links = s.execute(select(*TodoLink.__table__.c).where(
                    TodoLink.system == self.system, TodoLink.request_id == instruction["request_id"],
                    TodoLink.closed_at.is_(None))).all()
            self._close(base, creds, links)

    def _link(self, task_id: int) -> Any:
        with self.db.reading() as s:
            return s.execute(select(*TodoLink.__table__.c).where(TodoLink.system == self.system,
                                                                 TodoLink.task_id == task_id)).first()

    def _close(self, base: str, creds: dict[str, str], links: list[Any]) -> None:
        for link in links:
            if link.closed_at is not None:
                continue
            self.done(base, creds, link)
            with self.db.writing() as conn:
                conn.execute(update(TodoLink).where(TodoLink.id == link.id).values(closed_at=self.clock.now()))

    # each app's calls --------------------------------------------------------------------------

    def token(self, base: str, creds: dict[str, str]) -> str:
        return self.tokens.get(base, creds["app_key"], lambda: FETCH[self.system](base, creds))

    def sync(self, base: str, creds: dict[str, str], instance: dict[str, Any]) -> None:
        if self.system != "feishu":
            raise DeliveryError(f"{self.system}: no instance sync")
        reply = call("feishu", "POST", f"{base}/open-apis/approval/v4/external_instances",
                     {"approval_code": creds["approval_code"], **instance},
                     {"Authorization": f"Bearer {self.token(base, creds)}"})
        if reply.get("code") != 0:
            raise DeliveryError(f"feishu refused the instance: {reply.get('code')} {reply.get('msg', '')}")

    def create(self, base: str, creds: dict[str, str], i: dict[str, Any]) -> str:
        if self.system == "dingtalk":
            who = urllib.parse.quote(i["person"], safe="")
            body: dict[str, Any] = {"sourceId": str(i["task_id"]), "subject": i["title"], "creatorId": i["person"],
                                    "executorIds": [i["person"]], "participantIds": [i["person"]],
                                    "detailUrl": {"appUrl": i["url"], "pcUrl": i["url"]},
                                    "isOnlyShowExecutor": True, "priority": 20, "notifyConfigs": {"dingNotify": "1"}}
            if i.get("due_on"):
                body["dueTime"] = int(time.mktime(time.strptime(i["due_on"], "%Y-%m-%d"))) * 1000
            reply = call("dingtalk", "POST", f"{base}/v1.0/todo/users/{who}/tasks?operatorId={who}", body,
                         {"x-acs-dingtalk-access-token": self.token(base, creds)})
            if not reply.get("id"):
                raise DeliveryError(f"dingtalk gave no to-do id: {str(reply)[:200]}")
            return str(reply["id"])
        reply = call("wecom", "POST", f"{base}/cgi-bin/message/send?access_token={self.token(base, creds)}", {
            "touser": i["person"], "msgtype": "template_card", "agentid": int(creds["agent_id"]),
            "template_card": {"card_type": "button_interaction", "task_id": f"approvals-task-{i['task_id']}",
                              "main_title": {"title": i["title"][:36], "desc": f"办理期限 {i.get('due_on') or '—'}"},
                              "card_action": {"type": 1, "url": i["url"]},
                              "button_list": [{"text": "同意", "style": 1, "key": f"approve:{i['task_id']}"},
                                              {"text": "驳回", "style": 2, "key": f"reject:{i['task_id']}"}]},
            "enable_duplicate_check": 1, "duplicate_check_interval": 1800})
        if reply.get("errcode") != 0:
            raise DeliveryError(f"wecom refused the card: {reply.get('errcode')} {reply.get('errmsg', '')}")
        return json.dumps({"msgid": reply.get("msgid"), "response_code": reply.get("response_code")})

    def done(self, base: str, creds: dict[str, str], link: Any) -> None:
        if self.system == "dingtalk":
            who = urllib.parse.quote(link.person_id, safe="")
            reply = call("dingtalk", "PUT", f"{base}/v1.0/todo/users/{who}/tasks/{link.external_id}?operatorId={who}",
                         {"done": True}, {"x-acs-dingtalk-access-token": self.token(base, creds)})
            if reply.get("result") is not True:
                raise DeliveryError(f"dingtalk did not close the to-do: {str(reply)[:200]}")
            return
        sent = json.loads(link.external_id)
        reply = call("wecom", "POST",
                     f"{base}/cgi-bin/message/update_template_card?access_token={self.token(base, creds)}",
                     {"userids": [link.person_id], "agentid": int(creds["agent_id"]),
                      "response_code": sent["response_code"], "button": {"replace_name": "已处理"}})
        if reply.get("errcode") != 0:
            raise DeliveryError(f"wecom did not update the card: {reply.get('errcode')} {reply.get('errmsg', '')}")


def _dingtalk_token(base: str, creds: dict[str, str]) -> tuple[str, float]:
    reply = call("dingtalk", "POST", f"{base}/v1.0/oauth2/accessToken",
                 {"appKey": creds["app_key"], "appSecret": creds["app_secret"]})
    if not reply.get("accessToken"):
        raise DeliveryError(f"dingtalk gave no access token: {reply.get('code', '')} {reply.get('message', '')}")
    return str(reply["accessToken"]), float(reply.get("expireIn") or 7200)


def _feishu_token(base: str, creds: dict[str, str]) -> tuple[str, float]:
    reply = call("feishu", "POST", f"{base}/open-apis/auth/v3/tenant_access_token/internal",
                 {"app_id": creds["app_key"], "app_secret": creds["app_secret"]})
    if reply.get("code") != 0:
        raise DeliveryError(f"feishu gave no tenant token: {reply.get('code')} {reply.get('msg', '')}")
    return str(reply["tenant_access_token"]), float(reply.get("expire") or 7200)


def _wecom_token(base: str, creds: dict[str, str]) -> tuple[str, float]:
    query = urllib.parse.urlencode({"corpid": creds["app_key"], "corpsecret": creds["app_secret"]})
    reply = call("wecom", "GET", f"{base}/cgi-bin/gettoken?{query}", None)
    if reply.get("errcode") != 0:
        raise DeliveryError(f"wecom gave no access token: {reply.get('errcode')} {reply.get('errmsg', '')}")
    return str(reply["access_token"]), float(reply.get("expires_in") or 7200)


FETCH = {"dingtalk": _dingtalk_token, "feishu": _feishu_token, "wecom": _wecom_token}


def channels(db: Database, clock: Clock) -> dict[str, Channel]:
    return {channel(system): App(system, db, clock) for system in FETCH}
