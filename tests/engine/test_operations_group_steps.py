"""Operations on the steps of a group (会签/或签) in the 党组会 topic (tests/fixtures/topic_xx.bpmn)."""

from __future__ import annotations

from pathlib import Path

import pytest
from topics import FIELDS, open_tasks, topic_bureau

from approvals.app import Approvals
from approvals.errors import InvalidStateError
from approvals.operations import rewind

DRAFTER = "sun.li"


@pytest.fixture
def bureau(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Approvals:
    app = topic_bureau(db_url, tmp_path)
    request.addfinalizer(app.db.dispose)
    return app


def _task(app: Approvals, request_id: int, step: str, person: str) -> int:
    """The open task of ``person`` on ``step``: one member's part of the group."""
    return next(t.id for t in app.queries.steps(request_id)
                if (t.is_open, t.bpmn_id, t.assignee) == (True, step, person))


def test_a_party_group_member_transfers_their_signature_and_the_group_still_waits_for_the_rest(
        bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    bureau.service.decide(_task(bureau, request_id, "office_check", "wu.min"), "wu.min", "approve")
    head_task = _task(bureau, request_id, "leaders_sign", "zhao.lei")
    new = bureau.service.transfer(head_task, "zhao.lei", "qian.hong", "出差，由副科长代签")
    assert ("leaders_sign", "qian.hong") in open_tasks(bureau, request_id)
    bureau.service.decide(new, "qian.hong", "approve")
    assert ("leaders_sign", "li.ming") in open_tasks(bureau, request_id)  # 会签: the organ leader still signs


def test_a_group_signature_is_not_taken_back_and_group_steps_are_not_sent_back_to(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    bureau.service.decide(_task(bureau, request_id, "office_check", "wu.min"), "wu.min", "approve")
    with pytest.raises(InvalidStateError, match="one of a group"):
        bureau.service.take_back(request_id, "wu.min")
    leader = _task(bureau, request_id, "leaders_sign", "li.ming")
    assert rewind.earlier_steps(bureau.service, leader) == []
