"""拿回 where the approver looks (issue 19, point 5): on 已办 and on the request page, while the
engine would accept it; never on a 会签/或签 member's signature, and any refusal in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from topics import FIELDS, topic_bureau
from webkit import client_for, make_web, open_task, submit_leave, text

from approvals.app import Approvals

STAFF = "shen.yue"
HEAD = "jiang.tao"


def offers(client: FlaskClient, page: str, request_id: int) -> bool:
    """Whether ``page`` has a 拿回 button for the request (the search form's status list also
    says 已拿回, so the form is what counts)."""
    return f'action="/requests/{request_id}/take-back"' in client.get(page).get_data(as_text=True)


def test_the_head_finds_take_back_on_done_and_on_the_request_page_until_the_leader_acts(
        engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    first = open_task(engine, request_id)
    head = client_for(web, HEAD)
    head.post(f"/tasks/{first.id}/decide", data={"decision": "approve"})

    assert offers(head, "/done", request_id)
    assert offers(head, f"/requests/{request_id}", request_id)

    head.post(f"/requests/{request_id}/take-back")
    again = open_task(engine, request_id)
    assert again.assignee == HEAD
    head.post(f"/tasks/{again.id}/decide", data={"decision": "approve"})

    second = open_task(engine, request_id)
    client_for(web, second.assignee).post(f"/tasks/{second.id}/decide", data={"decision": "approve"})
    assert not offers(head, "/done", request_id)  # the leader acted: nothing to take back
    assert not offers(head, f"/requests/{request_id}", request_id)


@pytest.fixture
def topics(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = topic_bureau(db_url, tmp_path, passwords=True)
    yield app
    app.db.dispose()


def test_a_clerk_who_signed_for_the_group_is_not_offered_take_back_and_is_told_why_in_chinese(
        topics: Approvals) -> None:
    web = make_web(topics)
    request_id = topics.service.submit("sun.li", "topic", dict(FIELDS))
    clerk_task = next(t for t in topics.queries.steps(request_id) if t.is_open and t.assignee == "wu.min")
    clerk = client_for(web, "wu.min")
    clerk.post(f"/tasks/{clerk_task.id}/decide", data={"decision": "approve"})

    assert not offers(clerk, "/done", request_id)
    assert not offers(clerk, f"/requests/{request_id}", request_id)
    assert not offers(clerk, f"/tasks/{clerk_task.id}", request_id)
    refused = text(clerk.post(f"/requests/{request_id}/take-back", follow_redirects=True))
    assert "会签/或签" in refused and "退回" in refused
    assert "signed" not in refused and "group's signature" not in refused
