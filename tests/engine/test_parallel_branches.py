"""What a parallel gateway does to the route preview and to 退回 (issue 19, point 21; settled
in docs/processes.md, "Parallel branches"): the 党组会 topic with plain one-person steps, so
that every step it passes is one 退回 may go back to."""

from __future__ import annotations

from pathlib import Path

import pytest
from topics import FIELDS, TOPIC, open_tasks, topic_bureau

from approvals.app import Approvals
from approvals.operations import rewind

DRAFTER = "sun.li"


def _plain(xml: str) -> str:
    """Every step one person's: the secretariat's head checks, the drafter's unit head signs,
    the chief signs last."""
    for old, new in (("members:duty:secretariat", "duty:secretariat"), ("unit_head, organ_leader", "unit_head"),
                     ("members:leadership", "chief")):
        old, new = f'camunda:candidateGroups="{old}"', f'camunda:candidateGroups="{new}"'
        assert old in xml
        xml = xml.replace(old, new, 1)
    for loop in ('      <bpmn:multiInstanceLoopCharacteristics isSequential="false">\n'
                 '        <bpmn:completionCondition>nrOfCompletedInstances &gt;= 1</bpmn:completionCondition>\n'
                 '      </bpmn:multiInstanceLoopCharacteristics>\n',
                 '      <bpmn:multiInstanceLoopCharacteristics isSequential="false" />\n',
                 '      <bpmn:multiInstanceLoopCharacteristics isSequential="true" />\n'):
        assert loop in xml
        xml = xml.replace(loop, "", 1)
    return xml


@pytest.fixture
def bureau(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Approvals:
    app = topic_bureau(db_url, tmp_path)
    request.addfinalizer(app.db.dispose)
    app.deployer.deploy(_plain(TOPIC.read_text(encoding="utf-8")), TOPIC.name, "feng.jie", "一人一签")
    return app


def _open(app: Approvals, request_id: int, step: str) -> tuple[int, str]:
    return next((t.id, t.assignee) for t in app.queries.steps(request_id) if t.is_open and t.bpmn_id == step)


def _decide(app: Approvals, request_id: int, step: str) -> None:
    task_id, holder = _open(app, request_id, step)
    app.service.decide(task_id, holder, "approve", "同意")


def _offered(app: Approvals, request_id: int, step: str) -> list[str]:
    return [row.bpmn_id for row in rewind.earlier_steps(app.service, _open(app, request_id, step)[0])]


def test_a_step_on_one_branch_is_never_sent_back_to_the_other(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    _decide(bureau, request_id, "office_check")
    _decide(bureau, request_id, "leaders_sign")

    assert _offered(bureau, request_id, "discipline_opinion") == ["office_check"]


@pytest.mark.parametrize("last", ["discipline_opinion", "leaders_sign"])
def test_after_the_join_the_branch_decided_last_and_the_steps_before_the_fork_are_offered(
        bureau: Approvals, last: str) -> None:
    """The join carries on from the branch that completed it: that branch's steps are behind
    the next step on the route; the other branch's are not (sending back to the step before
    the fork opens both branches again)."""
    first = ({"discipline_opinion", "leaders_sign"} - {last}).pop()
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    _decide(bureau, request_id, "office_check")
    _decide(bureau, request_id, first)
    _decide(bureau, request_id, last)

    assert _offered(bureau, request_id, "party_group") == [last, "office_check"]


def test_sending_back_to_the_step_before_the_fork_opens_both_branches_again(bureau: Approvals) -> None:
    request_id = bureau.service.submit(DRAFTER, "topic", FIELDS)
    for step in ("office_check", "leaders_sign", "discipline_opinion"):
        _decide(bureau, request_id, step)
    task_id, holder = _open(bureau, request_id, "party_group")
    [target] = [row for row in rewind.earlier_steps(bureau.service, task_id) if row.bpmn_id == "office_check"]
    bureau.service.send_back(task_id, holder, target.id, "材料需补充")
    _decide(bureau, request_id, "office_check")

    assert sorted(step for step, _who in open_tasks(bureau, request_id)) == ["discipline_opinion", "leaders_sign"]


def test_a_branch_whose_other_side_is_skipped_runs_beside_nothing_in_the_preview(bureau: Approvals) -> None:
    route = bureau.service.preview("han.bing", "topic", FIELDS)  # the discipline head's own topic
    steps = {s.bpmn_id: s for s in route.steps}
    assert steps["discipline_opinion"].outcome not in ("open", "sent")  # rule 1: no self-approval
    assert steps["leaders_sign"].parallel_with == ()
    assert steps["discipline_opinion"].parallel_with == ()

    both = {s.bpmn_id: s for s in bureau.service.preview(DRAFTER, "topic", FIELDS).steps}
    assert both["leaders_sign"].parallel_with == ("discipline_opinion",)
