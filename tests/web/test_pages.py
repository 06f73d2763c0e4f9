"""Every page renders for every kind of user, in Chinese by default."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from webkit import ADMIN, client_for, open_task, submit_leave, text

from approvals.app import Approvals

APPLICANT = "shen.yue"  # 财务与资金运用科 staff: 蒋涛 -> 陈刚 -> 李明, then 人事科 files it
HEAD = "jiang.tao"
INSPECTOR = "yang.fan"  # 机关纪委


def _chinese(page: str) -> bool:
    """The page's own words (menu, headings) are Chinese, not only the data shown in it."""
    return (
        "审批系统" in page
        and "发起申请" in page
        and not re.search(r"\b(Inbox|My requests)\b", page)
    )


def _pages_for(engine: Approvals, request_id: int) -> dict[str, list[str]]:
    task = open_task(engine, request_id)
    version = engine.admin.versions("xx-nrpb")[0]
    return {
        APPLICANT: [
            "/",
            "/apply",
            "/apply/leave",
            "/apply/meeting",
            "/requests",
            f"/requests/{request_id}",
            "/inbox",
            "/done",
            "/delegation",
        ],
        HEAD: [
            "/",
            "/inbox",
            f"/tasks/{task.id}",
            f"/requests/{request_id}",
            "/done",
            "/delegation",
        ],
        ADMIN: [
            "/admin/orgchart",
            "/admin/orgchart/edit",
            "/admin/orgchart/versions",
            f"/admin/orgchart/versions/{version.id}",
            "/admin/delegations",
            "/notices",
        ],
        INSPECTOR: [
            "/inspect/",
            f"/inspect/requests/{request_id}",
            f"/inspect/orgcharts/xx-nrpb/{version.version}",
            f"/requests/{request_id}",
        ],
    }


def test_every_page_renders_in_chinese_for_the_user_it_is_for(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, APPLICANT)
    for person, urls in _pages_for(engine, request_id).items():
        client = client_for(web, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{person} {url}: {response.status_code}"
            assert _chinese(text(response)), f"{person} {url} is not in Chinese"
            assert "Traceback" not in response.get_data(as_text=True)


def test_the_login_page_is_chinese_and_signing_out_ends_the_session(web: Flask) -> None:
    client = web.test_client()
    assert "登录" in text(client.get("/login"))
    assert client.get("/").status_code == 302  # not signed in: to the login page
    client_signed = client_for(web, APPLICANT)
    assert client_signed.get("/").status_code == 200
    client_signed.post("/logout")
    assert client_signed.get("/").status_code == 302


def test_english_is_one_click_away_and_stays_for_the_session(web: Flask) -> None:
    client = client_for(web, APPLICANT)
    client.post("/language", data={"lang": "en", "next": "/requests"})
    page = text(client.get("/requests"))
    assert "My requests" in page and "我的申请" not in page
    client.post("/language", data={"lang": "zh"})
    assert "我的申请" in text(client.get("/requests"))


@pytest.mark.parametrize("person", [APPLICANT, HEAD, ADMIN, INSPECTOR, "wang.jun"])
def test_the_home_page_shows_the_menu_for_each_role(web: Flask, person: str) -> None:
    page = text(client_for(web, person).get("/"))
    assert "发起申请" in page and "待办" in page
    assert ("组织架构" in page) == (person == ADMIN)
    assert ("审计" in page) == (person == INSPECTOR)
