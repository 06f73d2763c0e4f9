"""The hash chain's status on the inspector's page, without walking the whole chain.

A full walk costs about a minute per million entries, past any web worker's timeout, so a
page view never does one. It shows what the last CLI or worker verification recorded (and
when), and on request checks the newest entries: from the last entry a recorded run proved,
forward, at most ``WALK_LIMIT`` entries (about a second), saying which entries it covered.
The proof against signed checkpoints is ``approvals audit verify --checkpoint``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from approvals.audit import chain as audit
from approvals.audit import verifications
from approvals.audit.chain import Verification
from approvals.store.models import AuditVerification
from web.engine import engine

WALK_LIMIT = 20_000
WORDS = {
    "full": _l("full walk"),
    "incremental": _l("from the newest checkpoint"),
    "checkpoint": _l("checkpoint signed"),
    "cli": _l("command line"),
    "worker": _l("worker"),
}


@dataclass(frozen=True)
class ChainStatus:
    recorded: AuditVerification | None  # the newest CLI/worker run
    checked: Verification | None  # this page view's bounded check, when asked for
    head_seq: int
    after: int = 0  # entries after the one the page's check started from (every chain)

    @property
    def ok(self) -> bool:
        runs = [r.ok for r in (self.recorded, self.checked) if r is not None]
        return all(runs)

    @property
    def unchecked(self) -> int:
        """Entries after what this page checked (0 when it reached the head)."""
        if self.checked is None or not self.checked.ok or self.checked.complete:
            return 0
        return max(0, self.after - self.checked.checked)


def status(check: bool) -> ChainStatus:
    db = engine().db
    checked, after = None, 0
    if check:
        good = verifications.latest_good(db)
        start = (good.to_seq, good.to_hash) if good else (0, audit.GENESIS)
        with db.reading() as s:  # every chain's entries after that one (issue 24: one chain per organization)
            checked = audit.walk_all(s, audit.starts_after(s, start[0]), limit=WALK_LIMIT, from_seq=start[0])
            after = audit.count_after(s, start[0]) if not checked.complete else checked.checked
    with db.reading(snapshot=False) as s:
        head_seq = max((seq for seq, _ in audit.heads(s).values()), default=0)
    return ChainStatus(verifications.latest(db), checked, head_seq, after)
