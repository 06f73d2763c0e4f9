"""What notifications cost: the outbox's share of an engine step (notification rows written in
the action's transaction; goal <= 10%), and messages one worker delivers per second to a local
HTTP receiver (a WeCom-shaped robot answering at once). ``python -m benchmarks.notifications``
prints the figures alone; ``make bench`` includes them.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from approvals.jobs import notify as jobs
from approvals.notifications import outbox, settings
from benchmarks import workload
from benchmarks.stats import Figure, summarize


@contextmanager
def _without_notifications() -> Iterator[None]:
    real = outbox.events.write
    outbox.events.write = lambda *_args, **_kw: 0  # type: ignore[assignment]
    try:
        yield
    finally:
        outbox.events.write = real  # type: ignore[assignment]


def outbox_cost(tmp: Path, rounds: int) -> list[Figure]:
    """The same route with and without the notification rows, interleaved round by round."""
    app = workload.engine_app(f"sqlite:///{tmp}/outbox.sqlite3")
    who = workload.applicant(app)
    for _ in range(5):
        workload.engine_steps(app, who)
    with_rows, without = [], []
    for _ in range(rounds):
        with_rows.append(sum(workload.engine_steps(app, who)) / 4)
        with _without_notifications():
            without.append(sum(workload.engine_steps(app, who)) / 4)
    app.db.dispose()
    ratio = summarize("outbox_step_over_step_without_ratio", [a / b for a, b in zip(with_rows, without, strict=True)],
                      "x", goal="<= 1.10")
    ratio.met = ratio.median <= 1.10
    return [summarize("engine_step_ms_with_outbox", with_rows, "ms"),
            summarize("engine_step_ms_without_outbox", without, "ms"), ratio]


class _Quick(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def delivery_rate(tmp: Path, requests: int = 100, repeats: int = 3) -> list[Figure]:
    """Each submit notifies one approver: ``requests`` messages per round, one worker round each."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quick)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rates = []
    try:
        for i in range(repeats):
            app = workload.engine_app(f"sqlite:///{tmp}/delivery-{i}.sqlite3")
            settings.put(app.db, "xx-nrpb", None, "wecom", f"http://127.0.0.1:{server.server_port}/send")
            who = workload.applicant(app)
            for _ in range(requests):
                app.service.submit(who, "leave", workload.FIELDS)
            run: Callable[[], str] = jobs.delivery_job(app, {})
            start = time.perf_counter()
            line = run()
            rates.append(requests / (time.perf_counter() - start))
            assert f"{requests} message(s) sent" in line, line
            app.db.dispose()
    finally:
        server.shutdown()
        server.server_close()
    return [summarize("messages_delivered_per_s_one_worker", rates, "1/s")]


def figures(tmp: Path, rounds: int) -> list[Figure]:
    return [*outbox_cost(tmp, rounds), *delivery_rate(tmp)]


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    for figure in figures(Path(tempfile.mkdtemp(prefix="approvals-bench-")), rounds):
        print(json.dumps(figure.__dict__, ensure_ascii=False))
