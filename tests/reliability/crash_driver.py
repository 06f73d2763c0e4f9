"""Acts on an approvals database in a loop until killed: the SIGKILL tests' worker.

    PYTHONPATH=tests python tests/reliability/crash_driver.py DATABASE_URL SEED

Submits leave requests, decides (approve, reject, return), acknowledges filings and copies,
withdraws, each through the engine's API as the web would. Prints ``ready`` once it has done
one action, then one line per action; the test kills it at a random moment.
"""

from __future__ import annotations

import random
import sys

from sqlalchemy import select
from support import NOW, PROCESSES, leave_fields

from approvals.app import build
from approvals.clock import FixedClock
from approvals.errors import ApprovalsError
from approvals.process.definitions import DECISION_KINDS
from approvals.store.models import Request, Task


def _open_task(app: object, rng: random.Random, kinds: tuple[str, ...]) -> Task | None:
    with app.db.reading() as s:  # type: ignore[attr-defined]
        ids = s.execute(select(Task).where(Task.is_open.is_(True), Task.kind.in_(kinds))).scalars().all()
    return rng.choice(ids) if ids else None


def _step(app: object, rng: random.Random, applicants: list[str]) -> str:
    service = app.service  # type: ignore[attr-defined]
    roll = rng.random()
    if roll < 0.3:
        return f"submitted #{service.submit(rng.choice(applicants), 'leave', leave_fields())}"
    if roll < 0.85:
        task = _open_task(app, rng, DECISION_KINDS)
        if task is None:
            return "nothing to decide"
        decision = rng.choice(["approve", "approve", "approve", "reject", "return"])
        service.decide(task.id, task.assignee, decision, "" if decision == "approve" else "请补充说明")
        return f"{decision} #{task.id}"
    if roll < 0.95:
        task = _open_task(app, rng, ("file", "copy"))
        if task is None:
            return "nothing to acknowledge"
        service.acknowledge(task.id, task.assignee)
        return f"acknowledged #{task.id}"
    with app.db.reading() as s:  # type: ignore[attr-defined]
        req = s.execute(select(Request).where(Request.status == "returned").limit(1)).scalars().first()
    if req is None:
        return "nothing to withdraw"
    service.withdraw(req.id, req.applicant)
    return f"withdrew #{req.id}"


def main(url: str, seed: int) -> None:
    rng = random.Random(seed)
    app = build(url, PROCESSES, FixedClock(NOW))
    chart = app.orgcharts.current("xx-nrpb")
    applicants = [p for p in chart.people if chart.category(p, uses_county_cadre=True) == "staff"][:8]
    first = True
    while True:
        try:
            line = _step(app, rng, applicants)
        except ApprovalsError as exc:
            line = f"refused: {exc}"
        if first:
            print("ready", flush=True)
            first = False
        print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
