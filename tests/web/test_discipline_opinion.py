"""纪检意见: inspectors never approve, but a process may ask the discipline duty for its opinion.

Members of the unit holding duty ``discipline`` give consent (or record) on a step addressed
to ``duty:discipline``, through the same pages as everyone; every other decision stays closed
to them (tests/web/test_authorization.py has the leave task a post gives an inspector).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from topics import FIELDS, topic_bureau
from webkit import client_for, make_web, text

from approvals.app import Approvals


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = topic_bureau(db_url, tmp_path, passwords=True)
    yield app
    app.db.dispose()


def _at_opinion(app: Approvals) -> tuple[int, dict[str, int]]:
    """A topic past the secretariat: the opinion and the leaders' signatures are waiting."""
    request_id = app.service.submit("sun.li", "topic", FIELDS)
    office = next(t for t in app.queries.steps(request_id) if t.is_open)
    app.service.decide(office.id, office.assignee, "approve", "")
    waiting = {f"{t.bpmn_id}:{t.assignee}": t.id for t in app.queries.steps(request_id) if t.is_open}
    return request_id, waiting


@pytest.mark.parametrize("inspector", ["han.bing", "yang.fan"])  # the unit's head, and a member
def test_a_discipline_member_gives_the_opinion_the_topic_asks_for(bureau: Approvals, inspector: str) -> None:
    request_id, waiting = _at_opinion(bureau)
    task_id = waiting["discipline_opinion:han.bing"]
    client = client_for(make_web(bureau), inspector)
    page = client.get(f"/tasks/{task_id}")
    assert page.status_code == 200 and 'name="decision"' in page.get_data(as_text=True)

    response = client.post(f"/tasks/{task_id}/decide", data={"decision": "approve", "comment": "未发现问题"})

    assert response.status_code == 302
    task = bureau.queries.task(task_id)
    assert (task.status, task.decided_by, task.comment) == ("approved", inspector, "未发现问题")
    assert bureau.queries.request(request_id).status == "pending"


def test_an_inspector_named_in_the_configuration_still_decides_no_other_step(bureau: Approvals) -> None:
    _, waiting = _at_opinion(bureau)
    web: Flask = make_web(bureau, APPROVALS_INSPECTORS=["li.ming"])  # the organ leader, made an inspector
    client = client_for(web, "li.ming")
    task_id = waiting["leaders_sign:li.ming"]
    assert 'name="decision"' not in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    refused = client.post(f"/tasks/{task_id}/decide", data={"decision": "approve"})
    assert refused.status_code == 403
    assert bureau.queries.task(task_id).is_open


def test_the_preview_shows_the_opinion_alongside_the_leaders(bureau: Approvals) -> None:
    client = client_for(make_web(bureau), "sun.li")
    page = text(client.post("/apply/topic", data={**FIELDS, "action": "preview"}))
    assert "或签（任一人）：周强, 吴敏, 郑宇" in page
    assert "同时会签：赵磊, 李明 规划科主要负责人, 分管机关的局领导 · 审批 与以下环节同时进行：机关纪委意见" in page
    assert "依次会签：王军, 李明, 张华, 陈刚, 刘洋 局领导班子全体成员" in page
