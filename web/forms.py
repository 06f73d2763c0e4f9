"""HTML forms generated from a process's field definitions (``FieldDef``), and back.

The process file says which fields a request has, their types and rules; the engine
validates (``approvals.process.forms.validate``). This module only renders inputs for those fields,
keeps what was typed when the engine finds a problem, and turns a posted form into the raw
text values and uploads the engine's API takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from approvals.process.forms import TEXT_LIMITS, FieldDef
from approvals.service import Upload
from web.i18n import field_label

INPUT_TYPES = {"string": "text", "long": "number", "date": "date"}


@dataclass(frozen=True)
class FieldView:
    """One input as the template draws it."""

    name: str
    type: str  # the FieldDef type: string text long date boolean enum attachment
    label: str
    value: str  # as typed (or as stored, when resubmitting)
    error: str = ""
    required: bool = False
    conditional: bool = False  # required only in some cases (required_if)
    options: tuple[tuple[str, str], ...] = ()
    existing: str = ""  # an attachment already on file (resubmission)
    minimum: str | None = None
    maximum: str | None = None
    maxlength: int | None = None  # shown (maxlength, a counter) and enforced by the engine

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.type, "text")

    @property
    def checked(self) -> bool:
        return self.value.lower() in ("true", "on", "1", "yes")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _bound(spec: str | None, fd: FieldDef) -> str | None:
    """HTML min/max only for fixed numbers; date bounds like ``today`` are the engine's job."""
    if spec and fd.type == "long" and spec.lstrip("-").isdigit():
        return spec
    return None


def _length(fd: FieldDef) -> int | None:
    if fd.type not in ("string", "text"):
        return None
    return fd.maxlength if fd.maxlength is not None else TEXT_LIMITS[fd.type]


def views(
    fields: Iterable[FieldDef],
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    existing: Mapping[str, str] | None = None,
) -> list[FieldView]:
    values, errors, existing = values or {}, errors or {}, existing or {}
    result = []
    for fd in fields:
        result.append(
            FieldView(
                fd.name,
                fd.type,
                field_label(fd),
                _text(values.get(fd.name)),
                errors.get(fd.name, ""),
                required=fd.required,
                conditional=bool(fd.required_if) and not fd.required,
                options=fd.options,
                existing=existing.get(fd.name, ""),
                minimum=_bound(fd.min, fd),
                maximum=_bound(fd.max, fd),
                maxlength=_length(fd),
            )
        )
    return result


def collect(
    fields: Iterable[FieldDef],
    form: ImmutableMultiDict[str, str],
    files: ImmutableMultiDict[str, FileStorage],
    existing: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, Upload]]:
    """The raw text values and the uploads of a posted request form.

    A checkbox that is not ticked is not posted at all, so booleans are read as present or
    absent. An attachment not chosen again on resubmission keeps the one already on file.
    """
    raw: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    for fd in fields:
        if fd.type == "boolean":
            raw[fd.name] = "true" if form.get(fd.name) else "false"
        elif fd.type == "attachment":
            upload = files.get(fd.name)
            if upload is not None and upload.filename:
                uploads[fd.name] = Upload(
                    upload.filename, upload.mimetype or "application/octet-stream", upload.read()
                )
                raw[fd.name] = upload.filename
            elif existing and existing.get(fd.name):
                raw[fd.name] = existing[fd.name]
        else:
            raw[fd.name] = form.get(fd.name, "")
    return raw, uploads


def typed_values(form: ImmutableMultiDict[str, str], fields: Iterable[FieldDef]) -> dict[str, str]:
    """What the user typed, to put back into the form after an error."""
    return {fd.name: collect_one(form, fd) for fd in fields if fd.type != "attachment"}


def collect_one(form: ImmutableMultiDict[str, str], fd: FieldDef) -> str:
    if fd.type == "boolean":
        return "true" if form.get(fd.name) else "false"
    return form.get(fd.name, "")
