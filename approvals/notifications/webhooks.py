"""Signed webhooks: an organization's subscriptions (``approvals api webhook add``, the admin
page 接口与订阅) and their deliveries.

An action writes ``api_events`` rows in its transaction (``api_events.py``); the worker's
``dispatch`` turns each into one outbox message per subscription of the request's
organization that wants its type, in one transaction, and ``delivery.deliver`` sends them with
the notifications' guarantees: claimed for a lease, at least once, retried with back-off, then
the dead-letter list. Each delivery's ``Idempotency-Key`` (also ``X-Approvals-Delivery``) is
the same at every try, so a receiver that honours it acts once.

The URL and the secret are stored sealed (SM4-GCM, ``crypto/atrest.py``) when a data key is
configured; the secret is made here and shown once, like a system client's. A URL on a
loopback, private or link-local address is refused unless the operator allows it
(``addresses.py``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from approvals import text as textrules
from approvals.audit.chain import Entry, append
from approvals.clock import Clock
from approvals.crypto import atrest
from approvals.crypto.rotate import SECRET, TARGET
from approvals.errors import FieldError, Issue, NotPermittedError, UnknownError
from approvals.notifications import addresses, todos
from approvals.notifications.api_events import TYPES
from approvals.notifications.channels import SIGNED
from approvals.store.database import Database, insert_if_absent
from approvals.store.models import ApiEvent, OutboxMessage, Request, WebhookSubscription

URL, SECRET_OF = "webhook_subscriptions.url", "webhook_subscriptions.secret"
ALL = "*"
SECRET_PREFIX = "whsec_"
URL_LENGTH = 500


@dataclass(frozen=True)
class Subscription:
    id: int
    org_id: str
    url: str
    events: tuple[str, ...]
    created_by: str
    created_at: datetime

    def wants(self, kind: str) -> bool:
        return ALL in self.events or kind in self.events


def _events(asked: Iterable[str]) -> str:
    asked = sorted({e.strip() for e in asked if e.strip()})
    bad = [e for e in asked if e != ALL and e not in TYPES]
    if bad or not asked:
        raise FieldError([Issue("events", " ".join(bad), f"expected {ALL} or one or more of {', '.join(TYPES)}")])
    return ALL if ALL in asked else " ".join(asked)


def _subscription(row: Any) -> Subscription:
    return Subscription(row.id, row.org_id, atrest.open_secret(row.url, URL), tuple(row.events.split()),
                        row.created_by, row.created_at)


class Webhooks:
    """Add, list and remove an organization's subscriptions; every change is audited."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def add(self, org_id: str, url: str, events: Iterable[str], actor: str) -> tuple[int, str]:
        """(the subscription's id, its signing secret): the secret is shown once."""
        url = textrules.checked("url", url.strip(), URL_LENGTH)
        addresses.check_url("url", url)
        kinds = _events(events)
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.db.transaction() as s:
            row = WebhookSubscription(org_id=org_id, url=atrest.seal_secret(url, URL),
                                      secret=atrest.seal_secret(secret, SECRET_OF), events=kinds, created_by=actor,
                                      created_at=now)
            s.add(row)
            s.flush()
            append(s, [Entry(actor, "webhook_added", detail={"webhook": row.id, "org": org_id, "events": kinds,
                                                              "host": addresses.host_of(url)})], now)
            return row.id, secret

    def list(self, org_id: str) -> list[Subscription]:
        with self.db.reading() as s:
            rows = s.scalars(select(WebhookSubscription).where(WebhookSubscription.org_id == org_id,
                                                               WebhookSubscription.revoked_at.is_(None))
                             .order_by(WebhookSubscription.id)).all()
            return [_subscription(r) for r in rows]

    def remove(self, webhook_id: int, actor: str, org_ids: Iterable[str]) -> None:
        now = self.clock.now()
        with self.db.transaction() as s:
            row = s.get(WebhookSubscription, webhook_id)
            if row is None or row.revoked_at is not None:
                raise UnknownError(f"no webhook #{webhook_id}")
            if row.org_id not in set(org_ids):
                raise NotPermittedError(f"webhook #{webhook_id} belongs to {row.org_id}, which you do not administer")
            row.revoked_at = now
            append(s, [Entry(actor, "webhook_removed", detail={"webhook": webhook_id, "org": row.org_id})], now)


# ---- dispatch: events -> signed deliveries --------------------------------------------------

_UNDISPATCHED = (select(ApiEvent.id, ApiEvent.kind, ApiEvent.request_id, ApiEvent.task_id, ApiEvent.payload,
                        ApiEvent.created_at, Request.org_id, Request.request_type, Request.applicant)
                 .outerjoin(Request, Request.id == ApiEvent.request_id)
                 .where(ApiEvent.dispatched_at.is_(None)).order_by(ApiEvent.id).limit(200)
                 .with_for_update(of=ApiEvent, skip_locked=True))


def envelope(event: Any) -> dict[str, Any]:
    """The JSON a receiver gets (docs/api.md): the same at every try. ``event``: an
    ``api_events`` row with its request's org_id, request_type and applicant."""
    return {"id": f"evt_{event.id}", "type": event.kind, "created_at": event.created_at.isoformat(),
            "organization": event.org_id,
            "request": {"id": event.request_id, "type": event.request_type, "applicant": event.applicant},
            "task_id": event.task_id, "data": json.loads(event.payload)}


def delivery_key(event_id: int, subscription_id: int) -> str:
    return hashlib.sha256(f"event\n{event_id}\n{subscription_id}".encode()).hexdigest()[:40]


def _active(conn: Connection, org_ids: set[str]) -> dict[str, list[tuple[Subscription, str]]]:
    rows = conn.execute(select(*WebhookSubscription.__table__.c).where(
        WebhookSubscription.org_id.in_(org_ids), WebhookSubscription.revoked_at.is_(None))).all()
    by_org: dict[str, list[tuple[Subscription, str]]] = defaultdict(list)
    for r in rows:
        by_org[r.org_id].append((_subscription(r), atrest.open_secret(r.secret, SECRET_OF)))
    return by_org


@dataclass(frozen=True)
class Dispatched:
    event: Any  # the api_events row, with its request's org_id, request_type and applicant
    org_id: str | None
    body: dict[str, Any]


def take(conn: Connection) -> list[Dispatched]:
    """Up to 200 undispatched events, claimed in the caller's transaction (SKIP LOCKED)."""
    found = conn.execute(_UNDISPATCHED).all()
    return [Dispatched(e, e.org_id, envelope(e)) for e in found]


def messages(conn: Connection, events: list[Dispatched], now: datetime) -> list[dict[str, Any]]:
    """The outbox rows of ``events``' deliveries: one per wanting subscription."""
    subs = _active(conn, {d.org_id for d in events if d.org_id})
    rows = []
    for d in events:
        for sub, secret in subs.get(d.org_id or "", []):
            if not sub.wants(d.event.kind):
                continue
            rows.append({"notification_id": None, "event_id": d.event.id, "channel": SIGNED,
                         "target": atrest.seal_secret(sub.url, TARGET), "secret": atrest.seal_secret(secret, SECRET),
                         "idempotency_key": delivery_key(d.event.id, sub.id), "subject": d.event.kind,
                         "body": json.dumps(d.body, ensure_ascii=False, sort_keys=True), "status": "pending",
                         "attempts": 0, "next_attempt_at": now, "claim": None, "claimed_until": None,
                         "last_error": "", "created_at": now, "sent_at": None})
    return rows


def mark(conn: Connection, events: list[Dispatched], now: datetime) -> None:
    conn.execute(update(ApiEvent).where(ApiEvent.id.in_([d.event.id for d in events])).values(dispatched_at=now))


def dispatch(db: Database, now: datetime, base_url: str = "") -> int:
    """Turn new events into signed deliveries and to-do pushes (``todos.py``; ``base_url``
    makes their links), in one transaction; returns how many events."""
    with db.writing() as conn:
        events = take(conn)
        if not events:
            return 0
        rows = messages(conn, events, now) + todos.messages(conn, events, now, base_url)
        if rows:
            conn.execute(insert_if_absent(conn, OutboxMessage), rows)
        mark(conn, events, now)
        return len(events)
