"""What the pages say about days and times, with the server on UTC or New York time: the
organization's zone decides (issue 19, point 2; tests/engine/test_time_zones.py for the engine).

The scenario: a section head's leave reaches her supervisor at 07:30 Beijing time on
2025-09-30, the eve of the National Day holiday (10-01 to 10-08). The step is due three working
days later, Saturday 10-11 (a 调休 working day). On the first morning of the holiday three
working days are left (10-09, 10-10, 10-11), not two.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from support import CHART_A, CHART_B, leave_fields, make_app, pick
from timezones import SERVER_ZONES, StoppedClock, server_zone
from webkit import ADMIN, client_for, everyone, make_web, open_task, set_passwords, text

from approvals.app import Approvals
from approvals.clock import FixedClock, SystemClock

BEIJING_0730 = datetime(2025, 9, 30, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(params=SERVER_ZONES)
def server_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    with server_zone(request.param):
        yield request.param


def _engine(db_url: str, *charts: Path, clock: object) -> Approvals:
    app = make_app(db_url, *charts, clock=clock)  # type: ignore[arg-type]
    set_passwords(app, everyone(app))
    return app


def test_inbox_and_request_page_count_and_show_beijing_time_on_any_server(
        server_tz: str, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    system = StoppedClock(monkeypatch, BEIJING_0730)
    engine = _engine(db_url, CHART_A, CHART_B, clock=SystemClock())
    applicant = pick(engine.orgcharts.current("xx-nrpb"), "leader")
    request_id = engine.service.submit(applicant, "leave", leave_fields())
    task = open_task(engine, request_id)
    system.advance(days=1)  # 07:30 on 10-01, the first day of the holiday
    web = make_web(engine)
    approver = client_for(web, task.assignee)
    assert "剩 3 个工作日" in text(approver.get("/inbox"))
    page = text(client_for(web, applicant).get(f"/requests/{request_id}"))
    assert "2025-09-30 07:30" in page and "2025-10-11" in page
    engine.db.dispose()


def test_a_chart_in_another_zone_shows_its_times_and_counts_its_days(db_url: str, tmp_path: Path) -> None:
    """05:30 in Beijing is 23:30 the evening before in Berlin: the page shows 2025-09-29 23:30
    and the step, arriving on 09-29 there, is due 10-10."""
    berlin = tmp_path / "xx-berlin.yaml"
    berlin.write_text(CHART_A.read_text(encoding="utf-8").replace(
        "organization:\n", "organization:\n  time_zone: Europe/Berlin\n", 1), encoding="utf-8")
    engine = _engine(db_url, berlin, clock=FixedClock(datetime(2025, 9, 30, 5, 30)))
    applicant = pick(engine.orgcharts.current("xx-nrpb"), "leader")
    request_id = engine.service.submit(applicant, "leave", leave_fields())
    task = open_task(engine, request_id)
    web = make_web(engine)
    page = text(client_for(web, applicant).get(f"/requests/{request_id}"))
    assert "2025-09-29 23:30" in page and "2025-10-10" in page
    assert "剩 3 个工作日" in text(client_for(web, task.assignee).get("/inbox"))  # 09-30, 10-09, 10-10
    engine.db.dispose()


def test_the_chart_editor_refuses_a_misspelt_time_zone_in_chinese_naming_it(engine: Approvals, web: Flask) -> None:
    edited = engine.admin.current_text("xx-nrpb").replace(
        "organization:\n", "organization:\n  time_zone: Asia/Shangai\n", 1)
    before = [v.id for v in engine.admin.versions("xx-nrpb")]
    response = client_for(web, ADMIN).post("/admin/orgchart/edit", data={"text": edited, "action": "save"})
    page = html.unescape(text(response))
    assert response.status_code == 400
    assert "时区" in page and "不是有效的时区" in page and "Asia/Shangai" in page and "Asia/Shanghai" in page
    assert [v.id for v in engine.admin.versions("xx-nrpb")] == before
