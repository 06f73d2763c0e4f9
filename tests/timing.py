"""The timers example (tests/fixtures/supplies_xx.bpmn) deployed the way a bureau deploys it:
one file in processes/ and one chart line, no Python; a clock standing before National Day 2025."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from support import CHART_A, PROCESSES, ROOT, make_app

from approvals.app import Approvals
from approvals.clock import FixedClock
from approvals.operations import timeouts
from approvals.store.models import Notification

SUPPLIES = ROOT / "tests" / "fixtures" / "supplies_xx.bpmn"
BEFORE_HOLIDAY = datetime(2025, 9, 30, 10, 0)  # Tuesday; 10-01..10-08 off, Saturday 10-11 a 调休 working day
APPLICANT = "sun.li"  # 孙丽, 规划科: head 赵磊 (zhao.lei), supervisor 李明 (li.ming); chief 王军 (wang.jun)


def supplies_bureau(url: str, tmp_path: Path, *, xml: str | None = None) -> Approvals:
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes, dirs_exist_ok=True)
    if xml is None:
        shutil.copy(SUPPLIES, processes / SUPPLIES.name)
    else:
        (processes / SUPPLIES.name).write_text(xml, encoding="utf-8")
    chart = tmp_path / "xx-supplies.yaml"
    chart.write_text(CHART_A.read_text(encoding="utf-8").replace(
        "    leave: leave_xx", "    supplies: supplies_xx\n    leave: leave_xx", 1), encoding="utf-8")
    return make_app(url, chart, clock=FixedClock(BEFORE_HOLIDAY), processes=processes)


def at(app: Approvals, when: str) -> None:
    """Stand the clock at ``when`` ("2025-10-11 10:00:30")."""
    assert isinstance(app.clock, FixedClock)
    app.clock.at = datetime.fromisoformat(when)


def scan(app: Approvals, when: str) -> dict[str, int]:
    """The worker's timer job at ``when``: what it fired, by action."""
    at(app, when)
    fired = timeouts.run_due(app.service)
    assert fired.failed == []
    return fired.actions


def open_rows(app: Approvals, request_id: int) -> list[tuple[str, str]]:
    return [(t.bpmn_id, t.assignee) for t in app.queries.steps(request_id) if t.is_open]


def notices(app: Approvals, kind: str) -> list[tuple[str, int | None, dict[str, object]]]:
    with app.db.reading() as s:
        found = s.execute(select(Notification.person_id, Notification.request_id, Notification.params)
                          .where(Notification.kind == kind).order_by(Notification.id)).all()
    return [(p, r, json.loads(params)) for p, r, params in found]


def with_policy(policy: str | None, step: str = "leader") -> str:
    """The example without its timers, with ``if_vacant=policy`` on ``step`` (None: none)."""
    xml = SUPPLIES.read_text(encoding="utf-8")
    for timer in ("head_remind", "head_auto_pass", "leader_escalate", "leader_to_chief"):  # timers: other tests
        start = xml.index(f'<bpmn:boundaryEvent id="{timer}"')
        xml = xml[:start] + xml[xml.index("</bpmn:boundaryEvent>", start) + len("</bpmn:boundaryEvent>"):]
    if policy is not None:
        anchor = f'<bpmn:userTask id="{step}"'
        at = xml.index('<camunda:property name="kind"', xml.index(anchor))
        xml = xml[:at] + f'<camunda:property name="if_vacant" value="{policy}"/>' + xml[at:]
    return xml
