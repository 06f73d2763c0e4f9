"""A fault is answered 409 or 503, never 500, even when the error page itself meets a second
fault: the 403, 404 and 409 pages read the database (the signed-in user, the navigation's
counts), and a page whose statements all fail from some point on still answers with the code it
means, from a plain fallback page when the full one cannot be drawn."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from faultkit import lost_connection
from sqlalchemy import event
from webkit import client_for, make_web, open_task, submit_leave

from approvals.app import Approvals

APPLICANT, STRANGER = "shen.yue", "li.ming"  # li.ming holds nothing of shen.yue's request
ANSWERS = {200, 302, 403, 404, 409, 503}


def _collision(app: Approvals) -> Exception:
    """PostgreSQL's serialization failure (40001); SQLite never reports one, so a lost
    connection stands for the fault there."""
    if app.db.dialect == "sqlite":
        return lost_connection(app)
    import psycopg

    return psycopg.errors.SerializationFailure("could not serialize access due to concurrent update")


@contextmanager
def failing_from(app: Approvals, nth: int, error: Exception) -> Iterator[list[str]]:
    """Every SQL statement from the ``nth`` one on (1-based) fails with ``error``: the fault
    and whatever the error page then reads."""
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)
        if len(seen) >= nth:
            raise error

    event.listen(app.db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(app.db.engine, "before_cursor_execute", before)


@pytest.mark.parametrize("where", ["inbox", "task", "other's task", "unknown request", "admin page"])
def test_a_page_whose_statements_fail_from_any_point_answers_409_or_503_never_500(
    engine: Approvals, where: str
) -> None:
    web = make_web(engine, TESTING=False)
    task = open_task(engine, submit_leave(engine, APPLICANT))
    who, url = {
        "inbox": (task.assignee, "/inbox"),
        "task": (task.assignee, f"/tasks/{task.id}"),
        "other's task": (STRANGER, f"/tasks/{task.id}"),
        "unknown request": (APPLICANT, "/requests/999999"),
        "admin page": (APPLICANT, "/admin/orgchart"),
    }[where]
    client = client_for(web, who)
    expected = client.get(url).status_code
    answers = []
    for nth in range(1, 40):
        with failing_from(engine, nth, _collision(engine)) as seen:
            response = client.get(url)
        answers.append(response.status_code)
        assert response.status_code in ANSWERS, f"statement {nth} of {url}: {response.status_code}"
        assert response.status_code in (expected, 409, 503), f"statement {nth} of {url}"
        if len(seen) < nth:
            break
    assert {409, 503} & set(answers), answers


def test_a_decision_whose_statements_fail_from_any_point_answers_409_or_503_never_500(
    engine: Approvals,
) -> None:
    web = make_web(engine, TESTING=False)
    for nth in range(1, 40):
        task = open_task(engine, submit_leave(engine, APPLICANT))
        client = client_for(web, task.assignee)
        with failing_from(engine, nth, _collision(engine)) as seen:
            response = client.post(f"/tasks/{task.id}/decide", data={"decision": "approve", "comment": ""})
        assert response.status_code in ANSWERS, f"statement {nth}: {response.status_code}"
        if len(seen) < nth:
            break


def test_the_fallback_page_says_what_happened_in_the_users_language(engine: Approvals) -> None:
    web = make_web(engine, TESTING=False)
    client = client_for(web, APPLICANT)
    with failing_from(engine, 2, _collision(engine)):  # the page's first read passes, the rest fail
        response = client.get("/requests/999999")
    body = response.get_data(as_text=True)
    assert response.status_code in (404, 409, 503)
    assert "<h1>" in body and "Traceback" not in body and "Internal Server Error" not in body
