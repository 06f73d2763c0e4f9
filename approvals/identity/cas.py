"""CAS 3.0 (Apereo's Central Authentication Service protocol, the one most 统一身份认证平台 of
the 2010s speak): sign-in by ticket, attributes from ``/p3/serviceValidate``, single logout.

Why no CAS client library: the protocol client side is one redirect, one GET and an XML
answer of a documented shape (protocol 3.0 §2.5, §2.5.4 attributes, §2.5.3 failures). The
maintained Python package (python-cas) wraps requests and returns a dict; what we need on top
(single use across workers, the attribute a bureau matches people by, refusals in our words)
is most of the work, so the dependency would buy little and add a lxml-free XML path of its
own. We use requests (already here for OIDC) and the standard library's parser, refusing any
document that declares a DOCTYPE (no entities, so no entity expansion).

The flow: ``login_url`` sends the browser to ``<url>/login?service=<our callback>``; the CAS
server sends it back with ``ticket=ST-…``; ``validate`` takes the ticket **once** (across every
worker: approvals/identity/once.py, before asking the server, so a replay is refused even by a
server that would validate a ticket twice) and asks ``<url>/p3/serviceValidate``. Single logout
(§2.3.3 of the protocol's appendix, "SAML LogoutRequest"): the CAS server POSTs
``logoutRequest`` with the ticket in ``SessionIndex``; ``logout_person`` finds who signed in with
that ticket (kept beside the ticket's single use) so the caller ends their sessions.

Settings (the sign-in file): ``url`` (the CAS server's base, ending before ``/login``),
``match.claim``: ``user`` (default) or the name of a released attribute (``employeeNumber``,
``mail``...), ``timeout`` in seconds (default 10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode
from xml.etree import ElementTree

import requests
from sqlalchemy import select

from approvals.identity import once
from approvals.identity.external import Identity, Refused
from approvals.identity.methods import Method
from approvals.store.database import Database
from approvals.store.models import UsedOnce

CAS_NS = "{http://www.yale.edu/tp/cas}"
SAMLP_NS = "{urn:oasis:names:tc:SAML:2.0:protocol}"
TICKET = re.compile(r"(ST|PT)-[A-Za-z0-9._-]{1,250}")
MAX_ANSWER = 64 * 1024


def _parse(text: str, what: str) -> ElementTree.Element:
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise Refused("cas_bad_answer", f"the {what} declares a DOCTYPE or entities, which CAS never sends")
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise Refused("cas_bad_answer", f"the {what} is not well-formed XML ({exc})") from exc


@dataclass
class CasClient:
    method: Method
    db: Database
    now: datetime
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def base(self) -> str:
        return str(self.method.get("url", "")).rstrip("/")

    def login_url(self, service: str) -> str:
        return f"{self.base}/login?{urlencode({'service': service})}"

    def logout_url(self, back: str) -> str:
        return f"{self.base}/logout?{urlencode({'service': back})}"

    def validate(self, ticket: str, service: str) -> Identity:
        """The identity the CAS server vouches for with ``ticket``, or Refused (``bad_ticket``,
        ``replayed_ticket``, ``cas_failure``, ``cas_unreachable``, ``cas_bad_answer``,
        ``missing_attribute``)."""
        if not TICKET.fullmatch(ticket or ""):
            raise Refused("bad_ticket", "the CAS ticket is missing or not of the form ST-…")
        if not once.use(self.db, "cas", f"{self.method.org}/{self.method.id}/{ticket}", self.now):
            raise Refused("replayed_ticket", f"the CAS ticket {ticket[:20]}… was already used once")
        try:
            answer = self.http.get(f"{self.base}/p3/serviceValidate", params={"service": service, "ticket": ticket},
                                   timeout=float(self.method.get("timeout", 10)))
        except requests.RequestException as exc:
            raise Refused("cas_unreachable", f"the CAS server at {self.base} did not answer ({exc})") from exc
        if answer.status_code != 200 or len(answer.content) > MAX_ANSWER:
            raise Refused("cas_bad_answer", f"the CAS server answered HTTP {answer.status_code}")
        root = _parse(answer.text, "CAS server's answer")
        failure = root.find(f"{CAS_NS}authenticationFailure")
        if failure is not None:
            code = failure.get("code", "UNKNOWN")
            raise Refused("cas_failure", f"the CAS server refused the ticket: {code} {(failure.text or '').strip()}")
        success = root.find(f"{CAS_NS}authenticationSuccess")
        user = (success.findtext(f"{CAS_NS}user") or "").strip() if success is not None else ""
        if not user:
            raise Refused("cas_bad_answer", "the CAS server's answer names no user")
        attributes = _attributes(success)
        claim = self.method.claim
        value = user if claim == "user" else attributes.get(claim, "")
        if not value:
            raise Refused("missing_attribute", f"the CAS server released no attribute {claim!r} for {user}")
        return Identity(self.method, value, subject=user, extra=tuple(sorted(attributes.items())))

    def remember(self, ticket: str, person: str) -> None:
        """Who signed in with ``ticket``, for single logout (kept as long as the ticket's use)."""
        once.use(self.db, "cas-session", f"{self.method.org}/{self.method.id}/{ticket}/{person}", self.now)

    def logout_person(self, logout_request: str) -> tuple[str, str | None]:
        """(ticket, the person who signed in with it, or None) from a SAML LogoutRequest."""
        root = _parse(logout_request, "logout request")
        ticket = (root.findtext(f"{SAMLP_NS}SessionIndex") or "").strip()
        if root.tag != f"{SAMLP_NS}LogoutRequest" or not TICKET.fullmatch(ticket):
            raise Refused("cas_bad_answer", "the logout request is not a SAML LogoutRequest naming a ticket")
        prefix = f"cas-session:{self.method.org}/{self.method.id}/{ticket}/"
        with self.db.reading() as s:
            key = s.scalar(select(UsedOnce.key).where(UsedOnce.key.startswith(prefix, autoescape=True)))
        return ticket, (key[len(prefix):] if key else None)


def _attributes(success: ElementTree.Element | None) -> dict[str, str]:
    """CAS 3.0 attributes (§2.5.4): ``<cas:attributes><cas:mail>…`` (first value of each)."""
    found: dict[str, str] = {}
    block = success.find(f"{CAS_NS}attributes") if success is not None else None
    for child in block if block is not None else ():
        name = child.tag.removeprefix(CAS_NS)
        if name not in found and (child.text or "").strip():
            found[name] = (child.text or "").strip()[:200]
    return found
