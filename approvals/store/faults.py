"""What a database fault means for the user, decided in one place for both backends.

    contention    two actions collided (deadlock, serialization failure, lock not available):
                  the loser rolled back; ConflictError, the user reloads and looks again
    unavailable   the database could not be reached or could not do its work for now
                  (connection refused or lost, server shutting down, too many connections,
                  disk full, an I/O error, SQLite's write lock busy past its timeout, the
                  connection pool empty): UnavailableError, answered 503 with Retry-After
    anything else a real bug: it propagates untranslated and the web logs it as a 500

``translate`` turns an exception into the ApprovalsError it means, or returns None for a bug.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from approvals.errors import ApprovalsError, ConflictError, UnavailableError

RACE = "someone else acted on this request at the same moment; reload and look again"
NOT_SAVED = "the database is not answering at the moment; nothing was saved, try again in a moment"
UNKNOWN_OUTCOME = ("the database stopped answering while your action was being saved; it may have been "
                   "saved: look at the request before you try again")
BUSY = "the database is busy with other work; nothing was saved, try again in a moment"

_CONTENTION_SQLSTATES = ("40P01", "40001", "55P03")  # deadlock, serialization failure, lock not available
# PostgreSQL classes: 08 connection exception, 53 insufficient resources (disk full, out of memory,
# too many connections), 57014 statement timeout (an overloaded server), 57P0x operator
# intervention (admin/crash shutdown, cannot connect now), 58 system error (I/O).
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57014", "57P01", "57P02", "57P03", "58")
_SQLITE_UNAVAILABLE = ("disk i/o error", "database or disk is full", "unable to open database file",
                       "disk image is malformed")


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def is_contention(exc: BaseException) -> bool:
    """Two transactions collided; SQLite's lock is another matter (see ``is_unavailable``)."""
    return isinstance(exc, DBAPIError) and _sqlstate(exc) in _CONTENTION_SQLSTATES


def is_busy(exc: BaseException) -> bool:
    """SQLite's write lock stayed taken past the busy timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout) or is_busy(exc):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = _sqlstate(exc)
    if state is not None:
        return state.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)
    if isinstance(exc.orig, sqlite3.Error):
        return any(text in str(exc.orig).lower() for text in _SQLITE_UNAVAILABLE)
    # psycopg raises connection failures (refused, reset, server closed the connection)
    # client-side, without a SQLSTATE.
    return isinstance(exc, OperationalError)


def is_retryable(exc: BaseException) -> bool:
    """Worth another try a moment later: unavailable, but not a lock already waited for
    (busy) nor a pool already waited on (its timeout)."""
    return is_unavailable(exc) and not is_busy(exc) and not isinstance(exc, PoolTimeout)


def translate(exc: BaseException, *, committing: bool = False) -> ApprovalsError | None:
    """The error a user should see for ``exc``; None when it is a bug (let it propagate).

    ``committing``: the fault came while the COMMIT was on its way, so the action may have
    been saved; the user is told to look before trying again (an idempotent resend is safe)."""
    if is_contention(exc):
        return ConflictError(RACE)
    if is_busy(exc):
        return UnavailableError(BUSY)
    if is_unavailable(exc):
        return UnavailableError(UNKNOWN_OUTCOME if committing else NOT_SAVED, outcome_unknown=committing)
    return None
