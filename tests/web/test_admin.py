"""The admin: the org chart as a page, editing it with inline errors and an impact preview,
versions with diffs, and acting approvers for anyone."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from flask import Flask
from webkit import ADMIN, client_for, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.audit import search as audit_search

NEW_FINANCE_HEAD = "head: he.ping"


def _replace_finance_head(engine: Approvals) -> str:
    return engine.admin.current_text("xx-nrpb").replace("head: jiang.tao", NEW_FINANCE_HEAD)


def test_the_org_chart_page_shows_units_posts_and_people(web: Flask) -> None:
    page = text(client_for(web, ADMIN).get("/admin/orgchart"))
    assert "XX市自然资源和规划局" in page and "财务与资金运用科" in page
    assert re.search(r"局主要负责人 王军", page) and "蒋涛" in page and "机关纪委" in page


def test_an_invalid_chart_shows_each_problem_next_to_its_line_and_saves_nothing(
    engine: Approvals, web: Flask
) -> None:
    broken = engine.admin.current_text("xx-nrpb").replace("head: jiang.tao", "head: jiang.tal")
    line = next(n for n, t in enumerate(broken.splitlines(), 1) if "jiang.tal" in t)
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit", data={"text": broken, "action": "check"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    item = re.search(rf'<li value="{line}" class="bad" id="line-{line}">(.*?)</li>', html, re.S)
    assert item and "jiang.tal" in item[1] and "problem" in item[1]
    assert "发现 1 个问题，未保存" in text(response)
    assert len(engine.admin.versions("xx-nrpb")) == 1


def test_the_impact_is_shown_with_names_before_anything_is_saved(
    engine: Approvals, web: Flask
) -> None:
    for destination in ("武汉市", "长沙市", "南昌市"):
        submit_leave(engine, "shen.yue", destination=destination)
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit", data={"text": _replace_finance_head(engine), "action": "check"}
    )
    page = text(response)
    assert "将 3 个待办从 蒋涛 移交给 何平" in page
    assert "- head: jiang.tao" in page and "+ head: he.ping" in page
    assert len(engine.admin.versions("xx-nrpb")) == 1  # previewing saves nothing


def test_saving_after_the_preview_moves_open_tasks_to_the_new_head(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, "shen.yue")
    client = client_for(web, ADMIN)
    new_text = _replace_finance_head(engine)
    preview = client.post("/admin/orgchart/edit", data={"text": new_text, "action": "check"})
    checked = re.search(r'name="checked" value="([0-9a-f]+)"', preview.get_data(as_text=True))
    assert checked
    saved = client.post(
        "/admin/orgchart/edit",
        data={"text": new_text, "action": "save", "checked": checked[1],
              "based_on": _based_on(preview), "comment": "蒋涛调任"},
        follow_redirects=True,
    )
    assert "1 个待办事项已移交给新的任职人" in text(saved) and "蒋涛调任" in text(saved)
    assert open_task(engine, request_id).assignee == "he.ping"
    assert "沈悦" in text(client_for(web, "he.ping").get("/inbox"))


def test_saving_without_seeing_the_preview_shows_the_preview_first(
    engine: Approvals, web: Flask
) -> None:
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit", data={"text": _replace_finance_head(engine), "action": "save"}
    )
    assert response.status_code == 200 and "保存前：影响预览" in text(response)
    assert len(engine.admin.versions("xx-nrpb")) == 1


def test_an_uploaded_yaml_file_is_checked_like_typed_text(engine: Approvals, web: Flask) -> None:
    upload = (BytesIO(_replace_finance_head(engine).encode()), "xx.yaml")
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit",
        data={"upload": upload, "action": "check"},
        content_type="multipart/form-data",
    )
    assert "+ head: he.ping" in text(response)
    not_utf8 = (BytesIO("organization: 局".encode("gbk")), "gbk.yaml")
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit",
        data={"upload": not_utf8, "action": "check"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "UTF-8" in text(response)


def test_every_version_is_kept_with_its_diff(engine: Approvals, web: Flask) -> None:
    engine.admin.save(_replace_finance_head(engine), ADMIN, "xx.yaml", "蒋涛调任")
    client = client_for(web, ADMIN)
    page = text(client.get("/admin/orgchart/versions"))
    assert "蒋涛调任" in page and "冯洁" in page and "当前" in page
    newest = engine.admin.versions("xx-nrpb")[0]
    diff = client.get(f"/admin/orgchart/versions/{newest.id}").get_data(as_text=True)
    assert (
        '<span class="del">-    head: jiang.tao</span>' in diff
        and '<span class="add">+    head: he.ping</span>' in diff
    )


def test_an_admin_names_an_acting_approver_for_someone_else(engine: Approvals, web: Flask) -> None:
    response = client_for(web, ADMIN).post(
        "/admin/delegations",
        data={
            "principal": "jiang.tao",
            "delegate": "he.ping",
            "starts_on": "2026-11-23",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 302
    assert open_task(engine, submit_leave(engine, "shen.yue")).assignee == "he.ping"
    [hit] = audit_search.search(engine.db, audit_search.AuditQuery(actions=("delegated",))).hits
    assert hit.entry.actor == ADMIN  # the audit trail says who really named the acting approver
    page = text(client_for(web, "jiang.tao").get("/delegation"))
    assert "何平" in page and "冯洁" in page  # the principal sees it, and who named it


def test_someone_who_left_the_chart_is_still_named_in_old_timelines(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    engine.service.decide(open_task(engine, request_id).id, "jiang.tao", "approve", "")
    without = _replace_finance_head(engine).replace("  - {id: jiang.tao, name: 蒋涛, unit: finance, title: 科长}\n", "")
    engine.admin.save(without, ADMIN)
    page = text(client_for(web, "shen.yue").get(f"/requests/{request_id}"))
    assert "蒋涛 科长 同意" in page


def test_a_chart_saved_between_two_pages_shows_on_the_second(engine: Approvals, web: Flask) -> None:
    """Pages read the chart once each; a caller holding one app context across several
    requests (a script, a test) still sees the new chart on the next page."""
    request_id = submit_leave(engine, "shen.yue")
    client = client_for(web, "jiang.tao")
    with web.app_context():
        assert "沈悦" in text(client.get("/inbox"))
        engine.admin.save(engine.admin.current_text("xx-nrpb").replace("name: 沈悦", "name: 沈月"), ADMIN)
        inbox = text(client.get("/inbox"))
    assert "沈月" in inbox and "沈悦" not in inbox
    assert open_task(engine, request_id).assignee == "jiang.tao"


def test_names_and_titles_from_the_chart_are_shown_as_text_not_markup(engine: Approvals, web: Flask) -> None:
    edited = engine.admin.current_text("xx-nrpb").replace("name: 沈悦, unit: finance, title: 科员",
                                                          'name: "沈<b>悦", unit: finance, title: "科员&<i>"')
    engine.admin.save(edited, ADMIN)
    submit_leave(engine, "shen.yue")
    page = client_for(web, "jiang.tao").get("/inbox").get_data(as_text=True)
    assert "沈&lt;b&gt;悦<small>科员&amp;&lt;i&gt;</small>" in page and "<b>" not in page


def _based_on(preview: Any) -> str:
    """The version the preview was worked out against: the save is refused on any other."""
    found = re.search(r'name="based_on" value="(\d+)"', preview.get_data(as_text=True))
    assert found
    return found[1]
