"""我的申请 says what each request is about (issue 19, point 18): the first short fields of
its own process, whatever the process, so a leave shows where and when and a meeting its
name, size and day."""

from __future__ import annotations

from flask import Flask
from support import meeting_fields
from webkit import client_for, submit_leave, text_of

from approvals.app import Approvals
from approvals.service import Upload


def _row(web: Flask, person: str, request_id: int) -> str:
    page = client_for(web, person).get("/requests").get_data(as_text=True)
    [row] = [r for r in page.split("<tr")[1:] if f"#{request_id}<" in r]
    return text_of("<tr" + row)


def test_a_leave_lists_its_destination_and_dates(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    row = _row(web, "shen.yue", request_id)
    assert "目的地：北京市海淀区；离孝日期：2026-12-01；返孝日期：2026-12-05" in row
    assert "探亲" not in row  # free text stays on the request page


def test_a_meeting_lists_its_own_first_fields(engine: Approvals, web: Flask) -> None:
    request_id = engine.service.submit("zhao.lei", "meeting", meeting_fields(60),
                                       {"plan": Upload("防控方案.txt", "text/plain", "方案".encode())})
    assert "会议（活动）名称：年度工作会议；参会人数：60；召开日期：2026-12-10" in _row(web, "zhao.lei", request_id)
