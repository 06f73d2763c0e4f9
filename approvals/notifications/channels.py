"""Channels beyond the app: e-mail over SMTP and the group robots of WeCom (企业微信), DingTalk
(钉钉) and Feishu (飞书), plus a plain JSON webhook. Each is a ``Channel``: ``send`` delivers one
message or raises ``DeliveryError`` saying why; the worker retries (``delivery.py``).

Every message carries its idempotency key (SMTP ``Message-ID`` and ``X-Idempotency-Key``; an
``Idempotency-Key`` HTTP header), so a receiver that honours it shows a message retried after a
crash once. The robots' JSON shapes and signing schemes are their documented ones:

- WeCom: ``{"msgtype": "text", "text": {"content": ...}}``; answer ``{"errcode": 0}``.
- DingTalk: the same shape; with a secret, ``&timestamp=<ms>&sign=<s>`` on the URL where ``s``
  is urlencode(base64(HmacSHA256(key=secret, "timestamp\\nsecret"))); answer ``{"errcode": 0}``.
- Feishu: ``{"timestamp": "<s>", "sign": ..., "msg_type": "text", "content": {"text": ...}}``
  where sign is base64(HmacSHA256(key="timestamp\\nsecret", empty message)); answer ``{"code": 0}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from approvals.crypto import atrest
from approvals.errors import ApprovalsError
from approvals.notifications import addresses, signing

TIMEOUT = 10.0  # seconds: a hanging receiver costs the worker this much per try, never an action


class DeliveryError(ApprovalsError):
    """One try failed; the worker tries again later (or gives up: the dead-letter list)."""


@dataclass(frozen=True)
class Message:
    channel: str
    target: str  # an e-mail address or a webhook URL
    secret: str
    idempotency_key: str
    subject: str
    body: str


class Channel(Protocol):
    def send(self, message: Message) -> None: ...


@dataclass(frozen=True)
class Email:
    """SMTP (``APPROVALS_SMTP_HOST``/``_PORT``/``_FROM``; STARTTLS and login when
    ``APPROVALS_SMTP_USER`` is set)."""

    host: str
    port: int = 25
    sender: str = "approvals@localhost"
    user: str = ""
    password: str = ""
    timeout: float = TIMEOUT

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.target, message.subject
        mail["Message-ID"] = f"<{message.idempotency_key}@approvals>"
        mail["X-Idempotency-Key"] = message.idempotency_key
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.user:
                    smtp.starttls()
                    smtp.login(self.user, self.password)
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _text(message: Message) -> str:
    return f"{message.subject}\n{message.body}"


@dataclass(frozen=True)
class Robot:
    """A group robot's webhook: ``shape`` builds the URL and JSON, ``ok`` reads the answer."""

    shape: Callable[[Message, float], tuple[str, dict[str, Any]]]
    ok: Callable[[Mapping[str, Any]], bool]
    timeout: float = TIMEOUT
    clock: Callable[[], float] = time.time

    def send(self, message: Message) -> None:
        url, payload = self.shape(message, self.clock())
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(url, body, {"Content-Type": "application/json; charset=utf-8",
                                                 "Idempotency-Key": message.idempotency_key})
        raw = post(message.channel, req, self.timeout)
        try:
            reply = json.loads(raw or b"{}")
        except ValueError:
            reply = {}
        if not isinstance(reply, dict) or not self.ok(reply):
            raise DeliveryError(f"{message.channel} {_host(url)} refused the message: {raw[:200]!r}")


def post(channel: str, req: urllib.request.Request, timeout: float) -> bytes:
    """Send ``req`` through the address check (``addresses.opener``) and return the answer's
    body (its first 64 KiB), or DeliveryError saying why, with the host (never the path)."""
    try:
        with addresses.opener().open(req, timeout=timeout) as answer:
            return bytes(answer.read(65536))
    except addresses.RefusedTargetError as exc:
        raise DeliveryError(f"{channel} {_host(req.full_url)}: {exc}") from exc
    except (OSError, urllib.error.URLError) as exc:
        raise DeliveryError(f"{channel} {_host(req.full_url)}: {exc}") from exc


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc  # never the path: robot URLs carry their access token


def _wecom(message: Message, _now: float) -> tuple[str, dict[str, Any]]:
    return message.target, {"msgtype": "text", "text": {"content": _text(message)}}


def _dingtalk(message: Message, now: float) -> tuple[str, dict[str, Any]]:
    url = message.target
    if message.secret:
        ms = int(now * 1000)
        url += f"{'&' if '?' in url else '?'}timestamp={ms}&sign={dingtalk_sign(message.secret, ms)}"
    return url, {"msgtype": "text", "text": {"content": _text(message)}}


def _feishu(message: Message, now: float) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"msg_type": "text", "content": {"text": _text(message)}}
    if message.secret:
        payload = {"timestamp": str(int(now)), "sign": feishu_sign(message.secret, int(now)), **payload}
    return message.target, payload


def _webhook(message: Message, _now: float) -> tuple[str, dict[str, Any]]:
    return message.target, {"idempotency_key": message.idempotency_key, "subject": message.subject,
                            "text": message.body}


def _errcode_zero(reply: Mapping[str, Any]) -> bool:
    return bool(reply.get("errcode") == 0)


def _feishu_ok(reply: Mapping[str, Any]) -> bool:
    return bool(reply.get("code", reply.get("StatusCode")) == 0)


@dataclass(frozen=True)
class SignedWebhook:
    """An organization's webhook subscription (``webhooks.py``): the event's JSON as it was
    written, signed afresh at each try (``signing.py``); any 2xx is success."""

    timeout: float = TIMEOUT
    clock: Callable[[], float] = time.time

    def send(self, message: Message) -> None:
        body = message.body.encode("utf-8")
        req = urllib.request.Request(message.target, body, {
            "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.idempotency_key,
            "X-Approvals-Event": message.subject, "X-Approvals-Delivery": message.idempotency_key,
            signing.HEADER: signing.header(message.secret, int(self.clock()), body)})
        post("webhook", req, self.timeout)


SIGNED = "event"  # the outbox channel of signed webhook deliveries (not one ``notify set`` offers)

ROBOTS = {"wecom": (_wecom, _errcode_zero), "dingtalk": (_dingtalk, _errcode_zero), "feishu": (_feishu, _feishu_ok),
          "webhook": (_webhook, lambda _reply: True)}
NAMES = ("email", *ROBOTS)


def from_env(env: Mapping[str, str]) -> dict[str, Channel]:
    """The channels this deployment can use: every robot, and e-mail when an SMTP host is set."""
    channels: dict[str, Channel] = {name: Robot(shape, ok) for name, (shape, ok) in ROBOTS.items()}
    channels[SIGNED] = SignedWebhook()
    host = env.get("APPROVALS_SMTP_HOST")
    if host:
        channels["email"] = Email(host, int(env.get("APPROVALS_SMTP_PORT") or 25),
                                  env.get("APPROVALS_SMTP_FROM") or "approvals@localhost",
                                  env.get("APPROVALS_SMTP_USER", ""),
                                  # may be sealed (`approvals crypto seal --purpose smtp.password`)
                                  atrest.open_secret(env.get("APPROVALS_SMTP_PASSWORD", ""), "smtp.password",
                                                     atrest.keyring(env)))
    return channels
