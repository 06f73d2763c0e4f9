"""What an action will announce: audit entries and notifications (written in its transaction)
and signals (sent after it commits). Collecting them in one place keeps them in step.

Notifications are the transactional outbox (approvals/notifications/): the rows a person's
notification centre lists and ``approvals worker`` delivers over e-mail or group robots are
inserted here, with the audit entries, so an action never commits without its messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from approvals import signals
from approvals.audit import chain as audit
from approvals.audit.chain import Entry
from approvals.notifications import api_events, events
from approvals.store.database import connection_of

log = logging.getLogger(__name__)


@dataclass
class Outbox:
    entries: list[Entry] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # The organization whose audit chain the entries go to (issue 24), when the action knows
    # it: saves ``audit.append`` looking the request up.
    org: str | None = None

    def record(self, entry: Entry) -> None:
        self.entries.append(entry)

    def signal(self, name: str, **payload: Any) -> None:
        assert name in signals.ALL, name
        self.events.append((name, payload))

    def write(self, db: Session | Connection, at: datetime) -> None:
        """Last thing in the transaction: the audit head lock is held only briefly. A Session
        flushes first, so the entries follow the rows they describe."""
        if isinstance(db, Session):
            db.flush()
        if self.events:
            conn = connection_of(db)
            events.write(conn, self.events, at)
            api_events.write(conn, self.events, at)  # what webhooks and pushed to-dos hear of
        audit.append(db, self.entries, at, self.org)

    def send(self, sender: object) -> None:
        for name, payload in self.events:
            try:
                signals.ALL[name].send(sender, **payload)
            except Exception:  # noqa: BLE001 - a broken receiver must not undo a saved action
                log.exception("signal %s receiver failed", name)
