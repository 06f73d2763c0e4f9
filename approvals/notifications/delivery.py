"""Delivering the outbox: ``approvals worker`` turns new notifications into messages for each
recipient's channels (``dispatch``), then sends the messages that are due (``deliver``).

Guarantees (docs/notifications.md, "Delivery"):

- **At least once.** A message is claimed for a lease (``APPROVALS_DELIVERY_LEASE_SECONDS``,
  default 120) before it is sent and marked sent after; a worker killed in between leaves the
  claim to expire, and the message is sent again. Each message has an idempotency key (unique
  in the table), which the channels pass on, so a receiver honouring it acts once.
- **Shared work, one send per message.** A worker claims one message at a time and renews its
  lease every third of it while the send lasts, so a lease never runs out while its holder is
  still working: no other worker takes a message that is being sent, however slow the receiver.
  (Claiming a batch once let the lease of messages queued behind slow sends run out, and a
  second worker sent them again.) Claims use ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
  SQLite the claiming UPDATE is atomic under the database's one writer.
- **Stops at once.** The send runs in a thread of its own while the worker watches ``stopping``:
  told to stop mid-send, the worker leaves that message to its lease (the next worker sends it
  once the lease runs out) and claims nothing more.
- **Retries, then the dead-letter list.** A failed try is retried after 30 s, 1, 2, 4 ... minutes
  (at most 6 hours apart); after ``MAX_ATTEMPTS`` the message is dead: the admin's dead-letter
  page lists it with the last error and can send it again (``retry``).
- **Never in an action's way.** Actions only insert rows; a receiver that fails or hangs
  (timeout 10 s a try) costs the worker time, never a user.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from approvals.clock import Clock
from approvals.errors import ApprovalsError
from approvals.notifications import links, settings
from approvals.notifications.channels import Channel, DeliveryError, Message
from approvals.notifications.render import render
from approvals.store.database import Database, insert_if_absent
from approvals.store.models import ApiEvent, Notification, OutboxMessage, Request, Task

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LEASE_ENV = "APPROVALS_DELIVERY_LEASE_SECONDS"
DEFAULT_LEASE = 120.0
WATCH = 0.05  # seconds between looks at the stop flag while a send is under way


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def lease(env: Mapping[str, str] | None = None) -> timedelta:
    """How long a claim holds unless renewed: how soon a message whose worker died (or was
    stopped mid-send) goes to another worker."""
    raw = (os.environ if env is None else env).get(LEASE_ENV)
    try:
        seconds = float(raw) if raw else DEFAULT_LEASE
    except ValueError:
        seconds = 0.0
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ApprovalsError(f"{LEASE_ENV}={raw!r}: expected a number of seconds above 0 (default "
                             f"{DEFAULT_LEASE:g})")
    return timedelta(seconds=seconds)


def idempotency_key(notification_id: int, channel: str, target: str) -> str:
    """The same notification to the same place always has the same key, whoever dispatches it."""
    return hashlib.sha256(f"{notification_id}\n{channel}\n{target}".encode()).hexdigest()[:40]


# ---- dispatch: notifications -> messages ------------------------------------------------------

_UNDISPATCHED = (select(Notification.id, Notification.person_id, Notification.kind, Notification.request_id,
                        Notification.task_id, Notification.params, Request.org_id, Request.request_type,
                        Request.process_id, Request.process_sha, Task.name.label("step"))
                 .outerjoin(Request, Request.id == Notification.request_id)
                 .outerjoin(Task, Task.id == Notification.task_id)
                 .where(Notification.dispatched_at.is_(None)).order_by(Notification.id).limit(bindparam("n"))
                 .with_for_update(of=Notification, skip_locked=True))


class Named(Protocol):
    """The request a notification is about, as far as its name goes: its own process version
    names it, not the version in force when the message is made (a deploy renames nothing)."""

    @property
    def org_id(self) -> str | None: ...
    @property
    def request_type(self) -> str | None: ...
    @property
    def process_id(self) -> str | None: ...
    @property
    def process_sha(self) -> str | None: ...


def dispatch(db: Database, now: datetime, names: Callable[[str | None, str | None], str],
             labels: Callable[[Named], str], limit: int = 200, base_url: str = "") -> int:
    """Make the messages of up to ``limit`` new notifications, in one transaction; returns how
    many notifications were dispatched. ``names(org, person)`` and ``labels(request)`` give
    the display names the messages use; ``base_url`` (``links.base_url``) makes their link."""
    with db.writing() as conn:
        found = conn.execute(_UNDISPATCHED, {"n": limit}).all()
        if not found:
            return 0
        rows: list[dict[str, Any]] = []
        for n in found:
            rows.extend(_messages(conn, n, now, names, labels, base_url))
        if rows:
            conn.execute(insert_if_absent(conn, OutboxMessage), rows)
        conn.execute(update(Notification).where(Notification.id.in_([n.id for n in found]))
                     .values(dispatched_at=now))
        return len(found)


def _messages(conn: Connection, n: Any, now: datetime, names: Callable[[str | None, str | None], str],
              labels: Callable[[Named], str], base_url: str) -> list[dict[str, Any]]:
    targets = settings.targets(conn, n.org_id, n.person_id)
    if not targets:
        return []
    subject, body = render(n.kind, json.loads(n.params), n.request_id, labels(n),
                           n.step or "", lambda p: names(n.org_id, p),
                           links.link(base_url, n.kind, n.request_id, n.task_id))
    to = names(n.org_id, n.person_id)
    return [{"notification_id": n.id, "channel": t.channel, "target": t.target, "secret": t.secret,
             "idempotency_key": idempotency_key(n.id, t.channel, settings.plain_target(t.target)),
             "subject": subject[:200],
             "body": body if t.channel == "email" else f"@{to} {body}", "status": "pending", "attempts": 0,
             "next_attempt_at": now, "claim": None, "claimed_until": None, "last_error": "", "created_at": now,
             "sent_at": None} for t in targets]


# ---- deliver: claim, send, record --------------------------------------------------------------

@dataclass(frozen=True)
class Claimed:
    id: int
    attempts: int
    message: Message


def claim(conn: Connection, now: datetime, token: str, hold: timedelta) -> Claimed | None:
    """Take the next due message no other worker holds, for ``hold``. One at a time: a lease
    covers the one send under way, never messages queued behind it."""
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
                  or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
           .order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True))
    taking = (update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
              .values(claim=token, claimed_until=now + hold)
              .returning(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.channel, OutboxMessage.target,
                         OutboxMessage.secret, OutboxMessage.idempotency_key, OutboxMessage.subject,
                         OutboxMessage.body))
    r = conn.execute(taking).first()
    if r is None:
        return None
    return Claimed(r.id, r.attempts, Message(r.channel, settings.plain_target(r.target),
                                             settings.plain_secret(r.secret), r.idempotency_key, r.subject, r.body))


def _mine(message_id: int, token: str) -> Any:
    return and_(OutboxMessage.id == message_id, OutboxMessage.claim == token)


def _renew(db: Database, c: Claimed, token: str, until: datetime) -> None:
    try:
        with db.writing() as conn:
            kept = conn.execute(update(OutboxMessage).where(_mine(c.id, token)).values(claimed_until=until)).rowcount
    except ApprovalsError as exc:  # the send goes on; the next renewal may get through
        log.warning("message #%d: could not renew its lease: %s", c.id, exc)
        return
    if not kept:
        log.warning("message #%d: its lease ran out before it was renewed and another worker took it; "
                    "it may arrive twice (is %s too short for this database?)", c.id, LEASE_ENV)


def _record(conn: Connection, c: Claimed, token: str, now: datetime, error: str | None) -> str:
    if error is None:
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "claim": None, "claimed_until": None}
        outcome = "sent"
    else:
        attempts = c.attempts + 1
        outcome = "dead" if attempts >= MAX_ATTEMPTS else "retry"
        values = {"status": "dead" if outcome == "dead" else "pending", "attempts": attempts,
                  "next_attempt_at": now + backoff(attempts), "last_error": error[:2000], "claim": None,
                  "claimed_until": None}
    conn.execute(update(OutboxMessage).where(_mine(c.id, token)).values(**values))
    return outcome


class Delivered(dict[str, int]):
    """Counts by outcome ("sent", "retry", "dead", "left"), and why the failed tries failed
    (``errors``, each once, with the channel: what the worker's log line says)."""

    def __init__(self) -> None:
        super().__init__(sent=0, retry=0, dead=0, left=0)
        self.errors: list[str] = []


def _record_and_claim(db: Database, now: datetime, token: str, hold: timedelta,
                      done: tuple[Claimed, str | None] | None, more: bool) -> tuple[str | None, Claimed | None]:
    """The outcome of the last send and the next claim in one transaction: one commit a message."""
    with db.writing() as conn:
        outcome = _record(conn, done[0], token, now, done[1]) if done else None
        return outcome, claim(conn, now, token, hold) if more else None


def deliver(db: Database, clock: Clock, channels: Mapping[str, Channel], limit: int = 500, *,
            hold: timedelta | None = None, stopping: threading.Event | None = None) -> Delivered:
    """Send due messages until none is left, ``limit`` were tried or ``stopping`` is set; counts
    by outcome ("left": a send cut off by ``stopping``, left to its lease) and why tries failed."""
    hold = lease() if hold is None else hold
    stop = stopping or threading.Event()
    token = uuid.uuid4().hex
    counts = Delivered()
    done: tuple[Claimed, str | None] | None = None
    while True:
        more = sum(counts.values()) + (done is not None) < limit and not stop.is_set()
        if done is None and not more:
            break
        outcome, c = _record_and_claim(db, clock.now(), token, hold, done, more)
        if outcome:
            counts[outcome] += 1
        if c is None:
            break
        error = _watched_send(db, clock, channels, c, token, hold, stop)
        if isinstance(error, _Left):
            counts["left"] += 1
            break
        done = (c, error)
        if error is not None and error not in counts.errors:
            counts.errors.append(error)
    return counts


class _Left:
    """A send cut off because the worker is stopping."""


def _watched_send(db: Database, clock: Clock, channels: Mapping[str, Channel], c: Claimed, token: str,
                  hold: timedelta, stop: threading.Event) -> str | None | _Left:
    """Send ``c`` in a thread of its own; meanwhile renew its lease every third of it, and give
    up waiting the moment ``stop`` is set (the process is ending: the thread ends with it, and
    the unrenewed lease hands the message to the next worker)."""
    outcome: list[str | None] = []
    finished = threading.Event()

    def send() -> None:
        try:
            outcome.append(_send(channels, c.message))
        finally:
            finished.set()

    threading.Thread(target=send, name=f"send message #{c.id}", daemon=True).start()
    every = hold.total_seconds() / 3
    renew_at = time.monotonic() + every
    while not finished.wait(max(0.0, min(WATCH, renew_at - time.monotonic()))):
        if stop.is_set():
            log.warning("message #%d left to its lease (%g s): the worker stopped while sending it",
                        c.id, hold.total_seconds())
            return _Left()
        if time.monotonic() >= renew_at:
            _renew(db, c, token, clock.now() + hold)
            renew_at = time.monotonic() + every
    return outcome[0] if outcome else "the send ended without an answer"


def _send(channels: Mapping[str, Channel], message: Message) -> str | None:
    channel = channels.get(message.channel)
    if channel is None:
        return (f"channel {message.channel!r} is not configured here"
                + (": set APPROVALS_SMTP_HOST" if message.channel == "email" else ""))
    try:
        channel.send(message)
    except DeliveryError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a broken channel is a failed try, not a dead worker
        return f"{type(exc).__name__}: {exc}"
    return None


# ---- the dead-letter list ------------------------------------------------------------------------

@dataclass(frozen=True)
class Dead:
    id: int
    channel: str
    to: str  # an address, or a robot's host: never its URL, which carries the access token
    subject: str
    attempts: int
    last_error: str
    created_at: datetime
    org_id: str | None


def shown_target(channel: str, target: str) -> str:
    return target if channel == "email" else urllib.parse.urlsplit(target).netloc


_DEAD = (select(OutboxMessage, Request.org_id).outerjoin(Notification, Notification.id == OutboxMessage.notification_id)
         .outerjoin(ApiEvent, ApiEvent.id == OutboxMessage.event_id)  # a webhook's delivery
         .outerjoin(Request, Request.id == func.coalesce(Notification.request_id, ApiEvent.request_id))
         .where(OutboxMessage.status == "dead")
         .order_by(OutboxMessage.id.desc()))


def dead(db: Database, org_ids: Iterable[str] | None = None, limit: int = 100) -> list[Dead]:
    """The dead-letter list, newest first: of ``org_ids``' requests (all when None)."""
    query = _DEAD if org_ids is None else _DEAD.where(Request.org_id.in_(list(org_ids)))
    with db.reading() as s:
        return [Dead(m.id, m.channel, shown_target(m.channel, settings.plain_target(m.target)), m.subject,
                     m.attempts, m.last_error, m.created_at, org) for m, org in s.execute(query.limit(limit)).all()]


def retry(db: Database, ids: list[int], now: datetime, org_ids: Iterable[str] | None = None) -> int:
    """Send dead messages (of ``org_ids``' requests, all when None) again from now, with a fresh
    count of tries; returns how many."""
    if org_ids is not None:
        allowed = {d.id for d in dead(db, org_ids, limit=10_000)}
        ids = [i for i in ids if i in allowed]
    with db.writing() as conn:
        return conn.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status == "dead")
                            .values(status="pending", attempts=0, next_attempt_at=now, claim=None,
                                    claimed_until=None)).rowcount or 0
