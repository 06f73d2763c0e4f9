"""Free text a person types (decision comments, form fields) reaches the database only
without NUL, control or bidirectional-text characters: refused with the field named, on
both databases (issue 12: a NUL in a comment was a raw 500 on PostgreSQL)."""

from __future__ import annotations

import pytest
from flask import Flask
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.errors import FieldError

APPLICANT, HEAD = "sun.li", "zhao.lei"  # 规划科: staff and the section head


@pytest.mark.parametrize(("comment", "shown"), [
    ("不同意\x00", "请删除第 4 个字符处看不见的控制字符 U+0000"),
    ("不同意\x1b[31m", "请删除第 4 个字符处看不见的控制字符 U+001B"),
    ("意见\u202e见意", "请删除第 3 个字符处看不见的文字方向控制符 U+202E"),
])
def test_a_comment_with_a_hidden_character_is_refused_and_the_task_stays_open(
    engine: Approvals, web: Flask, comment: str, shown: str
) -> None:
    task = open_task(engine, submit_leave(engine, APPLICANT))
    response = client_for(web, HEAD).post(
        f"/tasks/{task.id}/decide", data={"decision": "reject", "comment": comment}
    )
    assert response.status_code == 400
    assert shown in text(response)
    assert engine.queries.task(task.id).is_open


def test_the_engine_refuses_a_nul_in_a_comment_naming_it(engine: Approvals) -> None:
    task = open_task(engine, submit_leave(engine, APPLICANT))
    with pytest.raises(FieldError) as caught:
        engine.service.decide(task.id, HEAD, "approve", "同意\x00")
    assert str(caught.value) == ("comment: contains a NUL character, U+0000, at character 3; "
                                 "remove it (retyping the text usually does) (found '同意\\x00')")
    engine.service.decide(task.id, HEAD, "approve", "同意")  # the same task, decided cleanly
    assert not engine.queries.task(task.id).is_open


def test_a_comment_longer_than_5000_characters_is_refused(engine: Approvals) -> None:
    task = open_task(engine, submit_leave(engine, APPLICANT))
    with pytest.raises(FieldError, match="comment: must have at most 5000 characters"):
        engine.service.decide(task.id, HEAD, "reject", "否" * 5001)


def test_a_form_field_with_a_nul_is_marked_on_the_form_not_a_server_error(
    engine: Approvals, web: Flask
) -> None:
    form = {"destination": "北京\x00", "depart_on": "2026-12-01", "return_on": "2026-12-05",
            "reason": "探亲", "action": "submit"}
    response = client_for(web, APPLICANT).post("/apply/leave", data=form)
    assert response.status_code == 400
    assert "请删除第 3 个字符处看不见的控制字符 U+0000" in text(response)
    assert engine.queries.my_requests(APPLICANT, limit=5).total == 0


@pytest.mark.parametrize("path", ["/inspect/?person=zhao%00lei", "/inspect/export.csv?person=zhao%00lei",
                                  "/inspect/?type=%E2%80%AEleave"])
def test_a_search_address_with_a_hidden_character_is_answered_400_not_500(
    web: Flask, path: str
) -> None:
    response = client_for(web, "yang.fan").get(path)
    assert response.status_code == 400
    assert "请删除第" in text(response) and "看不见的" in text(response)
