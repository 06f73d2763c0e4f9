"""Local HTTP receivers speaking the documented server side of CAS 3.0 and of the 免登 APIs of
钉钉, 企业微信 and 飞书, started by the tests on 127.0.0.1 (a thread, no program to install).

No real CAS server was wired in (docs/sign-in.md says why); these receivers answer with the
XML and JSON the protocols document, and **check the requests** they get: the service URL a
ticket was issued for, the app key and secret on the token call, the token on the user call,
the JSON body and the Authorization header. A request of the wrong shape gets the documented
error answer, so a client sending it fails its test. Tickets and codes are single use here,
as on the real servers, unless ``lenient`` (to show our own single-use check refuses a replay
even from a server that would validate twice)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from notifykit import serving

APP_KEY, APP_SECRET = "ding-app", "ding-secret"
CORP_ID, CORP_SECRET = "ww-corp", "wecom-secret"
FEISHU_ID, FEISHU_SECRET = "cli_feishu", "feishu-secret"


@dataclass
class Receiver:
    url: str = ""
    tickets: dict[str, tuple[str, str, dict[str, str]]] = field(default_factory=dict)  # ticket: service, user, attrs
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # code: the user's fields
    lenient: bool = False
    seen: list[tuple[str, str]] = field(default_factory=list)  # (verb, path) in order

    def issue_ticket(self, ticket: str, service: str, user: str, **attributes: str) -> None:
        self.tickets[ticket] = (service, user, attributes)

    def issue_code(self, code: str, **fields: str) -> None:
        self.codes[code] = fields

    def _code(self, code: str) -> dict[str, str] | None:
        return self.codes.get(code) if self.lenient else self.codes.pop(code, None)


def _cas_xml(body: str) -> str:
    return f'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">{body}</cas:serviceResponse>'


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: str, kind: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind + "; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, data: dict[str, Any]) -> None:
        self._send(200, json.dumps(data, ensure_ascii=False))

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length", "0"))
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _bearer(self, expected: str) -> bool:
        return self.headers.get("Authorization", "") == f"Bearer {expected}"

    def do_GET(self) -> None:  # noqa: N802,C901  (http.server's name; one branch per documented call)
        parts = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        r = self.receiver
        r.seen.append(("GET", parts.path))
        if parts.path == "/cas/p3/serviceValidate":
            issued = r.tickets.get(q.get("ticket", "")) if r.lenient else r.tickets.pop(q.get("ticket", ""), None)
            if issued is None or issued[0] != q.get("service"):
                why = "INVALID_TICKET" if issued is None else "INVALID_SERVICE"
                failure = (f'<cas:authenticationFailure code="{why}">Ticket {escape(q.get("ticket", ""))} '
                           "not recognized</cas:authenticationFailure>")
                return self._send(200, _cas_xml(failure), "application/xml")
            _service, user, attrs = issued
            attributes = "".join(f"<cas:{k}>{escape(v)}</cas:{k}>" for k, v in attrs.items())
            return self._send(200, _cas_xml(f"<cas:authenticationSuccess><cas:user>{escape(user)}</cas:user>"
                                            f"<cas:attributes>{attributes}</cas:attributes>"
                                            "</cas:authenticationSuccess>"), "application/xml")
        if parts.path == "/gettoken":  # 钉钉
            if (q.get("appkey"), q.get("appsecret")) != (APP_KEY, APP_SECRET):
                return self._json({"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
            return self._json({"errcode": 0, "errmsg": "ok", "access_token": "ding-token", "expires_in": 7200})
        if parts.path == "/cgi-bin/gettoken":  # 企业微信
            if (q.get("corpid"), q.get("corpsecret")) != (CORP_ID, CORP_SECRET):
                return self._json({"errcode": 40001, "errmsg": "invalid credential"})
            return self._json({"errcode": 0, "errmsg": "ok", "access_token": "wecom-token", "expires_in": 7200})
        if parts.path == "/cgi-bin/auth/getuserinfo":
            if q.get("access_token") != "wecom-token":
                return self._json({"errcode": 40014, "errmsg": "invalid access_token"})
            user = r._code(q.get("code", ""))
            if user is None:
                return self._json({"errcode": 40029, "errmsg": "invalid code"})
            return self._json({"errcode": 0, "errmsg": "ok", **user})
        if parts.path == "/open-apis/authen/v1/user_info":  # 飞书
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            user = r.codes.get("token:" + token)
            if user is None:
                return self._json({"code": 99991668, "msg": "Invalid access token for authorization"})
            return self._json({"code": 0, "msg": "success", "data": user})
        self._send(404, "{}")

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = self._body()
        r = self.receiver
        r.seen.append(("POST", parts.path))
        if parts.path == "/topapi/v2/user/getuserinfo":  # 钉钉
            if q.get("access_token") != "ding-token":
                return self._json({"errcode": 88, "errmsg": "不合法的access_token"})
            user = r._code(str(body.get("code", "")))
            if user is None:
                return self._json({"errcode": 40078, "errmsg": "不存在的临时授权码"})
            return self._json({"errcode": 0, "errmsg": "ok", "result": user})
        if parts.path == "/open-apis/auth/v3/app_access_token/internal":  # 飞书
            if (body.get("app_id"), body.get("app_secret")) != (FEISHU_ID, FEISHU_SECRET):
                return self._json({"code": 10014, "msg": "app secret invalid"})
            return self._json({"code": 0, "msg": "ok", "app_access_token": "a-feishu", "expire": 7200})
        if parts.path == "/open-apis/authen/v1/access_token":
            code = str(body.get("code", ""))
            if not self._bearer("a-feishu") or body.get("grant_type") != "authorization_code":
                return self._json({"code": 20001, "msg": "invalid request"})
            user = r._code(code)
            if user is None:
                return self._json({"code": 20003, "msg": "invalid code"})
            r.codes[f"token:u-{code}"] = user
            return self._json({"code": 0, "msg": "success", "data": {"access_token": f"u-{code}"}})
        self._send(404, "{}")


@contextmanager
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    handler = type("Handler", (_Handler,), {"receiver": r})
    with serving(handler) as base:
        r.url = base
        yield r
