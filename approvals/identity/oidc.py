"""OpenID Connect (统一身份认证平台): authorization code with PKCE (S256), discovery, ID token
validation, single-use state and nonce, RP-initiated logout.

Libraries: authlib's requests client builds the authorization URL (PKCE) and exchanges the
code; the ID token is checked with joserfc, authlib's own JOSE library (authlib.jose is
deprecated in its favour): signature against the provider's published keys (JWKS, fetched
again once when a token names a key not seen yet), ``iss`` equal to the discovered issuer,
``aud`` containing our client id (and ``azp`` ours when there are several), ``exp`` in the
future and ``iat`` not in it (60 s leeway), ``nonce`` the one this browser was sent with, and
neither the state nor the nonce used before (approvals/identity/once.py, in the database).

Protocol times are compared with the machine's clock (``wall``), as the provider stamps them;
the engine's clock is business time (working days, deadlines) and may be fixed in tests.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from approvals.clock import Clock
from approvals.identity import once
from approvals.identity.external import Identity, Refused
from approvals.identity.methods import Method
from approvals.store.database import Database

TIMEOUT = 10  # seconds for each call to the provider
LEEWAY = 60  # seconds of clock skew allowed on exp and iat
DISCOVERY_TTL = 3600


@dataclass
class _Provider:
    config: dict[str, Any]
    keys: KeySet | None
    fetched: float


_CACHE: dict[str, _Provider] = {}


@dataclass(frozen=True)
class Pending:
    """What the browser carries (in its signed session) between leaving and coming back."""

    state: str
    nonce: str
    verifier: str
    redirect_uri: str

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier, "redirect_uri": self.redirect_uri}

    @classmethod
    def from_dict(cls, raw: Mapping[str, str]) -> Pending:
        return cls(raw["state"], raw["nonce"], raw["verifier"], raw["redirect_uri"])


@dataclass
class OidcClient:
    method: Method
    db: Database
    clock: Clock
    wall: Callable[[], float] = time.time
    http: requests.Session = field(default_factory=requests.Session)

    # ---- discovery -------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return str(self.method.get("issuer", "")).rstrip("/")

    def provider(self) -> dict[str, Any]:
        cached = _CACHE.get(self.issuer)
        if cached is None or self.wall() - cached.fetched > DISCOVERY_TTL:
            url = f"{self.issuer}/.well-known/openid-configuration"
            config = self._get_json(url, "discovery")
            if str(config.get("issuer", "")).rstrip("/") != self.issuer:
                raise Refused("provider_error", f"the provider at {url} calls itself {config.get('issuer')!r}, "
                                                f"not {self.issuer!r} as configured")
            cached = _CACHE[self.issuer] = _Provider(config, None, self.wall())
        return cached.config

    def _keys(self, refresh: bool = False) -> KeySet:
        self.provider()
        cached = _CACHE[self.issuer]
        if cached.keys is None or refresh:
            cached.keys = KeySet.import_key_set(self._get_json(cached.config["jwks_uri"], "keys (jwks_uri)"))
        return cached.keys

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            answer = self.http.get(url, timeout=TIMEOUT)
            answer.raise_for_status()
            data = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise Refused("provider_error", f"the sign-in provider's {what} could not be read from {url}: {exc}") \
                from exc
        if not isinstance(data, dict):
            raise Refused("provider_error", f"the sign-in provider's {what} at {url} is not a JSON object")
        return data

    # ---- the two legs ----------------------------------------------------------------

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(self.method.get("client_id"), self.method.secret("client_secret"),
                             scope=self.method.get("scope", "openid profile email"), redirect_uri=redirect_uri,
                             code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")

    def begin(self, redirect_uri: str) -> tuple[str, Pending]:
        """The provider's URL to send the browser to, and what to keep until it comes back."""
        pending = Pending(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48),
                          redirect_uri)
        with self._session(redirect_uri) as oauth:
            url, _ = oauth.create_authorization_url(self.provider()["authorization_endpoint"], state=pending.state,
                                                    nonce=pending.nonce, code_verifier=pending.verifier)
        return url, pending

    def finish(self, args: Mapping[str, str], pending: Pending | None) -> tuple[Identity, str]:
        """The identity the provider vouches for, and the ID token (kept for logout)."""
        state = args.get("state", "")
        if pending is None or not state or not secrets.compare_digest(state, pending.state):
            raise Refused("bad_state", "the answer from the sign-in provider does not belong to a sign-in started "
                                       "in this browser (unknown state)")
        if not once.use(self.db, "oidc-state", state, self.clock.now()):
            raise Refused("replayed_state", "this answer from the sign-in provider was already used once "
                                            "(state replayed)")
        if args.get("error"):
            raise Refused("provider_error", f"the sign-in provider said: {args.get('error')} "
                                            f"{args.get('error_description', '')}".strip())
        code = args.get("code", "")
        if not code:
            raise Refused("provider_error", "the sign-in provider sent no authorization code")
        try:
            with self._session(pending.redirect_uri) as oauth:
                token = oauth.fetch_token(self.provider()["token_endpoint"], grant_type="authorization_code",
                                          code=code, code_verifier=pending.verifier, timeout=TIMEOUT)
        except Exception as exc:  # authlib raises OAuthError, requests its own; both mean "no token"
            raise Refused("provider_error", f"the sign-in provider refused the code: {exc}") from exc
        id_token = token.get("id_token")
        if not id_token:
            raise Refused("provider_error", "the sign-in provider sent no ID token")
        claims = self.accept_id_token(id_token, pending.nonce)
        value = claims.get(self.method.claim)
        if not isinstance(value, str | int) or not str(value):
            raise Refused("missing_claim", f"the ID token carries no {self.method.claim!r}, by which people are "
                                           "matched here")
        return Identity(self.method, str(value), subject=str(claims.get("sub", ""))), id_token

    # ---- the ID token ----------------------------------------------------------------

    def accept_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The token's claims once it passes every check, its nonce now used; else Refused."""
        claims = self.validate_id_token(id_token, nonce)
        if not once.use(self.db, "oidc-nonce", nonce, self.clock.now()):
            raise Refused("replayed_nonce", "this ID token's nonce was already used once (token replayed)")
        return claims

    def validate_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        claims = self._signed_claims(id_token)
        client_id = str(self.method.get("client_id"))
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self.wall()), leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": client_id},
            exp={"essential": True}, iat={"essential": True}, sub={"essential": True},
            nonce={"essential": True, "value": nonce})
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise Refused("expired_token", "the ID token has expired") from exc
        except (InvalidClaimError, MissingClaimError, InvalidTokenError) as exc:
            raise _claim_refusal(str(exc), client_id) from exc
        if int(claims["iat"]) > self.wall() + LEEWAY:
            raise Refused("invalid_token", "the ID token says it was issued in the future")
        aud = claims["aud"]
        if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
            raise Refused("wrong_audience", f"the ID token names several audiences and its azp is not {client_id!r}")
        return claims

    def _signed_claims(self, id_token: str) -> dict[str, Any]:
        """The claims of a token whose signature the provider's keys confirm (keys fetched
        again once, in case the provider has rotated them)."""
        algorithms = [a for a in self.provider().get("id_token_signing_alg_values_supported") or ["RS256"]
                      if a != "none"]
        try:
            try:
                token = jwt.decode(id_token, self._keys(), algorithms=algorithms)
            except ValueError:  # no key with the token's kid: perhaps rotated since
                token = jwt.decode(id_token, self._keys(refresh=True), algorithms=algorithms)
        except BadSignatureError as exc:
            raise Refused("forged_token", "the ID token's signature does not match the provider's keys "
                                          "(forged or altered)") from exc
        except (JoseError, ValueError) as exc:
            raise Refused("forged_token", f"the ID token cannot be read or checked: {exc}") from exc
        return dict(token.claims)

    # ---- logout ----------------------------------------------------------------------

    def logout_url(self, id_token: str | None, after: str) -> str | None:
        """The provider's end-session URL (RP-initiated logout), or None when it has none."""
        try:
            endpoint = self.provider().get("end_session_endpoint")
        except Refused:
            return None
        if not endpoint:
            return None
        params = {"client_id": str(self.method.get("client_id")), "post_logout_redirect_uri": after}
        if id_token:
            params["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(params)}"


def _claim_refusal(text: str, client_id: str) -> Refused:
    if "'aud'" in text:
        return Refused("wrong_audience", f"the ID token was issued for another application, not {client_id!r}")
    if "'nonce'" in text:
        return Refused("bad_nonce", "the ID token's nonce is not the one this sign-in sent")
    return Refused("invalid_token", f"the ID token is not acceptable: {text}")
