"""Approvals per second through the real UI endpoints under gunicorn: signed in, CSRF, audit on.

Six approvers (heads of six units) each clear an inbox prepared through the engine API, in
parallel client threads, for a bounded number of decisions. Afterwards the database is asked
how many decisions it holds: none lost, none doubled.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, select

from approvals.store.models import AuditEntry, Task
from benchmarks import workload

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
UNITS = ("office", "planning", "hr", "finance", "survey", "registry")


class Client:
    """One signed-in browser: a keep-alive connection, the session cookie, the CSRF token."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        match = TOKEN.search(text)
        if match:
            self.token = match[1]
        return response.status, response.getheader("Location") or "", text

    def sign_in(self, person: str) -> None:
        self.request("GET", "/login")
        status, _, _ = self.request("POST", "/login", {"person": person, "password": "demo"})
        assert status == 302, f"sign-in failed for {person}: {status}"
        self.request("GET", "/inbox")


def prepare(url: str, per_approver: int) -> dict[str, list[int]]:
    """Requests waiting for each unit head, submitted through the engine API."""
    from approvals.identity import credentials

    app = workload.engine_app(url)
    chart = app.orgcharts.current("xx-nrpb")
    with app.db.transaction() as s:
        for person in chart.people:
            credentials.set_password(s, person, "demo", app.clock.now())
    work: dict[str, list[int]] = {}
    for unit_id in UNITS:
        unit = chart.units[unit_id]
        staff = next(p for p in chart.members(unit_id) if chart.category(p, uses_county_cadre=True) == "staff")
        for _ in range(per_approver):
            request_id = app.service.submit(staff, "leave", workload.FIELDS)
            task = next(t for t in app.queries.steps(request_id) if t.is_open)
            work.setdefault(str(unit.head), []).append(task.id)
    app.db.dispose()
    return work


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**os.environ, "APPROVALS_DATABASE_URL": url, "APPROVALS_SECRET_KEY": "bench-" + "x" * 40,
           "APPROVALS_ADMINS": ""}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen([gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                             "--log-level", "warning", "web:create_app()"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def run(url: str, workers: int, per_approver: int) -> dict[str, float]:
    work = prepare(url, per_approver)
    proc, port = serve(url, workers)
    ok, errors = [0], [0]
    lock = threading.Lock()

    def approver(person: str, tasks: list[int]) -> None:
        client = Client(port)
        client.sign_in(person)
        for task_id in tasks:
            status, location, _ = client.request("POST", f"/tasks/{task_id}/decide", {"decision": "approve"})
            with lock:
                if status == 302 and location.endswith("/inbox"):
                    ok[0] += 1
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=approver, args=item) for item in work.items()]
    try:
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    app = workload.engine_app(url)
    all_tasks = [t for ids in work.values() for t in ids]
    with app.db.reading() as s:
        decided = s.scalar(select(func.count()).select_from(Task).where(Task.id.in_(all_tasks),
                                                                         Task.status == "approved")) or 0
        entries = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.task_id.in_(all_tasks), AuditEntry.action == "decided")) or 0
    app.db.dispose()
    return {"approvals_per_s": ok[0] / elapsed, "ok": ok[0], "errors": errors[0], "decided_in_db": decided,
            "audit_decisions": entries, "sent": len(all_tasks)}


def inbox_latency(url: str, person: str, rounds: int) -> list[float]:
    """ms per GET /inbox (first page + count, rendered) for ``person``, one worker, signed in."""
    from approvals.identity import credentials

    app = workload.engine_app(url)
    with app.db.transaction() as s:
        credentials.set_password(s, person, "demo", app.clock.now())
    app.db.dispose()
    proc, port = serve(url, 1)
    try:
        client = Client(port)
        client.sign_in(person)
        samples = []
        for i in range(20 + rounds):
            start = time.perf_counter()
            status, _, _ = client.request("GET", "/inbox")
            if i >= 20:
                samples.append((time.perf_counter() - start) * 1000)
            assert status == 200, f"GET /inbox answered {status}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return samples
