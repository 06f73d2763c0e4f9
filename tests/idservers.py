"""The real servers the sign-in tests talk to, started by the tests on 127.0.0.1: the npm
package oidc-provider (tests/servers/oidc/) with node, and Debian's slapd with a directory
generated in a temporary folder. Each starts once per test session (a session fixture in
tests/web/conftest.py) in well under a second; a program that is truly missing skips
its tests, saying how to install it (`make test-servers-deps`)."""

from __future__ import annotations

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
from pathlib import Path
from urllib.parse import urljoin

import requests

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
