"""Secrets at rest in SM4-GCM under a data key kept outside the database (issue 22).

A sealed value is text, so it fits the column it replaces::

    sm4gcm:<key id>:<base64 of nonce (12) + ciphertext + tag (16)>

The additional data is the value's purpose (``channel_settings.secret``): a value copied into
another column does not open there. Keys come from the environment or a file, never the
database:

    APPROVALS_DATA_KEY_FILE=/etc/approvals/data-keys   lines "<key id> <32 hex digits>", mode 600
    APPROVALS_DATA_KEY=k1:<32 hex digits>[,k2:<hex>]    the same, inline

The last key listed is the current one: new values are sealed with it. Older keys stay listed
so older values open; ``approvals crypto rotate`` re-seals every value under the current key,
after which an old key may be removed. Without either setting nothing is sealed (values are
stored as given, as before issue 22). A sealed value whose key is missing, or that does not
open with its key, raises CryptoError naming the purpose and the key id: never an empty value.

For a new kind of secret (a webhook or OAuth client secret, a TOTP seed), call
``seal_secret(value, "its_table.its_column")`` before writing and ``open_secret`` after
reading, and add the column to ``rotate.SEALED`` so rotation covers it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from approvals.crypto import profile
from approvals.crypto.provider import CryptoError, current

PREFIX = "sm4gcm:"
FILE_ENV, INLINE_ENV = "APPROVALS_DATA_KEY_FILE", "APPROVALS_DATA_KEY"
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    current: str | None = None
    source: str = "no data key configured"

    def key(self, key_id: str, purpose: str) -> bytes:
        if key_id not in self.keys:
            raise CryptoError(f"{purpose}: the value was sealed with data key '{key_id}', which is not in "
                              f"{self.source}; put that key back (it is needed until `approvals crypto rotate` "
                              "has re-sealed every value)")
        return self.keys[key_id]


def _parse(pairs: list[tuple[str, str]], where: str) -> Keyring:
    keys: dict[str, bytes] = {}
    for key_id, hex_key in pairs:
        if not _KEY_ID.fullmatch(key_id):
            raise CryptoError(f"{where}: key id {key_id!r} should be 1-32 letters, digits, '_', '.' or '-'")
        try:
            raw = bytes.fromhex(hex_key)
        except ValueError:
            raw = b""
        if len(raw) != 16:
            raise CryptoError(f"{where}: key '{key_id}' should be 32 hex digits (an SM4 key is 16 bytes)")
        keys[key_id] = raw
    return Keyring(keys, pairs[-1][0] if pairs else None, where)


def keyring(env: Mapping[str, str] | None = None) -> Keyring:
    """The data keys the settings name (empty when neither is set), or CryptoError saying what
    is wrong with them."""
    env = os.environ if env is None else env
    path, inline = env.get(FILE_ENV, "").strip(), env.get(INLINE_ENV, "").strip()
    if path and inline:
        raise CryptoError(f"both {FILE_ENV} and {INLINE_ENV} are set; keep the keys in one place")
    if inline:
        pairs = [tuple(p.strip().split(":", 1)) for p in inline.split(",") if p.strip()]
        if any(len(p) != 2 for p in pairs):
            raise CryptoError(f"{INLINE_ENV} should be '<key id>:<32 hex digits>', comma-separated")
        return _parse(pairs, INLINE_ENV)  # type: ignore[arg-type]
    if not path:
        return Keyring()
    return _parse(_read_file(Path(path)), f"{FILE_ENV} ({path})")


def _read_file(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise CryptoError(f"{FILE_ENV}: {path} not found (create it with `approvals crypto keygen --file {path}`)")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise CryptoError(f"{FILE_ENV}: {path} is readable by others (mode {mode:o}); run chmod 600 {path}")
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise CryptoError(f"{FILE_ENV}: {path} line {number} should be '<key id> <32 hex digits>'")
        pairs.append((parts[0], parts[1]))
    return pairs


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def seal_secret(value: str, purpose: str, ring: Keyring | None = None) -> str:
    """``value`` sealed under the current data key for ``purpose`` (e.g. ``smtp.password``);
    unchanged when no key is configured or the value is empty."""
    ring = keyring() if ring is None else ring
    if value and ring.current is None and profile.is_gm():
        raise CryptoError(f"{purpose}: {profile.SETTING}={profile.GM} stores this value sealed in SM4, and no data "
                          f"key is configured: set {FILE_ENV} (`approvals crypto keygen --file PATH` makes one)")
    if not value or ring.current is None:
        return value
    sealed = current().seal(ring.keys[ring.current], value.encode("utf-8"), purpose.encode())
    return f"{PREFIX}{ring.current}:{base64.b64encode(sealed).decode()}"


def open_secret(stored: str, purpose: str, ring: Keyring | None = None) -> str:
    """The plain value of ``stored``: itself when it was never sealed, else opened with its key;
    CryptoError when the key is missing or wrong, or the value was altered."""
    if not is_sealed(stored):
        return stored
    key_id, _, body = stored[len(PREFIX):].partition(":")
    ring = keyring() if ring is None else ring
    key = ring.key(key_id, purpose)
    try:
        sealed = base64.b64decode(body, validate=True)
    except binascii.Error as exc:
        raise CryptoError(f"{purpose}: the sealed value is not base64 ({exc})") from exc
    try:
        return current().unseal(key, sealed, purpose.encode()).decode("utf-8")
    except CryptoError as exc:
        raise CryptoError(f"{purpose}: {exc} (data key '{key_id}' from {ring.source})") from exc


def key_id_of(stored: str) -> str | None:
    return stored[len(PREFIX):].partition(":")[0] if is_sealed(stored) else None


def new_key_line(taken: Mapping[str, bytes]) -> tuple[str, str]:
    """A fresh (key id, hex key) whose id is not among ``taken``."""
    while True:
        key_id = "k" + current().random(4).hex()
        if key_id not in taken:
            return key_id, current().random(16).hex()


def mask(value: str, head: int = 3, tail: int = 4) -> str:
    """``110101199003071234`` as ``110***********1234``: enough to tell two values apart,
    not enough to use one. Short values are masked whole."""
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]
