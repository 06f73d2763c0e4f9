"""The outbox delivered by the worker's job: to real local receivers (an HTTP robot, an SMTP
server), with idempotency keys, retries with back-off, a dead-letter list, and work shared by
several workers without a message sent twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from notifykit import robot, smtp_server
from sqlalchemy import select
from support import PROCESSES, leave_fields, open_steps, pick

from approvals.app import Approvals
from approvals.jobs import notify as jobs
from approvals.notifications import delivery, settings
from approvals.notifications.channels import Email, Robot
from approvals.store.models import Notification, OutboxMessage

XX = "xx-nrpb"


def _leave(app: Approvals) -> tuple[int, str]:
    chart = app.orgcharts.current(XX)
    request_id = app.service.submit(pick(chart, "leader"), "leave", leave_fields())
    [step] = open_steps(app, request_id)
    return request_id, step.assignee


def _messages(app: Approvals) -> list[OutboxMessage]:
    with app.db.reading() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_worker_posts_a_new_task_to_the_organizations_wecom_robot_with_its_key(app: Approvals) -> None:
    with robot() as receiver:
        settings.put(app.db, XX, None, "wecom", receiver.url)
        request_id, holder = _leave(app)
        line = jobs.delivery_job(app, {})()
        assert "1 message(s) sent" in line
        [got] = receiver.tries
    name = app.orgcharts.current(XX).display_name(holder)
    assert got.body["msgtype"] == "text" and set(got.body) == {"msgtype", "text"}
    assert got.body["text"]["content"].startswith(f"【审批系统】待审批：离孝审批 #{request_id}\n@{name} ")
    [message] = _messages(app)
    assert (message.status, got.key) == ("sent", message.idempotency_key)


def test_a_dingtalk_robot_gets_the_signed_timestamp_it_checks(app: Approvals) -> None:
    import base64
    import hashlib
    import hmac
    import urllib.parse

    with robot() as receiver:
        settings.put(app.db, XX, None, "dingtalk", receiver.url, secret="SEC123")
        _leave(app)
        jobs.delivery_job(app, {})()
        [got] = receiver.tries
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(got.path).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SEC123", f"{timestamp}\nSEC123".encode(), hashlib.sha256).digest())
    assert query["sign"][0] == expected.decode() and query["access_token"] == ["t0ken"]
    assert got.body["msgtype"] == "text"


def test_a_feishu_robot_gets_its_signature_in_the_body(app: Approvals) -> None:
    import base64
    import hashlib
    import hmac

    with robot(reply={"code": 0, "msg": "success"}) as receiver:
        settings.put(app.db, XX, None, "feishu", receiver.url, secret="fs-secret")
        _leave(app)
        jobs.delivery_job(app, {})()
        [got] = receiver.tries
    ts = got.body["timestamp"]
    key = f"{ts}\nfs-secret".encode()
    assert got.body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert got.body["msg_type"] == "text" and "离孝审批" in got.body["content"]["text"]
    assert _messages(app)[0].status == "sent"


def test_a_person_with_an_address_gets_an_email_over_smtp(app: Approvals) -> None:
    chart = app.orgcharts.current(XX)
    holder = chart.posts["chief"]
    assert holder is not None
    settings.put(app.db, XX, holder, "email", "chief@xx.gov.cn")
    with smtp_server() as box:
        _leave(app)
        line = jobs.delivery_job(app, {"APPROVALS_SMTP_HOST": box.host, "APPROVALS_SMTP_PORT": str(box.port)})()
        assert "1 message(s) sent" in line
        [mail] = box.messages
    [message] = _messages(app)
    assert mail["To"] == "chief@xx.gov.cn" and "待审批" in mail["Subject"]
    assert mail["X-Idempotency-Key"] == message.idempotency_key


def test_a_person_may_turn_the_groups_robot_off_for_themselves(app: Approvals) -> None:
    chart = app.orgcharts.current(XX)
    chief = chart.posts["chief"]
    assert chief is not None
    with robot() as receiver:
        settings.put(app.db, XX, None, "wecom", receiver.url)
        settings.put(app.db, XX, chief, "wecom", enabled=False)
        _leave(app)
        jobs.delivery_job(app, {})()
        assert receiver.tries == []


def test_a_failing_receiver_is_retried_with_back_off_then_dead_lettered_and_retried_by_an_admin(
        app: Approvals) -> None:
    with robot(mode="fail") as receiver:
        settings.put(app.db, XX, None, "wecom", receiver.url)
        _leave(app)
        run = jobs.delivery_job(app, {})
        line = run()
        assert "1 to retry, 0 dead (wecom 127.0.0.1:" in line and "HTTP Error 500" in line  # the reason too
        [message] = _messages(app)
        assert (message.attempts, message.next_attempt_at - app.clock.now()) == (1, timedelta(seconds=30))
        assert run() == ""  # not due yet: the back-off holds, and an idle round says nothing
        for _ in range(delivery.MAX_ATTEMPTS - 1):
            app.clock.advance(hours=6)  # type: ignore[attr-defined]
            run()
        [message] = delivery.dead(app.db)
        assert message.attempts == delivery.MAX_ATTEMPTS and "HTTP Error 500" in message.last_error
        assert message.to == receiver.url.split("/")[2] and delivery.dead(app.db, ["cq-mca"]) == []
        receiver.mode = "ok"
        assert delivery.retry(app.db, [message.id], app.clock.now()) == 1
        assert "1 message(s) sent" in run()
        assert len(receiver.effects) == 1 and delivery.dead(app.db) == []


def test_a_robot_that_answers_with_an_error_code_is_a_failed_try(app: Approvals) -> None:
    with robot(mode="refuse") as receiver:
        settings.put(app.db, XX, None, "dingtalk", receiver.url)
        _leave(app)
        jobs.delivery_job(app, {})()
    [message] = _messages(app)
    assert message.status == "pending" and "refused the message" in message.last_error
    assert "t0ken" not in message.last_error  # the robot's access token stays out of the logs


def test_a_hanging_receiver_never_holds_up_an_action(app: Approvals) -> None:
    with robot(mode="hang") as receiver:
        settings.put(app.db, XX, None, "wecom", receiver.url)
        _leave(app)
        _dispatch(app)
        sending = threading.Thread(target=delivery.deliver, args=(app.db, app.clock, {"wecom": Robot(*_wecom())}))
        sending.start()
        assert receiver.arrived.wait(10)
        # the worker is stuck on the receiver: actions go on, and their messages queue
        request_id, holder = _leave(app)
        step = open_steps(app, request_id)[0]
        app.service.decide(step.id, holder, "approve")
        receiver.release.set()
        sending.join(10)
    assert app.queries.task(step.id).status == "approved"  # decided while the receiver hung
    assert [m.status for m in _messages(app)] == ["sent"]  # the stuck try finished when released
    with app.db.reading() as s:  # the decision's notifications wait in the outbox for the next round
        waiting = s.scalars(select(Notification.kind).where(Notification.dispatched_at.is_(None))).all()
    assert sorted(waiting) == ["decided", "filing", "report_due", "task"]


def _dispatch(app: Approvals) -> None:
    delivery.dispatch(app.db, app.clock.now(), lambda _org, person: person or "", lambda r: r.request_type or "")


def _wecom() -> tuple[object, object]:
    from approvals.notifications.channels import ROBOTS

    return ROBOTS["wecom"]


def test_two_workers_delivering_at_once_never_send_a_message_twice(app: Approvals) -> None:
    with robot() as receiver:
        settings.put(app.db, XX, None, "wecom", receiver.url)
        for _ in range(12):
            _leave(app)
        _dispatch(app)
        plugins = {"wecom": Robot(*_wecom())}  # type: ignore[arg-type]
        workers = [threading.Thread(target=delivery.deliver, args=(app.db, app.clock, plugins)) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(30)
    keys = [t.key for t in receiver.tries]
    assert len(keys) == 12 and len(set(keys)) == 12
    assert {m.status for m in _messages(app)} == {"sent"}


@pytest.mark.parametrize("bad", ["0", "soon", "-1"])
def test_a_bad_delivery_interval_is_refused_with_the_setting_named(bad: str) -> None:
    from approvals.errors import ApprovalsError

    with pytest.raises(ApprovalsError, match=f"APPROVALS_DELIVERY_EVERY='{bad}'"):
        jobs.every({"APPROVALS_DELIVERY_EVERY": bad})


def test_an_email_server_that_is_down_is_a_failed_try_not_a_crash() -> None:
    from approvals.notifications.channels import DeliveryError, Message

    with pytest.raises(DeliveryError, match="SMTP 127.0.0.1:1"):
        Email("127.0.0.1", 1, timeout=2).send(Message("email", "a@b.cn", "", "k", "s", "b"))


@pytest.mark.parametrize("bad", ["0", "soon", "-5", "inf"])
def test_a_bad_lease_is_refused_with_the_setting_named(app: Approvals, bad: str) -> None:
    from approvals.errors import ApprovalsError

    with pytest.raises(ApprovalsError, match=f"APPROVALS_DELIVERY_LEASE_SECONDS='{bad}': expected a number"):
        jobs.delivery_job(app, {"APPROVALS_DELIVERY_LEASE_SECONDS": bad})


def test_a_message_names_the_request_by_its_own_version_after_a_rename(app: Approvals) -> None:
    """Issue 19, point 15: a deploy renaming the process does not rename old requests in the
    messages about them (the next step of a request made before the rename)."""
    with robot() as receiver:
        settings.put(app.db, XX, None, "wecom", receiver.url)
        request_id, holder = _leave(app)
        xml = (PROCESSES / "leave_xx.bpmn").read_text(encoding="utf-8")
        app.deployer.deploy(xml.replace('name="离孝审批" isExecutable', 'name="离孝审批（新版）" isExecutable', 1),
                            "leave_xx.bpmn", "feng.jie", "改名")
        jobs.delivery_job(app, {})()
        [got] = receiver.tries
    assert got.body["text"]["content"].startswith(f"【审批系统】待审批：离孝审批 #{request_id}\n")
