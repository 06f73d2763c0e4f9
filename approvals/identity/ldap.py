"""LDAP and Active Directory: sign-in by search then bind, and the directory read as a people
source (approvals/directory.py).

Library: ldap3, pure Python. python-ldap wraps OpenLDAP's C library and is the older, very
well kept choice, but it ships no wheels: every install needs a compiler and libldap/libsasl
headers, on every developer machine and every bureau server. ldap3 installs anywhere pip does,
speaks StartTLS and LDAPS with the standard ssl module, and escapes filter values
(``escape_filter_chars``, RFC 4515). Its last release is from 2021; the protocol it speaks has
not changed, and the tests run it against a real slapd, so a regression would show.

Sign-in:

1. the user name is refused outright when it holds a character no account name has
   (``*``, ``(``, ``)``, ``\\``, NUL, ``=``...): ``*)(uid=*))(|(uid=*`` is an injection attempt,
   not a name, and is audited as one. What passes is escaped all the same;
2. an empty password is refused without asking the directory: a simple bind with a DN and no
   password is an *unauthenticated* bind, which many servers answer with success;
3. bind as the service account (never anonymously), search ``base`` for exactly one entry
   matching the user filter, read its attributes;
4. bind again as that entry's DN with the typed password; the directory decides;
5. an entry marked disabled (AD: ``userAccountControl`` bit 2; OpenLDAP: a configured
   attribute and value) is refused even with the right password.

``start_tls: true`` upgrades ``ldap://`` before any bind; ``ldaps://`` is TLS from the start;
``ca_file`` names the CA that signed the directory's certificate. Without either, the settings
must say ``plain: true`` (a test directory on 127.0.0.1), since passwords would cross the wire.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from typing import Any

from ldap3 import NONE, SIMPLE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from approvals.identity.external import Identity, Refused
from approvals.identity.methods import Method

TIMEOUT = 10
_BAD_NAME = re.compile(r"[*()\\\x00=,+<>;\"#/|&!~]")
AD_DISABLED = 0x2  # userAccountControl: ACCOUNTDISABLE

LAYOUTS: dict[str, dict[str, str]] = {
    "openldap": {"account": "uid", "name": "cn", "email": "mail", "employee_no": "employeeNumber",
                 "filter": "(&(objectClass=inetOrgPerson)(uid={name}))", "people": "(objectClass=inetOrgPerson)"},
    "ad": {"account": "sAMAccountName", "name": "displayName", "email": "mail", "employee_no": "employeeID",
           "filter": "(&(objectClass=user)(sAMAccountName={name}))", "people": "(objectClass=user)"},
}


@dataclass(frozen=True)
class Entry:
    """One person as the directory has them."""

    dn: str
    account: str
    name: str
    email: str
    employee_no: str
    disabled: bool
    unit: str = ""  # the unit id the directory files them under, when configured

    def value(self, by: str) -> str:
        return {"account": self.account, "email": self.email, "employee_no": self.employee_no}[by]


class Directory:
    def __init__(self, method: Method) -> None:
        self.method = method
        layout = str(method.get("layout", "openldap"))
        if layout not in LAYOUTS:
            raise Refused("config", f"sign-in method {method.org}/{method.id}: layout {layout!r} is not one of "
                                    f"{', '.join(LAYOUTS)}")
        self.attrs = {**LAYOUTS[layout], **(method.get("attributes") or {})}
        self.layout = layout

    # ---- connections ---------------------------------------------------------------------

    def _server(self) -> Server:
        url = str(self.method.get("url", ""))
        tls = None
        if url.startswith("ldaps://") or self.method.get("start_tls"):
            tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.method.get("ca_file"),
                      version=ssl.PROTOCOL_TLS_CLIENT)
        elif not self.method.get("plain"):
            raise Refused("config", f"sign-in method {self.method.org}/{self.method.id}: {url} is neither ldaps:// "
                                    "nor start_tls, so passwords would cross the network in clear; set start_tls: "
                                    "true (or plain: true for a directory on this machine)")
        return Server(url, use_ssl=url.startswith("ldaps://"), tls=tls, connect_timeout=TIMEOUT, get_info=NONE)

    def _bind(self, dn: str, password: str) -> Connection:
        """A bound connection (StartTLS first when asked); LDAPException when the bind fails."""
        if not dn or not password:
            raise Refused("config", "an LDAP bind needs a DN and a password (no anonymous bind)")
        conn = Connection(self._server(), user=dn, password=password, authentication=SIMPLE,
                          receive_timeout=TIMEOUT, raise_exceptions=True, auto_referrals=False)
        try:
            conn.open()
            if self.method.get("start_tls"):
                conn.start_tls()
            conn.bind()
        except LDAPException:
            conn.unbind()  # closes the socket (TLS included) whatever state the bind left it in
            raise
        return conn

    def _service(self) -> Connection:
        try:
            return self._bind(str(self.method.get("bind_dn", "")), self.method.secret("bind_password"))
        except LDAPException as exc:
            raise Refused("directory_error", f"the directory refused the service account or could not be "
                                             f"reached: {exc}") from exc

    # ---- sign-in ---------------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> tuple[Identity, Entry]:
        name = name.strip()
        bad = sorted(set(_BAD_NAME.findall(name)))
        if bad:
            raise Refused("injection", f"the user name contains {' '.join(bad)}, which no account name has")
        if not name or not password:
            raise Refused("wrong_password", "user name or password is empty")
        flt = str(self.method.get("user_filter", self.attrs["filter"])).replace("{name}", escape_filter_chars(name))
        conn = self._service()
        try:
            conn.search(str(self.method.get("base")), flt, attributes=self._wanted(), size_limit=2)
            found = list(conn.entries)
        except LDAPException as exc:
            raise Refused("directory_error", f"the directory search failed: {exc}") from exc
        finally:
            conn.unbind()
        if len(found) != 1:  # none, or an ambiguous filter: the same answer as a wrong password
            raise Refused("wrong_password", f"{len(found)} directory entries match this user name")
        entry = self._entry(found[0])
        if entry.disabled:
            raise Refused("disabled", "the directory marks this account disabled")
        try:
            self._bind(entry.dn, password).unbind()
        except LDAPException as exc:
            raise Refused("wrong_password", "the directory refused the password") from exc
        value = entry.value(self.method.by) if self.method.by != "account" else entry.account
        return Identity(self.method, value, subject=entry.dn), entry

    # ---- the people source -------------------------------------------------------------------

    def people(self) -> list[Entry]:
        """Everyone under ``people_base`` (or ``base``) matching the layout's people filter."""
        conn = self._service()
        try:
            entries = conn.extend.standard.paged_search(
                str(self.method.get("people_base", self.method.get("base"))),
                str(self.method.get("people_filter", self.attrs["people"])), attributes=self._wanted(),
                paged_size=500, generator=False)
            return sorted((self._entry(e) for e in entries if e.get("type") == "searchResEntry"),
                          key=lambda e: e.account)
        except LDAPException as exc:
            raise Refused("directory_error", f"the directory search failed: {exc}") from exc
        finally:
            conn.unbind()

    def _wanted(self) -> list[str]:
        wanted = [self.attrs[k] for k in ("account", "name", "email", "employee_no")]
        wanted.append("userAccountControl" if self.layout == "ad" else str(self.method.get("disabled_attribute",
                                                                                           "employeeType")))
        if self.method.get("unit_attribute"):
            wanted.append(str(self.method.get("unit_attribute")))
        return wanted

    def _entry(self, raw: Any) -> Entry:
        if isinstance(raw, dict):  # a paged search answers plain dicts
            dn, attrs = raw["dn"], raw["attributes"]
        else:
            dn, attrs = raw.entry_dn, raw.entry_attributes_as_dict

        def first(key: str) -> str:
            value = attrs.get(self.attrs.get(key, key)) or attrs.get(key)
            if isinstance(value, list):
                value = value[0] if value else ""
            return str(value or "")

        if self.layout == "ad":
            control = first("userAccountControl")
            disabled = bool(int(control or 0) & AD_DISABLED)
        else:
            marker = first(str(self.method.get("disabled_attribute", "employeeType")))
            disabled = marker.lower() == str(self.method.get("disabled_value", "disabled")).lower()
        units = self.method.get("units") or {}
        unit_value = first(str(self.method.get("unit_attribute"))) if self.method.get("unit_attribute") else ""
        unit = str(units.get(unit_value, self.method.get("default_unit", "")))
        return Entry(dn, first("account"), first("name"), first("email"), first("employee_no"), disabled, unit)
