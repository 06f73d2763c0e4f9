"""What verifying the audit chain costs (issue 12 §4): a full walk per 100k entries, and an
incremental check from a signed checkpoint (the signature, the checkpoint's entry, then only
the entries after it). ``python -m benchmarks.audit_verify`` runs this part alone."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from approvals.audit import chain as audit
from approvals.audit import checkpoints, trail_check
from approvals.audit.chain import Entry
from benchmarks import workload
from benchmarks.stats import Figure, summarize, timed

ENTRIES = 100_000
NEW_AFTER_CHECKPOINT = 1_000


def audit_verify(tmp: Path, rounds: int = 3) -> list[Figure]:
    app = workload.engine_app(f"sqlite:///{tmp}/audit.sqlite3")
    hot = app.orgcharts.current("xx-nrpb").posts["organ_leader"]
    workload.generate_history(app, ENTRIES // 4, 0, hot, hot_share=0.0)  # 4 chained entries per request
    with app.db.reading() as s:
        total = audit.head_of(s)[0]
    private, public_path = checkpoints.keygen(tmp / "keys")
    key, public = checkpoints.load_private_key(private), checkpoints.load_public_key(public_path)

    def full() -> None:
        with app.db.reading() as s:
            assert audit.verify(s).ok

    full_ms = timed(full, rounds)

    def rows() -> None:
        with app.db.reading() as s:
            trail_check.check(s)

    rows_ms = timed(rows, rounds)
    out = tmp / "checkpoints"
    checkpoints.take(app.db, key, out, datetime(2026, 6, 1))
    for start in range(0, NEW_AFTER_CHECKPOINT, 100):
        with app.db.transaction() as s:
            audit.append(s, [Entry("bench", "orgchart_saved", detail={"n": start + i}) for i in range(100)],
                         datetime(2026, 6, 2))

    def incremental() -> None:
        with app.db.reading() as s:
            report = checkpoints.verify(s, [out], public)
            assert report.ok and report.chain is not None and report.chain.checked == NEW_AFTER_CHECKPOINT

    incremental_ms = timed(incremental, rounds * 3)
    app.db.dispose()
    per_100k = ENTRIES / total
    return [
        summarize("audit_verify_full_s_per_100k_entries_sqlite", [ms / 1000 * per_100k for ms in full_ms], "s",
                  goal="informative (the inspector page never runs it)"),
        # Synthetic history: its rows lack the entries the engine writes, so the check reports
        # (and builds a message for) nearly every step: an upper bound of the pass's cost.
        summarize("audit_rows_check_s_per_100k_entries_sqlite", [ms / 1000 * per_100k for ms in rows_ms], "s"),
        summarize(f"audit_verify_incremental_ms_{NEW_AFTER_CHECKPOINT}_entries_after_checkpoint_sqlite",
                  incremental_ms, "ms"),
        summarize("audit_verify_incremental_s_per_100k_entries_after_checkpoint_sqlite",
                  [ms / 1000 * ENTRIES / NEW_AFTER_CHECKPOINT for ms in incremental_ms], "s"),
    ]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="approvals-bench-") as tmp:
        for figure in audit_verify(Path(tmp)):
            print(figure.line(), flush=True)
