"""Sign-in methods, per organization, several at once: the operator's sign-in file.

Where it lives, and why: a file named by ``APPROVALS_SIGNIN_CONFIG`` (YAML), read at start
like every other setting (web/config.py). Not the org chart: a chart is edited by the
system administrator, kept in the database with every version shown on the admin pages, and
the settings here include client secrets and bind passwords that must stay out of both.
Secrets are never in the file either, only the *name* of the environment variable holding
them (``client_secret_env``, ``bind_password_env``). Example (docs/sign-in.md has more)::

    organizations:
      cq-mca:
        password: false            # local passwords off for this organization
        two_factor: everyone       # or "privileged" (default: administrators and inspectors)
        methods:
          - id: ykz                # in URLs: /signin/cq-mca/ykz
            kind: oidc
            label: 渝快政统一身份认证
            issuer: https://idp.example.gov.cn
            client_id: approvals
            client_secret_env: CQ_OIDC_SECRET
            match: {claim: preferred_username, by: account}

An organization not in the file signs in with local passwords only, as before. A mistake in
the file stops the start, naming the organization, the method and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from approvals.errors import ApprovalsError

KINDS = ("oidc", "ldap", "cas", "dingtalk", "wecom", "feishu")
BY = ("account", "employee_no", "email")  # what an outside value is compared with in the chart
TWO_FACTOR = ("privileged", "everyone")
_ID = re.compile(r"[a-z0-9-]{1,32}")


class SignInConfigError(ApprovalsError):
    """The sign-in file says something that cannot work; the message names where."""


@dataclass(frozen=True)
class Method:
    """One way to sign in. ``settings`` holds the kind's own keys (issuer, url, ...);
    ``claim`` names the outside attribute and ``by`` what it is matched with."""

    org: str
    id: str
    kind: str
    label: str
    claim: str
    by: str
    settings: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def secret(self, key: str) -> str:
        """The secret whose environment variable ``<key>_env`` names; refused when unset."""
        name = self.settings.get(f"{key}_env")
        value = os.environ.get(name, "") if name else self.settings.get(key, "")
        if not value:
            raise SignInConfigError(
                f"sign-in method {self.org}/{self.id}: {key} is missing (set the environment "
                f"variable {name or key.upper()})")
        return str(value)


@dataclass(frozen=True)
class OrgSignIn:
    """How one organization's people sign in."""

    org: str
    password: bool = True
    two_factor: str = "privileged"
    methods: tuple[Method, ...] = ()

    def method(self, method_id: str) -> Method | None:
        return next((m for m in self.methods if m.id == method_id), None)


@dataclass(frozen=True)
class SignInMethods:
    """Every organization's methods; an organization not named keeps local passwords only."""

    orgs: Mapping[str, OrgSignIn] = field(default_factory=dict)

    def of(self, org: str) -> OrgSignIn:
        return self.orgs.get(org) or OrgSignIn(org)

    def method(self, org: str, method_id: str) -> Method | None:
        return self.of(org).method(method_id)

    def all_methods(self) -> list[Method]:
        return [m for o in self.orgs.values() for m in o.methods]

    @classmethod
    def parse(cls, raw: Any, source: str = "sign-in settings") -> SignInMethods:
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping) or not isinstance(raw.get("organizations", {}), Mapping):
            raise SignInConfigError(f"{source}: expected a mapping with 'organizations'")
        orgs = {str(org): _org(str(org), body or {}, source) for org, body in raw.get("organizations", {}).items()}
        return cls(orgs)

    @classmethod
    def load(cls, path: str | None) -> SignInMethods:
        """The file named by APPROVALS_SIGNIN_CONFIG (None or "": nothing configured)."""
        if not path:
            return cls()
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SignInConfigError(f"APPROVALS_SIGNIN_CONFIG={path}: cannot read it ({exc.strerror})") from exc
        return cls.parse(yaml.safe_load(text), path)


def _org(org: str, body: Mapping[str, Any], source: str) -> OrgSignIn:
    where = f"{source}: organization {org}"
    two = body.get("two_factor", "privileged")
    if two not in TWO_FACTOR:
        raise SignInConfigError(f"{where}: two_factor is {two!r}, expected one of {', '.join(TWO_FACTOR)}")
    methods = tuple(_method(org, m, where) for m in body.get("methods") or ())
    ids = [m.id for m in methods]
    if len(set(ids)) != len(ids):
        raise SignInConfigError(f"{where}: two methods share an id ({', '.join(ids)})")
    password = bool(body.get("password", True))
    if not password and not methods:
        raise SignInConfigError(f"{where}: password is off and no other method is set: nobody could sign in")
    return OrgSignIn(org, password, two, methods)


def _method(org: str, raw: Any, where: str) -> Method:
    if not isinstance(raw, Mapping):
        raise SignInConfigError(f"{where}: each method is a mapping, got {raw!r}")
    method_id, kind = str(raw.get("id", "")), str(raw.get("kind", ""))
    if not _ID.fullmatch(method_id):
        raise SignInConfigError(f"{where}: method id {method_id!r} must be 1-32 of a-z, 0-9 and -")
    if kind not in KINDS:
        raise SignInConfigError(f"{where}: method {method_id}: kind {kind!r} is not one of {', '.join(KINDS)}")
    match = raw.get("match") or {}
    by = match.get("by", "account")
    if by not in BY:
        raise SignInConfigError(f"{where}: method {method_id}: match.by {by!r} is not one of {', '.join(BY)}")
    claim = str(match.get("claim") or _DEFAULT_CLAIM[kind])
    settings = {k: v for k, v in raw.items() if k not in ("id", "kind", "label", "match")}
    return Method(org, method_id, kind, str(raw.get("label") or method_id), claim, by, settings)


_DEFAULT_CLAIM = {"oidc": "preferred_username", "ldap": "uid", "cas": "user",
                  "dingtalk": "userid", "wecom": "userid", "feishu": "user_id"}
