"""Re-seal every sealed column under the current data key (``approvals crypto rotate``).

Run after adding a key (``approvals crypto keygen``): values sealed with older keys, and values
stored in plain text before sealing was switched on, are sealed with the newest key. Each
value is opened first, so a missing or wrong old key stops the rotation with its name and
changes nothing in that table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from approvals.crypto import atrest
from approvals.crypto import fields as sealed_fields
from approvals.crypto.provider import CryptoError
from approvals.store.database import Database
from approvals.store.models import ChannelSetting, OutboxMessage, Request, TodoSetting, WebhookSubscription

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


# The sensitive fields of a process version, (process id, sha256) -> field names; the CLI asks
# the definitions (crypto sits below the service and cannot).
SensitiveOf = Callable[[str, str], Collection[str]]


def rotate(db: Database, ring: atrest.Keyring | None = None, *, dry_run: bool = False,
           sensitive: SensitiveOf | None = None) -> dict[str, int]:
    """Re-seal what is not sealed with the current key; the count per ``table.column``. With
    ``sensitive``, sensitive form fields stored plain (before a key was configured) are sealed too."""
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
    counts["requests.fields_json"] = _rotate_fields(db, ring, dry_run, sensitive)
    return counts


def _stale(stored: dict[str, Any], names: Collection[str], current: str | None) -> list[str]:
    """Fields sealed under another key, and sensitive ones still plain."""
    return [k for k, v in stored.items() if isinstance(v, str) and v and atrest.key_id_of(v) != current
            and (atrest.is_sealed(v) or k in names)]


def _rotate_fields(db: Database, ring: atrest.Keyring, dry_run: bool, sensitive: SensitiveOf | None) -> int:
    """Sensitive form fields (crypto/fields.py): each sealed value names its field, which is its
    purpose, so only the plain ones need the process file. The copies in the audit chain are left
    as they are (re-sealing them would break the chain): keep an old key listed while its
    entries are read."""
    query = select(Request.id, Request.fields_json, Request.process_id, Request.process_sha)
    if sensitive is None:
        query = query.where(Request.fields_json.like(f"%{atrest.PREFIX}%"))
    names: dict[tuple[str, str], Collection[str]] = {}
    changed = 0
    with db.writing() as conn:
        for row_id, stored_json, process_id, sha in conn.execute(query).all():
            if sensitive is not None and (process_id, sha) not in names:
                names[(process_id, sha)] = sensitive(process_id, sha)
            stored = json.loads(stored_json)
            stale = _stale(stored, names.get((process_id, sha), ()), ring.current)
            if not stale:
                continue
            changed += 1
            for name in stale:
                purpose = sealed_fields.purpose(name)
                stored[name] = atrest.seal_secret(atrest.open_secret(stored[name], purpose, ring), purpose, ring)
            if not dry_run:
                conn.execute(update(Request).where(Request.id == row_id)
                             .values(fields_json=json.dumps(stored, ensure_ascii=False)))
    return changed
