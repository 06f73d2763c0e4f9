"""What every cryptographic provider implements (the contract), apart from the choice of one
(provider.py): software.py and sm2.py implement it and import only this, so the module that
picks a provider can import them without a circle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from approvals.errors import ApprovalsError


class CryptoError(ApprovalsError):
    """A key missing, unreadable or wrong, or a value that does not open with its key."""


@runtime_checkable
class VerifyingKey(Protocol):
    """A public key. ``verify`` raises ``cryptography.exceptions.InvalidSignature`` on a bad
    signature (the same contract as the Ed25519 keys of ``cryptography``)."""

    def verify(self, signature: bytes, data: bytes) -> None: ...

    def public_pem(self) -> bytes: ...


@runtime_checkable
class SigningKey(Protocol):
    """A private key, in memory or a handle into a device."""

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> VerifyingKey: ...


class Provider(Protocol):
    name: str

    def hasher(self, algorithm: str) -> Callable[[bytes], str]:
        """A function from bytes to the lowercase hex digest (``sha256`` or ``sm3``)."""
        ...

    def generate_sm2(self) -> tuple[bytes, bytes]:
        """A new SM2 key pair as (PKCS#8 private PEM, SubjectPublicKeyInfo public PEM)."""
        ...

    def load_signing_key(self, reference: bytes) -> SigningKey:
        """The SM2 signing key ``reference`` names: PEM bytes here, a key index on a device."""
        ...

    def load_verifying_key(self, pem: bytes) -> VerifyingKey: ...

    def seal(self, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
        """SM4-GCM: nonce (12 bytes) + ciphertext + tag (16 bytes)."""
        ...

    def unseal(self, key: bytes, sealed: bytes, aad: bytes) -> bytes:
        """The plaintext, or CryptoError when the tag does not verify (wrong key, altered)."""
        ...

    def random(self, size: int) -> bytes: ...
