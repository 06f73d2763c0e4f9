"""Cryptography behind one interface: hashing, signing, encryption at rest, key generation.

    approvals.crypto
      provider.py   the interface (``Provider``, ``SigningKey``, ``VerifyingKey``) and the
                    choice of provider (``APPROVALS_CRYPTO_PROVIDER``); the place a certified
                    密码机 (SDF, GM/T 0018) or UKey (SKF, GM/T 0016) provider plugs in
      software.py   the provider shipped today: SM3/SHA-256 and SM4 through OpenSSL 3 (the
                    ``cryptography`` wheel, or the interpreter's own libcrypto for hashing),
                    SM2 through GmSSL (``gmssl-pyx``); all C, no pure-Python bulk work
      hashing.py    the chain's hash functions by name (``sha256``, ``sm3``)
      sm2.py        SM2 keys: Z value (GB/T 32918 with the default user id), PEM in the
                    PKCS#8 / SubjectPublicKeyInfo form OpenSSL 3 reads and writes
      atrest.py     SM4-GCM sealing of secrets and sensitive fields under a key kept outside
                    the database, the key id stored with each value; masking for display
      fields.py     sensitive form fields: sealed in requests and the chain, opened or masked
      rotate.py     re-sealing every sealed column under the current key
      profile.py    APPROVALS_CRYPTO_PROFILE=gm, the one setting that switches to SM3/SM2/SM4

The engine calls these modules, never a library directly, so swapping the software provider
for a certified module changes one setting, not the callers.

Errors::

    ApprovalsError
    └── CryptoError            a key missing, unreadable or wrong; a value that does not open
"""

from approvals.crypto.provider import CryptoError, Provider, SigningKey, VerifyingKey, current

__all__ = ["CryptoError", "Provider", "SigningKey", "VerifyingKey", "current"]
