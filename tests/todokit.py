"""A local stand-in for the DingTalk, Feishu and WeCom open platforms on 127.0.0.1: it answers
their token, to-do, external-instance and template-card calls as their documentation says,
and refuses (as they would) a call without the token it issued or missing a required field.
``calls`` records every call; ``problems`` every refusal, with why."""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from notifykit import serving

KEY, SECRET = "app-key-1", "app-secret-1"
FEISHU_INSTANCE = {"approval_code", "status", "instance_id", "links", "start_time", "end_time", "update_time",
                   "task_list", "i18n_resources", "title", "form"}
FEISHU_TASK = {"task_id", "user_id", "status", "links", "create_time", "end_time", "update_time", "title"}
FEISHU_STATUSES = {"PENDING", "APPROVED", "REJECTED", "CANCELED", "DELETED", "HIDDEN", "TERMINATED"}
FEISHU_TASK_STATUSES = {"PENDING", "APPROVED", "REJECTED", "TRANSFERRED", "DONE"}


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case: HTTP headers are case-insensitive
    body: Any


@dataclass
class Platform:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    todos: dict[str, dict[str, Any]] = field(default_factory=dict)  # DingTalk to-dos by id
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)  # Feishu, by instance_id
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)  # WeCom, by response_code
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, prefix: str) -> list[Call]:
        return [c for c in self.calls if c.path.startswith(prefix)]

    def refuse(self, why: str, status: int, reply: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.problems.append(why)
        return status, reply

    def handle(self, c: Call) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append(c)
            b = c.body if isinstance(c.body, dict) else {}
            if c.path.startswith("/v1.0/"):
                return self.dingtalk(c, b)
            if c.path.startswith("/open-apis/"):
                return self.feishu(c, b)
            if c.path.startswith("/cgi-bin/"):
                return self.wecom(c, b)
            return self.refuse(f"unknown call {c.method} {c.path}", 404, {"error": "unknown"})

    def dingtalk(self, c: Call, b: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if c.path == "/v1.0/oauth2/accessToken":
            if (b.get("appKey"), b.get("appSecret")) != (KEY, SECRET):
                return self.refuse("dingtalk: wrong app key/secret", 400, {"code": "invalidClientId"})
            return 200, {"accessToken": "dt-token", "expireIn": 7200}
        if c.path.startswith("/v1.0/todo/"):
            if c.headers.get("x-acs-dingtalk-access-token") != "dt-token":
                return self.refuse("dingtalk: no access token", 401, {"code": "InvalidAuthentication"})
            made = re.fullmatch(r"/v1.0/todo/users/([^/]+)/tasks", c.path)
            if c.method == "POST" and made:
                missing = {"sourceId", "subject", "executorIds"} - set(b)
                if missing or c.query.get("operatorId") != made.group(1):
                    return self.refuse(f"dingtalk: missing {missing} or operatorId", 400, {"code": "param"})
                todo_id = f"dt-{len(self.todos) + 1}"
                self.todos[todo_id] = {**b, "done": False, "unionId": made.group(1)}
                return 200, {"id": todo_id, "subject": b["subject"], "done": False}
            done = re.fullmatch(r"/v1.0/todo/users/([^/]+)/tasks/([^/]+)", c.path)
            if c.method == "PUT" and done and done.group(2) in self.todos and b == {"done": True}:
                self.todos[done.group(2)]["done"] = True
                return 200, {"result": True}
            return self.refuse(f"dingtalk: unknown call {c.method} {c.path} {b}", 404, {"code": "notFound"})
        return self.refuse(f"dingtalk: unknown call {c.method} {c.path}", 404, {"code": "notFound"})

    def feishu(self, c: Call, b: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if c.path == "/open-apis/auth/v3/tenant_access_token/internal":
            if (b.get("app_id"), b.get("app_secret")) != (KEY, SECRET):
                return self.refuse("feishu: wrong app id/secret", 200, {"code": 10014, "msg": "app secret invalid"})
            return 200, {"code": 0, "msg": "ok", "tenant_access_token": "t-fs", "expire": 7200}
        if c.path == "/open-apis/approval/v4/external_instances":
            if c.headers.get("authorization") != "Bearer t-fs":
                return self.refuse("feishu: no tenant token", 200, {"code": 99991663, "msg": "token invalid"})
            bad = FEISHU_INSTANCE - set(b)
            bad |= {f"task.{k}" for t in b.get("task_list", []) for k in FEISHU_TASK - set(t)}
            if b.get("status") not in FEISHU_STATUSES or bad or not (b.get("user_id") or b.get("open_id")):
                return self.refuse(f"feishu: missing {bad} or bad status", 200, {"code": 1390001, "msg": "param"})
            if any(t["status"] not in FEISHU_TASK_STATUSES for t in b["task_list"]):
                return self.refuse("feishu: bad task status", 200, {"code": 1390001, "msg": "param"})
            self.instances[b["instance_id"]] = b
            return 200, {"code": 0, "msg": "success", "data": {"data": b}}
        return self.refuse(f"feishu: unknown call {c.method} {c.path}", 404, {"code": 404})

    def wecom(self, c: Call, b: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if c.path == "/cgi-bin/gettoken":
            if (c.query.get("corpid"), c.query.get("corpsecret")) != (KEY, SECRET):
                return self.refuse("wecom: wrong corpid/secret", 200, {"errcode": 40013})
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": "wc-token", "expires_in": 7200}
        if c.path.startswith("/cgi-bin/message/"):
            if c.query.get("access_token") != "wc-token":
                return self.refuse("wecom: no access token", 200, {"errcode": 40014, "errmsg": "invalid token"})
            if c.path == "/cgi-bin/message/send":
                card = b.get("template_card", {})
                if (b.get("msgtype") != "template_card" or card.get("card_type") != "button_interaction"
                        or not card.get("button_list") or not card.get("task_id") or not b.get("touser")
                        or not isinstance(b.get("agentid"), int)):
                    return self.refuse(f"wecom: not a button card: {b}", 200, {"errcode": 40008})
                code = f"rc-{len(self.cards) + 1}"
                self.cards[code] = {**b, "updated": None}
                return 200, {"errcode": 0, "errmsg": "ok", "msgid": f"m-{len(self.cards)}", "response_code": code}
            if c.path == "/cgi-bin/message/update_template_card":
                card = self.cards.get(b.get("response_code", ""))
                if card is None or card["updated"] is not None:
                    return self.refuse("wecom: response_code unknown or used", 200, {"errcode": 40004})
                card["updated"] = b
                return 200, {"errcode": 0, "errmsg": "ok"}
        return self.refuse(f"unknown call {c.method} {c.path}", 404, {"error": "unknown"})


@contextmanager
def platform() -> Iterator[Platform]:
    state = Platform()

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw) if raw else None
            code, reply = state.handle(Call(self.command, parts.path, dict(urllib.parse.parse_qsl(parts.query)),
                                            {k.lower(): v for k, v in self.headers.items()}, body))
            data = json.dumps(reply).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _any  # noqa: N815 - http.server's names

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler) as base:
        state.url = base
        yield state
