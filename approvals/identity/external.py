"""One outside identity, one person: the last step every sign-in method shares.

A method (OIDC, LDAP, CAS, 免登) proves *an identity*: a claim value such as an account name,
a 工号 or an e-mail address. This module finds the one person of the organization's chart in
force that value names (by the method's ``match.by``) and opens a session for them, or
refuses, naming why:

- ``unknown``: nobody in the chart has that value;
- ``ambiguous``: two or more people have it (a chart where two people share an e-mail);
  nobody is signed in, since picking one would be a guess;
- ``left``: the value names a person who has left the organization (their account is kept,
  disabled, when they leave: approvals/orgadmin.py);
- ``disabled``: the person's account is disabled (by an administrator, or because the
  directory says so: approvals/directory.py). A disabled person cannot sign in by
  any method, a local password included (approvals/identity/signin.py checks the same flag).

Every outcome is in the audit trail (``signed_in`` with the method, or ``sign_in_refused``
with the reason), and a session opened here carries the person's session generation, so the
idle, maximum and revocation rules of web/sessions.py apply whatever the method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from approvals.audit.chain import Entry
from approvals.clock import Clock
from approvals.identity import credentials
from approvals.identity.methods import Method
from approvals.notifications.outbox import Outbox
from approvals.people.orgchart.model import OrgChart
from approvals.store.database import Database
from approvals.store.models import Credential

UNKNOWN, AMBIGUOUS, LEFT, DISABLED = "unknown", "ambiguous", "left", "disabled"
# refusals before any person is looked up: the protocol step failed (bad token, replay, ...)
PROTOCOL = "protocol"


class Refused(Exception):
    """A method's protocol step failed: ``reason`` is a short code for the trail and the page
    (``forged_token``, ``replayed_state``, ...), ``why`` the cause in plain words."""

    def __init__(self, reason: str, why: str) -> None:
        super().__init__(why)
        self.reason, self.why = reason, why


@dataclass(frozen=True)
class Identity:
    """What a method proved: ``value`` of the method's claim, and the protocol's own subject
    (OIDC sub, LDAP DN, CAS user) for the trail."""

    method: Method
    value: str
    subject: str = ""
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Result:
    person: str | None
    reason: str | None = None  # None: signed in
    generation: int = 0
    candidates: tuple[str, ...] = ()  # the people an ambiguous value names, for the refusal page

    @property
    def ok(self) -> bool:
        return self.reason is None and self.person is not None


def candidates(chart: OrgChart, by: str, value: str) -> list[str]:
    """Everyone in ``chart`` whose ``by`` attribute equals ``value`` (e-mail: any case)."""
    if not value:
        return []
    if by == "account":
        return [value] if value in chart.people else []
    if by == "email":
        wanted = value.strip().casefold()
        return sorted(p.id for p in chart.people.values() if p.email and p.email.casefold() == wanted)
    return sorted(p.id for p in chart.people.values() if p.employee_no and p.employee_no == value.strip())


class ExternalSignIn:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock

    def complete(self, identity: Identity, chart: OrgChart, address: str) -> Result:
        """Sign in the one person ``identity`` names in ``chart`` (the organization's chart in
        force), or refuse with the reason; audited either way."""
        method = identity.method
        found = candidates(chart, method.by, identity.value)
        now = self.clock.now()
        out = Outbox()
        with self.db.transaction() as s:
            if len(found) > 1:
                result = Result(None, AMBIGUOUS, candidates=tuple(found))
            elif not found:
                left = method.by == "account" and _disabled(s, identity.value)
                result = Result(identity.value if left else None, LEFT if left else UNKNOWN)
            else:
                person = found[0]
                row = s.get(Credential, person, with_for_update=True)
                if row is None:  # first sign-in by an outside method: an account with no password
                    row = Credential(person_id=person, password_hash=credentials.UNUSABLE, updated_at=now,
                                     session_generation=0, disabled=False)
                    s.add(row)
                    s.flush()
                result = Result(person, DISABLED) if row.disabled else Result(person, None, int(row.session_generation))
            detail = _detail(identity, address)
            if result.ok:
                out.record(Entry(result.person or "", "signed_in", detail=detail))
            else:
                detail.update(reason=result.reason)
                if result.candidates:
                    detail["candidates"] = list(result.candidates)
                out.record(Entry(result.person or UNKNOWN, "sign_in_refused", detail=detail))
            out.write(s, now)
        return result

    def refuse(self, method: Method, reason: str, why: str, address: str, actor: str = UNKNOWN) -> None:
        """Audit a refusal before any person was found: a forged or expired token, a replayed
        state, nonce or ticket, an injection attempt. ``why`` is the plain-language cause."""
        out = Outbox()
        with self.db.transaction() as s:
            out.record(Entry(actor, "sign_in_refused", detail={
                "method": f"{method.org}/{method.id}", "kind": method.kind, "address": address,
                "reason": reason, "why": why[:300]}))
            out.write(s, self.clock.now())


def single_logout(db: Database, clock: Clock, method: Method, person: str, protocol_ref: str, address: str) -> None:
    """The identity provider says ``person``'s sign-in there ended (CAS single logout): every
    session of theirs here ends too, audited."""
    out = Outbox()
    with db.transaction() as s:
        credentials.end_sessions(s, person)
        out.record(Entry(person, "signed_out", detail={"method": f"{method.org}/{method.id}", "kind": method.kind,
                                                       "address": address, "reason": "single_logout",
                                                       "ticket": protocol_ref[:40]}))
        out.write(s, clock.now())


def _disabled(s: Any, person: str) -> bool:
    return bool(s.scalar(select(Credential.disabled).where(Credential.person_id == person)))


def _detail(identity: Identity, address: str) -> dict[str, Any]:
    method = identity.method
    detail: dict[str, Any] = {"method": f"{method.org}/{method.id}", "kind": method.kind, "address": address,
                              "identity": identity.value[:200]}
    if identity.subject:
        detail["subject"] = identity.subject[:200]
    return detail
