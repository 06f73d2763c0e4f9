"""The 审批单 as paper (issue 19, point 18): the organization's name heads it, and the
verification box never stands alone on a page: whatever the length of the comments above it,
the page that carries the code carries some of the form's content too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from support import back_from_trip
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.reports import printable

STAFF = "shen.yue"
REPORT = {"actual_return_on": "2026-12-05", "itinerary": "北京市海淀区，未去中高风险地区"}


def _leave_with_a_long_comment(engine: Approvals, web: Flask, lines: int) -> int:
    request_id = submit_leave(engine, STAFF)
    comments = ["同意，注意安全", "同意", "\n".join(["同意离孝，请按时返岗并报告行程"] * lines)]
    for comment in comments:
        task = open_task(engine, request_id, "approve")
        engine.service.decide(task.id, task.assignee, "approve", comment)
    engine.service.acknowledge(open_task(engine, request_id, "file").id, "feng.jie")
    report = open_task(engine, request_id, "report")
    with back_from_trip(engine, request_id):
        client_for(web, STAFF).post(f"/requests/{request_id}/report/{report.id}", data=REPORT)
    return request_id


def test_the_paper_copy_names_the_organization(engine: Approvals, web: Flask) -> None:
    request_id = _leave_with_a_long_comment(engine, web, 1)
    page = text(client_for(web, STAFF).get(f"/requests/{request_id}/print"))
    assert "XX市自然资源和规划局" in page.split("申请人")[0]  # in the heading, above the form


def _pages(pdf: bytes, where: Path) -> list[str]:
    where.write_bytes(pdf)
    words = subprocess.run(["pdftotext", "-layout", str(where), "-"], capture_output=True, text=True,
                           check=True).stdout
    return [page for page in words.split("\f") if page.strip()]


def test_the_verification_box_is_never_alone_on_a_page(engine: Approvals, web: Flask, tmp_path: Path) -> None:
    try:
        printable.pdf("<p>x</p>")
    except printable.PdfUnavailableError as exc:
        pytest.skip(f"WeasyPrint cannot draw here ({exc}); `make print-deps` installs it")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    client = client_for(web, STAFF)
    seen_two_pages = False
    for lines in range(0, 40, 2):  # the box reaches the foot of page 1 somewhere in this range
        request_id = _leave_with_a_long_comment(engine, web, lines)
        pages = _pages(client.get(f"/requests/{request_id}/print.pdf").data, tmp_path / f"{lines}.pdf")
        seen_two_pages = seen_two_pages or len(pages) > 1
        [last] = [page for page in pages if "校验码：" in page]
        assert "离开期间活动轨迹" in last, f"{lines} comment lines: the box stands alone on page {len(pages)}"
    assert seen_two_pages
