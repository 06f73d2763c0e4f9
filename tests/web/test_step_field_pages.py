"""Fields per step on the pages (tests/trips.py, the shipped 出差审批): the start form's detail
rows and computed days, finance's own form on its task page without the field it must not see,
and the amount it set on the request page and the printed 审批单."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from trips import APPLICANT, FINANCE, HEAD, open_task, trip_bureau, trip_fields
from webkit import client_for, make_web, text

from approvals.app import Approvals


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = trip_bureau(db_url, tmp_path, passwords=True)
    yield app
    app.db.dispose()


def test_the_start_form_takes_detail_rows_and_shows_the_days_are_worked_out(bureau: Approvals) -> None:
    client = client_for(make_web(bureau), APPLICANT)
    page = client.get("/apply/trip").get_data(as_text=True)
    assert 'name="legs-0-leg_on"' in page and 'name="legs-1-leg_by"' in page
    assert "提交时自动计算" in page and 'name="days"' not in page
    form = {k: v for k, v in trip_fields().items() if k != "legs"}
    form.update({"legs-0-leg_on": "2025-09-30", "legs-0-leg_from": "XX市", "legs-0-leg_to": "北京市",
                 "legs-0-leg_by": "火车", "legs-1-leg_on": "", "legs-1-leg_from": "", "legs-1-leg_to": "",
                 "action": "submit"})
    refused = client.post("/apply/trip", data={**form, "legs-0-leg_to": ""})
    assert refused.status_code == 400
    assert 'name="legs-0-leg_to" value="" aria-label="到达地" aria-invalid="true"' in refused.get_data(as_text=True)
    done = client.post("/apply/trip", data=form)
    assert done.status_code == 302
    request_id = int(done.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    shown = text(client.get(f"/requests/{request_id}"))
    assert "出差工作日数 4" in shown and "行程明细 1. 2025-09-30 · XX市 · 北京市 · 火车" in shown


def test_finance_fills_the_amount_on_its_task_page_and_everyone_reads_it_after(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "trip", trip_fields())
    bureau.service.decide(open_task(bureau, request_id, "head").id, HEAD, "approve")
    task = open_task(bureau, request_id, "finance")
    web = make_web(bureau)
    finance = client_for(web, FINANCE)
    page = finance.get(f"/tasks/{task.id}")
    assert 'id="f-approved_amount"' in page.get_data(as_text=True)
    assert "目的地 北京市" in text(page) and "出差事由" not in text(page)  # hidden_fields: reason
    missing = finance.post(f"/tasks/{task.id}/decide", data={"decision": "approve", "approved_amount": ""})
    assert missing.status_code == 400
    assert '<div class="error" id="e-approved_amount" >此项为必填项。' in missing.get_data(as_text=True)
    done = finance.post(f"/tasks/{task.id}/decide", data={"decision": "approve", "approved_amount": "3000",
                                                          "finance_note": "住宿按标准核减"})
    assert done.status_code == 302
    applicant = client_for(web, APPLICANT)
    shown = text(applicant.get(f"/requests/{request_id}"))
    assert "财务科核定金额 核定金额（元） 3000 核定说明 住宿按标准核减" in shown
    assert "出差事由 参加全国国土空间规划培训" in shown  # the applicant sees every field
    paper = text(applicant.get(f"/requests/{request_id}/print"))
    assert "财务科核定金额 核定金额（元） 3000" in paper
