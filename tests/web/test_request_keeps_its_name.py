"""A deploy that renames a process does not rename the requests already made (issue 19, point
15): lists, the request page, the audit search, the notification centre and the statistics'
time-per-step table call each request by its own version's name."""

from __future__ import annotations

from io import BytesIO

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from support import PROCESSES
from webkit import client_for, open_task, submit_leave, text, text_of

from approvals.app import Approvals

OLD, NEW = "离孝审批", "离孝审批（2027版）"


def _renamed(engine: Approvals) -> None:
    xml = (PROCESSES / "leave_xx.bpmn").read_text(encoding="utf-8")
    renamed = xml.replace(f'name="{OLD}" isExecutable', f'name="{NEW}" isExecutable', 1)
    assert renamed != xml
    engine.deployer.deploy(renamed, "leave_xx.bpmn", "feng.jie", "改名")


def listed(client: FlaskClient, page: str) -> str:
    """The page's tables only: the search form offers the types by their current names."""
    html = client.get(page).get_data(as_text=True)
    return " ".join(text_of(part.split("</table>", 1)[0]) for part in html.split("<table")[1:])


def test_requests_made_before_a_rename_keep_the_old_name_everywhere(engine: Approvals, web: Flask) -> None:
    old = submit_leave(engine, "shen.yue")
    _renamed(engine)
    new = submit_leave(engine, "he.ping")

    mine = listed(client_for(web, "shen.yue"), "/requests")
    assert OLD in mine and NEW not in mine
    assert OLD in listed(client_for(web, "shen.yue"), "/") and NEW not in listed(client_for(web, "shen.yue"), "/")
    assert NEW in listed(client_for(web, "he.ping"), "/requests")

    head = open_task(engine, old).assignee
    inbox = listed(client_for(web, head), "/inbox")
    assert OLD in inbox and NEW not in inbox
    assert NEW not in text(client_for(web, "shen.yue").get(f"/requests/{old}"))

    found = client_for(web, "yang.fan").get(f"/inspect/?q={old}").get_data(as_text=True)
    rows = [line for line in found.split("<tr") if f"#{old}" in line]
    assert rows and all(NEW not in line for line in rows)
    assert open_task(engine, new)


def _decided(engine: Approvals, request_id: int) -> None:
    step = open_task(engine, request_id)
    engine.service.decide(step.id, step.assignee, "approve", "")


def test_the_time_per_step_table_names_each_version_by_its_own_name(engine: Approvals, web: Flask) -> None:
    old = submit_leave(engine, "shen.yue")
    _decided(engine, old)
    _renamed(engine)
    _decided(engine, submit_leave(engine, "he.ping"))

    client = client_for(web, "feng.jie")
    page = client.get("/stats/?year=2026").get_data(as_text=True)
    table = text_of(page.split("各环节用时", 1)[1].split("</table>", 1)[0])
    assert OLD in table.replace(NEW, "") and NEW in table
    book = load_workbook(BytesIO(client.get("/stats/stats.xlsx?year=2026").data))
    assert {row[0].value for row in list(book["各环节用时"].iter_rows())[1:]} == {OLD, NEW}
