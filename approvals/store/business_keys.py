"""Business keys: a portal names the request it starts with its own key, unique per process.

The key is claimed in a transaction of its own before the request is submitted (a second
claim of the same key fails at the primary key, on SQLite and PostgreSQL alike), and pointed
at the request once it exists. A submit that is refused gives the key back. A claim left
without a request for ``STALE`` (a process killed between the two steps) may be claimed again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from approvals.errors import ConflictError
from approvals.store.database import Database, insert_if_absent
from approvals.store.models import BusinessKey

STALE = timedelta(minutes=10)


class TakenError(ConflictError):
    """The key already names a request of this process."""

    def __init__(self, process_id: str, key: str, request_id: int | None) -> None:
        self.request_id = request_id
        super().__init__(f"business key {key!r} already names request #{request_id} of {process_id}"
                         if request_id else f"business key {key!r} of {process_id} is being used right now")


def claim(db: Database, process_id: str, key: str, now: datetime) -> None:
    where = (BusinessKey.process_id == process_id, BusinessKey.business_key == key)
    with db.writing() as conn:
        conn.execute(delete(BusinessKey).where(*where, BusinessKey.request_id.is_(None),
                                               BusinessKey.created_at < now - STALE))
        inserted = conn.execute(insert_if_absent(conn, BusinessKey).returning(BusinessKey.process_id),
                                {"process_id": process_id, "business_key": key, "request_id": None,
                                 "created_at": now}).first()
        if inserted is None:
            raise TakenError(process_id, key, conn.execute(select(BusinessKey.request_id).where(*where)).scalar())


def bind(db: Database, process_id: str, key: str, request_id: int) -> None:
    with db.writing() as conn:
        conn.execute(update(BusinessKey).where(BusinessKey.process_id == process_id, BusinessKey.business_key == key)
                     .values(request_id=request_id))


def give_back(db: Database, process_id: str, key: str) -> None:
    with db.writing() as conn:
        conn.execute(delete(BusinessKey).where(BusinessKey.process_id == process_id, BusinessKey.business_key == key,
                                               BusinessKey.request_id.is_(None)))
