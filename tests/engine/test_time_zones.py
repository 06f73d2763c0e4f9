"""Days and times in the organization's time zone, never the server's (issue 19, point 2).

A server left on UTC (most containers) or on New York time must count the same days as one in
Beijing: a step arriving at 07:30 Beijing time on 2025-09-30, the eve of the National Day
holiday, arrives on 09-30 and, with leave_xx's limit of 3 working days, is due on Saturday
10-11 (a 调休 working day: 10-09, 10-10, 10-11), not on 10-10 as counted from 09-29.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from support import CHART_A, leave_fields, make_app, open_steps, pick
from timezones import SERVER_ZONES, StoppedClock, server_zone

from approvals.app import build
from approvals.cli import cli
from approvals.clock import FixedClock, SystemClock, local
from approvals.errors import ConfigurationError, OrgChartError
from approvals.people.orgchart.loader import parse_orgchart

BEIJING_0730 = datetime(2025, 9, 30, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # 2025-09-29 23:30 UTC


@pytest.fixture(params=SERVER_ZONES)
def server_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    with server_zone(request.param):
        yield request.param


def chart_in(zone: str) -> str:
    text = CHART_A.read_text(encoding="utf-8")
    return text.replace("organization:\n", f"organization:\n  time_zone: {zone}\n", 1)


def test_the_system_clock_reads_beijing_wall_time_whatever_the_servers_tz(server_tz: str) -> None:
    beijing = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs(SystemClock().now() - beijing) < timedelta(seconds=5)


def test_a_step_arriving_at_0730_beijing_on_national_day_eve_is_due_after_the_holiday(
        server_tz: str, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    StoppedClock(monkeypatch, BEIJING_0730)
    app = make_app(db_url, CHART_A, clock=SystemClock())
    chart = app.orgcharts.current("xx-nrpb")
    request_id = app.service.submit(pick(chart, "leader"), "leave", leave_fields())
    (step,) = open_steps(app, request_id)
    assert step.created_at == datetime(2025, 9, 30, 7, 30)
    assert step.due_on == date(2025, 10, 11)
    app.db.dispose()


def test_a_chart_in_another_zone_counts_its_own_days(db_url: str, tmp_path: Path) -> None:
    """05:30 in Beijing is 23:30 the evening before in Berlin: the step arrives on 09-29 there
    and is due three working days later, 10-10, while a Beijing chart counts from 09-30."""
    berlin = tmp_path / "xx-berlin.yaml"
    berlin.write_text(chart_in("Europe/Berlin"), encoding="utf-8")
    clock = FixedClock(datetime(2025, 9, 30, 5, 30))
    app = make_app(db_url, berlin, clock=clock)
    chart = app.orgcharts.current("xx-nrpb")
    assert chart.organization.time_zone == "Europe/Berlin"
    request_id = app.service.submit(pick(chart, "leader"), "leave", leave_fields())
    (step,) = open_steps(app, request_id)
    assert step.due_on == date(2025, 10, 10)
    assert local(clock, step.created_at, "Europe/Berlin") == datetime(2025, 9, 29, 23, 30)
    app.db.dispose()


def test_rows_written_on_a_utc_server_read_right_with_approvals_time_zone_utc(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installation whose stored times are UTC wall times sets APPROVALS_TIME_ZONE=UTC: its
    Beijing organization still counts 23:30 UTC as 07:30 the next morning."""
    monkeypatch.setenv("APPROVALS_TIME_ZONE", "UTC")
    with server_zone("America/New_York"):
        StoppedClock(monkeypatch, BEIJING_0730)
        clock = SystemClock()
        assert (clock.zone, clock.now()) == ("UTC", datetime(2025, 9, 29, 23, 30))
        app = make_app(db_url, CHART_A, clock=clock)
        chart = app.orgcharts.current("xx-nrpb")
        request_id = app.service.submit(pick(chart, "leader"), "leave", leave_fields())
        (step,) = open_steps(app, request_id)
        assert step.due_on == date(2025, 10, 11)
        assert local(clock, step.created_at, "Asia/Shanghai") == datetime(2025, 9, 30, 7, 30)
        app.db.dispose()


def test_a_chart_naming_no_time_zone_is_refused_naming_the_value() -> None:
    with pytest.raises(OrgChartError) as bad:
        parse_orgchart(chart_in("Asia/Shangai"))
    message = str(bad.value)
    assert "organization.time_zone" in message and "'Asia/Shangai'" in message
    assert "did you mean Asia/Shanghai" in message
    assert parse_orgchart(CHART_A.read_text(encoding="utf-8")).organization.time_zone == "Asia/Shanghai"


def test_a_bad_approvals_time_zone_is_refused_at_start_naming_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("APPROVALS_TIME_ZONE", "Beijing")
    with pytest.raises(ConfigurationError) as bad:
        build(f"sqlite:///{tmp_path}/a.sqlite3")
    assert "APPROVALS_TIME_ZONE='Beijing'" in str(bad.value) and "IANA" in str(bad.value)
    result = CliRunner().invoke(cli, ["--database", f"sqlite:///{tmp_path}/a.sqlite3", "init-db"])
    assert result.exit_code == 1
    assert "error: APPROVALS_TIME_ZONE='Beijing'" in result.output and "Traceback" not in result.output
