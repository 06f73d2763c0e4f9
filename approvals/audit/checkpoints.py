"""Signed audit checkpoints, kept outside the database they vouch for.

Everything in the database can be rewritten by whoever can write to it: entries, their hashes
and the head together. A checkpoint is a small JSON file holding the head's sequence number
and hash, the time, and the deployment's identity, signed with an Ed25519 key the database
never sees. Kept where the operator chooses (another machine, write-once storage), it lets
``approvals audit verify --checkpoint`` prove that today's chain still extends what was
signed then: a truncation, a rewrite (even with every hash recomputed), a wipe or a fork is
named with the checkpoint it contradicts; entries appended after a checkpoint but dated
before it (a backdated forgery) are named too.

Verification is incremental: the entries up to the newest consistent checkpoint were walked
when that checkpoint was taken (``take`` verifies before it signs), so a check walks only the
entries after it; ``full=True`` walks everything again.

Keys are Ed25519 or SM2 (issue 22: ``keygen --algorithm sm2``; GB/T 32918 with SM3 and the
default user id ``1234567812345678``). An SM2 checkpoint's signature is DER over the same
payload, so ``openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678``
checks it with the public key (docs/security.md shows the command).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals import crypto
from approvals.audit import chain as audit
from approvals.audit import verifications
from approvals.crypto import hashing, profile, sm2
from approvals.errors import AuditChainError
from approvals.store.database import Database
from approvals.store.models import AuditEntry, Deployment

FORMAT = "approvals-audit-checkpoint/2"  # /2: every chain's head (issue 24)
FORMAT_1 = "approvals-audit-checkpoint/1"  # one head: the single chain, now the system chain
SCHEME = "ed25519"
SM2_SCHEME = "sm2-sm3"
KEY_ALGORITHMS = ("ed25519", "sm2")
PrivateKey = Ed25519PrivateKey | crypto.SigningKey
PublicKey = Ed25519PublicKey | crypto.VerifyingKey
PRIVATE_NAME = "checkpoint-key.pem"
PUBLIC_NAME = "checkpoint-key.pub.pem"
# An action takes its time before it commits: an entry may be dated a little before a
# checkpoint signed while its transaction was still open, and land after it.
CLOCK_SKEW = timedelta(minutes=5)
_SIGNED = ("format", "scheme", "key_id", "deployment", "seq", "hash", "at", "head_at", "heads")
_SIGNED_1 = _SIGNED[:-1]
Head = tuple[str, int, str]  # (chain, seq, hash)


class CheckpointError(AuditChainError):
    """A key or checkpoint file that cannot be used: missing, unreadable, or not signed by the key."""


def default_key_algorithm() -> str:
    """SM2 under ``APPROVALS_CRYPTO_PROFILE=gm``, else Ed25519."""
    return "sm2" if profile.is_gm() else "ed25519"


def keygen(out: Path, algorithm: str | None = None) -> tuple[Path, Path]:
    """A new Ed25519 or SM2 key pair in ``out`` (by default as the profile says): the private key
    readable by its owner only (0600), the public key beside it for whoever verifies. Never
    overwrites a key."""
    algorithm = algorithm or default_key_algorithm()
    out.mkdir(parents=True, exist_ok=True)
    private, public = out / PRIVATE_NAME, out / PUBLIC_NAME
    for path in (private, public):
        if path.exists():
            raise CheckpointError(f"{path} already exists; move it away first (a key is never overwritten)")
    if algorithm not in KEY_ALGORITHMS:
        raise CheckpointError(f"key algorithm {algorithm!r} is not one of {', '.join(KEY_ALGORITHMS)}")
    if algorithm == "sm2":
        pem, public_pem = crypto.current().generate_sm2()
    else:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public.write_bytes(public_pem)
    return private, public


def load_private_key(path: Path) -> PrivateKey:
    if not path.is_file():
        raise CheckpointError(f"private key {path} not found (create one with `approvals audit keygen --out DIR`)")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise CheckpointError(f"private key {path} is readable by others (mode {mode:o}); run chmod 600 {path}")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except UnsupportedAlgorithm:  # an SM2 key: OpenSSL's curve, not one `cryptography` takes
        try:
            return crypto.current().load_signing_key(path.read_bytes())
        except crypto.CryptoError as exc:
            raise CheckpointError(f"{path}: {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"{path} is not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} holds a {type(key).__name__}, expected an Ed25519 or SM2 key")
    return key


def load_public_key(path: Path) -> PublicKey:
    if not path.is_file():
        raise CheckpointError(f"public key {path} not found")
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except UnsupportedAlgorithm:
        try:
            return crypto.current().load_verifying_key(path.read_bytes())
        except crypto.CryptoError as exc:
            raise CheckpointError(f"{path}: {exc}") from exc
    except ValueError as exc:
        raise CheckpointError(f"{path} is not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} holds a {type(key).__name__}, expected an Ed25519 or SM2 public key")
    return key


def scheme_of(public: PublicKey) -> str:
    return SCHEME if isinstance(public, Ed25519PublicKey) else SM2_SCHEME


def key_id(public: PublicKey) -> str:
    if isinstance(public, sm2.SM2PublicKey):
        return public.key_id()
    if isinstance(public, Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return hashlib.sha256(raw).hexdigest()[:16]
    return hashlib.sha256(public.public_pem()).hexdigest()[:16]  # a device's key: its public PEM


@dataclass(frozen=True)
class Checkpoint:
    deployment: str
    seq: int
    hash: str
    at: datetime  # when it was signed
    head_at: datetime | None  # the time of entry #seq
    key_id: str
    name: str = ""  # the file it was read from
    scheme: str = SCHEME
    # Every chain's head it vouches for; ``seq``/``hash`` are the highest of them. A /1 file
    # (before issue 24) vouches for the one chain it knew, now the system chain.
    heads: tuple[Head, ...] = ()

    def fields(self) -> dict[str, Any]:
        return {"format": FORMAT, "scheme": self.scheme, "key_id": self.key_id, "deployment": self.deployment,
                "seq": self.seq, "hash": self.hash, "at": self.at.isoformat(),
                "head_at": self.head_at.isoformat() if self.head_at else None,
                "heads": [list(h) for h in self.heads]}

    def __str__(self) -> str:
        return f"checkpoint {self.name} (#{self.seq}, signed {self.at:%Y-%m-%d %H:%M:%S})"


def _payload(fields: dict[str, Any]) -> bytes:
    signed = _SIGNED_1 if fields.get("format") == FORMAT_1 else _SIGNED
    return json.dumps({k: fields[k] for k in signed}, sort_keys=True, separators=(",", ":")).encode()


def deployment_id(session: Session) -> str:
    return session.scalar(select(Deployment.deployment_id).where(Deployment.id == 1)) or ""


def sign(session: Session, key: PrivateKey, now: datetime, out: Path, heads: tuple[Head, ...]) -> Checkpoint:
    """Sign every chain's head in ``heads`` (as a verification just proved them) and write the
    checkpoint file into ``out``."""
    _, seq, digest = max(heads, key=lambda h: h[1], default=(audit.SYSTEM, 0, audit.GENESIS))
    head_at = session.scalar(select(AuditEntry.at).where(AuditEntry.seq == seq)) if seq else None
    deployment = deployment_id(session)
    name = f"checkpoint-{deployment[:8]}-{seq:010d}-{now:%Y%m%dT%H%M%S}.json"
    public = key.public_key()
    point = Checkpoint(deployment, seq, digest, now, head_at, key_id(public), name, scheme_of(public),
                       tuple(sorted(heads)))
    fields = point.fields()
    fields["signature"] = base64.b64encode(key.sign(_payload(fields))).decode()
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{name}.tmp"
    tmp.write_text(json.dumps(fields, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out / name)
    return point


def read(path: Path, public: PublicKey) -> Checkpoint:
    """The checkpoint in ``path`` if its signature verifies with ``public``, else CheckpointError."""
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        signature = base64.b64decode(fields["signature"], validate=True)
        scheme = scheme_of(public)
        if fields.get("format") not in (FORMAT, FORMAT_1) or fields.get("scheme") != scheme:
            raise CheckpointError(f"{path.name}: format {fields.get('format')!r} / scheme "
                                  f"{fields.get('scheme')!r}, expected {FORMAT!r} / {scheme!r}")
        public.verify(signature, _payload(fields))
        head_at = fields["head_at"]
        heads = (tuple((str(c), int(q), str(h)) for c, q, h in fields["heads"]) if fields["format"] == FORMAT
                 else ((audit.SYSTEM, int(fields["seq"]), fields["hash"]),))
        return Checkpoint(fields["deployment"], int(fields["seq"]), fields["hash"],
                          datetime.fromisoformat(fields["at"]),
                          datetime.fromisoformat(head_at) if head_at else None, fields["key_id"], path.name, scheme,
                          heads)
    except InvalidSignature as exc:
        raise CheckpointError(f"{path.name}: the signature does not verify with this public key "
                              "(the file was altered, or another key signed it)") from exc
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise CheckpointError(f"{path.name}: not a readable checkpoint ({exc})") from exc


def files(paths: Iterable[Path]) -> list[Path]:
    """Checkpoint files named directly, or every ``*.json`` in a named directory."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("checkpoint-*.json")) if path.is_dir() else [path])
    return found


@dataclass(frozen=True)
class Finding:
    checkpoint: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        at = f" at entry #{self.seq}" if self.seq is not None else ""
        return f"{self.checkpoint}{at}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    chain: audit.Verification | None = None
    start: Checkpoint | None = None  # the checkpoint the walk started from (incremental)

    @property
    def ok(self) -> bool:
        return not self.findings and self.chain is not None and self.chain.ok

    def lines(self) -> list[str]:
        lines = [f"CONTRADICTED {f}" for f in self.findings]
        if self.chain is not None:
            start = f" from {self.start}" if self.start else " from the first entry"
            lines.append(f"{self.chain}; walked{start} to the head")
        return lines


def _contradiction(session: Session, point: Checkpoint, now: dict[str, tuple[int, str]],
                   deployment: str) -> Finding | None:
    if point.deployment != deployment:
        return Finding(str(point), None, f"it was signed for deployment {point.deployment}, but this database is "
                       f"{deployment or 'without one'} (the database was replaced or the checkpoint is another's)")
    for chain, seq, digest in point.heads:
        found = _head_contradiction(session, chain, seq, digest, now.get(chain, (0, audit.GENESIS)))
        if found:
            return Finding(str(point), seq, found + audit.name(chain))
    return None


def _head_contradiction(session: Session, chain: str, seq: int, digest: str, head: tuple[int, str]) -> str | None:
    if head[0] < seq:
        what = "the chain is empty (wiped)" if head[0] == 0 else f"the chain now ends at #{head[0]}"
        return f"it vouches for #{seq}, but {what}: entries were removed"
    found = audit.entry_hash(session, seq, chain) if seq else audit.GENESIS
    if found is None:
        return "that entry is missing (removed)"
    if found != digest:
        return (f"the entry's hash is {found[:16]}…, the checkpoint signed {digest[:16]}…: the chain was "
                "rewritten or forked at or before this entry")
    return None


def verify(session: Session, paths: Iterable[Path], public: PublicKey, *, full: bool = False) -> Report:
    """Check every checkpoint's signature and that every chain extends it, then walk every
    chain from the newest checkpoint's head of it (or from the start with ``full``). A chain
    the newest checkpoint does not name began after it: none of its entries may be dated
    before it was signed."""
    report = Report()
    points: list[Checkpoint] = []
    for path in files(paths):
        try:
            points.append(read(path, public))
        except CheckpointError as exc:
            report.findings.append(Finding(path.name, None, f"refused: {exc}"))
    now, deployment = audit.heads(session), deployment_id(session)
    for point in sorted(points, key=lambda p: p.seq):
        finding = _contradiction(session, point, now, deployment)
        if finding:
            report.findings.append(finding)
    if report.findings:
        return report
    newest = max(points, key=lambda p: (p.seq, p.at), default=None)
    starts = {chain: (seq, digest) for chain, seq, digest in newest.heads} if newest else {}
    not_before = {}
    if newest is not None:
        signed = newest.at - CLOCK_SKEW
        not_before = {chain: (starts.get(chain, (0, ""))[0], signed) for chain in set(now) | set(starts)}
    if newest is None or full:
        report.chain = audit.walk_all(session, not_before=not_before)
    else:
        report.start = newest
        report.chain = audit.walk_all(session, starts, not_before=not_before)
    if not report.chain.ok and newest is not None and "backdated" in report.chain.problem:
        report.findings.append(Finding(str(newest), report.chain.seq, report.chain.problem))
    return report


def take(db: Database, key: PrivateKey, out: Path, now: datetime, source: str = "cli") -> Checkpoint:
    """Verify the chain against the checkpoints already in ``out`` (incremental; the whole
    chain when there are none), then sign the head that walk reached. Refuses to sign a chain
    that does not verify: a checkpoint must never vouch for tampering. Both runs are recorded
    for the inspector page. When ``APPROVALS_AUDIT_HASH`` names another hash function than the
    chain's, the chain switches to it right after the signed head (``audit.switch``). Under
    ``APPROVALS_CRYPTO_PROFILE=gm`` only an SM2 key signs."""
    algorithm = hashing.configured()
    if profile.is_gm() and scheme_of(key.public_key()) != SM2_SCHEME:
        raise CheckpointError(f"{profile.SETTING}={profile.GM} signs checkpoints with SM2 only, and this key is "
                              "Ed25519: make an SM2 key (`approvals audit keygen --out DIR`, SM2 under this "
                              "profile) and keep its checkpoints in a directory of their own")
    with db.reading() as s:
        report = verify(s, [out] if out.is_dir() else [], key.public_key())
        chain = report.chain or audit.Verification(False, 0, "; ".join(str(f) for f in report.findings))
        if report.ok:
            point = sign(s, key, now, out, chain.heads)
    verifications.record(db, now, source, "incremental" if report.start else "full", chain,
                         report.start.name if report.start else "")
    if not report.ok:
        raise CheckpointError("not signed, the chain does not verify: " + " | ".join(report.lines()))
    verifications.record(db, now, source, "checkpoint", chain, point.name)
    with db.transaction() as s:
        audit.switch(s, algorithm, now)
    return point
