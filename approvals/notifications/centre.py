"""The in-app notification centre: a person's notifications, newest first, and marking them
read. The unread count rides on the menu's one query (``Queries.waiting``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from approvals.store.database import Database
from approvals.store.models import Notification


@dataclass(frozen=True)
class Shown:
    id: int
    kind: str
    request_id: int | None
    task_id: int | None
    params: dict[str, Any]
    created_at: datetime
    read: bool


class Centre:
    def __init__(self, db: Database) -> None:
        self.db = db

    def page(self, person: str, limit: int = 50, offset: int = 0) -> tuple[list[Shown], int]:
        """A page of ``person``'s notifications, newest first, and how many there are."""
        where = Notification.person_id == person
        with self.db.reading() as s:
            found = s.scalars(select(Notification).where(where).order_by(Notification.id.desc())
                              .limit(limit).offset(offset)).all()
            total = s.scalar(select(func.count()).select_from(Notification).where(where)) or 0
        return [_shown(n) for n in found], total

    def get(self, person: str, notification_id: int) -> Shown | None:
        """One of ``person``'s notifications; None when it is not theirs (or not there)."""
        with self.db.reading(snapshot=False) as s:
            n = s.get(Notification, notification_id)
            return _shown(n) if n is not None and n.person_id == person else None

    def mark_read(self, person: str, at: datetime, ids: Iterable[int] | None = None) -> int:
        """Mark ``ids`` (all unread when None) read; only the person's own. Returns how many."""
        where = [Notification.person_id == person, Notification.read_at.is_(None)]
        if ids is not None:
            where.append(Notification.id.in_(list(ids)))
        with self.db.writing() as s:
            return s.execute(update(Notification).where(*where).values(read_at=at)).rowcount or 0


def _shown(n: Notification) -> Shown:
    return Shown(n.id, n.kind, n.request_id, n.task_id, json.loads(n.params), n.created_at, n.read_at is not None)
