"""Uploads checked before the engine sees them: the kind of file is read from its content
(approvals/uploads.py), and that kind, never the browser's claim, is stored and served."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from approvals.errors import FieldError
from approvals.process.forms import FieldDef
from approvals.service import Upload
from approvals.uploads import check
from web.downloads import disposition, served  # noqa: F401 - re-exported for the pages that serve files


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


