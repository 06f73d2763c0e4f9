"""Attachments: which kinds of file a request may carry, decided by their content.

A browser's ``Content-Type`` and the file name are whatever the sender's machine says: an
HTML page named ``plan.pdf`` would be served back as a page on this site, an ``.exe`` as a
download an approver trusts because it came through the bureau's system. So the server
reads the first bytes (the "magic number") and accepts only these kinds:

    pdf   %PDF-                                   application/pdf
    ofd   a ZIP holding OFD.xml (GB/T 33190, 电子发票/公文)   application/ofd
    png   \\x89PNG\\r\\n\\x1a\\n                          image/png
    jpeg  \\xff\\xd8\\xff                               image/jpeg
    docx  a ZIP holding [Content_Types].xml and word/   (Word 2007+)
    xlsx  a ZIP holding [Content_Types].xml and xl/     (Excel 2007+)

A field may narrow the list with the property ``accept`` (``pdf,ofd``). The name must end
in an extension of the kind found (a PDF named ``.docx`` is refused: the approver would be
told one thing and shown another). The type stored and served is the one decided here.
Only a ZIP's directory is read (names, no decompression), so a ZIP bomb costs nothing.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from approvals import text
from approvals.errors import FieldError, Issue


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {k.name: k for k in (
    Kind("pdf", "application/pdf", (".pdf",)),
    Kind("ofd", "application/ofd", (".ofd",)),
    Kind("png", "image/png", (".png",)),
    Kind("jpeg", "image/jpeg", (".jpg", ".jpeg")),
    Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         (".docx",)),
    Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
)}
UNKNOWN_TYPE = "application/octet-stream"

_MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))


def _zip_kind(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):  # ValueError/OSError: a damaged directory
        return None
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" in names:
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx")):
            if any(n.startswith(prefix) for n in names):
                return kind
    return None


def detect(data: bytes) -> str | None:
    """The kind of file ``data`` is (a key of KINDS), or None for anything else."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return _zip_kind(data) if data.startswith(b"PK\x03\x04") else None


def served_type(data: bytes) -> str:
    """The Content-Type to serve stored bytes with: decided again from the content, so a row
    stored before these checks existed is not served as what its sender claimed."""
    kind = detect(data)
    return KINDS[kind].content_type if kind else UNKNOWN_TYPE


def allowed(accept: tuple[str, ...]) -> tuple[str, ...]:
    """The kinds a field takes: its ``accept`` property, else every kind above."""
    return accept or tuple(KINDS)


def _base_name(filename: str) -> str:
    """The name without any folder a browser or a crafted request put in front of it."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()


def check(where: str, filename: str, data: bytes, accept: tuple[str, ...] = ()) -> tuple[str, str]:
    """(file name, content type) to store, or FieldError naming ``where`` and the file."""
    name = _base_name(filename)
    reason = text.problem(name, text.LINE_LENGTH)
    kinds = allowed(accept)
    kind = detect(data) if reason is None else None
    if reason is None and not data:
        reason = "is an empty file"
    elif reason is None and kind not in kinds:
        found = f"a {kind.upper()} file" if kind else "not a file of an accepted kind"
        reason = f"is {found}; accepted: {', '.join(k.upper() for k in kinds)}"
    elif reason is None and kind is not None and not name.lower().endswith(KINDS[kind].extensions):
        reason = (f"is a {kind.upper()} file but its name does not end in "
                  f"{' or '.join(KINDS[kind].extensions)}; rename it")
    if reason is not None:
        raise FieldError([Issue(where, name, reason)])
    assert kind is not None
    return name, KINDS[kind].content_type


def accept_property(value: str) -> tuple[tuple[str, ...], list[str]]:
    """A field's ``accept`` property (``pdf, ofd``) read: (kinds, names that are no kind)."""
    names = tuple(n.strip().lower() for n in value.split(",") if n.strip())
    return names, [n for n in names if n not in KINDS]


def describe_kinds(accept: tuple[str, ...]) -> Mapping[str, Kind]:
    """The accepted kinds of a field, for an ``accept=`` attribute of a file input."""
    return {k: KINDS[k] for k in allowed(accept)}
