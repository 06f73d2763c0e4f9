"""The worker's notification jobs: delivering the outbox every few seconds, and the daily scan
(reminders and escalation, ``scan.py``) every hour (once a day per task, however often it runs)."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from approvals.app import Approvals
from approvals.errors import ApprovalsError
from approvals.jobs import reminders as scan
from approvals.notifications import channels as channel_plugins
from approvals.notifications import delivery, links, todo_apps, webhooks

EVERY_ENV = "APPROVALS_DELIVERY_EVERY"  # seconds between delivery rounds
DEFAULT_EVERY = 10.0
SCAN_EVERY = 3600.0


def every(env: Mapping[str, str]) -> float:
    raw = env.get(EVERY_ENV)
    try:
        seconds = float(raw) if raw else DEFAULT_EVERY
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ApprovalsError(f"{EVERY_ENV}={raw!r}: expected a number of seconds above 0 (default {DEFAULT_EVERY:g})")
    return seconds


def _namer(app: Approvals) -> Callable[[str | None, str | None], str]:
    def name(org_id: str | None, person: str | None) -> str:
        if not person:
            return ""
        try:
            return app.orgcharts.current(org_id).display_name(person) if org_id else person
        except ApprovalsError:
            return person

    return name


@dataclass(frozen=True)
class _Version:
    process_id: str
    process_sha: str


def _labeller(app: Approvals) -> Callable[[delivery.Named], str]:
    """A request's name in its messages: its own process version's, as on the pages
    (web/labels.request_name), so a deploy that renames the process renames no old request."""

    @functools.lru_cache(maxsize=256)
    def version_name(org_id: str | None, request_type: str | None, process_id: str | None,
                     process_sha: str | None) -> str:
        try:
            if process_id and process_sha:
                return app.service.definition_of(_Version(process_id, process_sha)).name
            return app.service.definition_for(app.orgcharts.current(org_id), request_type or "").name
        except ApprovalsError:
            return request_type or "申请"

    def label(n: delivery.Named) -> str:
        return version_name(n.org_id, n.request_type, n.process_id, n.process_sha)

    return label


def delivery_job(app: Approvals, env: Mapping[str, str] | None = None,
                 stopping: threading.Event | None = None) -> Callable[[], str]:
    """One delivery round; its line says what happened, with the reason of each failed try, and
    is empty when nothing did (the worker logs nothing for an idle round). ``stopping``: the
    worker's stop flag; once set, the round ends at once, mid-send if need be."""
    env = os.environ if env is None else env
    plugins = {**channel_plugins.from_env(env), **todo_apps.channels(app.db, app.clock)}
    hold = delivery.lease(env)  # at start-up: a bad setting stops the worker with the reason
    name, label = _namer(app), _labeller(app)
    base = links.base_url(env)  # warns once, here, when messages can carry no link

    def run() -> str:
        dispatched = delivery.dispatch(app.db, app.clock.now(), name, label, base_url=base)
        events = webhooks.dispatch(app.db, app.clock.now(), base)
        counts = delivery.deliver(app.db, app.clock, plugins, hold=hold, stopping=stopping)
        if not dispatched and not events and not any(counts.values()):
            return ""
        left = f"; stopped mid-send, {counts['left']} left to its lease" if counts["left"] else ""
        also = f" and {events} event(s)" if events else ""
        line = (f"{dispatched} notification(s){also} dispatched; {counts['sent']} message(s) sent, "
                f"{counts['retry']} to retry, {counts['dead']} dead{left}")
        return f"{line} ({'; '.join(counts.errors)})" if counts.errors else line

    return run


def scan_job(app: Approvals) -> Callable[[], str]:
    def run() -> str:
        found = scan.run(app)
        if not (found.overdue or found.reports or found.escalated):
            return ""
        return (f"reminders: {found.overdue} overdue step(s), {found.reports} late report(s), "
                f"{found.escalated} escalated")

    return run
