"""Uploads checked before the engine sees them: the kind of file is read from its content
(approvals/uploads.py), and that kind, never the browser's claim, is stored and served."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from flask import Response

from approvals.errors import FieldError
from approvals.process.forms import FieldDef
from approvals.service import Upload
from approvals.uploads import check, served_type


def checked(fields: Iterable[FieldDef], uploads: Mapping[str, Upload]) -> dict[str, Upload]:
    """The uploads with the server's name and type, or FieldError naming every bad field."""
    by_name = {fd.name: fd for fd in fields}
    result, issues = {}, []
    for name, upload in uploads.items():
        fd = by_name[name]
        try:
            filename, content_type = check(f"field {name!r} ({fd.label})", upload.filename,
                                           upload.data, fd.accept)
        except FieldError as exc:
            issues.extend(exc.issues)
            continue
        result[name] = Upload(filename, content_type, upload.data)
    if issues:
        raise FieldError(issues)
    return result


def served(data: bytes, filename: str) -> Response:
    """An attachment as a download, never shown inline: the type decided from the content,
    the file name for every browser (RFC 6266/5987: an ASCII fallback and the UTF-8 name),
    and no copy kept in a cache."""
    response = Response(data, mimetype=served_type(data))
    response.headers["Content-Disposition"] = disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def disposition(filename: str) -> str:
    """``attachment; filename="fallback.pdf"; filename*=UTF-8''%E9%98%B2...``: the ASCII
    fallback keeps letters, digits, '.', '_' and '-' (a Chinese name becomes
    ``attachment.pdf``); every browser in use reads the UTF-8 form."""
    stem, dot, extension = filename.rpartition(".") if "." in filename else (filename, "", "")
    plain = _ASCII_UNSAFE.sub("_", unicodedata.normalize("NFKD", stem).encode("ascii", "ignore")
                              .decode("ascii")).strip("_") or "attachment"
    suffix = _ASCII_UNSAFE.sub("", extension)
    fallback = f"{plain}{dot}{suffix}" if suffix else plain
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHAR)}"


_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ATTR_CHAR = "!#$&+-.^_`|~"  # RFC 5987 attr-char besides letters and digits
