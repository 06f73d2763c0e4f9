"""The statistics page and workbook as HR and the leadership see them: leave in working days
with the calendar days beside them, and a plain note for a year without holiday data; refused
to others; text cells of the workbook cannot run as formulas in Excel."""

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


def test_hr_sees_leave_working_days_by_unit_and_person_and_the_menu_offers_it(
    engine: Approvals, web: Flask
) -> None:
    _granted_leave(engine)  # Tue 1 - Sat 5 December: 4 working days, 5 calendar days
    page = text(client_for(web, "feng.jie").get("/stats/?year=2026"))
    assert "统计" in page and "财务与资金运用科" in page and "沈悦" in page
    assert "请假天数（工作日）" in page and "以工作日计算" in page
    assert "12月 4" in page  # December in the by-month chart
    assert "合计工作日 合计日历天" in page  # the by-person table's last two headers
    assert "沈悦 财务与资金运用科 4 4 5" in page  # December, the working days, the calendar days
    assert "缺少" not in page  # 2026 has holiday data


def test_a_year_without_holiday_data_carries_a_note_on_the_page_and_in_the_workbook(
    engine: Approvals, web: Flask
) -> None:
    _granted_leave(engine, depart_on="2026-12-30", return_on="2027-01-04")
    engine.clock.advance(days=45)  # 7 January 2027
    client = client_for(web, "feng.jie")
    page = text(client.get("/stats/?year=2027"))
    assert "缺少 2027 年的节假日数据：该年请假工作日按周一至周五计算" in page
    assert "沈悦 财务与资金运用科 2 2 4" in page  # Fri 1 Jan (New Year's Day, unknown to it) and Mon 4
    book = load_workbook(BytesIO(client.get("/stats/stats.xlsx?year=2027").data))
    about = [[cell.value for cell in row] for row in book["说明"].iter_rows()]
    assert ["节假日数据", "缺少 2027 年数据：工作日按周一至周五计算"] in about


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
    assert units[0][0] == "单位" and units[0][12:16] == ["12月（工作日）", "合计工作日", "合计日历天", "申请数"]
    assert units[1][0] == "'=HYPERLINK(\"http://x\")" and units[1][12:16] == [4, 4, 5, 1]
    people = [[cell.value for cell in row] for row in book["请假天数（人员）"].iter_rows()]
    assert people[1][:2] == ["沈悦", "'=HYPERLINK(\"http://x\")"]


def test_signed_out_visitors_are_sent_to_sign_in(web: Flask) -> None:
    client = web.test_client()
    for path in ("/stats/", "/stats/stats.xlsx", "/requests/1/print", "/requests/1/print.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_workbook_names_request_types_and_the_organization_as_the_page_does(
    engine: Approvals, web: Flask
) -> None:
    _granted_leave(engine)
    client = client_for(web, "feng.jie")
    page = text(client.get("/stats/?year=2026"))
    book = load_workbook(BytesIO(client.get("/stats/stats.xlsx?year=2026").data))
    steps = [[cell.value for cell in row] for row in book["各环节用时"].iter_rows()]
    types = {row[0] for row in steps[1:]}
    assert types == {"离孝审批"} and "离孝审批" in page
    about = {row[0].value: row[1].value for row in book["说明"].iter_rows()}
    assert about["机构"] == "XX市自然资源和规划局"
    cells = [str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row]
    assert "leave" not in cells and "xx-nrpb" not in cells
