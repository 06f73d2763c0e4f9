"""The interface every cryptographic provider implements, and the choice of one.

A provider does four jobs: hash (``sha256``, ``sm3``), sign and verify (``sm2`` with SM3 and
the default user id), encrypt and decrypt data at rest (SM4-GCM), generate keys. The software
provider (software.py) does them with OpenSSL 3 and GmSSL in this process.

Where a certified module plugs in
---------------------------------
A 密评 at level 3 may ask that signing and data keys never leave a certified device: a
server 密码机 reached through the SDF interface (GM/T 0018-2012, e.g. ``SDF_InternalSign_ECC``,
``SDF_Encrypt`` with a key index) or a UKey through SKF (GM/T 0016-2012, ``SKF_ECCSignData``).
Write a class with the methods of ``Provider`` below whose ``load_signing_key`` returns a
``SigningKey`` holding a device handle (a key index or container name in ``reference``) and
whose ``seal``/``unseal`` call the device with the key id, then set::

    APPROVALS_CRYPTO_PROVIDER=yourpackage.sdf:provider   # a module and a callable returning it

Nothing else changes: the audit chain, checkpoints and sealed values call ``current()``. The
formats stay the same (DER SM2 signatures, the sealed-value layout in atrest.py), so values
written by the software provider open with the device provider once the same keys are
imported into it, and checkpoints stay verifiable with the public key and ``openssl``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping

from approvals.crypto.interface import CryptoError, Provider, SigningKey, VerifyingKey
from approvals.crypto.software import SoftwareProvider

PROVIDER_ENV = "APPROVALS_CRYPTO_PROVIDER"
__all__ = ["PROVIDER_ENV", "CryptoError", "Provider", "SigningKey", "VerifyingKey", "current"]


_cache: dict[str, Provider] = {}


def current(env: Mapping[str, str] | None = None) -> Provider:
    """The configured provider (``APPROVALS_CRYPTO_PROVIDER``; the software one by default)."""
    spec = (os.environ if env is None else env).get(PROVIDER_ENV, "").strip() or "software"
    if spec not in _cache:
        _cache[spec] = _load(spec)
    return _cache[spec]


def _load(spec: str) -> Provider:
    if spec == "software":
        return SoftwareProvider()
    module, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attr or "provider")
    except (ImportError, AttributeError) as exc:
        raise CryptoError(f"{PROVIDER_ENV}={spec!r} names nothing importable ({exc}); expected 'software' "
                          "or 'package.module:callable'") from exc
    return factory()  # type: ignore[no-any-return]
