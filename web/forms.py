"""HTML forms generated from a process's field definitions (``FieldDef``), and back.

The process file says which fields a request has, their types and rules; the engine
validates (``approvals.process.forms.validate``). This module only renders inputs for those fields,
keeps what was typed when the engine finds a problem, and turns a posted form into the raw
text values and uploads the engine's API takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from approvals.people.orgchart.model import OrgChart
from approvals.process import choices
from approvals.process.choices import Offer
from approvals.process.forms import TEXT_LIMITS, FieldDef
from approvals.service import Upload
from web.i18n import field_label
from web.picker import search_words

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
    # chosen_in fields (approvals/process/choices.py): the person picker's choices, and whether
    # several may be picked (a copy, 抄送). Empty: a plain input.
    people: tuple[Pick, ...] = ()
    several: bool = False
    # detail rows (明细): the column headings and each row's inputs (named ``legs-0-leg_on``),
    # the rows typed so far and SPARE_ROWS blank ones (a blank row is dropped by the engine)
    headings: tuple[str, ...] = ()
    rows: tuple[tuple[FieldView, ...], ...] = ()
    computed: bool = False  # worked out by the server: shown, never typed

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.type, "text")

    @property
    def checked(self) -> bool:
        return self.value.lower() in ("true", "on", "1", "yes")

    @property
    def picked(self) -> set[str]:
        """The people already in the value (a choice sent back with an error keeps them)."""
        return set(choices.split(self.value))


@dataclass(frozen=True)
class Pick:
    """One person the picker offers: id, how the option reads, and its pinyin search words."""

    id: str
    label: str
    search: str


def picks(offers: Mapping[str, Offer], chart: OrgChart) -> dict[str, tuple[tuple[Pick, ...], bool]]:
    """The picker's options per chosen_in field: name（unit，title）, searchable by pinyin as on the
    admin pages (web/picker.py)."""
    result = {}
    for name, offer in offers.items():
        options = []
        for pid in offer.people:
            person = chart.people.get(pid)
            if person is None:
                continue
            unit = chart.units[person.unit].name if person.unit in chart.units else person.unit
            label = f"{person.name}（{unit}{'，' + person.title if person.title else ''}）"
            options.append(Pick(pid, label, search_words(chart, person)))
        result[name] = (tuple(options), offer.several)
    return result


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


SPARE_ROWS = 2


def _row_views(fd: FieldDef, value: Any, errors: Mapping[str, str]) -> tuple[tuple[FieldView, ...], ...]:
    typed = [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []
    rows = []
    for number, row in enumerate([*typed, *({} for _ in range(SPARE_ROWS))]):
        rows.append(tuple(replace(view, name=f"{fd.name}-{number}-{view.name}")
                          for view in views(fd.columns, row, {c.name: errors.get(f"{fd.name}-{number}-{c.name}", "")
                                                               for c in fd.columns})))
    return tuple(rows)


def views(
    fields: Iterable[FieldDef],
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    existing: Mapping[str, str] | None = None,
    people: Mapping[str, tuple[tuple[Pick, ...], bool]] | None = None,
) -> list[FieldView]:
    values, errors, existing, people = values or {}, errors or {}, existing or {}, people or {}
    result = []
    for fd in fields:
        options, several = people.get(fd.name, ((), False))
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
                maxlength=None if options else _length(fd),  # a picker has no typed length
                people=options,
                several=several,
                headings=tuple(field_label(c) for c in fd.columns),
                rows=_row_views(fd, values.get(fd.name), errors) if fd.type == "rows" else (),
                computed=bool(fd.computed),
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
            raw[fd.name] = collect_one(form, fd)
    return raw, uploads


def typed_values(form: ImmutableMultiDict[str, str], fields: Iterable[FieldDef]) -> dict[str, Any]:
    """What the user typed, to put back into the form after an error."""
    return {fd.name: collect_one(form, fd) for fd in fields if fd.type != "attachment"}


def collect_one(form: ImmutableMultiDict[str, str], fd: FieldDef) -> Any:
    if fd.type == "rows":  # legs-0-leg_on, legs-0-leg_from, legs-1-...: one mapping per row, in order
        numbers = sorted({int(k.split("-")[1]) for k in form if k.startswith(f"{fd.name}-")
                          and k.count("-") >= 2 and k.split("-")[1].isdigit()})
        return [{c.name: collect_one(form, replace(c, name=f"{fd.name}-{n}-{c.name}")) for c in fd.columns}
                for n in numbers[:100]]
    if fd.type == "boolean":
        return "true" if form.get(fd.name) else "false"
    # a picker for a copy (抄送) posts one value per person picked: the engine reads them comma-separated
    return ",".join(v for v in form.getlist(fd.name) if v) if len(form.getlist(fd.name)) > 1 else form.get(fd.name, "")
