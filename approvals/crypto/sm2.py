"""SM2 keys and signatures (GB/T 32918), in the formats OpenSSL 3 reads and writes.

A signature covers e = SM3(Z || M), where Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)
binds the signer's identity and public key (GB/T 32918.2 §5.5). The default ID is
``1234567812345678`` (GM/T 0009-2012 §10), which ``openssl pkeyutl -pkeyopt
distid:1234567812345678`` and GmSSL use too. Z is computed here, so a test can hold it against
the standard's worked example; the elliptic-curve work (sign e, verify) is GmSSL's C code.

Keys are PEM: the private key PKCS#8 (``BEGIN PRIVATE KEY``, id-ecPublicKey with the SM2 curve
OID 1.2.156.10197.1.301), the public key SubjectPublicKeyInfo (``BEGIN PUBLIC KEY``), the
layouts ``openssl genpkey -algorithm SM2`` and ``openssl pkey -pubout`` produce.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import gmssl_pyx
from cryptography.exceptions import InvalidSignature

from approvals.crypto.hashing import sm3
from approvals.crypto.interface import CryptoError

DEFAULT_ID = b"1234567812345678"


@dataclass(frozen=True)
class Curve:
    a: int
    b: int
    gx: int
    gy: int


# GB/T 32918.5-2017: the recommended 256-bit curve (the only one GmSSL and OpenSSL sign on).
SM2P256 = Curve(
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)

_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")
_SM2_CURVE = bytes.fromhex("06082a811ccf5501822d")
_ALGORITHM = b"\x30\x13" + _EC_PUBLIC_KEY + _SM2_CURVE
_SPKI_PREFIX = b"\x30\x59" + _ALGORITHM + b"\x03\x42\x00\x04"


def z_value(public: bytes, user_id: bytes = DEFAULT_ID, curve: Curve = SM2P256) -> bytes:
    """Z for the 64-byte public key ``public`` (x || y) and ``user_id`` (GB/T 32918.2 §5.5)."""
    if len(user_id) * 8 > 0xFFFF:
        raise CryptoError(f"SM2 user id of {len(user_id)} bytes is too long (at most 8191)")
    parts = [(len(user_id) * 8).to_bytes(2, "big"), user_id,
             *(n.to_bytes(32, "big") for n in (curve.a, curve.b, curve.gx, curve.gy)), public]
    return sm3(b"".join(parts))


def message_digest(public: bytes, data: bytes, user_id: bytes = DEFAULT_ID) -> bytes:
    """e = SM3(Z || M): what the signature signs."""
    return sm3(z_value(public, user_id) + data)


@dataclass(frozen=True)
class SM2PublicKey:
    raw: bytes  # x || y, 64 bytes
    user_id: bytes = DEFAULT_ID

    def verify(self, signature: bytes, data: bytes) -> None:
        """Raise InvalidSignature unless ``signature`` (DER r, s) signs ``data`` under this key."""
        try:
            ok = gmssl_pyx.sm2_verify_sm3_digest(self.raw, message_digest(self.raw, data, self.user_id), signature)
        except gmssl_pyx.GmsslInnerError:
            ok = False
        if not ok:
            raise InvalidSignature("SM2 signature does not verify")

    def public_pem(self) -> bytes:
        return _pem("PUBLIC KEY", _SPKI_PREFIX + self.raw)

    def key_id(self) -> str:
        """The first 16 hex digits of SM3 over the public key."""
        return sm3(self.raw).hex()[:16]


@dataclass(frozen=True)
class SM2PrivateKey:
    secret: bytes = field(repr=False)  # d, 32 bytes
    public: SM2PublicKey

    def sign(self, data: bytes) -> bytes:
        """DER signature (r, s) of ``data`` with the key's user id (default ``1234567812345678``)."""
        digest = message_digest(self.public.raw, data, self.public.user_id)
        return bytes(gmssl_pyx.sm2_sign_sm3_digest(self.secret, digest))

    def public_key(self) -> SM2PublicKey:
        return self.public

    def private_pem(self) -> bytes:
        ec_private = _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, self.secret)
                          + _tlv(0xA1, _tlv(0x03, b"\x00\x04" + self.public.raw)))
        return _pem("PRIVATE KEY", _tlv(0x30, b"\x02\x01\x00" + _ALGORITHM + _tlv(0x04, ec_private)))


def generate() -> SM2PrivateKey:
    public, secret = gmssl_pyx.sm2_key_generate()
    return SM2PrivateKey(bytes(secret), SM2PublicKey(bytes(public)))


def load_public_pem(pem: bytes) -> SM2PublicKey:
    der = _unpem(pem, "PUBLIC KEY")
    if len(der) != len(_SPKI_PREFIX) + 64 or not der.startswith(_SPKI_PREFIX):
        raise CryptoError("not an SM2 public key (expected SubjectPublicKeyInfo with the SM2 curve "
                          "1.2.156.10197.1.301 and an uncompressed point, as `openssl pkey -pubout` writes)")
    return SM2PublicKey(der[len(_SPKI_PREFIX):])


def load_private_pem(pem: bytes) -> SM2PrivateKey:
    """A PKCS#8 SM2 private key (``openssl genpkey -algorithm SM2``); it must carry its public key."""
    try:
        version, algorithm, octets = _children(_one(_unpem(pem, "PRIVATE KEY"), 0x30))[:3]
        if algorithm != (0x30, _ALGORITHM[2:]) or octets[0] != 0x04:
            raise CryptoError("the key is not on the SM2 curve (1.2.156.10197.1.301)")
        inner = _children(_one(octets[1], 0x30))
        secret = next(v for t, v in inner if t == 0x04).rjust(32, b"\x00")
        point = next((v for t, v in inner if t == 0xA1), None)
    except (IndexError, ValueError, StopIteration) as exc:
        raise CryptoError(f"not a PKCS#8 SM2 private key ({exc or 'truncated'})") from exc
    if point is None:
        raise CryptoError("the SM2 private key does not carry its public key; re-export it with "
                          "`openssl pkey -in KEY -out KEY.pem`")
    bits = _one(point, 0x03)
    if bits[:2] != b"\x00\x04" or len(bits) != 66:
        raise CryptoError("the SM2 private key's public point is not an uncompressed point")
    return SM2PrivateKey(secret, SM2PublicKey(bits[2:]))


def _pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n").encode()


def _unpem(pem: bytes, label: str) -> bytes:
    match = re.search(rb"-----BEGIN " + label.encode() + rb"-----(.*?)-----END " + label.encode() + rb"-----",
                      pem, re.S)
    if match is None:
        raise CryptoError(f"no '-----BEGIN {label}-----' block found (expected PEM as OpenSSL writes it)")
    try:
        return base64.b64decode(b"".join(match.group(1).split()), validate=True)
    except ValueError as exc:
        raise CryptoError(f"the {label} block is not base64: {exc}") from exc


def _tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    length = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes(
        (n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + value


def _read(der: bytes, at: int) -> tuple[int, bytes, int]:
    tag, first = der[at], der[at + 1]
    at += 2
    if first & 0x80:
        size = first & 0x7F
        length, at = int.from_bytes(der[at:at + size], "big"), at + size
    else:
        length = first
    if at + length > len(der):
        raise ValueError("a length runs past the end")
    return tag, der[at:at + length], at + length


def _children(der: bytes) -> list[tuple[int, bytes]]:
    found, at = [], 0
    while at < len(der):
        tag, value, at = _read(der, at)
        found.append((tag, value))
    return found


def _one(der: bytes, tag: int) -> bytes:
    found, value, end = _read(der, 0)
    if found != tag or end != len(der):
        raise ValueError(f"expected tag {tag:#x}, found {found:#x}")
    return value
