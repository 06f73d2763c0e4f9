"""The printed 审批单: its verification code, checking a code read off paper, and the PDF.

A paper copy carries a code built from the request's latest audit entry: its sequence number
and the first 16 hex digits of its hash (``1234-3F2A-9C1D-8E7B-6A5F``). Whoever holds the paper
gives the code to an inspector (``/inspect/copy`` or ``approvals audit check-copy``), who
learns which request it is, whether the entry's content still matches its hash and its link
to the entry before it, and whether anything happened to the request after the copy was
printed (then the paper is out of date). 16 hex digits (64 bits) cannot be guessed for a
given request; the chain itself is proven by ``approvals audit verify``.

The PDF comes from the same HTML as the print page, drawn by WeasyPrint, which needs the pango
library and a CJK font (``make print-deps``); without them ``pdf`` raises PdfUnavailableError
and the print page still works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals.audit import chain as audit
from approvals.errors import ApprovalsError
from approvals.store.database import Database
from approvals.store.models import AuditEntry, Request

PREFIX = 16  # hex digits of the hash printed
MAX_SEQ = 2**31 - 1  # audit_entries.seq is a 32-bit INTEGER: PostgreSQL refuses a larger key outright
_CODE = re.compile(r"^\s*(\d{1,12})-((?:[0-9a-f]{4}-?){3}[0-9a-f]{4})\s*$", re.IGNORECASE)


class PdfUnavailableError(ApprovalsError):
    """WeasyPrint or the system libraries it draws with are missing on this server."""


@dataclass(frozen=True)
class Stamp:
    """The latest audit entry of a request, as printed on its paper copy."""

    seq: int
    hash: str

    @property
    def code(self) -> str:
        digits = self.hash[:PREFIX].upper()
        return f"{self.seq}-" + "-".join(digits[i:i + 4] for i in range(0, PREFIX, 4))


@dataclass(frozen=True)
class CopyCheck:
    """What a code read off paper says: ``ok`` only if the entry exists, matches the code and
    its hash; ``request_id`` names the request; ``later`` counts what happened after printing."""

    ok: bool
    problem: str = ""  # in English, for the CLI and logs
    reason: str = ""  # "format", "missing", "mismatch" or "altered", for pages to word
    request_id: int | None = None
    seq: int | None = None
    later: int = 0


def stamp(db: Database, request_id: int) -> Stamp | None:
    """The request's latest audit entry (None for a request with no trail, e.g. imported)."""
    with db.reading(snapshot=False) as s:
        row = s.connection().execute(
            select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.request_id == request_id)
            .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return Stamp(row.seq, row.hash) if row else None


def check(db: Database, code: str, org_id: str | None = None) -> CopyCheck:
    """Check a code from a paper copy against the audit trail. With ``org_id`` (an inspector's
    page), an entry that is not of that organization's request is answered as missing: an
    inspector inspects their own organization, and learns nothing of another's papers."""
    found = _CODE.match(code or "")
    if not found:
        return CopyCheck(False, f"{code!r} is not a verification code: expected digits, a dash and "
                                "16 hex digits in groups of four, e.g. 1234-3F2A-9C1D-8E7B-6A5F", "format")
    seq, digits = int(found.group(1)), found.group(2).replace("-", "").lower()
    with db.reading() as s:
        row = s.get(AuditEntry, seq) if 1 <= seq <= MAX_SEQ else None
        if row is not None and org_id is not None and not _of_org(s, row.request_id, org_id):
            row = None
        if row is None:
            return CopyCheck(False, f"the trail has no entry #{seq}: the code was misread or the "
                                    "paper is not from this system", "missing", seq=seq)
        later = 0
        if row.request_id is not None:
            later = len(s.scalars(select(AuditEntry.seq).where(
                AuditEntry.request_id == row.request_id, AuditEntry.seq > seq)).all())
        intact = audit.entry_intact(s, seq)  # this entry alone
    if not row.hash.startswith(digits):
        return CopyCheck(False, f"entry #{seq} exists but its hash does not begin with the printed "
                                "digits: the paper was altered or misread", "mismatch", row.request_id, seq)
    if not intact:
        return CopyCheck(False, f"entry #{seq} no longer matches its hash or its link: the trail was "
                                "altered; run `approvals audit verify`", "altered", row.request_id, seq)
    return CopyCheck(True, request_id=row.request_id, seq=seq, later=later)


def _of_org(s: Session, request_id: int | None, org_id: str) -> bool:
    return request_id is not None and s.scalar(select(Request.org_id).where(Request.id == request_id)) == org_id


def pdf(html: str, base_url: str | None = None) -> bytes:
    """The print page's HTML drawn as an A4 PDF."""
    try:
        from weasyprint import HTML  # imported here: it loads pango when imported
    except (ImportError, OSError) as exc:
        raise PdfUnavailableError(
            f"PDF output needs WeasyPrint and the pango library ({exc}); run `make print-deps` "
            "as root, or print the page from the browser") from exc
    result: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return result
