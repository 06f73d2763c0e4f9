"""One person, one signature in a group round (会签/或签): a member cannot hand their part to
someone who already has a part of the same round, by 转办, 加签 or an acting approver
(docs/security.md, "One person, one signature in a round"). The 党组会 topic of
tests/fixtures/topic_xx.bpmn on policy A's chart: 赵磊 (planning head) and 李明 (organ leader)
sign at once; then the party group signs in order (王军, 李明, 张华, 陈刚, 刘洋)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from operations_support import counts
from sqlalchemy import select
from topics import FIELDS, open_tasks, topic_bureau

from approvals.app import Approvals
from approvals.errors import FieldError
from approvals.store.models import AuditEntry

DRAFTER = "sun.li"
TODAY = date(2026, 11, 23)  # support.NOW


@pytest.fixture
def bureau(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Approvals:
    app = topic_bureau(db_url, tmp_path)
    request.addfinalizer(app.db.dispose)
    return app


def _task(app: Approvals, request_id: int, step: str, person: str) -> int:
    return next(t.id for t in app.queries.steps(request_id)
                if (t.is_open, t.bpmn_id, t.assignee) == (True, step, person))


def _at_leaders(app: Approvals) -> int:
    """A topic checked by the secretariat: 赵磊 and 李明 each hold a part of the 会签."""
    request_id = app.service.submit(DRAFTER, "topic", FIELDS)
    app.service.decide(_task(app, request_id, "office_check", "wu.min"), "wu.min", "approve")
    return request_id


def _at_party_group(app: Approvals) -> int:
    request_id = _at_leaders(app)
    for person in ("zhao.lei", "li.ming"):
        app.service.decide(_task(app, request_id, "leaders_sign", person), person, "approve")
    discipline = next(t for t in app.queries.steps(request_id) if t.is_open and t.bpmn_id == "discipline_opinion")
    app.service.decide(discipline.id, discipline.assignee, "approve")
    return request_id


def test_a_member_may_not_transfer_their_part_to_the_other_member_who_would_sign_twice(bureau: Approvals) -> None:
    request_id = _at_leaders(bureau)
    before = counts(bureau)
    with pytest.raises(FieldError, match=r"李明 \(li\.ming\) already holds a task of this group round") as err:
        bureau.service.transfer(_task(bureau, request_id, "leaders_sign", "zhao.lei"), "zhao.lei", "li.ming",
                                "李局长一并签了")
    assert [(i.where, i.value) for i in err.value.issues] == [("to", "li.ming")]
    assert counts(bureau) == before
    assert sorted(open_tasks(bureau, request_id)) == [("discipline_opinion", "han.bing"),
                                                      ("leaders_sign", "li.ming"), ("leaders_sign", "zhao.lei")]


@pytest.mark.parametrize("mode", ["after", "before"])
def test_a_member_may_not_add_the_other_member_before_or_after_themselves(bureau: Approvals, mode: str) -> None:
    request_id = _at_leaders(bureau)
    before = counts(bureau)
    with pytest.raises(FieldError, match=r"李明 \(li\.ming\) already holds a task of this group round"):
        bureau.service.add_approver(_task(bureau, request_id, "leaders_sign", "zhao.lei"), "zhao.lei", "li.ming",
                                    mode, "请李局长把关")
    assert counts(bureau) == before


def test_a_part_handed_outside_the_group_is_not_handed_to_the_same_person_again(bureau: Approvals) -> None:
    request_id = _at_leaders(bureau)
    bureau.service.transfer(_task(bureau, request_id, "leaders_sign", "zhao.lei"), "zhao.lei", "qian.hong", "出差")
    with pytest.raises(FieldError, match=r"钱红 \(qian\.hong\) already holds a task of this group round"):
        bureau.service.transfer(_task(bureau, request_id, "leaders_sign", "li.ming"), "li.ming", "qian.hong", "出差")
    with pytest.raises(FieldError, match=r"钱红 \(qian\.hong\) already holds a task of this group round"):
        bureau.service.add_approver(_task(bureau, request_id, "leaders_sign", "li.ming"), "li.ming", "qian.hong",
                                    "before", "请钱红核实")


def test_in_an_in_order_group_neither_those_who_signed_nor_those_still_to_sign_take_a_part(
        bureau: Approvals) -> None:
    request_id = _at_party_group(bureau)
    bureau.service.decide(_task(bureau, request_id, "party_group", "wang.jun"), "wang.jun", "approve")
    li_ming = _task(bureau, request_id, "party_group", "li.ming")
    with pytest.raises(FieldError, match=r"王军 \(wang\.jun\) has already signed in this group round"):
        bureau.service.transfer(li_ming, "li.ming", "wang.jun", "请王局长代签")
    with pytest.raises(FieldError, match=r"张华 \(zhang\.hua\) is a member of this group round"):
        bureau.service.add_approver(li_ming, "li.ming", "zhang.hua", "after", "请张局长把关")
    new = bureau.service.transfer(li_ming, "li.ming", "zhou.qiang", "出差，请办公室主任代签")  # outside: fine
    bureau.service.decide(new, "zhou.qiang", "approve")
    assert ("party_group", "zhang.hua") in open_tasks(bureau, request_id)


def test_a_group_member_s_acting_approver_who_is_in_the_group_too_does_not_get_their_part(
        bureau: Approvals) -> None:
    """李明 names 赵磊 acting approver: his leave requests go to 赵磊, but not his part of a 会签
    赵磊 signs himself; that stays with 李明 (or he transfers it outside the group)."""
    bureau.service.delegate("li.ming", "zhao.lei", TODAY, date(2026, 11, 30))
    request_id = _at_leaders(bureau)
    assert sorted(t for t in open_tasks(bureau, request_id) if t[0] == "leaders_sign") == [
        ("leaders_sign", "li.ming"), ("leaders_sign", "zhao.lei")]


def test_naming_an_acting_approver_leaves_a_part_of_a_round_they_are_in_with_the_principal(
        bureau: Approvals) -> None:
    request_id = _at_leaders(bureau)
    bureau.service.delegate("li.ming", "zhao.lei", TODAY, date(2026, 11, 30))
    assert sorted(t for t in open_tasks(bureau, request_id) if t[0] == "leaders_sign") == [
        ("leaders_sign", "li.ming"), ("leaders_sign", "zhao.lei")]
    part = _task(bureau, request_id, "leaders_sign", "li.ming")
    with bureau.db.reading() as s:
        named = s.scalars(select(AuditEntry).where(AuditEntry.action == "delegated")).one()
    assert json.loads(named.detail)["kept_with_principal"] == [part]


def test_two_members_acting_approver_gets_one_part_of_an_all_at_once_round(bureau: Approvals) -> None:
    """赵磊 and 李明 both name 钱红: she acts for the first; the second part stays with 李明."""
    bureau.service.delegate("zhao.lei", "qian.hong", TODAY, date(2026, 11, 30))
    bureau.service.delegate("li.ming", "qian.hong", TODAY, date(2026, 11, 30))
    request_id = _at_leaders(bureau)
    parts = sorted(t.assignee for t in bureau.queries.steps(request_id) if t.is_open and t.bpmn_id == "leaders_sign")
    assert parts == ["li.ming", "qian.hong"]
