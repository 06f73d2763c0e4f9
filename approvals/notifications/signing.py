"""The signature on a webhook delivery (docs/api.md, "Webhooks"):

    X-Approvals-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

Signing the timestamp with the body lets a receiver refuse an old delivery replayed by whoever
saw it (``verify`` allows 5 minutes); a retry is signed afresh, with the same body and the same
``Idempotency-Key``. ``v1`` names the scheme, so a later one can be sent beside it.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Approvals-Signature"
TOLERANCE = 300  # seconds a receiver accepts between the signature's time and its clock


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(value: str, body: bytes, secret: str, now: float, tolerance: int = TOLERANCE) -> bool:
    """True when ``value`` (the header) signs ``body`` with ``secret`` within ``tolerance`` s."""
    parts: dict[str, list[str]] = {}
    for item in value.split(","):
        key, _, val = item.strip().partition("=")
        parts.setdefault(key, []).append(val)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
