"""The provider shipped today: everything in this process, in C.

Compared for SM2 (issue 22): ``gmssl-pyx`` (bindings of GmSSL 3, the reference
implementation from Peking University; manylinux wheels, so nothing compiles on install;
sign over an SM3 digest, so Z is ours to compute and check) and ``gmalglib`` (its own C code,
one maintainer, a source distribution that needs a compiler on every machine). Neither reads or
writes PEM; sm2.py does, in the layout OpenSSL 3 uses. ``cryptography`` (OpenSSL 3) has SM3 and
SM4 but refuses SM2 keys ("Curve 1.2.156.10197.1.301 is not supported"), so it does those two.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from approvals.crypto import hashing, sm2
from approvals.crypto.interface import CryptoError

NONCE, TAG = 12, 16


class SoftwareProvider:
    name = "software"

    def hasher(self, algorithm: str) -> Callable[[bytes], str]:
        return hashing.hasher(algorithm)

    def generate_sm2(self) -> tuple[bytes, bytes]:
        key = sm2.generate()
        return key.private_pem(), key.public.public_pem()

    def load_signing_key(self, reference: bytes) -> sm2.SM2PrivateKey:
        return sm2.load_private_pem(reference)

    def load_verifying_key(self, pem: bytes) -> sm2.SM2PublicKey:
        return sm2.load_public_pem(pem)

    def seal(self, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(plaintext) + encryptor.finalize()
        return nonce + body + encryptor.tag

    def unseal(self, key: bytes, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < NONCE + TAG:
            raise CryptoError(f"sealed value of {len(sealed)} bytes is too short to be SM4-GCM")
        nonce, body, tag = sealed[:NONCE], sealed[NONCE:-TAG], sealed[-TAG:]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        try:
            return decryptor.update(body) + decryptor.finalize()
        except InvalidTag as exc:
            raise CryptoError("the value does not open with its key: the key is wrong or the value "
                              "was altered") from exc

    def random(self, size: int) -> bytes:
        return os.urandom(size)
