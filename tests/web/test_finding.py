"""我的申请 and 已办 with the search form: what a person types, what the list then shows."""

from __future__ import annotations

from flask import Flask
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals

STAFF, HEAD = "shen.yue", "jiang.tao"


def test_my_requests_say_where_each_one_waits_and_who_holds_it(
    engine: Approvals, web: Flask
) -> None:
    submit_leave(engine, STAFF, destination="武汉市")
    page = text(client_for(web, STAFF).get("/requests"))
    assert "当前环节" in page and "科室主要负责人签字" in page and "蒋涛" in page


def test_a_search_for_a_place_finds_only_the_request_that_goes_there(
    engine: Approvals, web: Flask
) -> None:
    beijing = submit_leave(engine, STAFF, destination="北京市")
    wuhan = submit_leave(engine, STAFF, destination="武汉市")
    client = client_for(web, STAFF)
    found = client.get("/requests?q=武汉").get_data(as_text=True)
    assert f"/requests/{wuhan}" in found and f"/requests/{beijing}\"" not in found
    nothing = text(client.get("/requests?q=广州"))
    assert "没有符合条件的申请" in nothing


def test_a_date_not_in_the_right_shape_is_named_beside_its_field(web: Flask) -> None:
    page = client_for(web, STAFF).get("/requests?since=昨天").get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "请按 YYYY-MM-DD 格式输入日期（当前为 昨天）" in page


def test_what_i_returned_is_found_by_status_with_its_current_step(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    engine.service.decide(open_task(engine, request_id).id, HEAD, "return", "请补充地址")
    approved = submit_leave(engine, STAFF)
    engine.service.decide(open_task(engine, approved).id, HEAD, "approve", "")
    page = client_for(web, HEAD).get("/done?status=returned").get_data(as_text=True)
    assert "请补充地址" in page and f"/requests/{approved}\"" not in page
    rest = text(client_for(web, HEAD).get("/done?status=approved"))
    assert "分管局领导审签" in rest and "陈刚" in rest


def _family_trip(engine: Approvals, destination: str) -> int:
    fields = {"relation": "配偶", "traveller": "李某", "destination": destination,
              "risk_level": "高风险", "depart_on": "2026-11-24", "return_on": "2026-11-30"}
    return engine.service.submit(STAFF, "family_trip", fields)


def test_the_filing_desk_finds_an_acknowledged_filing_by_its_destination(
    engine: Approvals, web: Flask
) -> None:
    wuhan, beijing = _family_trip(engine, "武汉市"), _family_trip(engine, "北京市")
    for request_id in (wuhan, beijing):
        engine.service.acknowledge(open_task(engine, request_id, "file").id, "feng.jie")
    page = client_for(web, "feng.jie").get("/notices?q=武汉").get_data(as_text=True)
    assert f"/requests/{wuhan}\"" in page and f"/requests/{beijing}\"" not in page
