"""Run in its own process, as one web worker would: the Flask app serving decisions.

The applicant submits through the engine API; the unit head, the supervisor and the organ
leader each decide through ``POST /tasks/<id>/decide`` (signed in, CSRF, audit on) in the
same process. Prints "actions RSS_MB" every 500 actions, then "peak PEAK_MB" (VmHWM after
the first route: signing the approvers in is setup).

Each decision answers with a redirect to the inbox and a flashed "Approved."; a browser follows
it and the inbox page takes the message out of the session. The test client does not follow,
so the approver's session drops the message itself: otherwise every later request carries all
earlier messages in its cookie (about 0.7 KB of transient heap each to decode and re-encode,
5,000 per approver at 20,000 actions), which showed up as ~200 KB per 1,000 actions of RSS
growth and a per-request time growing with the run.

``--heap`` also traces the Python heap (tracemalloc, one frame, from the first action on):
each sample line gets "PY_MB PY_PEAK_MB", the traced heap now and its peak since the last
sample. It makes the run about 2.5 times slower and adds its own tables to RSS (~1 MB, growing
in steps), so it is off by default.
"""

from __future__ import annotations

import os
import re
import sys
import tracemalloc
import uuid

from benchmarks import workload

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def peak_mb() -> float:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


class Browser:
    """A signed-in approver on the Flask test client, carrying the page's CSRF token."""

    def __init__(self, web: object, person: str) -> None:
        self.client = web.test_client()  # type: ignore[attr-defined]
        self.token = TOKEN.search(self.client.get("/login").text)[1]  # type: ignore[index]
        response = self.client.post("/login", data={"person": person, "password": "demo", "csrf_token": self.token})
        assert response.status_code == 302, f"sign-in failed for {person}"
        self.token = TOKEN.search(self.client.get("/inbox").text)[1]  # type: ignore[index]

    def form(self, **fields: str) -> dict[str, str]:
        """A form as the page sends it: the CSRF token and a fresh idempotency key."""
        return {**fields, "csrf_token": self.token, "idempotency_key": uuid.uuid4().hex}

    def approve(self, task_id: int) -> None:
        response = self.client.post(f"/tasks/{task_id}/decide", data=self.form(decision="approve"))
        assert response.status_code == 302 and response.location.endswith("/inbox"), response.status_code
        with self.client.session_transaction() as session:  # what the inbox page would do: show it, once
            session.pop("_flashes", None)


def main(path: str, actions: int, heap: bool = False) -> None:
    from approvals.identity import credentials

    url = f"sqlite:///{path}"
    app = workload.engine_app(url)
    who = workload.applicant(app)
    with app.db.transaction() as s:
        for person in app.orgcharts.current("xx-nrpb").people:
            credentials.set_password(s, person, "demo", app.clock.now())
    os.environ.update(APPROVALS_DATABASE_URL=url, APPROVALS_SECRET_KEY="bench-" + "x" * 40, APPROVALS_ADMINS="")
    from web import create_app

    web = create_app({"APPROVALS_ENGINE": app})
    browsers: dict[str, Browser] = {}
    done = 0
    while done < actions:
        request_id = app.service.submit(who, "leave", workload.FIELDS)
        done += 1
        for _ in range(3):
            task = next(t for t in app.queries.steps(request_id) if t.is_open and t.kind in workload.DECISIONS)
            if task.assignee not in browsers:
                browsers[task.assignee] = Browser(web, task.assignee)
            browsers[task.assignee].approve(task.id)
            done += 1
        if done == 4:  # the peak counts from here: signing in (scrypt, 32 MB a check) is done
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            if heap:
                tracemalloc.start(1)
        if done % 500 == 0:
            if heap:
                current, peak = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
                print(done, f"{rss_mb():.2f}", f"{current / 2**20:.2f}", f"{peak / 2**20:.2f}", flush=True)
            else:
                print(done, f"{rss_mb():.2f}", flush=True)
    print("peak", f"{peak_mb():.2f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), heap="--heap" in sys.argv[3:])
