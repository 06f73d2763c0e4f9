"""The same pages run the other bureau's policy (重庆市民政局): refusals written in its
process file, a prevention plan required for large meetings, copies to discipline."""

from __future__ import annotations

import re

from flask import Flask
from webkit import client_for, open_task, text

from approvals.app import Approvals

STAFF_B = "huang.kai"  # 养老服务处 四级主任科员


def _leave(**overrides: str) -> dict[str, str]:
    form = {
        "destination": "成都市",
        "depart_on": "2026-12-01",
        "return_on": "2026-12-05",
        "reason": "探亲",
        "action": "submit",
    }
    form.update(overrides)
    return form


def test_a_risk_area_destination_is_refused_with_the_bureaus_own_words(
    engine: Approvals, web: Flask
) -> None:
    client = client_for(web, STAFF_B)
    response = client.post("/apply/leave", data=_leave(destination="北京市顺义区"))
    assert response.status_code == 400
    assert "目的地属于疫情风险区" in text(response) and 'value="北京市顺义区"' in response.get_data(
        as_text=True
    )
    preview = client.post(
        "/apply/leave/preview.json", data=_leave(destination="北京市顺义区")
    ).get_json()
    assert "目的地属于疫情风险区" in preview["error"] and preview["steps"] == []
    assert engine.queries.my_requests(STAFF_B).total == 0


def test_a_meeting_of_fifty_needs_the_prevention_plan_attached(
    engine: Approvals, web: Flask
) -> None:
    form = {
        "title": "养老服务工作推进会",
        "participants": "80",
        "held_on": "2026-12-10",
        "venue": "局三楼会议室",
        "action": "submit",
    }
    response = client_for(web, STAFF_B).post("/apply/meeting", data=form)
    assert response.status_code == 400
    assert re.search(r'data-field="plan">.*?此项为必填项', response.get_data(as_text=True), re.S)


def test_a_copy_to_discipline_inspection_is_acknowledged_by_an_inspector(
    engine: Approvals, web: Flask
) -> None:
    chart = engine.orgcharts.current("cq-mca")
    deputy = chart.units["elderly"].deputies[
        0
    ]  # 其他负责人: head, then supervisor; filed and copied
    request_id = engine.service.submit(
        deputy, "leave", {k: v for k, v in _leave().items() if k != "action"}
    )
    for _ in range(2):
        task = open_task(engine, request_id, "approve")
        engine.service.decide(task.id, task.assignee, "approve")
    copy = open_task(engine, request_id, "copy")
    inspector = chart.units[chart.duties["discipline"]].head
    client = client_for(web, inspector)
    assert "抄送" in text(client.get("/notices"))
    assert "已签收" in text(client.post(f"/tasks/{copy.id}/acknowledge", follow_redirects=True))
