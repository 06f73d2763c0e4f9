"""What an inspector is told on his 待办 (issue 19, point 11): he answers the discipline opinion
(纪检意见) waiting there, and is told so, rather than "纪检监察人员不参与审批" above it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from topics import FIELDS, topic_bureau
from webkit import client_for, make_web, text

from approvals.app import Approvals

INSPECTOR = "han.bing"  # 机关纪委


@pytest.fixture
def topics(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = topic_bureau(db_url, tmp_path, passwords=True)
    yield app
    app.db.dispose()


def test_the_inspector_is_told_he_gives_the_discipline_opinion_waiting_in_his_inbox(topics: Approvals) -> None:
    web = make_web(topics)
    request_id = topics.service.submit("sun.li", "topic", dict(FIELDS))
    clerk = next(t for t in topics.queries.steps(request_id) if t.is_open and t.assignee == "wu.min")
    topics.service.decide(clerk.id, "wu.min", "approve", "")
    opinion = next(t for t in topics.queries.steps(request_id) if t.is_open and t.assignee == INSPECTOR)

    inbox = text(client_for(web, INSPECTOR).get("/inbox"))
    assert "负责出具本单位被征求的纪检意见" in inbox
    assert "不参与审批" not in inbox
    assert "因您的职务" not in inbox  # nothing waits on him by post
    page = text(client_for(web, INSPECTOR).get(f"/tasks/{opinion.id}"))
    assert "不参与审批" not in page
