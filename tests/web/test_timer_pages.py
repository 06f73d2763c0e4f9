"""A step a timer decided reads 超时自动通过 on the request page's timeline and on the printed
审批单, and the trail names the system and the rule (tests/fixtures/supplies_xx.bpmn)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from timing import APPLICANT, scan, supplies_bureau
from webkit import client_for, everyone, make_web, set_passwords, text

from approvals.app import Approvals


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = supplies_bureau(db_url, tmp_path)
    set_passwords(app, everyone(app))
    yield app
    app.db.dispose()


def test_a_step_passed_by_its_timer_reads_so_on_the_request_page_and_the_paper_copy(bureau: Approvals) -> None:
    request_id = bureau.service.submit(APPLICANT, "supplies", {"item": "订书机 2 个"})
    assert scan(bureau, "2025-10-11 10:00:30") == {"remind": 1, "approve": 1}
    web = make_web(bureau)
    page = text(client_for(web, APPLICANT).get(f"/requests/{request_id}"))
    assert ("科室负责人审核 审批 系统 超时自动通过 2025-10-11 10:00 "
            "超时自动通过（3 个工作日，规则 head_auto_pass）") in page
    paper = text(client_for(web, APPLICANT).get(f"/requests/{request_id}/print"))
    assert "科室负责人审核" in paper and "超时自动通过" in paper
    assert "超时自动通过（3 个工作日，规则 head_auto_pass）" in paper  # the rule, as the comment
