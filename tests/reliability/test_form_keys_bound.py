"""A form's key is bound to the person who sent it and the address it was sent to: sent again
by the same person to the same form it is "already done"; another person's key, or one's own
key on another task's form, is refused saying so, and nothing is reported done when nothing
was (it said 此表单此前已提交并已办理完成 before)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webkit import client_for, make_web, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.store.models import AuditEntry

DONE = "未重复办理"  # "...its action was done; it was not done a second time"
REFUSED = "提交编号"


def _form_key(client: FlaskClient, task_id: int) -> str:
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert keys, "the decision form carries no idempotency key"
    return keys[0]


def _approve(client: FlaskClient, task_id: int, key: str):  # type: ignore[no-untyped-def]
    return client.post(f"/tasks/{task_id}/decide",
                       data={"decision": "approve", "comment": "", "idempotency_key": key})


def _decided(engine: Approvals, task_id: int) -> bool:
    with engine.db.reading() as s:
        return bool(s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.task_id == task_id, AuditEntry.action == "decided")))


def _web(engine: Approvals) -> Flask:
    return make_web(engine, TESTING=False)


def test_another_persons_form_key_is_refused_and_nothing_is_said_done(engine: Approvals) -> None:
    web = _web(engine)
    ours = open_task(engine, submit_leave(engine, "shen.yue"))  # 沈悦's head decides
    theirs = open_task(engine, submit_leave(engine, "sun.li"))  # 孙丽's head, someone else
    assert ours.assignee != theirs.assignee
    first = client_for(web, ours.assignee)
    key = _form_key(first, ours.id)
    assert _approve(first, ours.id, key).status_code == 302
    other = client_for(web, theirs.assignee)
    replayed = _approve(other, theirs.id, key)
    assert replayed.status_code == 400 and REFUSED in text(replayed)
    assert DONE not in text(replayed) and DONE not in text(other.get("/inbox"))
    assert not _decided(engine, theirs.id)
    assert _approve(other, theirs.id, _form_key(other, theirs.id)).status_code == 302  # a fresh form works
    assert _decided(engine, theirs.id)


def test_ones_own_key_on_another_tasks_form_is_refused_and_that_task_stays_open(engine: Approvals) -> None:
    web = _web(engine)
    one = open_task(engine, submit_leave(engine, "shen.yue"))
    two = open_task(engine, submit_leave(engine, "shen.yue", destination="上海市"))
    assert one.assignee == two.assignee
    client = client_for(web, one.assignee)
    key = _form_key(client, one.id)
    assert _approve(client, one.id, key).status_code == 302
    replayed = _approve(client, two.id, key)
    assert replayed.status_code == 400 and REFUSED in text(replayed) and DONE not in text(replayed)
    assert not _decided(engine, two.id)
    again = _approve(client, one.id, key)  # the same form sent again is still "already done"
    assert again.status_code == 302 and DONE in text(client.get(again.location))



def test_a_preview_sent_after_its_form_was_submitted_still_answers(engine: Approvals) -> None:
    """The start form previews the route as it is filled in, sending its fields and so its key;
    a last preview arriving after the submission (a late keystroke) is a read, not a misused key."""
    from support import leave_fields

    client = client_for(_web(engine), "shen.yue")
    page = client.get("/apply/leave").get_data(as_text=True)
    key = re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', page)[0]
    assert client.post("/apply/leave", data={**leave_fields(), "idempotency_key": key}).status_code == 302
    late = client.post("/apply/leave/preview.json", data={**leave_fields(), "idempotency_key": key})
    assert late.status_code == 200 and late.get_json()["steps"]
