"""A step's policy for a vacant post (if_vacant, docs/processes.md "When a post is vacant"), on
SQLite and PostgreSQL: refuse (the default, the seeds' rule 3), skip with a trail note, or hand
the step to the organization's administrator or a named post; the same when a chart saved
mid-route leaves the post vacant. 规划科's supervisor (李明) is the post that falls vacant."""

from __future__ import annotations

from pathlib import Path

import pytest
from timing import APPLICANT, open_rows, supplies_bureau, with_policy

from approvals.app import Approvals
from approvals.errors import ProcessDefinitionError, VacantPostError
from approvals.process.definitions import parse_bpmn

ITEM = {"item": "文件柜 1 个"}
SUPERVISED = "    supervisor: li.ming              # the organ leader supervises this section himself\n"


def _bureau(db_url: str, tmp_path: Path, policy: str | None) -> Approvals:
    return supplies_bureau(db_url, tmp_path, xml=with_policy(policy))


def _vacate_supervisor(app: Approvals) -> None:
    text = app.admin.current_text("xx-nrpb")
    assert SUPERVISED in text
    app.admin.save(text.replace(SUPERVISED, "", 1), "system", comment="规划科分管领导空缺")


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path


def test_a_vacant_post_is_refused_at_submission_by_default(db_url: str, tmp: Path) -> None:
    app = _bureau(db_url, tmp, None)
    try:
        _vacate_supervisor(app)
        with pytest.raises(VacantPostError, match="role supervisor"):
            app.service.submit(APPLICANT, "supplies", ITEM)
    finally:
        app.db.dispose()


def test_skip_passes_over_the_vacant_step_and_the_trail_and_preview_say_why(db_url: str, tmp: Path) -> None:
    app = _bureau(db_url, tmp, "skip")
    try:
        _vacate_supervisor(app)
        route = app.service.preview(APPLICANT, "supplies", ITEM)
        assert [(s.bpmn_id, s.outcome) for s in route.steps] == [("head", "open"), ("leader", "skipped_vacant")]
        assert route.as_json()["steps"] == [{"kind": "approve", "role": "unit_head", "assignees": ["zhao.lei"]}]
        request_id = app.service.submit(APPLICANT, "supplies", ITEM)
        [head] = [t for t in app.queries.steps(request_id) if t.is_open]
        app.service.decide(head.id, "zhao.lei", "approve")
        leader = [t for t in app.queries.steps(request_id) if t.bpmn_id == "leader"]
        assert [(t.status, t.is_open) for t in leader] == [("skipped_vacant", False)]
        assert "supervisor" in leader[0].comment and "if_vacant is skip" in leader[0].comment
        assert app.queries.request(request_id).status == "completed"
        [skipped] = [e for e in app.queries.trail(request_id) if e.action == "skipped"]
        assert "is vacant" in skipped.detail
    finally:
        app.db.dispose()


@pytest.mark.parametrize(("policy", "holder"), [("admin", "feng.jie"), ("chief", "wang.jun")])
def test_a_vacant_post_is_handed_to_the_administrator_or_a_named_post(db_url: str, tmp: Path, policy: str,
                                                                       holder: str) -> None:
    app = _bureau(db_url, tmp, policy)
    try:
        _vacate_supervisor(app)
        request_id = app.service.submit(APPLICANT, "supplies", ITEM)
        [head] = [t for t in app.queries.steps(request_id) if t.is_open]
        app.service.decide(head.id, "zhao.lei", "approve")
        assert open_rows(app, request_id) == [("leader", holder)]
        [leader] = [t for t in app.queries.steps(request_id) if t.bpmn_id == "leader"]
        assert "is vacant" in leader.comment and "handed to" in leader.comment
        app.service.decide(leader.id, holder, "approve")
        assert app.queries.request(request_id).status == "completed"
    finally:
        app.db.dispose()


@pytest.mark.parametrize(("policy", "after"), [
    ("chief", [("leader", "wang.jun")]), ("skip", []), (None, [("leader", "li.ming")])])
def test_a_post_falling_vacant_mid_route_follows_the_steps_policy(db_url: str, tmp: Path, policy: str | None,
                                                                   after: list[tuple[str, str]]) -> None:
    app = _bureau(db_url, tmp, policy)
    try:
        request_id = app.service.submit(APPLICANT, "supplies", ITEM)
        [head] = [t for t in app.queries.steps(request_id) if t.is_open]
        app.service.decide(head.id, "zhao.lei", "approve")
        assert open_rows(app, request_id) == [("leader", "li.ming")]
        text = app.admin.current_text("xx-nrpb").replace(SUPERVISED, "", 1)
        impact = app.admin.impact(text)
        assert bool(impact.stuck) == (policy is None)  # refuse: left for an administrator to place
        app.admin.save(text, "system", comment="规划科分管领导空缺")
        assert open_rows(app, request_id) == after
        if policy == "skip":
            assert app.queries.request(request_id).status == "completed"
            [entry] = [e for e in app.queries.trail(request_id) if e.action == "skipped"]
            assert "is vacant" in entry.detail
    finally:
        app.db.dispose()


@pytest.mark.parametrize(("policy", "step", "message"), [
    ("ask someone", "leader", "property if_vacant: expected refuse, skip, admin or one role"),
    ("applicant", "leader", "property if_vacant: expected refuse, skip, admin or one role"),
])
def test_an_if_vacant_the_engine_cannot_follow_is_refused_at_load(policy: str, step: str, message: str) -> None:
    with pytest.raises(ProcessDefinitionError) as info:
        parse_bpmn(with_policy(policy, step), "supplies_xx.bpmn")
    assert f"userTask {step!r} {message}" in str(info.value)


def test_if_vacant_on_a_group_step_is_refused_at_load() -> None:
    xml = with_policy("skip").replace('camunda:candidateGroups="supervisor"', 'camunda:candidateGroups="members:unit"')
    xml = xml.replace('<bpmn:incoming>f2</bpmn:incoming>',
                      '<bpmn:incoming>f2</bpmn:incoming><bpmn:multiInstanceLoopCharacteristics isSequential="true"/>')
    with pytest.raises(ProcessDefinitionError, match="only a single decision step"):
        parse_bpmn(xml, "supplies_xx.bpmn")
