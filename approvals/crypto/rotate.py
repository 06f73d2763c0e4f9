"""Re-seal every sealed column under the current data key (``approvals crypto rotate``).

Run after adding a key (``approvals crypto keygen``): values sealed with older keys, and values
stored in plain text before sealing was switched on, are sealed with the newest key. Each
value is opened first, so a missing or wrong old key stops the rotation with its name and
changes nothing in that table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from approvals.crypto import atrest
from approvals.crypto.provider import CryptoError
from approvals.store.database import Database
from approvals.store.models import ChannelSetting, OutboxMessage, TodoSetting, WebhookSubscription

TARGET, SECRET = "channel_settings.target", "channel_settings.secret"


@dataclass(frozen=True)
class Sealed:
    model: Any
    column: str
    purpose: str


# Every column holding sealed values. Outbox rows copy a channel's target and secret, so they
# carry the same purposes.
SEALED = (
    Sealed(ChannelSetting, "target", TARGET),
    Sealed(ChannelSetting, "secret", SECRET),
    Sealed(OutboxMessage, "target", TARGET),
    Sealed(OutboxMessage, "secret", SECRET),
    Sealed(WebhookSubscription, "url", "webhook_subscriptions.url"),
    Sealed(WebhookSubscription, "secret", "webhook_subscriptions.secret"),
    Sealed(TodoSetting, "credentials", "todo_settings.credentials"),
)


def rotate(db: Database, ring: atrest.Keyring | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Re-seal what is not sealed with the current key; the count per ``table.column``."""
    ring = atrest.keyring() if ring is None else ring
    if ring.current is None:
        raise CryptoError(f"no data key is configured: set {atrest.FILE_ENV} or {atrest.INLINE_ENV} first "
                          "(`approvals crypto keygen --file PATH` makes one)")
    counts: dict[str, int] = {}
    for item in SEALED:
        column = getattr(item.model, item.column)
        with db.writing() as conn:
            rows = conn.execute(select(item.model.id, column).where(column != "")).all()
            changed = [(r[0], r[1]) for r in rows if atrest.key_id_of(r[1]) != ring.current]
            for row_id, stored in changed:
                fresh = atrest.seal_secret(atrest.open_secret(stored, item.purpose, ring), item.purpose, ring)
                if not dry_run:
                    conn.execute(update(item.model).where(item.model.id == row_id).values({item.column: fresh}))
        counts[f"{item.model.__tablename__}.{item.column}"] = len(changed)
    return counts
