"""Signed webhooks: an organization's subscriptions get its requests' events, signed with
HMAC-SHA256 over timestamp and body, at a real HTTP receiver on 127.0.0.1 that checks each
signature the way docs/api.md tells a receiver to; retried, then dead-lettered; secrets sealed."""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from notifykit import Received, robot, start_worker, stop_worker
from sqlalchemy import select
from support import CHART_A, leave_fields, make_app, open_steps, pick

from approvals.app import Approvals
from approvals.cli import cli
from approvals.crypto import atrest
from approvals.jobs import notify as jobs
from approvals.jobs import reminders
from approvals.notifications import delivery
from approvals.notifications.webhooks import Webhooks
from approvals.store.models import ApiEvent, OutboxMessage, WebhookSubscription

XX, YY = "xx-nrpb", "cq-mca"


def verified(got: Received, secret: str, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/api.md shows it (written here on its own, not imported)."""
    fields = dict(part.split("=", 1) for part in got.headers["X-Approvals-Signature"].split(","))
    signed = fields["t"].encode() + b"." + got.raw
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return abs(time.time() - int(fields["t"])) <= tolerance and hmac.compare_digest(expected, fields["v1"])


def _leave(app: Approvals) -> int:
    chart = app.orgcharts.current(XX)
    return app.service.submit(pick(chart, "leader"), "leave", leave_fields())


def _events(tries: list[Received]) -> list[str]:
    return [t.body["type"] for t in tries]


def test_a_request_and_its_decision_reach_the_subscribed_receiver_signed(app: Approvals) -> None:
    with robot() as receiver:
        webhook_id, secret = Webhooks(app.db, app.clock).add(XX, receiver.url, ["*"], "admin")
        request_id = _leave(app)
        [step] = open_steps(app, request_id)
        app.service.decide(step.id, step.assignee, "approve", "同意")
        line = jobs.delivery_job(app, {})()
        assert "message(s) sent" in line
        tries = list(receiver.tries)
    assert _events(tries)[:3] == ["request.pending", "task.created", "task.done"]
    assert all(verified(t, secret) for t in tries), "every delivery carries a valid signature"
    first = tries[0]
    assert first.body["request"] == {"id": request_id, "type": "leave", "applicant": first.body["request"]["applicant"]}
    assert first.body["organization"] == XX and first.body["id"].startswith("evt_")
    assert first.headers["X-Approvals-Event"] == "request.pending"
    assert first.headers["X-Approvals-Delivery"] == first.key
    done = tries[2].body
    assert (done["task_id"], done["data"]["decision"], done["data"]["comment"]) == (step.id, "approve", "同意")
    # a body altered on the way, or the signature of another secret, does not verify
    assert not verified(Received(first.path, first.key, first.body, first.raw + b" ", first.headers), secret)
    assert not verified(first, "whsec_other")
    assert webhook_id


def test_a_subscription_gets_only_the_types_it_wants_and_only_its_organizations(app: Approvals) -> None:
    hooks = Webhooks(app.db, app.clock)
    with robot() as mine, robot() as theirs:
        hooks.add(XX, mine.url, ["task.created"], "admin")
        hooks.add(YY, theirs.url, ["*"], "admin")
        _leave(app)
        jobs.delivery_job(app, {})()
        assert _events(mine.tries) == ["task.created"]
        assert theirs.tries == []


def test_a_removed_subscription_gets_nothing_more(app: Approvals) -> None:
    hooks = Webhooks(app.db, app.clock)
    with robot() as receiver:
        webhook_id, _ = hooks.add(XX, receiver.url, ["*"], "admin")
        hooks.remove(webhook_id, "admin", [XX])
        _leave(app)
        jobs.delivery_job(app, {})()
        assert receiver.tries == []
    assert hooks.list(XX) == []


def test_a_failing_receiver_is_retried_with_the_same_key_and_body_then_dead_lettered(app: Approvals) -> None:
    with robot(mode="fail") as receiver:
        Webhooks(app.db, app.clock).add(XX, receiver.url, ["request.pending"], "admin")
        _leave(app)
        run = jobs.delivery_job(app, {})
        run()
        for _ in range(delivery.MAX_ATTEMPTS):
            app.clock.advance(hours=7)  # type: ignore[attr-defined]
            run()
        tries = list(receiver.tries)
    assert len(tries) == delivery.MAX_ATTEMPTS
    assert len({t.key for t in tries}) == 1 and len({t.raw for t in tries}) == 1
    [dead] = delivery.dead(app.db, [XX])
    assert dead.channel == "event" and "500" in dead.last_error and ":" in dead.to
    assert "/robot/send" not in dead.to  # the host only: a URL may carry a token


def test_the_daily_scan_tells_a_webhook_of_an_overdue_step_once_a_day(app: Approvals) -> None:
    request_id = _leave(app)
    [step] = open_steps(app, request_id)
    app.clock.advance(days=30)  # type: ignore[attr-defined]
    reminders.run(app)
    reminders.run(app)
    with app.db.reading() as s:
        overdue = s.scalars(select(ApiEvent).where(ApiEvent.kind == "task.overdue")).all()
    assert [(e.task_id, e.request_id) for e in overdue] == [(step.id, request_id)]
    assert json.loads(overdue[0].payload)["days"] > 0


def test_webhook_secrets_and_urls_are_sealed_at_rest_and_still_sign(
        app: Approvals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = tmp_path / "data-keys"
    assert CliRunner().invoke(cli, ["crypto", "keygen", "--file", str(keys)]).exit_code == 0
    monkeypatch.setenv(atrest.FILE_ENV, str(keys))
    with robot() as receiver:
        _, secret = Webhooks(app.db, app.clock).add(XX, receiver.url, ["request.pending"], "admin")
        _leave(app)
        jobs.delivery_job(app, {})()
        [got] = receiver.tries
        assert verified(got, secret)
    with app.db.reading() as s:
        row = s.scalars(select(WebhookSubscription)).one()
        message = s.scalars(select(OutboxMessage)).one()
    for stored in (row.url, row.secret, message.target, message.secret):
        assert stored.startswith(atrest.PREFIX)
    assert secret not in row.secret and "127.0.0.1" not in row.url


def test_the_cli_adds_lists_and_removes_a_webhook_and_refuses_an_unknown_event(db_url: str, app: Approvals) -> None:
    runner = CliRunner()
    base = ["--database", db_url]
    added = runner.invoke(cli, [*base, "api", "webhook", "add", XX, "https://oa.example.gov.cn/hooks/approvals?k=1",
                                "--event", "request.approved", "--event", "request.rejected"])
    assert added.exit_code == 0, added.output
    webhook_id = added.output.split("webhook_id=")[1].split()[0]
    assert "secret=whsec_" in added.output
    listed = runner.invoke(cli, [*base, "api", "webhook", "list", XX])
    assert f"#{webhook_id}\toa.example.gov.cn\trequest.approved request.rejected" in listed.output
    assert "k=1" not in listed.output
    bad = runner.invoke(cli, [*base, "api", "webhook", "add", XX, "https://oa.example.gov.cn/h",
                              "--event", "request.x"])
    assert bad.exit_code != 0 and "request.x" in bad.output and "request.pending" in bad.output
    removed = runner.invoke(cli, [*base, "api", "webhook", "remove", XX, webhook_id])
    assert removed.exit_code == 0 and "removed" in removed.output
    assert "has no webhooks" in runner.invoke(cli, [*base, "api", "webhook", "list", XX]).output


def test_a_worker_killed_mid_delivery_loses_no_webhook_and_the_receiver_acts_on_none_twice(db_url: str) -> None:
    app = make_app(db_url, CHART_A)
    try:
        with robot(mode="hang_once") as receiver:
            _, secret = Webhooks(app.db, app.clock).add(XX, receiver.url, ["request.pending"], "admin")
            for _ in range(5):
                _leave(app)
            first = start_worker(db_url)
            assert receiver.arrived.wait(60), "the worker never tried to deliver"
            stop_worker(first, signal.SIGKILL)  # the receiver acted; the worker never heard back
            assert first.returncode == -signal.SIGKILL
            second = start_worker(db_url)
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    with app.db.reading() as s:
                        statuses = s.scalars(select(OutboxMessage.status)).all()
                    if len(statuses) == 5 and set(statuses) == {"sent"}:
                        break
                    time.sleep(0.2)
            finally:
                stop_worker(second, signal.SIGTERM)
            tries = list(receiver.tries)
            effects = dict(receiver.effects)
        with app.db.reading() as s:
            keys = set(s.scalars(select(OutboxMessage.idempotency_key)).all())
            events = s.scalars(select(ApiEvent.id).where(ApiEvent.kind == "request.pending")).all()
        assert len(keys) == 5 == len(events) and set(statuses) == {"sent"}
        assert {t.key for t in tries} == keys  # none lost
        assert len(tries) > len(keys)  # the one cut off by the kill was sent again ...
        assert set(effects) == keys and len({t.body["id"] for t in effects.values()}) == 5  # ... acted on once
        assert all(verified(t, secret) for t in tries)
    finally:
        app.db.dispose()
