"""What SM3 costs the audit chain (issue 22 §2): verifying one entry of an SM3 chain against one
of a SHA-256 chain with the same entries, walked alternately so both see the same machine. Goal:
SM3 at most 1.5x SHA-256 per entry. ``python -m benchmarks.audit_sm3`` runs this part alone."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from approvals.audit import chain as audit
from approvals.audit.chain import Entry
from approvals.crypto import hashing
from approvals.store.database import Database
from approvals.store.migrate import upgrade
from benchmarks.stats import Figure, summarize, timed

ENTRIES = 20_000
AT = datetime(2026, 6, 1, 9, 30)


def _chain(path: Path, algorithm: str) -> Database:
    old = os.environ.get(hashing.SETTING)
    os.environ[hashing.SETTING] = algorithm
    try:
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        for start in range(0, ENTRIES, 500):
            entries = [Entry(f"person{n % 97}", "decided", n // 4 + 1, n, "approve", f"同意 {n}",
                             detail={"step": n % 7, "unit": "自然资源和规划局"}) for n in range(start, start + 500)]
            with db.transaction() as s:
                audit.append(s, entries, AT)
    finally:
        if old is None:
            os.environ.pop(hashing.SETTING, None)
        else:
            os.environ[hashing.SETTING] = old
    return db


def audit_sm3(tmp: Path, rounds: int = 5) -> list[Figure]:
    chains = {alg: _chain(tmp / f"chain-{alg}.sqlite3", alg) for alg in hashing.ALGORITHMS}
    per_entry: dict[str, list[float]] = {alg: [] for alg in chains}
    for round_ in range(rounds + 1):  # the first round warms the page cache and is dropped
        for alg, db in chains.items():
            def walk(db: Database = db) -> None:
                with db.reading() as s:
                    assert audit.verify(s).checked == ENTRIES

            samples = timed(walk, 1)
            if round_:
                per_entry[alg].extend(ms * 1000 / ENTRIES for ms in samples)
    for db in chains.values():
        db.dispose()
    ratio = summarize("audit_verify_sm3_over_sha256_per_entry_ratio",
                      [s / h for s, h in zip(per_entry["sm3"], per_entry["sha256"], strict=True)], "x", goal="<= 1.5")
    ratio.met = ratio.median <= 1.5
    return [summarize("audit_verify_sha256_us_per_entry_sqlite", per_entry["sha256"], "us"),
            summarize("audit_verify_sm3_us_per_entry_sqlite", per_entry["sm3"], "us"), ratio]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="approvals-bench-") as tmp:
        for figure in audit_sm3(Path(tmp)):
            print(figure.line(), flush=True)
