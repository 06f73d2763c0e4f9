"""The request page names the steps still ahead and who holds them, in text (issue 19, point
18): the diagram alone marks where a request is but says nobody's name, and is no help to a
screen reader."""

from __future__ import annotations

from flask import Flask
from webkit import client_for, open_task, submit_leave, text_of

from approvals.app import Approvals

STAFF = "shen.yue"


def _ahead(web: Flask, request_id: int) -> str:
    page = client_for(web, STAFF).get(f"/requests/{request_id}").get_data(as_text=True)
    if 'id="ahead"' not in page:
        return ""
    return text_of(page.split('id="ahead"', 1)[1].split("</section>", 1)[0])


def test_the_applicant_reads_who_comes_after_the_step_open_now(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    head = open_task(engine, request_id)

    ahead = _ahead(web, request_id)
    assert "后续环节" in ahead and "分管局领导审签" in ahead and "陈刚" in ahead
    assert "人事科登记备案" in ahead and head.name not in ahead  # the open step is not "ahead"

    engine.service.decide(head.id, head.assignee, "approve", "同意")
    ahead = _ahead(web, request_id)
    assert "分管局领导审签" not in ahead and "人事科登记备案" in ahead


def test_a_request_no_longer_in_progress_shows_nothing_ahead(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    engine.service.withdraw(request_id, STAFF)
    assert _ahead(web, request_id) == ""
