"""Personnel changes by form on the admin pages: the impact in names before saving, a reason
required, the editor's problems as Chinese sentences naming the unit, person and field."""

from __future__ import annotations

import re
import threading
from typing import Any

from flask import Flask
from webkit import ADMIN, client_for, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.people.orgchart.changes import Retitle

APPOINT_HE_PING = {"position": "unit:head", "unit": "finance", "person": "he.ping"}


def test_an_appointment_shows_the_tasks_it_moves_in_names_then_saves_with_its_reason(
        engine: Approvals, web: Flask) -> None:
    for destination in ("武汉市", "长沙市", "南昌市", "成都市"):
        submit_leave(engine, "shen.yue", destination=destination)
    client = client_for(web, ADMIN)

    preview = client.post("/admin/orgchart/changes/appoint", data={**APPOINT_HE_PING, "action": "check"})
    page = text(preview)
    assert "任命 何平 为 财务与资金运用科主要负责人" in page
    assert "将 4 个待办从 蒋涛 移交给 何平" in page
    assert len(engine.admin.versions("xx-nrpb")) == 1  # previewing saves nothing

    checked = re.search(r'name="checked" value="([0-9a-f]+)"', preview.get_data(as_text=True))
    assert checked
    saved = client.post("/admin/orgchart/changes/appoint", follow_redirects=True, data={
        **APPOINT_HE_PING, "action": "save", "checked": checked[1], "reason": "局党组会议决定"})
    assert "已保存" in text(saved) and "局党组会议决定" in text(saved)
    assert engine.admin.versions("xx-nrpb")[0].comment == "任命 何平 为 财务与资金运用科主要负责人：局党组会议决定"
    assert open_task(engine, submit_leave(engine, "shen.yue")).assignee == "he.ping"


def test_saving_without_a_reason_saves_nothing(engine: Approvals, web: Flask) -> None:
    client = client_for(web, ADMIN)
    preview = client.post("/admin/orgchart/changes/appoint", data={**APPOINT_HE_PING, "action": "check"})
    checked = re.search(r'name="checked" value="([0-9a-f]+)"', preview.get_data(as_text=True))
    assert checked

    response = client.post("/admin/orgchart/changes/appoint", data={
        **APPOINT_HE_PING, "action": "save", "checked": checked[1], "reason": ""})

    assert response.status_code == 400 and "原因" in text(response)
    assert len(engine.admin.versions("xx-nrpb")) == 1


def test_a_person_leaving_by_form_hands_over_and_cannot_sign_in(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    client = client_for(web, ADMIN)
    form = {"person": "jiang.tao", "successor": "he.ping"}
    preview = client.post("/admin/orgchart/changes/leave", data={**form, "action": "check"})
    assert "蒋涛 离职，由 何平 接任其职务" in text(preview) and "将 1 个待办从 蒋涛 移交给 何平" in text(preview)
    checked = re.search(r'name="checked" value="([0-9a-f]+)"', preview.get_data(as_text=True))
    assert checked

    client.post("/admin/orgchart/changes/leave", data={**form, "action": "save", "checked": checked[1],
                                                       "reason": "调出本局"})

    assert open_task(engine, request_id).assignee == "he.ping"
    response = web.test_client().post("/login", data={"person": "jiang.tao", "password": "demo"})
    assert response.status_code == 200 and "Location" not in response.headers  # not signed in
    assert 'role="alert"' in response.get_data(as_text=True)


def test_a_form_left_incomplete_names_the_missing_field(web: Flask) -> None:
    response = client_for(web, ADMIN).post("/admin/orgchart/changes/transfer",
                                           data={"person": "sun.li", "unit": "", "action": "check"})
    assert response.status_code == 400 and "请填写单位" in text(response)


def test_a_broken_yaml_edit_is_a_chinese_sentence_naming_the_unit_and_field(engine: Approvals, web: Flask) -> None:
    broken = engine.admin.current_text("xx-nrpb").replace("head: jiang.tao", "head: he.pin")
    response = client_for(web, ADMIN).post("/admin/orgchart/edit", data={"text": broken, "action": "check"})
    page = text(response)
    assert "单位 财务与资金运用科 的 负责人" in page
    assert "人员名单中没有这个编号的人员（是否想写 he.ping？）" in page


def test_a_yaml_layout_error_says_what_to_do_in_chinese(engine: Approvals, web: Flask) -> None:
    broken = engine.admin.current_text("xx-nrpb").replace("  - id: planning", " - id: planning")
    response = client_for(web, ADMIN).post("/admin/orgchart/edit", data={"text": broken, "action": "check"})
    page = text(response)
    assert "第" in page and "缩进" in page
    assert "while parsing" not in page


def test_a_decision_shows_the_title_its_approver_held_then_not_today(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    task = open_task(engine, request_id)
    engine.service.decide(task.id, "jiang.tao", "approve", "同意")
    engine.admin.save_change("xx-nrpb", Retitle("jiang.tao", "一级调研员"), "职级晋升", ADMIN)

    page = text(client_for(web, "shen.yue").get(f"/requests/{request_id}"))
    assert "蒋涛 科长" in page and "蒋涛 一级调研员" not in page


def test_duty_names_and_process_names_come_from_the_chart_and_the_process_file(web: Flask) -> None:
    client = client_for(web, ADMIN)
    assert "登记备案" in text(client.get("/admin/orgchart")) and "纪检监督" in text(client.get("/admin/orgchart"))
    english = client_for(web, "shen.yue")
    english.post("/language", data={"lang": "en"})
    page = text(english.get("/apply"))
    assert "Leaving the city" in page  # the process's name_en property


def _together(actions: list[Any]) -> list[Any]:
    """Run ``actions`` at the same moment (two admins pressing save together); their results."""
    barrier, results = threading.Barrier(len(actions)), [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = actions[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_admins_saving_changes_at_once_save_one_and_the_other_is_told_who_saved_first(
        engine: Approvals, web: Flask) -> None:
    admins = [client_for(web, ADMIN), client_for(web, ADMIN)]
    for round_ in range(3):
        forms = [{"person": "shen.yue", "title": f"科员{round_}"}, {"person": "he.ping", "title": f"调研员{round_}",
                                                                 "county": "1"}]
        checked = []
        for client, form in zip(admins, forms, strict=True):
            preview = client.post("/admin/orgchart/changes/retitle", data={**form, "action": "check"})
            found = re.search(r'name="checked" value="([0-9a-f]+)"', preview.get_data(as_text=True))
            assert found
            checked.append(found[1])
        before = len(engine.admin.versions("xx-nrpb"))
        results = _together([
            lambda c=c, f=f, k=k: c.post("/admin/orgchart/changes/retitle",
                                         data={**f, "action": "save", "checked": k, "reason": "职务调整"})
            for c, f, k in zip(admins, forms, checked, strict=True)])
        assert sorted(r.status_code for r in results) == [302, 409]
        told = next(r for r in results if r.status_code == 409)
        assert "已先保存了组织架构" in text(told) and "您的修改未保存" in text(told)
        assert 'name="checked"' in told.get_data(as_text=True)  # the new preview, ready to save again
        assert len(engine.admin.versions("xx-nrpb")) == before + 1


def test_a_yaml_save_on_a_version_someone_replaced_shows_who_and_the_new_impact(
        engine: Approvals, web: Flask) -> None:
    client = client_for(web, ADMIN)
    edited = engine.admin.current_text("xx-nrpb") + "# 我的修改\n"
    preview = client.post("/admin/orgchart/edit", data={"text": edited, "action": "check"})
    page = preview.get_data(as_text=True)
    checked = re.search(r'name="checked" value="([0-9a-f]+)"', page)
    based_on = re.search(r'name="based_on" value="(\d+)"', page)
    assert checked and based_on
    engine.admin.save_change("xx-nrpb", Retitle("shen.yue", "副科长"), "先到先得", "li.ming")

    refused = client.post("/admin/orgchart/edit", data={"text": edited, "action": "save", "checked": checked[1],
                                                        "based_on": based_on[1]})

    assert refused.status_code == 409
    assert "已先保存了组织架构" in text(refused) and "您的修改未保存" in text(refused)
    assert len(engine.admin.versions("xx-nrpb")) == 2
    fresh = re.search(r'name="based_on" value="(\d+)"', refused.get_data(as_text=True))
    assert fresh and int(fresh[1]) == engine.admin.versions("xx-nrpb")[0].id
    assert "副科长" in text(refused)  # the diff now shows it would undo the change saved first
    saved = client.post("/admin/orgchart/edit", data={"text": edited, "action": "save", "checked": checked[1],
                                                      "based_on": fresh[1]})
    assert saved.status_code == 302 and len(engine.admin.versions("xx-nrpb")) == 3
