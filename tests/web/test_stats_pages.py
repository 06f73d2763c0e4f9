"""The statistics page and workbook as HR and the leadership see them; refused to others;
text cells of the workbook cannot run as formulas in Excel."""

from __future__ import annotations

from io import BytesIO

from flask import Flask
from openpyxl import load_workbook
from webkit import client_for, submit_leave, text

from approvals.app import Approvals

STAFF = "shen.yue"


def _granted_leave(engine: Approvals, **fields: str) -> int:
    request_id = submit_leave(engine, STAFF, **fields)
    while True:
        waiting = [t for t in engine.queries.steps(request_id) if t.is_open and t.kind == "approve"]
        if not waiting:
            return request_id
        engine.service.decide(waiting[0].id, waiting[0].assignee, "approve", "")


def test_hr_sees_leave_days_by_unit_and_person_and_the_menu_offers_it(
    engine: Approvals, web: Flask
) -> None:
    _granted_leave(engine)  # 1-5 December: 5 calendar days
    page = text(client_for(web, "feng.jie").get("/stats/?year=2026"))
    assert "统计" in page and "财务与资金运用科" in page and "沈悦" in page
    assert "按自然日计算" in page or "自然日" in page
    assert "12月 5" in page  # the person's December cell in the by-person table


def test_staff_and_approvers_are_refused_statistics(engine: Approvals, web: Flask) -> None:
    for person in (STAFF, "jiang.tao"):
        client = client_for(web, person)
        assert client.get("/stats/").status_code == 403
        assert "统计" not in text(client.get("/")).split("退出")[0]  # not in their menu


def test_the_workbook_holds_the_same_figures_with_formulas_neutralised(
    engine: Approvals, web: Flask
) -> None:
    chart = engine.admin.current_text("xx-nrpb")
    engine.admin.save(chart.replace("name: 财务与资金运用科", "name: =HYPERLINK(\"http://x\")"),
                      "feng.jie")
    _granted_leave(engine)
    response = client_for(web, "wang.jun").get("/stats/stats.xlsx?year=2026")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    units = [[cell.value for cell in row] for row in book["请假天数（单位）"].iter_rows()]
    assert units[0][0] == "单位" and units[0][12] == "12月"
    assert units[1][0] == "'=HYPERLINK(\"http://x\")" and units[1][12] == 5 and units[1][13] == 5
    people = [[cell.value for cell in row] for row in book["请假天数（人员）"].iter_rows()]
    assert people[1][:2] == ["沈悦", "'=HYPERLINK(\"http://x\")"]


def test_signed_out_visitors_are_sent_to_sign_in(web: Flask) -> None:
    client = web.test_client()
    for path in ("/stats/", "/stats/stats.xlsx", "/requests/1/print", "/requests/1/print.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
