"""The deployment's cryptographic profile: one setting that switches it to 国密 (issue 22).

    APPROVALS_CRYPTO_PROFILE=gm     the audit chain in SM3 (from its next checkpoint when it is
                                    already running), new checkpoint keys SM2, checkpoints signed
                                    only with an SM2 key, and a data key required before anything
                                    is sealed (sensitive fields, channel secrets): SM4-GCM
    APPROVALS_CRYPTO_PROFILE=standard (the default) SHA-256 and Ed25519 unless the individual
                                    settings (APPROVALS_AUDIT_HASH, keygen --algorithm) say otherwise

Under ``gm`` the individual settings may repeat the profile's choice but not contradict it: an
``APPROVALS_AUDIT_HASH=sha256`` beside it is an error naming both, not a silent half-switch.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from approvals.errors import ConfigurationError

SETTING = "APPROVALS_CRYPTO_PROFILE"
STANDARD, GM = "standard", "gm"
PROFILES = (STANDARD, GM)


def configured(env: Mapping[str, str] | None = None) -> str:
    """``standard`` or ``gm``; ConfigurationError naming the value and the choices."""
    raw = (os.environ if env is None else env).get(SETTING, "").strip().lower() or STANDARD
    if raw not in PROFILES:
        raise ConfigurationError(f"{SETTING}={raw!r} is not one of {', '.join(PROFILES)}")
    return raw


def is_gm(env: Mapping[str, str] | None = None) -> bool:
    return configured(env) == GM
