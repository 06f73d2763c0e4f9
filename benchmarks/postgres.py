"""A fresh PostgreSQL database for the figures that need one (``APPROVALS_BENCH_PG``: the admin
connection; no server there and the PostgreSQL figures are skipped, and said so)."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

PG_ADMIN = os.environ.get("APPROVALS_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fresh_pg() -> str | None:
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS approvals_bench"))
            conn.execute(text("CREATE DATABASE approvals_bench"))
        admin.dispose()
    except Exception:  # noqa: BLE001 - no server: the PostgreSQL figures are skipped, and said so
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + "/approvals_bench"
