"""Robot URLs and webhooks never reach loopback, private or link-local addresses unless the
operator sets APPROVALS_ALLOW_PRIVATE_TARGETS: refused when saved (field, value, why), and
checked again at each send on the address actually connected to (DNS rebinding)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from notifykit import robot
from support import leave_fields, pick

from approvals.app import Approvals
from approvals.errors import FieldError
from approvals.jobs import notify as jobs
from approvals.notifications import delivery, settings
from approvals.notifications.addresses import ALLOW_ENV
from approvals.notifications.webhooks import Webhooks

XX = "xx-nrpb"
REFUSED = ["http://127.0.0.1:5432/", "http://10.1.2.3/robot", "http://192.168.1.10:8080/x",
           "http://169.254.169.254/latest/meta-data/", "http://[::1]:8000/", "http://localhost:9000/",
           "http://[::ffff:127.0.0.1]/", "http://0.0.0.0:80/", "http://100.64.0.1/"]


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV, raising=False)


@pytest.mark.parametrize("url", REFUSED)
def test_a_robot_url_on_a_private_address_is_refused_naming_the_field_and_why(
        app: Approvals, strict: None, url: str) -> None:
    with pytest.raises(FieldError) as refused:
        settings.put(app.db, XX, None, "wecom", url)
    [issue] = refused.value.issues
    assert issue.where == "target" and ALLOW_ENV in issue.message
    assert "address" in issue.message or "name" in issue.message
    assert settings.of_person(app.db, XX, "nobody")[1] == {}


def test_a_webhook_on_a_private_address_is_refused(app: Approvals, strict: None) -> None:
    with pytest.raises(FieldError) as refused:
        Webhooks(app.db, app.clock).add(XX, "http://127.0.0.1:5432/", ["*"], "admin")
    [issue] = refused.value.issues
    assert issue.where == "url" and "127.0.0.1 is a loopback address" in issue.message


def test_the_operator_may_allow_private_targets(app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_ENV, "1")
    settings.put(app.db, XX, None, "wecom", "http://10.1.2.3/robot")
    Webhooks(app.db, app.clock).add(XX, "http://127.0.0.1:9/", ["*"], "admin")


def test_a_name_that_resolves_to_loopback_at_send_time_is_refused_then(
        app: Approvals, strict: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: hooks.example.test was public when saved and is 127.0.0.1 when sent to."""
    real = socket.getaddrinfo
    answer = {"address": "93.184.216.34"}

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.example.test":
            return real(answer["address"], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with robot() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        Webhooks(app.db, app.clock).add(XX, f"http://hooks.example.test:{port}/in", ["*"], "admin")
        settings.put(app.db, XX, None, "wecom", f"http://hooks.example.test:{port}/robot")
        answer["address"] = "127.0.0.1"
        app.service.submit(pick(app.orgcharts.current(XX), "leader"), "leave", leave_fields())
        line = jobs.delivery_job(app, {})()
        assert receiver.tries == []  # not a byte reached the loopback receiver
    assert "refused to send to hooks.example.test: 127.0.0.1 is a loopback address" in line
    assert "0 message(s) sent" in line


def test_the_dead_letter_list_says_why_a_private_target_was_refused(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    with robot() as receiver:
        settings.put(app.db, XX, None, "wecom", receiver.url)  # allowed when saved (the test's default)
        monkeypatch.delenv(ALLOW_ENV)  # then the operator takes the permission away
        app.service.submit(pick(app.orgcharts.current(XX), "leader"), "leave", leave_fields())
        run = jobs.delivery_job(app, {})
        run()
        for _ in range(delivery.MAX_ATTEMPTS):
            app.clock.advance(hours=7)  # type: ignore[attr-defined]
            run()
        assert receiver.tries == []
    [dead] = delivery.dead(app.db, [XX])
    assert "127.0.0.1 is a loopback address" in dead.last_error and ALLOW_ENV in dead.last_error
