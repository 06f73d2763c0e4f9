"""Real local receivers for the channels: an HTTP server in a thread answering as a group robot
would, and an SMTP server (aiosmtpd) on 127.0.0.1. A receiver honours the idempotency key:
a message seen before is acknowledged and not acted on again (``effects`` holds each once)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from support import ROOT


@dataclass
class Received:
    path: str
    key: str
    body: dict[str, Any]
    raw: bytes = b""  # the body as sent: what a signature covers
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Robot:
    """``mode``: "ok", "fail" (HTTP 500), "refuse" (200 with errcode 310000), "hang" (waits
    for ``release`` before answering), "hang_once" (acts on the first message, then hangs
    before answering: the sender never learns it arrived), "hang_first" (the first message
    hangs until ``release`` and is then refused, never acted on; the rest are answered).
    ``delay``: seconds every answer takes (a slow receiver). ``answered`` lists the key of
    every message acted on and acknowledged, so a message delivered twice shows twice."""

    reply: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    mode: str = "ok"
    tries: list[Received] = field(default_factory=list)
    effects: dict[str, Received] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    delay: float = 0.0
    answered: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, key: str, body: dict[str, Any], raw: bytes = b"",
               headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        got = Received(path, key, body, raw, headers or {})
        with self.lock:
            self.tries.append(got)
        first = not self.arrived.is_set()
        self.arrived.set()
        if self.mode == "hang_first" and first:
            self.release.wait(30)
            return 500, {"error": "gave up"}
        if self.delay:
            time.sleep(self.delay)
        if self.mode == "hang_once" and first:
            with self.lock:
                self.effects.setdefault(key, got)
            self.release.wait(30)
        if self.mode == "hang":
            self.release.wait(30)
        if self.mode == "fail":
            return 500, {"error": "down"}
        if self.mode == "refuse":
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        with self.lock:
            self.effects.setdefault(key, got)  # the idempotency key honoured: acted on once
            self.answered.append(key)
        return 200, self.reply


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that gave up (stopped, timed out) before the answer is expected here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 at a free port, in a thread, for as long as the block
    lasts: yields its base URL. Every receiver of the tests (robots, platforms, protocols) runs
    on it."""
    server = _QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def robot(**kwargs: Any) -> Iterator[Robot]:
    state = Robot(**kwargs)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            code, reply = state.handle(self.path, self.headers.get("Idempotency-Key", ""), json.loads(raw), raw,
                                       dict(self.headers.items()))
            data = json.dumps(reply).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler) as base:
        state.url = f"{base}/robot/send?access_token=t0ken"
        try:
            yield state
        finally:
            state.release.set()  # a hanging answer lets go before the server stops


@dataclass
class Mailbox:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # aiosmtpd connects to its own port to start: it needs a real one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox(port=port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# ---- the worker as its own process, for the crash and stop tests -----------------------------


def start_worker(url: str) -> subprocess.Popen[str]:
    """`approvals worker` as its own process on ``url``, delivering every 0.2 s with a 1 s lease."""
    env = {**os.environ, "APPROVALS_DATABASE_URL": url, "APPROVALS_DELIVERY_EVERY": "0.2",
           "APPROVALS_DELIVERY_LEASE_SECONDS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", "from approvals.cli import main; main(['worker'])"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop_worker(proc: subprocess.Popen[str], sig: int) -> None:
    """Send ``sig`` and wait for the worker; killed if it has not stopped within 30 s."""
    proc.send_signal(sig)
    try:
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
