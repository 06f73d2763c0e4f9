"""The database handle: one engine, short transactions, the same code on SQLite and PostgreSQL.

SQLite writers take the write lock at BEGIN (``BEGIN IMMEDIATE``) so two concurrent actions
queue instead of failing halfway with "database is locked"; WAL lets readers run alongside.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from approvals.errors import ConflictError

DEFAULT_URL = "sqlite:///instance/approvals.sqlite3"
RACE = "someone else acted on this request at the same moment; reload and look again"
_CONTENTION_SQLSTATES = ("40P01", "40001", "55P03")  # deadlock, serialization failure, lock not available


def _is_contention(exc: DBAPIError) -> bool:
    if getattr(exc.orig, "sqlstate", None) in _CONTENTION_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def database_url() -> str:
    return os.environ.get("APPROVALS_DATABASE_URL", DEFAULT_URL)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("approvals_readonly", False)
        # Straight to the driver: BEGIN has no parameters or result, and every transaction pays
        # for it (through exec_driver_sql it cost as much as a real statement).
        conn.connection.dbapi_connection.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")


class Database:
    def __init__(self, url: str | None = None, **engine_args: Any) -> None:
        self.url = url or database_url()
        if self.url.startswith("sqlite:///") and not self.url.startswith("sqlite:///:memory:"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if self.url.startswith("postgresql://"):
            self.url = "postgresql+psycopg://" + self.url.removeprefix("postgresql://")
        self.engine = create_engine(self.url, **engine_args)
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(self.engine.execution_options(approvals_readonly=True),
                                     expire_on_commit=False)
        # PostgreSQL: a read of one statement needs no BEGIN/ROLLBACK (two round trips of ~3).
        # SQLite keeps its explicit BEGIN (see on_begin), so it reads in a transaction either way.
        self._single_readers = self._readers if self.engine.dialect.name == "sqlite" else sessionmaker(
            self.engine.execution_options(approvals_readonly=True, isolation_level="AUTOCOMMIT"),
            expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action = one transaction: everything commits together or nothing does."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction on a bare connection, for the user actions: they write through Core
        statements built once, so a Session's bookkeeping would be pure cost (about a tenth of
        a decision). Commits when the block ends, rolls back if it raises.

        Should two actions still collide in the database (a deadlock, a serialization failure,
        SQLite's lock wait running out), the loser gets ConflictError, as for any other race,
        and its transaction has rolled back: the user reloads and tries again."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except DBAPIError as exc:
            if not _is_contention(exc):
                raise
            raise ConflictError(RACE) from exc

    @contextmanager
    def reading(self, *, snapshot: bool = True) -> Iterator[Session]:
        """``snapshot=False`` for a read of a single statement: on PostgreSQL it runs without
        a transaction (autocommit), saving the BEGIN and ROLLBACK round trips."""
        with (self._readers if snapshot else self._single_readers)() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def connection_of(db: Session | Connection) -> Connection:
    """The connection under ``db``: Core statements run on an action's connection or on the
    connection of a Session's transaction alike."""
    return db.connection() if isinstance(db, Session) else db
