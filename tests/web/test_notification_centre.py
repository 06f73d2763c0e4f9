"""The notification centre: the menu shows how many are unread, the list says what happened
in words, opening one goes where to act and marks it read."""

from __future__ import annotations

import re

from flask import Flask
from support import leave_fields, pick
from webkit import ADMIN, client_for, open_task, text

from approvals.app import Approvals


def test_a_new_task_shows_in_the_menu_count_and_opening_it_leads_to_the_task(engine: Approvals, web: Flask) -> None:
    chart = engine.orgcharts.current("xx-nrpb")
    request_id = engine.service.submit(pick(chart, "leader"), "leave", leave_fields())
    task = open_task(engine, request_id)
    client = client_for(web, task.assignee)
    assert re.search(r"通知 1", text(client.get("/inbox")))
    page = client.get("/notifications").get_data(as_text=True)
    assert f"离孝审批 #{request_id} 等待您审批。" in text(client.get("/notifications"))
    [note_id] = re.findall(r"/notifications/(\d+)/open", page)
    opened = client.post(f"/notifications/{note_id}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/tasks/{task.id}")
    assert not re.search(r"通知 \d", text(client.get("/inbox")))


def test_mark_all_as_read_clears_the_count_and_nobody_opens_anothers_notification(
        engine: Approvals, web: Flask) -> None:
    chart = engine.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section")
    request_id = engine.service.submit(applicant, "leave", leave_fields())
    task = open_task(engine, request_id)
    engine.service.decide(task.id, task.assignee, "return", "请写明具体地址")
    client = client_for(web, applicant)
    assert "被 " in text(client.get("/notifications")) and "请写明具体地址" in text(client.get("/notifications"))
    page = client.get("/notifications").get_data(as_text=True)
    [note_id] = re.findall(r"/notifications/(\d+)/open", page)
    assert client_for(web, task.assignee).post(f"/notifications/{note_id}/open").status_code == 404
    client.post("/notifications/read")
    assert "全部标为已读" not in text(client.get("/notifications"))
    assert not re.search(r"通知 \d", text(client.get("/")))


def test_an_admin_sees_undelivered_messages_without_the_robots_token_and_sends_them_again(
        engine: Approvals, web: Flask) -> None:
    from approvals.notifications import delivery, settings
    from approvals.store.models import OutboxMessage

    settings.put(engine.db, "xx-nrpb", None, "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET")
    engine.service.submit(pick(engine.orgcharts.current("xx-nrpb"), "leader"), "leave", leave_fields())
    delivery.dispatch(engine.db, engine.clock.now(), lambda _o, p: p or "", lambda r: r.request_type or "")
    with engine.db.transaction() as s:
        s.query(OutboxMessage).update({"status": "dead", "attempts": 10, "last_error": "timed out"})
    client = client_for(web, ADMIN)
    page = text(client.get("/admin/messages"))
    assert "未送达的消息 1" in page and "qyapi.weixin.qq.com" in page and "timed out" in page
    assert "SECRET" not in client.get("/admin/messages").get_data(as_text=True)
    [message_id] = re.findall(r'name="message" value="(\d+)"', client.get("/admin/messages").get_data(as_text=True))
    done = text(client.post("/admin/messages/retry", data={"message": message_id}, follow_redirects=True))
    assert "将重新发送 1 条消息" in done and "没有放弃投递的消息" in done
    assert client_for(web, "shen.yue").get("/admin/messages").status_code == 403


def test_a_person_gives_an_email_address_and_turns_the_group_robot_off_for_themselves(engine: Approvals) -> None:
    from webkit import make_web

    from approvals.notifications import settings

    web = make_web(engine, APPROVALS_SMTP_HOST="127.0.0.1")  # e-mail is set up on this server

    settings.put(engine.db, "xx-nrpb", None, "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K")
    client = client_for(web, "zhao.lei")
    page = text(client.get("/notifications/settings"))
    assert "电子邮箱" in page and "将我的通知发到群机器人（wecom）" in page
    bad = text(client.post("/notifications/settings", data={"email": "zhao.lei", "shown": "robot-wecom"}))
    assert "这不是有效的电子邮箱地址" in bad
    client.post("/notifications/settings", data={"email": "zhao.lei@xx.gov.cn", "shown": "robot-wecom"})
    own, _org = settings.of_person(engine.db, "xx-nrpb", "zhao.lei")
    assert (own["email"].target, own["email"].enabled, own["wecom"].enabled) == ("zhao.lei@xx.gov.cn", True, False)
    with engine.db.writing() as conn:
        assert [t.channel for t in settings.targets(conn, "xx-nrpb", "zhao.lei")] == ["email"]
