"""The printable 审批单 and its PDF: what is on the paper, who may print it, the view logged,
and the verification code an inspector checks against the audit trail."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from support import back_from_trip
from webkit import client_for, open_task, submit_leave, text, text_of

from approvals.app import Approvals
from approvals.reports import printable
from approvals.store.models import AccessLogEntry

STAFF, HEAD = "shen.yue", "jiang.tao"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REPORT = {"actual_return_on": "2026-12-05", "itinerary": "北京市海淀区，未去中高风险地区"}


def _finished_leave(engine: Approvals, web: Flask) -> int:
    request_id = submit_leave(engine, STAFF)
    comments = ["同意，注意安全", "同意", "同意离孝"]
    for comment in comments:
        task = open_task(engine, request_id, "approve")
        engine.service.decide(task.id, task.assignee, "approve", comment)
    engine.service.acknowledge(open_task(engine, request_id, "file").id, "feng.jie")
    report = open_task(engine, request_id, "report")
    with back_from_trip(engine, request_id):  # a report is filed once the trip has started
        client_for(web, STAFF).post(f"/requests/{request_id}/report/{report.id}", data=REPORT)
    return request_id


def _promote_jiang_tao(engine: Approvals) -> None:
    chart = engine.admin.current_text("xx-nrpb")
    changed = chart.replace("{id: jiang.tao, name: 蒋涛, unit: finance, title: 科长}",
                            "{id: jiang.tao, name: 蒋涛, unit: finance, title: 一级调研员}")
    assert changed != chart
    engine.admin.save(changed, "feng.jie", comment="蒋涛晋升")


def test_the_paper_copy_has_every_decision_with_the_title_held_then_and_the_report(
    engine: Approvals, web: Flask
) -> None:
    request_id = _finished_leave(engine, web)
    _promote_jiang_tao(engine)
    page = client_for(web, STAFF).get(f"/requests/{request_id}/print")
    html = page.get_data(as_text=True)
    shown = text_of(html)
    assert page.status_code == 200
    assert "发起申请" not in shown  # no navigation on paper
    for expected in ("审 批 单", "北京市海淀区", "2026-12-01", "探亲", "沈悦", "财务与资金运用科 科员",
                     "蒋涛 科长 同意 2026-11-23 09:00 同意，注意安全", "陈刚", "李明", "同意离孝",
                     "人事科登记备案", "冯洁 科长 已签收", "北京市海淀区，未去中高风险地区", "已办结"):
        assert expected in shown, expected
    assert "一级调研员" not in shown  # his title when he decided, not today's
    code = printable.stamp(engine.db, request_id)
    assert code is not None and code.code in shown


def test_an_approvers_print_is_logged_as_a_view_of_personal_data(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    assert client_for(web, HEAD).get(f"/requests/{request_id}/print").status_code == 200
    assert client_for(web, "wang.jun").get(f"/requests/{request_id}/print").status_code == 403
    with engine.db.reading() as s:
        seen = [(e.viewer, e.what) for e in s.query(AccessLogEntry).filter_by(request_id=request_id)]
    assert ("jiang.tao", "print") in seen


def test_an_inspector_checks_the_code_of_a_paper_copy_and_learns_it_is_out_of_date(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    code = printable.stamp(engine.db, request_id)
    assert code is not None
    inspector = client_for(web, "yang.fan")
    fresh = text(inspector.get(f"/inspect/copy?code={code.code}"))
    assert f"与申请 #{request_id} 的第 {code.seq} 条审计记录一致" in fresh and "纸质件为最新" in fresh
    engine.service.decide(open_task(engine, request_id).id, HEAD, "approve", "")
    stale = text(inspector.get(f"/inspect/copy?code={code.code}"))
    assert "纸质件已非最新" in stale
    forged = code.code[:-1] + ("0" if code.code[-1] != "0" else "1")
    assert "与所印校验码不符" in text(inspector.get(f"/inspect/copy?code={forged}"))
    assert "这不是校验码" in text(inspector.get("/inspect/copy?code=hello"))
    assert client_for(web, STAFF).get(f"/inspect/copy?code={code.code}").status_code == 403


def _pdf_ready() -> str:
    try:
        printable.pdf("<p>x</p>")
    except printable.PdfUnavailableError as exc:
        return str(exc)
    return ""


def test_the_pdf_is_an_a4_document_with_the_chinese_text_drawn(
    engine: Approvals, web: Flask
) -> None:
    missing = _pdf_ready()
    if missing:
        pytest.skip(f"WeasyPrint cannot draw here ({missing}); `make print-deps` installs it")
    request_id = _finished_leave(engine, web)
    response = client_for(web, STAFF).get(f"/requests/{request_id}/print.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "print-approval-form.pdf"
    target.write_bytes(response.data)
    if shutil.which("pdftotext"):
        words = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                               text=True, check=True).stdout
        code = printable.stamp(engine.db, request_id)
        assert code is not None and "同意离孝" in words and code.code in words
    if shutil.which("pdftoppm"):  # a PNG of page 1 to look at
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(target),
                        str(ARTIFACTS / "print-approval-form")], check=True)
