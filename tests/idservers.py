"""The real servers the sign-in tests talk to, started by the tests on 127.0.0.1: the npm
package oidc-provider (tests/servers/oidc/) with node, and Debian's slapd with a directory
generated in a temporary folder. Each starts once per test session (a session fixture in
tests/web/conftest.py) in well under a second; a program that is truly missing skips
its tests, saying how to install it (`make test-servers-deps`)."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

OIDC_DIR = Path(__file__).resolve().parent / "servers" / "oidc"
CLIENT_ID, CLIENT_SECRET = "approvals", "test-client-secret"
OTHER_CLIENT = "other-app"  # another application of the same provider: its tokens are not ours


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = proc.log  # type: ignore[attr-defined]
            log.seek(0)
            raise RuntimeError(f"{what} stopped at start: {log.read().decode(errors='replace')[-2000:]}")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not answer on {url} within {seconds} s")


def oidc_missing() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are missing: `make test-servers-deps` (as root) installs them"
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=OIDC_DIR,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            return f"npm install of oidc-provider failed: {done.stderr[-500:]}"
    return None


ACCOUNTS = {  # the provider's people: login -> claims beyond sub and preferred_username
    "zhao.lei": {"name": "赵磊", "email": "zhao.lei@xx.gov.cn", "employee_number": "XX0101"},
    "sun.li": {"name": "孙丽", "email": "shared@xx.gov.cn", "employee_number": "XX0103"},
    "feng.jie": {"name": "冯洁", "email": "feng.jie@xx.gov.cn", "employee_number": "XX0201"},
}


@contextmanager
def oidc_provider() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "ACCOUNTS": json.dumps(ACCOUNTS, ensure_ascii=False),
           "CLIENTS": json.dumps([{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
                                  {"client_id": OTHER_CLIENT, "client_secret": "other-secret"}])}
    with _started(["node", "provider.js"], OIDC_DIR, env) as proc:
        issuer = f"http://127.0.0.1:{port}"
        _wait(f"{issuer}/.well-known/openid-configuration", proc, "oidc-provider")
        yield issuer


@contextmanager
def _started(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """A server process, its output in a file (read back when it fails to start), stopped after."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        proc.log = log  # type: ignore[attr-defined]
        try:
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=5)


_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def provider_login(authorize_url: str, login: str, browser: requests.Session | None = None) -> str:
    """Walk the provider's own login and consent pages as a browser would; the URL it sends
    the browser back to (our callback, with code and state)."""
    http = browser or requests.Session()
    page = http.get(authorize_url)
    page.raise_for_status()
    answer = http.post(urljoin(page.url, _ACTION.search(page.text).group(1)),  # type: ignore[union-attr]
                       data={"prompt": "login", "login": login, "password": "any"})
    answer = http.post(urljoin(answer.url, _ACTION.search(answer.text).group(1)),  # type: ignore[union-attr]
                       data={"prompt": "consent"}, allow_redirects=False)
    while answer.status_code in (302, 303):
        target = urljoin(answer.url, answer.headers["location"])
        if not target.startswith(authorize_url.split("/auth")[0]):
            return target
        answer = http.get(target, allow_redirects=False)
    raise AssertionError(f"the provider did not send the browser back: {answer.status_code} {answer.text[:300]}")


# ---- slapd ------------------------------------------------------------------------------

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
BASE, AD_BASE = "dc=xx,dc=gov,dc=cn", "dc=corp,dc=cq,dc=gov,dc=cn"
SERVICE_DN, SERVICE_PASSWORD = f"cn=approvals,ou=services,{BASE}", "service-secret"
AD_SERVICE_DN = f"cn=approvals,ou=services,{AD_BASE}"
ROOT_DN, AD_ROOT_DN, ROOT_PASSWORD = f"cn=admin,{BASE}", f"cn=admin,{AD_BASE}", "root-secret"
DIRECTORY_PASSWORD = "dir-pass"  # every person's password in the directory

AD_SCHEMA = """
attributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch
  SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.2 NAME 'userAccountControl' EQUALITY integerMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.3 NAME 'employeeID' EQUALITY caseIgnoreMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.55555.2.1 NAME 'user' SUP inetOrgPerson STRUCTURAL
  MAY ( sAMAccountName $ userAccountControl $ employeeID ) )
"""


@dataclass(frozen=True)
class Slapd:
    url: str  # ldap://127.0.0.1:PORT (StartTLS offered)
    ldaps_url: str
    ca_file: str


def slapd_missing() -> str | None:
    if not SLAPD.exists() or not SLAPADD.exists():
        return "Debian's slapd is missing: `make test-servers-deps` (as root) installs slapd and ldap-utils"
    return None


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts exactly this one)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _database(suffix: str, root: str, folder: Path, service: str) -> str:
    folder.mkdir()
    return f"""
database mdb
suffix "{suffix}"
rootdn "{root}"
rootpw {ROOT_PASSWORD}
directory {folder}
maxsize 10485760
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="{service}" read by self read by * none
"""


def _ldif(entries: list[dict[str, Any]]) -> str:
    blocks = []
    for entry in entries:
        lines = [f"dn: {entry['dn']}"]
        for key, value in entry.items():
            if key != "dn":
                lines += [f"{key}:: {base64.b64encode(str(v).encode()).decode()}"
                          for v in (value if isinstance(value, list) else [value])]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def directory_people(chart: Any) -> list[dict[str, Any]]:
    """The OpenLDAP directory of XX市自然资源和规划局: everyone in the chart, 杨帆 disabled."""
    people = [{"dn": f"uid={p.id},ou=people,{BASE}", "objectClass": ["inetOrgPerson"], "uid": p.id,
               "cn": p.name, "sn": p.name[0], "mail": f"{p.id}@xx.gov.cn", "employeeNumber": f"XX{i:04d}",
               "userPassword": DIRECTORY_PASSWORD, **({"employeeType": "disabled"} if p.id == "yang.fan" else {})}
              for i, p in enumerate(chart.people.values())]
    return [{"dn": BASE, "objectClass": ["dcObject", "organization"], "dc": "xx", "o": "XX"},
            {"dn": f"ou=people,{BASE}", "objectClass": ["organizationalUnit"], "ou": "people"},
            {"dn": f"ou=sync,{BASE}", "objectClass": ["organizationalUnit"], "ou": "sync"},
            {"dn": f"ou=services,{BASE}", "objectClass": ["organizationalUnit"], "ou": "services"},
            {"dn": SERVICE_DN, "objectClass": ["person"], "cn": "approvals", "sn": "service",
             "userPassword": SERVICE_PASSWORD}, *people]


def ad_people(chart: Any) -> list[dict[str, Any]]:
    """An AD-style directory of 重庆市民政局 (sAMAccountName, userAccountControl; 杜娟 disabled: 514)."""
    users = [{"dn": f"cn={p.name},cn=Users,{AD_BASE}", "objectClass": ["user"], "cn": p.name, "sn": p.name[0],
              "displayName": p.name, "sAMAccountName": p.id, "userAccountControl": 514 if p.id == "du.juan" else 512,
              "mail": f"{p.id}@mca.cq.gov.cn", "userPassword": DIRECTORY_PASSWORD}
             for p in chart.people.values()]
    return [{"dn": AD_BASE, "objectClass": ["dcObject", "organization"], "dc": "corp", "o": "CQ"},
            {"dn": f"cn=Users,{AD_BASE}", "objectClass": ["organizationalRole"], "cn": "Users"},
            {"dn": f"ou=services,{AD_BASE}", "objectClass": ["organizationalUnit"], "ou": "services"},
            {"dn": AD_SERVICE_DN, "objectClass": ["person"], "cn": "approvals", "sn": "service",
             "userPassword": SERVICE_PASSWORD}, *users]


@contextmanager
def slapd(xx_chart: Any, cq_chart: Any) -> Iterator[Slapd]:
    """slapd on two free ports of 127.0.0.1 (ldap:// with StartTLS, and ldaps://), with the two
    directories above loaded by slapadd into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="approvals-slapd-") as tmp:
        folder = Path(tmp)
        cert, key = _certificate(folder)
        (folder / "ad.schema").write_text(AD_SCHEMA)
        schemas = "\n".join(f"include /etc/ldap/schema/{s}.schema" for s in ("core", "cosine", "inetorgperson"))
        conf = folder / "slapd.conf"
        conf.write_text(f"""{schemas}
include {folder}/ad.schema
pidfile {folder}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
disallow bind_anon
require authc
{_database(BASE, ROOT_DN, folder / "xx", SERVICE_DN)}
{_database(AD_BASE, AD_ROOT_DN, folder / "ad", AD_SERVICE_DN)}
""")
        for suffix, entries in ((BASE, directory_people(xx_chart)), (AD_BASE, ad_people(cq_chart))):
            ldif = folder / f"{suffix.split(',')[0][3:]}.ldif"
            ldif.write_text(_ldif(entries), encoding="utf-8")
            subprocess.run([str(SLAPADD), "-q", "-f", str(conf), "-b", suffix, "-l", str(ldif)], check=True,
                           capture_output=True)
        port, tls_port = free_port(), free_port()
        url, ldaps = f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{tls_port}"
        with _started([str(SLAPD), "-d", "0", "-h", f"{url}/ {ldaps}/", "-f", str(conf)], folder,
                      dict(os.environ)) as proc:
            _wait_port(port, proc, "slapd")
            yield Slapd(url, ldaps, str(cert))


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = proc.log  # type: ignore[attr-defined]
            log.seek(0)
            raise RuntimeError(f"{what} stopped at start: {log.read().decode(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within {seconds} s")
