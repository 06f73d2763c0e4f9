"""approvals.crypto agrees with the OpenSSL 3 command line: SM3 digests, SM4 (the body of our
SM4-GCM values is SM4-CTR from the counter after J0, which ``openssl enc`` computes), SM2 keys
in PEM each side reads, signatures each side verifies (with the default user id as distid)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature

from approvals import crypto
from approvals.crypto import hashing, sm2

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed "
                                "(`apt-get install openssl`)")
DISTID = "distid:1234567812345678"


def openssl(*args: str | Path, data: bytes | None = None) -> bytes:
    done = subprocess.run(["openssl", *map(str, args)], input=data, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_sm3_matches_openssl_dgst(tmp_path: Path) -> None:
    message = "审批单 #42 同意".encode() * 50
    (tmp_path / "m").write_bytes(message)
    out = openssl("dgst", "-sm3", "-r", tmp_path / "m").decode()
    assert out.split()[0] == hashing.hasher("sm3")(message)


def test_sm4_gcm_body_is_the_sm4_ctr_openssl_enc_computes() -> None:
    provider, key = crypto.current(), bytes(range(16))
    plain = "身份证号 110101199003071234".encode()
    sealed = provider.seal(key, plain, b"field")
    nonce, body = sealed[:12], sealed[12:-16]
    counter = nonce + (2).to_bytes(4, "big")  # GCM: J0 = nonce || 1; the first block uses J0 + 1
    assert openssl("enc", "-sm4-ctr", "-K", key.hex(), "-iv", counter.hex(), data=plain) == body
    assert provider.unseal(key, sealed, b"field") == plain


def test_sm4_cbc_from_openssl_enc_decrypts_with_the_same_key() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key, iv = bytes(range(16)), bytes(range(16, 32))
    ciphertext = openssl("enc", "-sm4-cbc", "-K", key.hex(), "-iv", iv.hex(), data=b"sixteen byte msg")
    decryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    assert padded[:16] == b"sixteen byte msg" and padded[16:] == b"\x10" * 16


def test_our_sm2_signature_verifies_with_openssl_pkeyutl(tmp_path: Path) -> None:
    private_pem, public_pem = crypto.current().generate_sm2()
    (tmp_path / "key.pem").write_bytes(private_pem)
    (tmp_path / "pub.pem").write_bytes(public_pem)
    assert b"ASN1 OID: SM2" in openssl("pkey", "-in", tmp_path / "key.pem", "-noout", "-text")
    derived = openssl("pkey", "-in", tmp_path / "key.pem", "-pubout")
    assert derived == public_pem  # OpenSSL derives the same public key from our private key
    message = "同意。签批人 li.ming".encode()
    (tmp_path / "m").write_bytes(message)
    (tmp_path / "sig").write_bytes(crypto.current().load_signing_key(private_pem).sign(message))
    out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", tmp_path / "pub.pem", "-rawin", "-digest", "sm3",
                  "-pkeyopt", DISTID, "-in", tmp_path / "m", "-sigfile", tmp_path / "sig")
    assert b"Signature Verified Successfully" in out


def test_an_openssl_sm2_key_and_signature_verify_with_ours(tmp_path: Path) -> None:
    openssl("genpkey", "-algorithm", "SM2", "-out", tmp_path / "key.pem")
    openssl("pkey", "-in", tmp_path / "key.pem", "-pubout", "-out", tmp_path / "pub.pem")
    (tmp_path / "m").write_bytes(b"checkpoint payload")
    signature = openssl("pkeyutl", "-sign", "-inkey", tmp_path / "key.pem", "-rawin", "-digest", "sm3",
                        "-pkeyopt", DISTID, "-in", tmp_path / "m")
    public = crypto.current().load_verifying_key((tmp_path / "pub.pem").read_bytes())
    public.verify(signature, b"checkpoint payload")
    with pytest.raises(InvalidSignature):
        public.verify(signature, b"checkpoint payload, altered")
    private = crypto.current().load_signing_key((tmp_path / "key.pem").read_bytes())
    assert private.public_key() == public


def test_a_key_on_another_curve_is_refused_by_name(tmp_path: Path) -> None:
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", tmp_path / "p256.pem")
    with pytest.raises(crypto.CryptoError, match="SM2 curve"):
        sm2.load_private_pem((tmp_path / "p256.pem").read_bytes())
