"""免登 inside 政务钉钉 / 钉钉, 企业微信 and 飞书: the app hands our page a one-time ``code``; we
trade it, server to server, for the user id the app knows the person by, then match that id
to one person of the chart (approvals/identity/external.py) by the method's ``match``.

The documented request shapes, each with the base URL configurable (a 政务 deployment runs its
own gateway) and the app's secret named by an environment variable:

- 钉钉 (``dingtalk``): ``GET /gettoken?appkey=&appsecret=`` → ``access_token``; then
  ``POST /topapi/v2/user/getuserinfo?access_token=`` with ``{"code": …}`` →
  ``result.userid``. Base ``https://oapi.dingtalk.com``.
- 企业微信 (``wecom``): ``GET /cgi-bin/gettoken?corpid=&corpsecret=`` → ``access_token``; then
  ``GET /cgi-bin/auth/getuserinfo?access_token=&code=`` → ``userid`` (a visitor who is not a
  member gets ``openid`` only, and is refused). Base ``https://qyapi.weixin.qq.com``.
- 飞书 (``feishu``): ``POST /open-apis/auth/v3/app_access_token/internal`` with
  ``{"app_id", "app_secret"}`` → ``app_access_token``; ``POST /open-apis/authen/v1/access_token``
  (``Authorization: Bearer <app_access_token>``, ``{"grant_type": "authorization_code", "code"}``)
  → ``data.access_token``; ``GET /open-apis/authen/v1/user_info`` with that token → ``data``
  (``user_id``, ``employee_no``, ``email``...). Base ``https://open.feishu.cn``.

A code is taken once (approvals/identity/once.py) before it is sent anywhere: a replayed code
is refused here even if the app's server would answer twice. The claim (``match.claim``)
names which field of the answer identifies the person (``userid`` by default; 飞书 also
``employee_no`` or ``email``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from approvals.identity import once
from approvals.identity.external import Identity, Refused
from approvals.identity.methods import Method
from approvals.store.database import Database

KINDS = ("dingtalk", "wecom", "feishu")
BASES = {"dingtalk": "https://oapi.dingtalk.com", "wecom": "https://qyapi.weixin.qq.com",
         "feishu": "https://open.feishu.cn"}
NAMES = {"dingtalk": "钉钉", "wecom": "企业微信", "feishu": "飞书"}
CODE = re.compile(r"[A-Za-z0-9_-]{4,256}")


@dataclass
class MiandengClient:
    method: Method
    db: Database
    now: datetime
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def base(self) -> str:
        return str(self.method.get("base_url") or BASES[self.method.kind]).rstrip("/")

    def identify(self, code: str) -> Identity:
        """The identity ``code`` stands for, or Refused (``bad_code``, ``replayed_code``,
        ``app_refused``, ``app_unreachable``, ``not_a_member``, ``missing_attribute``)."""
        if not CODE.fullmatch(code or ""):
            raise Refused("bad_code", "the app's sign-in code is missing or malformed")
        if not once.use(self.db, self.method.kind, f"{self.method.org}/{self.method.id}/{code}", self.now):
            raise Refused("replayed_code", "this sign-in code was already used once")
        found = {"dingtalk": self._dingtalk, "wecom": self._wecom, "feishu": self._feishu}[self.method.kind](code)
        claim = self.method.claim
        value = str(found.get(claim) or "")
        if not value:
            raise Refused("missing_attribute", f"{NAMES[self.method.kind]} did not give {claim!r} for this person")
        subject = str(found.get("userid") or found.get("user_id") or found.get("open_id") or value)
        return Identity(self.method, value, subject=subject)

    # ---- each app's two calls -----------------------------------------------------------

    def _call(self, verb: str, path: str, **kwargs: Any) -> dict[str, Any]:
        name = NAMES[self.method.kind]
        try:
            answer = self.http.request(verb, self.base + path, timeout=float(self.method.get("timeout", 10)), **kwargs)
            body = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise Refused("app_unreachable", f"{name} at {self.base} did not answer ({exc})") from exc
        if not isinstance(body, dict):
            raise Refused("app_refused", f"{name} answered something that is not a JSON object")
        code = body.get("errcode", body.get("code", 0))
        if answer.status_code != 200 or code not in (0, "0"):
            message = body.get("errmsg") or body.get("msg") or ""
            raise Refused("app_refused", f"{name} refused: {code} {message}".strip())
        return body

    def _dingtalk(self, code: str) -> dict[str, Any]:
        token = self._call("GET", "/gettoken", params={"appkey": self.method.get("app_key", ""),
                                                        "appsecret": self.method.secret("app_secret")})
        found = self._call("POST", "/topapi/v2/user/getuserinfo",
                           params={"access_token": token.get("access_token", "")}, json={"code": code})
        result = found.get("result") or {}
        return dict(result) if isinstance(result, dict) else {}

    def _wecom(self, code: str) -> dict[str, Any]:
        token = self._call("GET", "/cgi-bin/gettoken", params={"corpid": self.method.get("corp_id", ""),
                                                               "corpsecret": self.method.secret("corp_secret")})
        found = self._call("GET", "/cgi-bin/auth/getuserinfo",
                           params={"access_token": token.get("access_token", ""), "code": code})
        if not found.get("userid"):
            raise Refused("not_a_member", "企业微信 says this person is not a member of the organization (openid only)")
        return found

    def _feishu(self, code: str) -> dict[str, Any]:
        app = self._call("POST", "/open-apis/auth/v3/app_access_token/internal",
                         json={"app_id": self.method.get("app_id", ""), "app_secret": self.method.secret("app_secret")})
        grant = self._call("POST", "/open-apis/authen/v1/access_token",
                           headers={"Authorization": f"Bearer {app.get('app_access_token', '')}"},
                           json={"grant_type": "authorization_code", "code": code})
        user_token = (grant.get("data") or {}).get("access_token", "")
        info = self._call("GET", "/open-apis/authen/v1/user_info", headers={"Authorization": f"Bearer {user_token}"})
        data = info.get("data") or {}
        return dict(data) if isinstance(data, dict) else {}
