"""The worked examples of the standards, through approvals.crypto: GB/T 32905-2016 (SM3),
GB/T 32907-2016 (SM4), GB/T 32918.2-2016 (SM2 signature: Z, e and the signature itself)."""

from __future__ import annotations

import sm2_reference
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from approvals.crypto import hashing, sm2


def test_sm3_of_abc_is_the_standards_first_example() -> None:
    assert hashing.hasher("sm3")(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm3_of_the_64_byte_message_is_the_standards_second_example() -> None:
    assert hashing.hasher("sm3")(b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")


def test_sm4_encrypts_the_standards_example_block() -> None:
    key = plain = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(plain) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


# GB/T 32918.2-2016 Annex A: the signature example on the 256-bit test curve over Fp.
TEST_CURVE = sm2_reference.PrimeCurve(
    p=0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    a=0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    b=0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    gx=0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
    gy=0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
    n=0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
)
ALICE = b"ALICE123@YAHOO.COM"
PUBLIC = (0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A,
          0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857)
R = 0x40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1
S = 0x6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7


def _example_z() -> bytes:
    curve = sm2.Curve(TEST_CURVE.a, TEST_CURVE.b, TEST_CURVE.gx, TEST_CURVE.gy)
    return sm2.z_value(b"".join(n.to_bytes(32, "big") for n in PUBLIC), ALICE, curve)


def test_sm2_z_value_and_digest_are_the_standards() -> None:
    z = _example_z()
    assert z.hex().upper() == "F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A"
    e = hashing.sm3(z + b"message digest")
    assert e.hex().upper() == "B524F552CD82B8B028476E005C377FB19A87E6FC682D48BB5D42E3D9B9EFFE76"


def test_the_standards_sm2_signature_verifies_with_its_public_key_and_a_changed_one_does_not() -> None:
    e = int.from_bytes(hashing.sm3(_example_z() + b"message digest"), "big")
    assert sm2_reference.verify(TEST_CURVE, PUBLIC, e, R, S)
    assert not sm2_reference.verify(TEST_CURVE, PUBLIC, e, R, S ^ 1)
    assert not sm2_reference.verify(TEST_CURVE, PUBLIC, e + 1, R, S)


def test_the_default_user_id_is_1234567812345678_and_enters_z() -> None:
    key = sm2.generate()
    assert sm2.DEFAULT_ID == b"1234567812345678"
    assert sm2.z_value(key.public.raw) == sm2.z_value(key.public.raw, b"1234567812345678")
    assert sm2.z_value(key.public.raw) != sm2.z_value(key.public.raw, b"ALICE123@YAHOO.COM")
