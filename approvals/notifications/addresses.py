"""Where the server may send: robot URLs and webhooks never reach loopback, private,
link-local or other non-public addresses unless the operator allows it.

A URL an administrator gives (``http://127.0.0.1:5432/``, ``http://169.254.169.254/``) would
otherwise let them make the server talk to its own database or a cloud's metadata service
(server-side request forgery). Checked twice:

- when the URL is saved (``check_url``): an address in the URL, or a name resolving to one,
  is refused with the field, the value and why;
- when each message is sent (``opener``): the address the connection actually reached is
  checked before a byte is written, so a name that resolved to a public address when saved and
  to 127.0.0.1 now (DNS rebinding) is refused too, and so is a redirect to such an address.

``APPROVALS_ALLOW_PRIVATE_TARGETS=1`` (or ``true``/``yes``) allows them: an intranet
deployment whose robots or portal live on private addresses, and the tests' local receivers.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from approvals.errors import ApprovalsError, FieldError, Issue

ALLOW_ENV = "APPROVALS_ALLOW_PRIVATE_TARGETS"


class RefusedTargetError(ApprovalsError):
    """A send stopped because its address is not a public one."""


def allowed(env: Mapping[str, str] | None = None) -> bool:
    raw = (os.environ if env is None else env).get(ALLOW_ENV, "")
    return raw.strip().lower() in ("1", "true", "yes", "on")


def why_refused(address: str) -> str | None:
    """Why ``address`` (an IP) is no place to send to, or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, name in (("is_loopback", "a loopback address"), ("is_link_local", "a link-local address"),
                       ("is_unspecified", "an unspecified address"), ("is_multicast", "a multicast address"),
                       ("is_private", "a private address"), ("is_reserved", "a reserved address")):
        if getattr(ip, test):
            return name
    if ip in ipaddress.ip_network("100.64.0.0/10"):
        return "a private address (carrier-grade NAT)"
    return None


def _advice(address: str, reason: str) -> str:
    return f"{address} is {reason}; the server sends only to public addresses unless {ALLOW_ENV}=1 is set"


def check_url(name: str, url: str, env: Mapping[str, str] | None = None) -> str:
    """``url`` if the server may send to it, else FieldError on ``name`` saying why. A name that
    does not resolve now is accepted here: it is checked again at each send."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FieldError([Issue(name, url, "expected an http:// or https:// URL with a host")])
    if allowed(env):
        return url
    host = parts.hostname
    reason = why_refused(host)
    if reason is None and host.rstrip(".").lower().endswith("localhost"):
        reason = "a loopback name"
    if reason is None:
        try:
            found = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)}
        except (OSError, UnicodeError):
            found = set()
        for address in sorted(found):
            if (reason := why_refused(address)) is not None:
                host = f"{host} ({address})"
                break
    if reason is not None:
        raise FieldError([Issue(name, f"{parts.scheme}://{parts.netloc}", _advice(host, reason))])
    return url


def _checked_connection(address: tuple[str, int], timeout: Any = None,
                        source_address: Any = None, *args: Any) -> socket.socket:
    sock = socket.create_connection(address, timeout, source_address, *args)
    peer = sock.getpeername()[0]
    reason = None if allowed() else why_refused(peer)
    if reason is not None:
        sock.close()
        raise RefusedTargetError(f"refused to send to {address[0]}: {_advice(peer, reason)}")
    return sock


class _CheckedHTTP(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPS(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_CheckedHTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_CheckedHTTPS, req, context=self._context)  # type: ignore[attr-defined]


def opener() -> urllib.request.OpenerDirector:
    """A urllib opener that checks the address each connection (redirects too) reaches;
    ``RefusedTargetError`` (an ``ApprovalsError``) says which and why. No proxy: the check must
    see the receiver's own address."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _HTTPHandler, _HTTPSHandler)


def host_of(url: str) -> str:
    """What pages, logs and audit entries show of a URL: its host, never the path or query
    (a robot's or a webhook's URL may carry its access token)."""
    return urllib.parse.urlsplit(url).netloc.rpartition("@")[2]
