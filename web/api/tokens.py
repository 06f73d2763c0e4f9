"""Client credentials (a system client's id and secret for an hour's access token), and a
person's own personal access tokens."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from approvals.identity.api_access import MAX_DAYS, PERSONAL_SCOPES, UnknownCredentialError
from web.api import convert, schemas
from web.api.auth import access, caller
from web.api.blueprint import TAGS, api, needs
from web.api.problems import problem
from web.i18n import gettext as _
from web.users import me

TAG = [TAGS["tokens"]]


class TokenForm(BaseModel):
    grant_type: str = Field(description="client_credentials")
    client_id: str = Field(max_length=64)
    client_secret: str = Field(max_length=200)
    scope: str = Field("", max_length=300)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


class NewToken(schemas.Strict):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, description=f"some of {', '.join(PERSONAL_SCOPES)}")
    days: int = Field(30, ge=1, le=MAX_DAYS)


class TokenInfo(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: str
    expires_at: str
    revoked: bool


class IssuedOut(TokenInfo):
    token: str = Field(description="shown once; only its hash is kept")


class TokenList(BaseModel):
    items: list[TokenInfo]


class TokenPath(BaseModel):
    token_id: int = Field(ge=1, le=2**31 - 1)


@api.post("/oauth/token", tags=TAG, security=[], responses={200: TokenOut})
def client_token(form: TokenForm) -> Any:
    """OAuth 2.0 client credentials (RFC 6749 §4.4), form-encoded."""
    if form.grant_type != "client_credentials":
        return problem(422, "", [{"field": "grant_type", "reason": _("expected client_credentials")}])
    try:
        issued = access().client_token(form.client_id, form.client_secret, form.scope.split())
    except UnknownCredentialError:
        return problem(401, _("Unknown client or wrong secret."))
    now = access().clock.now()
    return {"access_token": issued.token, "token_type": "Bearer",
            "expires_in": int((issued.expires_at - now).total_seconds()),
            "scope": " ".join(sorted(access().caller(issued.token).scopes))}


def _info(t: Any) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "scopes": t.scopes.split(),
            "created_at": convert.iso(t.created_at), "expires_at": convert.iso(t.expires_at),
            "revoked": t.revoked_at is not None}


def _personal_only() -> Any:
    if caller().client_id is not None:
        return problem(403, _("A system client cannot manage a person's tokens."))
    return None


@api.get("/me/tokens", tags=TAG, responses={200: TokenList})
@needs("read")
def my_tokens() -> Any:
    return _personal_only() or {"items": [_info(t) for t in access().tokens(me().id)]}


@api.post("/me/tokens", tags=TAG, responses={201: IssuedOut})
@needs("read")
def new_token(body: NewToken) -> Any:
    """A new personal access token (never with more scopes than the token creating it)."""
    refused = _personal_only()
    if refused:
        return refused
    wider = [s for s in body.scopes if not caller().allows(s)]
    if wider:
        return problem(403, _("A token cannot create a token with scopes it lacks: %(s)s.", s=", ".join(wider)))
    issued = access().create_token(me().id, body.name, body.scopes, body.days)
    row = next(t for t in access().tokens(me().id) if t.id == issued.token_id)
    return {**_info(row), "token": issued.token}, 201


@api.delete("/me/tokens/<int:token_id>", tags=TAG, responses={200: schemas.Done})
@needs("read")
def revoke_token(path: TokenPath) -> Any:
    refused = _personal_only()
    if refused:
        return refused
    access().revoke_token(path.token_id, me().id)
    return {"ok": True}

