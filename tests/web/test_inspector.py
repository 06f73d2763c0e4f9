"""The discipline inspector: audit search, a request's trail with the org chart version that
chose each approver, CSV export and the hash chain's status. Read-only."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Flask
from webkit import ADMIN, client_for, open_task, submit_leave, text, text_of

from approvals.app import Approvals

INSPECTOR = "yang.fan"
CQ_INSPECTOR = "lu.ning"  # 卢宁, 驻局纪检监察组 of the Chongqing bureau


def _results(response: Any) -> str:
    """The result table only: the filter form lists every person and unit."""
    html = response.get_data(as_text=True)
    return text_of(html.split('<table class="list audit">', 1)[1]) if "list audit" in html else ""


def _decided(engine: Approvals) -> tuple[int, int]:
    approved = submit_leave(engine, "shen.yue")
    engine.service.decide(open_task(engine, approved).id, "jiang.tao", "approve", "同意")
    rejected = submit_leave(engine, "sun.li")
    engine.service.decide(open_task(engine, rejected).id, "zhao.lei", "reject", "工作安排冲突")
    return approved, rejected


def test_search_by_decision_finds_only_those_decisions(engine: Approvals, web: Flask) -> None:
    _approved, rejected = _decided(engine)
    page = text(client_for(web, INSPECTOR).get("/inspect/?decision=reject"))
    assert (
        "共 1 条" in page and "工作安排冲突" in page and "赵磊" in page and f"#{rejected}" in page
    )


def test_search_by_person_unit_type_and_dates(engine: Approvals, web: Flask) -> None:
    _decided(engine)
    client = client_for(web, INSPECTOR)
    assert "蒋涛" in _results(client.get("/inspect/?person=shen.yue"))
    assert "赵磊" not in _results(client.get("/inspect/?person=shen.yue"))
    by_unit = _results(client.get("/inspect/?unit=planning&type=leave"))
    assert "孙丽" in by_unit and "沈悦" not in by_unit
    assert "没有符合条件的记录" in text(client.get("/inspect/?since=2026-11-24"))
    assert "共 0 条" not in text(client.get("/inspect/?since=2026-11-23&until=2026-11-23"))
    assert "不是有效日期" in text(client.get("/inspect/?since=tomorrow"))


def test_a_requests_trail_names_the_org_chart_version_that_chose_each_approver(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, "shen.yue")
    chart = engine.admin.current_text("xx-nrpb").replace("head: jiang.tao", "head: he.ping")
    engine.admin.save(chart, ADMIN, "xx.yaml", "蒋涛调任")
    page = text(client_for(web, INSPECTOR).get(f"/inspect/requests/{request_id}"))
    assert "第 1 版" in page and "第 2 版" in page and "移交" in page
    version = engine.admin.versions("xx-nrpb")[0].version
    old = text(client_for(web, INSPECTOR).get(f"/inspect/orgcharts/xx-nrpb/{version}"))
    assert "he.ping" in old


def test_the_csv_export_has_every_matching_entry_with_chinese_headers(
    engine: Approvals, web: Flask
) -> None:
    _decided(engine)
    response = client_for(web, INSPECTOR).get("/inspect/export.csv?decision=approve")
    assert (
        response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    )
    body = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["序号", "时间", "用户名"]
    decision = rows[0].index("审批意见")
    assert len(rows) == 2 and rows[1][2] == "jiang.tao" and rows[1][decision] == "同意"


def test_an_inspector_never_reads_another_organizations_sign_ins(engine: Approvals, web: Flask) -> None:
    client_for(web, "ye.qing")  # 叶青 of the Chongqing bureau signs in
    client_for(web, "shen.yue")  # 沈悦 of this bureau signs in
    ours = _results(client_for(web, INSPECTOR).get("/inspect/"))
    assert "沈悦" in ours and "叶青" not in ours
    theirs = _results(client_for(web, CQ_INSPECTOR).get("/inspect/"))
    assert "叶青" in theirs and "沈悦" not in theirs
