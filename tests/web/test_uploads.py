"""Attachments are accepted by what they contain, not by their name or the browser's claim,
and are served as downloads with the type the server decided (issue 12, Inputs)."""

from __future__ import annotations

import html
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webkit import client_for, open_task, text

from approvals.app import Approvals
from approvals.service import Upload

ORGANIZER = "zhao.lei"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


def apply(client: FlaskClient, data: bytes, filename: str, mimetype: str = "application/pdf") -> object:
    form = {"title": "全局规划工作会", "participants": "60", "held_on": "2026-12-10",
            "venue": "报告厅", "action": "submit",
            "plan": (BytesIO(data), filename, mimetype)}
    return client.post("/apply/meeting", data=form, content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "filename", "why"), [
    (b"<!doctype html><script>alert(1)</script>", "防控方案.pdf",
     "此处不接受这种文件；可接受：PDF, OFD, PNG, JPEG, DOCX, XLSX。"),
    (b"MZ\x90\x00\x03\x00\x00\x00PE\x00\x00", "防控方案.pdf", "此处不接受这种文件"),
    (PDF, "防控方案.docx", "文件内容是 PDF，但文件名不是以 .pdf 结尾；请改名后重新选择。"),
    (b"", "防控方案.pdf", "文件是空的。"),
    (PDF, "方案\u202efdp.exe", "看不见的文字方向控制符 U+202E"),
])
def test_a_file_that_is_not_what_it_claims_is_refused_with_the_field_named(
    engine: Approvals, web: Flask, data: bytes, filename: str, why: str
) -> None:
    response = apply(client_for(web, ORGANIZER), data, filename)
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = html.unescape(text(response))
    assert why in page and "防控方案" in page
    assert engine.queries.my_requests(ORGANIZER, limit=5).total == 0


def test_a_pdf_is_stored_and_served_as_a_pdf_download_whatever_the_browser_said(
    engine: Approvals, web: Flask
) -> None:
    response = apply(client_for(web, ORGANIZER), PDF, "../../赵磊/防控方案 终稿.pdf", "text/html")
    assert response.status_code == 302, text(response)  # type: ignore[attr-defined]
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])  # type: ignore[attr-defined]
    [attachment] = engine.queries.attachments(request_id)
    assert (attachment.filename, attachment.content_type) == ("防控方案 终稿.pdf", "application/pdf")
    chief = open_task(engine, request_id).assignee
    download = client_for(web, chief).get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"attachment.pdf\"; "
        "filename*=UTF-8''%E9%98%B2%E6%8E%A7%E6%96%B9%E6%A1%88%20%E7%BB%88%E7%A8%BF.pdf")
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_stored_before_the_checks_is_served_by_its_content_not_its_stored_type(
    engine: Approvals, web: Flask
) -> None:
    fields = {"title": "旧会议", "participants": "60", "held_on": "2026-12-10", "venue": "报告厅"}
    old = Upload("plan.pdf", "text/html", b"<html><script>alert(1)</script></html>")
    request_id = engine.service.submit(ORGANIZER, "meeting", fields, {"plan": old})
    [attachment] = engine.queries.attachments(request_id)
    download = client_for(web, ORGANIZER).get(f"/attachments/{attachment.id}")
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert download.headers["Content-Disposition"].startswith("attachment;")
