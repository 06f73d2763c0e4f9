"""What a user sees when the database fails under a page: 503 with Retry-After in Chinese
(or 409 when someone was faster), never a 500; and a form sent again after a lost answer
runs its action once."""

from __future__ import annotations

import re
import threading

from faultkit import failing_statement, footprint
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webkit import client_for, make_web, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.jobs import worker
from approvals.store import idempotency
from approvals.store.models import AuditEntry

APPLICANT = "shen.yue"  # staff; their section head decides first


def _form(client: FlaskClient, task_id: int) -> str:
    """Open the task page as the approver does; the decision form's idempotency key."""
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert keys, "the decision form carries no idempotency key"
    return keys[0]


def _decisions(engine: Approvals, task_id: int) -> int:
    with engine.db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.task_id == task_id, AuditEntry.action == "decided")) or 0)


def _approve(client: FlaskClient, task_id: int, key: str) -> object:
    return client.post(f"/tasks/{task_id}/decide", data={"decision": "approve", "comment": "", "idempotency_key": key})


def test_a_fault_anywhere_in_a_decision_page_is_a_503_never_a_500_and_resending_decides_once(
        engine: Approvals) -> None:
    web = make_web(engine, TESTING=False)
    seen_503 = 0
    for nth in range(1, 40):
        task = open_task(engine, submit_leave(engine, APPLICANT))
        client = client_for(web, task.assignee)
        key = _form(client, task.id)
        with failing_statement(engine, nth) as seen:
            response = _approve(client, task.id, key)
        if response.status_code == 503:
            seen_503 += 1
            assert response.headers["Retry-After"] == "5" and "可以放心重新提交" in text(response)
        else:
            assert response.status_code == 302, f"statement {nth}: {response.status_code}"
        resent = _approve(client, task.id, key)
        assert resent.status_code == 302 and _decisions(engine, task.id) == 1, f"statement {nth}"
        if len(seen) < nth:
            break  # the page ran past its last statement without meeting the fault
    assert seen_503 >= 5


def test_a_page_read_meeting_a_fault_is_a_503_that_reloads_itself(engine: Approvals) -> None:
    web = make_web(engine, TESTING=False)
    client = client_for(web, "zhou.qiang")
    with failing_statement(engine, 1):
        response = client.get("/inbox")
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert 'http-equiv="refresh" content="5"' in body and "自动重试" in text(response)
    assert client.get("/inbox").status_code == 200


def test_a_decision_sent_twice_is_answered_with_the_first_outcome_not_a_conflict(engine: Approvals) -> None:
    web = make_web(engine)
    task = open_task(engine, submit_leave(engine, APPLICANT))
    client = client_for(web, task.assignee)
    key = _form(client, task.id)
    first = _approve(client, task.id, key)
    before = footprint(engine)
    again = _approve(client, task.id, key)
    assert (first.status_code, again.status_code) == (302, 302) and again.location == first.location
    assert "未重复办理" in text(client.get(again.location))
    assert footprint(engine) == before and _decisions(engine, task.id) == 1


def test_a_new_form_for_a_decided_task_is_still_told_someone_was_faster(engine: Approvals) -> None:
    web = make_web(engine)
    task = open_task(engine, submit_leave(engine, APPLICANT))
    client = client_for(web, task.assignee)
    _approve(client, task.id, _form(client, task.id))
    response = _approve(client, task.id, "0" * 32)
    assert response.status_code == 302 and _decisions(engine, task.id) == 1
    assert "未重复办理" not in text(client.get(response.location))


def test_two_sends_of_one_form_at_the_same_moment_decide_once_and_both_get_an_answer(engine: Approvals) -> None:
    web = make_web(engine)
    task = open_task(engine, submit_leave(engine, APPLICANT))
    clients = [client_for(web, task.assignee) for _ in range(4)]
    key = _form(clients[0], task.id)
    barrier, statuses = threading.Barrier(len(clients)), []

    def send(client: FlaskClient) -> None:
        barrier.wait()
        statuses.append(_approve(client, task.id, key).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [302] * len(clients) and _decisions(engine, task.id) == 1


def test_idempotency_keys_are_forgotten_after_a_day(engine: Approvals) -> None:
    claim = idempotency.Claim("a" * 32, APPLICANT, "applicant.apply")
    with idempotency.claiming(claim):
        engine.service.submit(APPLICANT, "leave", __import__("support").leave_fields())
    assert idempotency.lookup(engine.db, claim.key, APPLICANT) is not None
    later = engine.clock.now() + idempotency.KEEP + idempotency.KEEP
    idempotency.note_outcome(engine.db, idempotency.Claim("b" * 32, APPLICANT, "x"), "/", later)
    assert idempotency.lookup(engine.db, claim.key, APPLICANT) is None


def test_a_decision_stores_where_it_leads_with_its_key_so_a_resend_needs_no_later_write(engine: Approvals) -> None:
    web = make_web(engine)
    task = open_task(engine, submit_leave(engine, APPLICANT))
    client = client_for(web, task.assignee)
    key = _form(client, task.id)
    with idempotency.claiming(idempotency.Claim(key, task.assignee, "approver.decide", outcome="/inbox")):
        engine.service.decide(task.id, task.assignee, "approve")  # as the page does, minus the answer
    done = idempotency.lookup(engine.db, key, task.assignee)
    assert done is not None and done.outcome == "/inbox"
    again = _approve(client, task.id, key)
    assert again.status_code == 302 and again.location == "/inbox" and _decisions(engine, task.id) == 1


def test_the_worker_forgets_form_keys_older_than_a_day(engine: Approvals) -> None:
    claim = idempotency.Claim("c" * 32, APPLICANT, "applicant.apply")
    with idempotency.claiming(claim):
        engine.service.submit(APPLICANT, "leave", __import__("support").leave_fields())
    job = worker.forget_keys_job(engine)
    assert job() == ""  # an idle round says nothing (the worker logs only what happened)
    engine.clock.advance(days=2)  # type: ignore[attr-defined]
    assert job() == "forgot 1 form key(s) older than a day"
    assert idempotency.lookup(engine.db, claim.key, APPLICANT) is None
