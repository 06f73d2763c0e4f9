"""The inbox rows (built in Python for speed, web/approver/inbox_table.py) show what the
template showed: the request's own words escaped, the 催办 mark, the acting-for line."""

from __future__ import annotations

from datetime import date

from flask import Flask
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals

HOSTILE = '<img src=x onerror="alert(1)">北京'


def test_a_request_s_own_words_are_shown_as_text_not_markup(engine: Approvals, web: Flask) -> None:
    task = open_task(engine, submit_leave(engine, "shen.yue", destination=HOSTILE))
    page = client_for(web, task.assignee).get("/inbox").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;北京" in page


def test_an_urged_task_is_marked_and_its_row_highlighted(engine: Approvals, web: Flask) -> None:
    task = open_task(engine, submit_leave(engine, "shen.yue"))
    engine.service.urge(task.id, "shen.yue")
    response = client_for(web, task.assignee).get("/inbox")
    page = response.get_data(as_text=True)
    assert 'class="urged-row"' in page and "已催办 ×1" in text(response)
    assert f'href="/tasks/{task.id}"' in page and f'value="{task.id}"' in page


def test_a_task_held_for_someone_else_says_for_whom(engine: Approvals, web: Flask) -> None:
    task = open_task(engine, submit_leave(engine, "shen.yue"))
    engine.service.delegate(task.assignee, "he.ping", date(2026, 11, 23), date(2026, 11, 30))
    moved = open_task(engine, task.request_id)
    assert moved.assignee == "he.ping"
    body = text(client_for(web, "he.ping").get("/inbox"))
    principal = engine.orgcharts.current("xx-nrpb").people[task.assignee].name
    assert f"代理{principal}" in body
