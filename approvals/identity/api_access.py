"""Bearer tokens for the open API: personal access tokens and system clients.

A person creates a personal access token (a page, or ``approvals api token create``): named,
scoped, expiring, revocable. An organization's administrator registers a system client (an
OA portal): it trades its id and secret for an access token valid an hour (OAuth 2.0 client
credentials). A client acts as a named person of its organization only with the ``act_as``
scope; what it may then do is exactly what that person may do in the UI, and the audit trail
notes "via client X" (``approvals.audit.chain.VIA``).

Tokens and secrets are 32 random bytes; only their SHA-256 is stored (a slow hash protects
guessable passwords, not random ones, and would cost every call). A rotated secret keeps
working for ``ROTATION_GRACE`` so a portal can be redeployed without a gap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from approvals.audit.chain import Entry, append
from approvals.clock import Clock
from approvals.errors import FieldError, Issue, NotPermittedError, UnknownError
from approvals.store.database import Database
from approvals.store.models import ApiClient, ApiToken, Credential

# What a token may be used for; the person's own rights (UI rules) still apply on top.
SCOPES = {
    "read": "read processes, requests, tasks, lists and notifications",
    "requests:write": "start, withdraw and urge requests",
    "tasks:write": "decide tasks and every other operation on them",
    "audit:read": "inspectors' audit search, trail and access log",
    "admin": "administrators' chart versions, process deployment and webhooks",
    "act_as": "(system clients) act as a named person of the client's organization",
}
PERSONAL_SCOPES = tuple(s for s in SCOPES if s != "act_as")
MAX_DAYS = 366
CLIENT_TOKEN_LIFE = timedelta(hours=1)
ROTATION_GRACE = timedelta(hours=24)
PAT, CLIENT_TOKEN, CLIENT_SECRET = "apr_pat_", "apr_cat_", "apr_cs_"


class UnknownCredentialError(UnknownError):
    """A token or client secret that is unknown, expired or revoked (401, never which)."""


@dataclass(frozen=True)
class Caller:
    """Who a bearer token speaks for: a person (personal token), or a client (who may name one)."""

    token_id: int
    person_id: str | None
    client_id: str | None
    client_name: str | None
    org_id: str | None  # the client's organization
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class Issued:
    token: str  # shown once, never stored
    token_id: int
    expires_at: datetime


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _scopes(asked: Iterable[str], allowed: Iterable[str]) -> str:
    asked = [s.strip() for s in asked if s.strip()]
    allowed = tuple(allowed)
    bad = [s for s in asked if s not in allowed]
    if bad or not asked:
        raise FieldError([Issue("scopes", " ".join(bad) or "", f"expected one or more of {', '.join(allowed)}")])
    return " ".join(sorted(set(asked)))


class ApiAccess:
    """Create, check and revoke tokens and clients; every change is in the audit trail."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # ---- personal access tokens ------------------------------------------------------------

    def create_token(self, person_id: str, name: str, scopes: Iterable[str], days: int) -> Issued:
        name = name.strip()
        if not name or len(name) > 100:
            raise FieldError([Issue("name", name, "give the token a name of 1 to 100 characters")])
        if not 1 <= days <= MAX_DAYS:
            raise FieldError([Issue("days", days, f"a token lives 1 to {MAX_DAYS} days")])
        return self._issue(person_id, None, name, _scopes(scopes, PERSONAL_SCOPES), timedelta(days=days),
                           PAT, Entry(person_id, "api_token_created", detail={"name": name}))

    def tokens(self, person_id: str) -> list[ApiToken]:
        with self.db.reading() as s:
            rows = s.scalars(select(ApiToken).where(ApiToken.person_id == person_id, ApiToken.client_id.is_(None))
                             .order_by(ApiToken.id.desc())).all()
            s.expunge_all()
            return list(rows)

    def revoke_token(self, token_id: int, person_id: str) -> None:
        now = self.clock.now()
        with self.db.transaction() as s:
            row = s.get(ApiToken, token_id)
            if row is None or row.person_id != person_id:
                raise UnknownCredentialError(f"no token #{token_id} of {person_id}")
            if row.revoked_at is None:
                row.revoked_at = now
                append(s, [Entry(person_id, "api_token_revoked", detail={"name": row.name, "token": token_id})], now)

    # ---- system clients ----------------------------------------------------------------------

    def create_client(self, org_id: str, name: str, scopes: Iterable[str], actor: str) -> tuple[str, str]:
        """(client id, secret): the secret is shown once."""
        name = name.strip()
        if not name or len(name) > 100:
            raise FieldError([Issue("name", name, "give the client a name of 1 to 100 characters")])
        scope_text = _scopes(scopes, SCOPES)
        client_id, secret = "cli_" + secrets.token_hex(8), CLIENT_SECRET + secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.db.transaction() as s:
            s.add(ApiClient(client_id=client_id, org_id=org_id, name=name, secret_hash=digest(secret),
                            scopes=scope_text, created_by=actor, created_at=now))
            append(s, [Entry(actor, "api_client_created", detail={"client": client_id, "name": name,
                                                                   "org": org_id, "scopes": scope_text})], now)
        return client_id, secret

    def clients(self, org_id: str) -> list[ApiClient]:
        with self.db.reading() as s:
            rows = s.scalars(select(ApiClient).where(ApiClient.org_id == org_id).order_by(ApiClient.id)).all()
            s.expunge_all()
            return list(rows)

    def rotate_secret(self, client_id: str, actor: str, org_ids: Iterable[str]) -> str:
        """A new secret; the old one works for ``ROTATION_GRACE`` more."""
        now, secret = self.clock.now(), CLIENT_SECRET + secrets.token_urlsafe(32)
        with self.db.transaction() as s:
            row = self._client(s, client_id, org_ids)
            row.old_secret_hash, row.old_secret_until = row.secret_hash, now + ROTATION_GRACE
            row.secret_hash = digest(secret)
            append(s, [Entry(actor, "api_client_rotated", detail={"client": client_id})], now)
        return secret

    def revoke_client(self, client_id: str, actor: str, org_ids: Iterable[str]) -> None:
        """The client and every access token it holds stop working at once."""
        now = self.clock.now()
        with self.db.transaction() as s:
            row = self._client(s, client_id, org_ids)
            row.revoked_at = now
            s.execute(update(ApiToken).where(ApiToken.client_id == client_id, ApiToken.revoked_at.is_(None))
                      .values(revoked_at=now))
            append(s, [Entry(actor, "api_client_revoked", detail={"client": client_id})], now)

    @staticmethod
    def _client(s: object, client_id: str, org_ids: Iterable[str]) -> ApiClient:
        row = s.scalar(select(ApiClient).where(ApiClient.client_id == client_id))  # type: ignore[attr-defined]
        if row is None or row.revoked_at is not None:
            raise UnknownCredentialError(f"no client {client_id}")
        if row.org_id not in set(org_ids):
            raise NotPermittedError(f"client {client_id} belongs to {row.org_id}, which you do not administer")
        return row  # type: ignore[no-any-return]

    def client_token(self, client_id: str, secret: str, scopes: Iterable[str] = ()) -> Issued:
        """Client credentials: the id and (current or just-rotated) secret give an hour's token."""
        now = self.clock.now()
        with self.db.reading() as s:
            row = s.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
        given = digest(secret)
        ok = row is not None and row.revoked_at is None and (
            hmac.compare_digest(given, row.secret_hash)
            or (row.old_secret_hash is not None and row.old_secret_until is not None and now < row.old_secret_until
                and hmac.compare_digest(given, row.old_secret_hash)))
        if not ok or row is None:
            raise UnknownCredentialError("unknown client or wrong secret")
        granted = row.scopes.split()
        scope_text = _scopes(scopes, granted) if list(scopes) else " ".join(granted)
        return self._issue(None, row.client_id, row.name, scope_text, CLIENT_TOKEN_LIFE, CLIENT_TOKEN, None)

    # ---- checking a bearer token -------------------------------------------------------------

    def caller(self, token: str) -> Caller:
        """Who ``token`` speaks for, if it is known, unexpired, unrevoked, and its person's (or
        client's) access still stands; otherwise UnknownCredentialError."""
        now = self.clock.now()
        with self.db.reading(snapshot=False) as s:
            row = s.execute(select(ApiToken, ApiClient, Credential.disabled)
                            .outerjoin(ApiClient, ApiClient.client_id == ApiToken.client_id)
                            .outerjoin(Credential, Credential.person_id == ApiToken.person_id)
                            .where(ApiToken.token_hash == digest(token))).first()
        if row is None:
            raise UnknownCredentialError("unknown token")
        tok, client, disabled = row
        if tok.revoked_at is not None or tok.expires_at <= now or disabled:
            raise UnknownCredentialError("token expired, revoked, or its account disabled")
        if tok.client_id is not None and (client is None or client.revoked_at is not None):
            raise UnknownCredentialError("the client was revoked")
        return Caller(tok.id, tok.person_id, tok.client_id, client.name if client else None,
                      client.org_id if client else None, frozenset(tok.scopes.split()))

    def _issue(self, person_id: str | None, client_id: str | None, name: str, scopes: str, life: timedelta,
               kind: str, entry: Entry | None) -> Issued:
        token = kind + secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.db.transaction() as s:
            row = ApiToken(token_hash=digest(token), prefix=token[: len(kind) + 4], person_id=person_id,
                           client_id=client_id, name=name, scopes=scopes, created_at=now, expires_at=now + life)
            s.add(row)
            s.flush()
            if entry is not None:
                entry.detail["token"] = row.id
                entry.detail["scopes"] = scopes
                append(s, [entry], now)
            return Issued(token, row.id, row.expires_at)
