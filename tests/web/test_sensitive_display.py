"""Sensitive form fields on pages, the printable and the API (issue 22): the applicant, the
holders of the request's steps and inspectors see an ID number in full, each reveal to someone
other than the applicant is in the access log; lists and exports never show it; a missing key
is an error naming it, never an empty value."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from apikit import api_for
from flask import Flask
from support import make_app, pick, with_certificate
from webkit import CHART_B, client_for, everyone, make_web, open_task, set_passwords, text

from approvals.app import Approvals
from approvals.audit import access_log
from approvals.audit.access_log import AccessQuery
from approvals.crypto import atrest

ID_NUMBER, PHONE = "110101199003071234", "13812345678"
INSPECTOR = "yang.fan"


@pytest.fixture
def engine(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Approvals]:
    monkeypatch.setenv(atrest.INLINE_ENV, "k1:" + "11" * 16)
    chart, processes = with_certificate(tmp_path)
    approvals = make_app(db_url, chart, CHART_B, processes=processes)
    set_passwords(approvals, everyone(approvals))
    yield approvals
    approvals.db.dispose()


@pytest.fixture
def web(engine: Approvals) -> Flask:
    return make_web(engine)


def _submit(engine: Approvals) -> tuple[str, int]:
    applicant = pick(engine.orgcharts.current("xx-nrpb"), "staff", "section")
    return applicant, engine.service.submit(applicant, "certificate",
                                            {"purpose": "办理贷款", "id_number": ID_NUMBER, "phone": PHONE})


def _reveals(engine: Approvals) -> list[tuple[str, str, list[str]]]:
    rows, _total = access_log.search(engine.db, AccessQuery(org_id="xx-nrpb"))
    return [(r.viewer, r.capacity, json.loads(r.detail)["fields"]) for r in reversed(rows) if r.what == "reveal"]


def test_the_applicant_sees_her_id_number_and_her_reading_is_not_logged(engine: Approvals, web: Flask) -> None:
    applicant, request_id = _submit(engine)
    page = text(client_for(web, applicant).get(f"/requests/{request_id}"))
    assert ID_NUMBER in page and PHONE in page
    assert _reveals(engine) == []


def test_the_approver_sees_it_on_the_task_page_and_each_reveal_is_logged(engine: Approvals, web: Flask) -> None:
    _applicant, request_id = _submit(engine)
    task = open_task(engine, request_id)
    client = client_for(web, task.assignee)
    assert ID_NUMBER in text(client.get(f"/tasks/{task.id}"))
    assert ID_NUMBER in text(client.get(f"/requests/{request_id}/print"))
    assert _reveals(engine) == [(task.assignee, "approver", ["id_number", "phone"])] * 2


def test_the_inbox_summary_never_shows_it(engine: Approvals, web: Flask) -> None:
    _applicant, request_id = _submit(engine)
    page = text(client_for(web, open_task(engine, request_id).assignee).get("/inbox"))
    assert "办理贷款" in page
    assert ID_NUMBER not in page and "110***" not in page and PHONE not in page and "sm4gcm" not in page
    assert _reveals(engine) == []


def test_an_inspector_sees_it_on_the_trail_and_through_the_api_each_time_logged(engine: Approvals, web: Flask) -> None:
    _applicant, request_id = _submit(engine)
    assert ID_NUMBER in text(client_for(web, INSPECTOR).get(f"/inspect/requests/{request_id}"))
    head = open_task(engine, request_id).assignee
    shown = api_for(web, engine, head).get(f"/api/v1/requests/{request_id}").get_json()
    assert (shown["fields"]["id_number"], shown["fields"]["phone"]) == (ID_NUMBER, PHONE)
    assert _reveals(engine) == [(INSPECTOR, "inspector", ["id_number", "phone"]),
                                (head, "approver", ["id_number", "phone"])]


def test_the_audit_export_carries_no_id_number(engine: Approvals, web: Flask) -> None:
    _applicant, request_id = _submit(engine)
    exported = client_for(web, INSPECTOR).get("/inspect/export.csv").get_data(as_text=True)
    assert "submitted" in exported or "提交" in exported
    assert ID_NUMBER not in exported and "sm4gcm:" not in exported


def test_a_missing_key_is_a_page_naming_the_key_never_an_empty_value(
        engine: Approvals, web: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    applicant, request_id = _submit(engine)
    monkeypatch.setenv(atrest.INLINE_ENV, "k2:" + "22" * 16)
    response = client_for(web, applicant).get(f"/requests/{request_id}")
    page = text(response)
    assert response.status_code >= 400
    assert "k1" in page and "id_number" in page and "Traceback" not in page
