"""A person changes their password; an admin resets one; an acting approver ended early from
the page; the picker finds people by pinyin initials."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from webkit import ADMIN, PASSWORD, client_for, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.identity import credentials
from web.picker import matches


def test_a_person_changes_their_password_and_stays_signed_in(engine: Approvals, web: Flask) -> None:
    client = client_for(web, "shen.yue")

    new = {"new": "long-enough-1", "repeat": "long-enough-1"}
    wrong = client.post("/account/password", data={"current": "nope", **new})
    short = client.post("/account/password", data={"current": PASSWORD, "new": "short", "repeat": "short"})
    assert wrong.status_code == 400 and "不是您当前的密码" in text(wrong)
    assert short.status_code == 400 and "8" in text(short)

    done = client.post("/account/password", follow_redirects=True,
                       data={"current": PASSWORD, "new": "long-enough-1", "repeat": "long-enough-1"})
    assert "密码已修改" in text(done)
    assert client.get("/requests").status_code == 200  # this session continues
    assert credentials.check(engine.db, "shen.yue", "long-enough-1")


def test_an_admin_resets_a_password(engine: Approvals, web: Flask) -> None:
    response = client_for(web, ADMIN).post("/admin/accounts", follow_redirects=True,
                                           data={"person": "shen.yue", "new": "temporary-22"})
    assert "已为 沈悦 设置新密码" in text(response)
    assert credentials.check(engine.db, "shen.yue", "temporary-22")


def test_an_acting_approver_ended_early_hands_the_tasks_back(engine: Approvals, web: Flask) -> None:
    engine.service.delegate("jiang.tao", "he.ping", date(2026, 11, 23), date(2026, 11, 30))
    request_id = submit_leave(engine, "shen.yue")
    assert open_task(engine, request_id).assignee == "he.ping"
    client = client_for(web, "jiang.tao")
    page = client.get("/delegation").get_data(as_text=True)
    end = re.search(r'action="(/delegation/\d+/end)"', page)
    assert end and "何平" in text(client.get("/delegation"))

    done = client.post(end[1], data={"back": "/delegation"}, follow_redirects=True)

    assert "已结束" in text(done)
    assert open_task(engine, request_id).assignee == "jiang.tao"


def test_an_overlapping_acting_approver_is_refused_with_the_one_in_force(engine: Approvals, web: Flask) -> None:
    engine.service.delegate("jiang.tao", "he.ping", date(2026, 11, 23), date(2026, 11, 30))
    response = client_for(web, "jiang.tao").post(
        "/delegation", data={"delegate": "shen.yue", "starts_on": "2026-11-28", "ends_on": "2026-12-02"})
    assert response.status_code == 400 and "何平" in text(response) and "重叠" in text(response)


def test_the_picker_finds_people_by_name_unit_and_pinyin(engine: Approvals) -> None:
    chart = engine.orgcharts.current("xx-nrpb")
    found = {pid for pid, p in chart.people.items() if matches(chart, p, "hp")}
    assert "he.ping" in found
    finance = {pid for pid, p in chart.people.items() if matches(chart, p, "财务")}
    assert finance == set(chart.members("finance"))
    assert {pid for pid, p in chart.people.items() if matches(chart, p, "cwyzjyyk sy")} == {"shen.yue"}
