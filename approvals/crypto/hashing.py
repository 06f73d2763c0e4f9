"""The hash functions the audit chain may use, by the name recorded with each segment.

SM3 comes from the interpreter's libcrypto when it has it (OpenSSL 3 does: the same C code as
``openssl dgst -sm3``), otherwise from the OpenSSL inside the ``cryptography`` wheel. Both are
C; the choice only saves the wheel's per-call object overhead on a walk of 100,000 entries.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping

from cryptography.hazmat.primitives import hashes

from approvals.crypto import profile
from approvals.errors import ConfigurationError

SHA256, SM3 = "sha256", "sm3"
ALGORITHMS = (SHA256, SM3)
SETTING = "APPROVALS_AUDIT_HASH"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sm3_wheel(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def _sm3_hashlib() -> Callable[[bytes], str] | None:
    try:
        hashlib.new("sm3", b"abc")
    except ValueError:
        return None

    def sm3(data: bytes) -> str:
        return hashlib.new("sm3", data).hexdigest()

    return sm3


_FUNCTIONS: dict[str, Callable[[bytes], str]] = {SHA256: _sha256, SM3: _sm3_hashlib() or _sm3_wheel}


def hasher(algorithm: str) -> Callable[[bytes], str]:
    """The function for ``algorithm`` (bytes to lowercase hex), or ValueError naming the choices."""
    try:
        return _FUNCTIONS[algorithm]
    except KeyError:
        raise ValueError(f"hash algorithm {algorithm!r} is not one of {', '.join(ALGORITHMS)}") from None


def sm3(data: bytes) -> bytes:
    """SM3 of ``data`` as 32 bytes (for Z values and HMAC-free uses)."""
    return bytes.fromhex(_FUNCTIONS[SM3](data))


def configured(env: Mapping[str, str] | None = None) -> str:
    """The deployment's choice for the audit chain (``APPROVALS_AUDIT_HASH``: sha256, the
    default, or sm3; sm3 when ``APPROVALS_CRYPTO_PROFILE=gm``), or ConfigurationError naming the
    value and the choices."""
    env = os.environ if env is None else env
    gm = profile.is_gm(env)
    raw = env.get(SETTING, "").strip().lower() or (SM3 if gm else SHA256)
    if raw not in ALGORITHMS:
        raise ConfigurationError(f"{SETTING}={raw!r} is not one of {', '.join(ALGORITHMS)}")
    if gm and raw != SM3:
        raise ConfigurationError(f"{SETTING}={raw} contradicts {profile.SETTING}={profile.GM}, which hashes the "
                                 f"audit chain with SM3: remove {SETTING} or set it to sm3")
    return raw
