"""The database handle: one engine, short transactions, the same code on SQLite and PostgreSQL.

SQLite writers take the write lock at BEGIN (``BEGIN IMMEDIATE``) so two concurrent actions
queue instead of failing halfway with "database is locked"; WAL lets readers run alongside.

Faults are translated here (``faults.translate``): a collision is ConflictError, a database
that cannot be reached or is busy is UnavailableError, anything else is a bug and propagates.
Connecting and BEGIN are retried with back-off, since nothing can have been written yet;
nothing after BEGIN is ever re-run here (docs/reliability.md).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Connection, Engine, Insert, RootTransaction, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from approvals.errors import ConflictError
from approvals.store.faults import RACE, is_retryable, translate

__all__ = ["RACE", "Database", "connection_of", "database_url", "insert_if_absent"]

DEFAULT_URL = "sqlite:///instance/approvals.sqlite3"
SYNCHRONOUS_ENV = "APPROVALS_SQLITE_SYNCHRONOUS"
SYNCHRONOUS_DEFAULT = "FULL"  # docs/reliability.md: NORMAL may lose the last commits on power loss
BUSY_TIMEOUT_ENV = "APPROVALS_SQLITE_BUSY_TIMEOUT_MS"
BUSY_TIMEOUT_DEFAULT_MS = 20000  # under gunicorn's 30 s worker timeout: the user gets a 503, not a dead worker
BACKOFF = (0.05, 0.2, 0.8)  # seconds between tries to connect and BEGIN (about 1 s in all)
POOL_RECYCLE = 1800  # PostgreSQL: never hand out a connection older than this (firewalls drop idle ones)


def database_url() -> str:
    return os.environ.get("APPROVALS_DATABASE_URL", DEFAULT_URL)


def sqlite_synchronous() -> str:
    """FULL (the default) or NORMAL, from APPROVALS_SQLITE_SYNCHRONOUS; anything else is refused."""
    value = os.environ.get(SYNCHRONOUS_ENV, SYNCHRONOUS_DEFAULT).strip().upper() or SYNCHRONOUS_DEFAULT
    if value not in ("FULL", "NORMAL"):
        raise ValueError(f"{SYNCHRONOUS_ENV} must be FULL or NORMAL, found {value!r}")
    return value


def _sqlite_pragmas(engine: Engine, synchronous: str, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("approvals_readonly", False)
        statement = "BEGIN" if readonly else "BEGIN IMMEDIATE"
        # Straight to the driver: BEGIN has no parameters or result, and every transaction pays
        # for it (through exec_driver_sql it cost as much as a real statement). An error here
        # bypasses SQLAlchemy's wrapping, so it is wrapped by hand: a lock held past the busy
        # timeout must reach ``translate`` like any other fault, not as a raw sqlite3 error.
        try:
            conn.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


class Database:
    def __init__(self, url: str | None = None, *, synchronous: str | None = None,
                 busy_timeout_ms: int | None = None, **engine_args: Any) -> None:
        """``synchronous``/``busy_timeout_ms``: SQLite only, defaults from the environment
        (APPROVALS_SQLITE_SYNCHRONOUS, APPROVALS_SQLITE_BUSY_TIMEOUT_MS)."""
        self.url = url or database_url()
        if self.url.startswith("sqlite:///") and not self.url.startswith("sqlite:///:memory:"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if self.url.startswith("postgresql://"):
            self.url = "postgresql+psycopg://" + self.url.removeprefix("postgresql://")
        if not self.url.startswith("sqlite"):
            # A connection the server dropped (restart, failover, idle timeout) is noticed at
            # checkout and replaced, instead of failing the first request that draws it.
            engine_args = {"pool_pre_ping": True, "pool_recycle": POOL_RECYCLE, **engine_args}
        self.engine = create_engine(self.url, **engine_args)
        self.synchronous = (synchronous or sqlite_synchronous()).upper()
        if self.engine.dialect.name == "sqlite":
            timeout = busy_timeout_ms or int(os.environ.get(BUSY_TIMEOUT_ENV, BUSY_TIMEOUT_DEFAULT_MS))
            _sqlite_pragmas(self.engine, self.synchronous, timeout)
        self._readers = sessionmaker(self.engine.execution_options(approvals_readonly=True),
                                     expire_on_commit=False)
        # PostgreSQL: a read of one statement needs no BEGIN/ROLLBACK (two round trips of ~3).
        # SQLite keeps its explicit BEGIN (see on_begin), so it reads in a transaction either way.
        self._glance_engine = self.engine.execution_options(approvals_readonly=True) \
            if self.engine.dialect.name == "sqlite" \
            else self.engine.execution_options(approvals_readonly=True, isolation_level="AUTOCOMMIT")
        self._single_readers = sessionmaker(self._glance_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action = one transaction: everything commits together or nothing does.
        Faults as in ``writing``; a row changed under the ORM's version check is a race too."""
        conn, trans = self._begin()
        committing = False
        try:
            with conn, trans, Session(bind=conn, expire_on_commit=False,
                                      join_transaction_mode="rollback_only") as session:
                yield session
                session.flush()
                committing = True
        except StaleDataError as exc:
            raise ConflictError(RACE) from exc
        except SQLAlchemyError as exc:
            _raise_translated(exc, committing)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction on a bare connection, for the user actions: they write through Core
        statements built once, so a Session's bookkeeping would be pure cost (about a tenth of
        a decision). Commits when the block ends, rolls back if it raises.

        Should two actions still collide in the database (a deadlock, a serialization failure),
        the loser gets ConflictError, as for any other race, and its transaction has rolled
        back: the user reloads and tries again. A database that cannot be reached, or SQLite's
        write lock held past the busy timeout, is UnavailableError; a fault during the COMMIT
        says the outcome is unknown (``UnavailableError.outcome_unknown``)."""
        conn, trans = self._begin()
        committing = False
        try:
            with conn, trans:
                yield conn
                committing = True  # the block is done; leaving ``trans`` commits
        except SQLAlchemyError as exc:
            _raise_translated(exc, committing)

    @contextmanager
    def reading(self, *, snapshot: bool = True) -> Iterator[Session]:
        """``snapshot=False`` for a read of a single statement: on PostgreSQL it runs without
        a transaction (autocommit), saving the BEGIN and ROLLBACK round trips. A read that
        meets a fault is UnavailableError (503), never a raw error."""
        try:
            with self._connected(self._readers if snapshot else self._single_readers) as session:
                yield session
        except SQLAlchemyError as exc:
            _raise_translated(exc, False)

    @contextmanager
    def glancing(self) -> Iterator[Connection]:
        """A bare connection for a few reads that need no common snapshot and no ORM: the
        reads every page makes before anything else (the sign-in check, the charts in force),
        where a Session's bookkeeping cost as much as the statements. Faults as in ``reading``."""
        try:
            with self._connect(self._glance_engine) as conn:
                yield conn
        except SQLAlchemyError as exc:
            _raise_translated(exc, False)

    @staticmethod
    def _connect(engine: Engine) -> Connection:
        for delay in (*BACKOFF, None):
            try:
                return engine.connect()
            except SQLAlchemyError as exc:
                if delay is None or not is_retryable(exc):
                    raise
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _connected(self, sessions: sessionmaker[Session]) -> Session:
        """A session holding its connection (and, where the read needs one, its BEGIN): taken
        now, with the same back-off as ``_begin``, rather than at the first statement."""
        for delay in (*BACKOFF, None):
            session = sessions()
            try:
                session.connection()
                return session
            except SQLAlchemyError as exc:
                session.close()
                if delay is None or not is_retryable(exc):
                    raise
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _begin(self) -> tuple[Connection, RootTransaction]:
        """Connect and BEGIN, tried again with back-off while the database is unreachable:
        nothing has been written yet, so a second try cannot double anything."""
        for delay in (*BACKOFF, None):
            conn = None
            try:
                conn = self.engine.connect()
                return conn, conn.begin()
            except SQLAlchemyError as exc:
                if conn is not None:
                    conn.close()
                if delay is None or not is_retryable(exc):
                    _raise_translated(exc, False)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


def _raise_translated(exc: SQLAlchemyError, committing: bool) -> NoReturn:
    """Raise the user's error for ``exc`` (from ``exc``), or ``exc`` itself when it is a bug."""
    translated = translate(exc, committing=committing)
    if translated is None:
        raise exc
    raise translated from exc


def insert_if_absent(conn: Connection, model: Any) -> Insert:
    """An INSERT into ``model``'s table that does nothing when the key is already there
    (ON CONFLICT DO NOTHING on both backends): for rows several actions may add at once."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(model.__table__).on_conflict_do_nothing()


def connection_of(db: Session | Connection) -> Connection:
    """The connection under ``db``: Core statements run on an action's connection or on the
    connection of a Session's transaction alike."""
    return db.connection() if isinstance(db, Session) else db
