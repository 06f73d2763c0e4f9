"""The shipped example 出差审批 (processes/trip_xx.bpmn, request type ``trip`` of policy A's
bureau): 孙丽 (规划科) travels across National Day 2025; her unit head 赵磊 reviews, the finance
duty's head 蒋涛 sets the approved amount (核定金额), and the bureau leader she chose approves."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from support import CHART_A, make_app

from approvals.app import Approvals
from approvals.clock import FixedClock

BEFORE_HOLIDAY = datetime(2025, 9, 29, 9, 0)  # Monday; 10-01..10-08 off, Saturday 10-11 a 调休 working day
APPLICANT, HEAD, FINANCE, LEADER = "sun.li", "zhao.lei", "jiang.tao", "zhang.hua"


def trip_bureau(url: str, tmp_path: Path, *, passwords: bool = False, chart: Path = CHART_A) -> Approvals:
    app = make_app(url, chart, clock=FixedClock(BEFORE_HOLIDAY))
    if passwords:
        from webkit import everyone, set_passwords  # the web tests' helpers, only they sign in

        set_passwords(app, everyone(app))
    return app


def trip_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "destination": "北京市", "reason": "参加全国国土空间规划培训", "depart_on": "2025-09-30",
        "return_on": "2025-10-11", "budget": "4000", "reviewer": LEADER,
        "legs": [{"leg_on": "2025-09-30", "leg_from": "XX市", "leg_to": "北京市", "leg_by": "火车"},
                 {"leg_on": "2025-10-11", "leg_from": "北京市", "leg_to": "XX市", "leg_by": "飞机"}]}
    fields.update(overrides)
    return fields


def open_task(app: Approvals, request_id: int, step: str) -> Any:
    [task] = [t for t in app.queries.steps(request_id) if t.is_open and t.bpmn_id == step]
    return task
