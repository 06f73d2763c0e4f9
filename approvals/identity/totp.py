"""Two factors: a time-based one-time code (TOTP, RFC 6238: SHA-1, 6 digits, 30 s) from an
authenticator app, after the password. pyotp computes the codes; this module keeps the rules:

- enrolment: a secret made here, shown once as a QR code (drawn on the server as SVG, so the
  secret never reaches a third-party service) and confirmed by a first code before it counts;
  ten recovery codes are shown once and stored hashed, each usable once;
- a code is accepted within one step either side (clock drift), and never twice: its time step
  is used once (approvals/identity/once.py), so a code seen over a shoulder or replayed from a
  proxy log within its window is refused;
- five wrong codes lock the second factor for fifteen minutes (counted in the database, so every
  worker agrees); the first factor alone never signs anyone in.

Codes are checked against the machine's clock (``wall``), as the phone computes them.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

import pyotp
import segno
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from approvals.audit.chain import Entry
from approvals.clock import Clock
from approvals.identity import once
from approvals.identity.external import Refused
from approvals.notifications.outbox import Outbox
from approvals.store.database import Database
from approvals.store.models import TwoFactor

ISSUER = "机关事项审批系统"
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
RECOVERY_CODES = 10
STEP = 30


class TwoFactors:
    def __init__(self, db: Database, clock: Clock, wall: Callable[[], float] = time.time) -> None:
        self.db, self.clock, self.wall = db, clock, wall

    def enrolled(self, person: str) -> bool:
        with self.db.reading() as s:
            row = s.get(TwoFactor, person)
            return row is not None and row.confirmed

    def reset(self, person: str, actor: str) -> bool:
        """The security administrator clears ``person``'s two factors (a lost phone): they enrol
        again at their next sign-in. The caller has checked the office
        (approvals.people.offices.require_office); False when nothing was set up."""
        out = Outbox()
        with self.db.transaction() as s:
            row = s.get(TwoFactor, person, with_for_update=True)
            if row is None:
                return False
            s.delete(row)
            out.record(Entry(actor, "two_factor_reset", detail={"person": person}))
            out.write(s, self.clock.now())
        return True

    def begin(self, person: str) -> str:
        """The secret being enrolled (made now, or the one shown a moment ago)."""
        with self.db.transaction() as s:
            row = s.get(TwoFactor, person, with_for_update=True)
            if row is not None and row.confirmed:
                raise Refused("enrolled", "two factors are already set up for this account")
            if row is None:
                row = TwoFactor(person_id=person, secret=pyotp.random_base32(), confirmed=False, recovery="[]",
                                failures=0, updated_at=self.clock.now())
                s.add(row)
            return row.secret

    @staticmethod
    def qr_svg(person: str, secret: str) -> str:
        uri = pyotp.TOTP(secret).provisioning_uri(name=person, issuer_name=ISSUER)
        return str(segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff"))

    def confirm(self, person: str, code: str) -> list[str]:
        """The first code proves the app has the secret; the recovery codes, shown once."""
        self.verify(person, code, enrolling=True)
        codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
        out = Outbox()
        with self.db.transaction() as s:
            row = s.get(TwoFactor, person, with_for_update=True)
            assert row is not None
            row.confirmed = True
            row.recovery = json.dumps([generate_password_hash(c, method="pbkdf2:sha256:60000") for c in codes])
            row.updated_at = self.clock.now()
            out.record(Entry(person, "two_factor_enrolled"))
            out.write(s, self.clock.now())
        return codes

    def verify(self, person: str, code: str, *, enrolling: bool = False) -> None:
        """Refused (``wrong_code``, ``replayed_code``, ``locked``) unless ``code`` is a fresh
        TOTP code or an unused recovery code of ``person``."""
        code = "".join(code.split()).lower()
        now = self.clock.now()
        out = Outbox()
        refusal: Refused | None = None
        with self.db.transaction() as s:
            row = s.get(TwoFactor, person, with_for_update=True)
            if row is None or (row.confirmed == enrolling):
                raise Refused("not_enrolled", "two factors are not set up for this account")
            if row.locked_until is not None and row.locked_until > now:
                refusal = Refused("locked", f"too many wrong codes; try again after {row.locked_until:%H:%M}")
            else:
                refusal = self._check(s, row, code, enrolling)
                if refusal is None:
                    row.failures, row.locked_until = 0, None
                elif refusal.reason == "wrong_code":
                    row.failures += 1
                    if row.failures >= MAX_FAILURES:
                        row.failures, row.locked_until = 0, now + LOCKOUT
                        refusal = Refused("locked", f"{MAX_FAILURES} wrong codes: two factors are locked for "
                                                    f"{int(LOCKOUT.total_seconds() // 60)} minutes")
            if refusal is not None:
                out.record(Entry(person, "two_factor_failed", detail={"reason": refusal.reason}))
            out.write(s, now)
        if refusal is not None:
            raise refusal

    def _check(self, s: Session, row: TwoFactor, code: str, enrolling: bool) -> Refused | None:
        totp = pyotp.TOTP(row.secret)
        at = self.wall()
        if code.isdigit() and len(code) == 6:
            for drift in (0, -1, 1):
                moment = at + drift * STEP
                if secrets.compare_digest(totp.at(moment), code):
                    if not once.use_in(s, "totp", f"{row.person_id}:{totp.timecode(moment)}", self.clock.now()):
                        return Refused("replayed_code", "this code was already used; wait for the next one")
                    return None
            return Refused("wrong_code", "the code is not the one the app shows now")
        if not enrolling:
            hashes = json.loads(row.recovery or "[]")
            for i, hashed in enumerate(hashes):
                if check_password_hash(hashed, code):
                    row.recovery = json.dumps(hashes[:i] + hashes[i + 1:])
                    return None
        return Refused("wrong_code", "the code is not the one the app shows now, nor an unused recovery code")
