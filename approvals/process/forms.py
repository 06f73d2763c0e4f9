"""Request and report forms: field definitions read from BPMN, and typed validation.

The same definitions generate the web form and check the CLI's ``--set`` values, so a rule
(required, min date, ``required_if``) is written once, in the process file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from approvals import text, uploads
from approvals.errors import FieldError, Issue
from approvals.process.expressions import CALENDAR, ExpressionError, evaluate

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
TYPES = ("string", "text", "long", "date", "boolean", "enum", "attachment", "rows")
ROW_TYPES = ("string", "text", "long", "date", "boolean", "enum")  # a detail row's columns (明细)
MAX_ROWS = 50
CONSTRAINTS = ("required", "required_if", "min", "max", "minlength", "maxlength", "readonly")
# Kinds of personal data a field may be marked as (property ``sensitive``): its value is sealed
# at rest (approvals/crypto/fields.py), kept out of the route, and masked for those not entitled.
SENSITIVE_KINDS = ("id_number", "phone", "personal")
SENSITIVE_TYPES = ("string", "text")


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    label: str
    label_en: str = ""
    required: bool = False
    required_if: str | None = None
    min: str | None = None
    max: str | None = None
    minlength: int | None = None
    maxlength: int | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for enums
    accept: tuple[str, ...] = ()  # attachment kinds (approvals/uploads.py); () = every kind
    sensitive: str | None = None  # one of SENSITIVE_KINDS: sealed at rest, masked for the unentitled
    # An expression of the language (e.g. ``working_days(depart_on, return_on)``) the server
    # works the value out with; nobody types it.
    computed: str | None = None
    row_of: str | None = None  # a column of the detail rows (明细) field of that id
    columns: tuple[FieldDef, ...] = ()  # a ``rows`` field's columns, in order


def sensitive_names(fields: tuple[FieldDef, ...]) -> frozenset[str]:
    """The fields whose values are sealed at rest and never given to the route."""
    return frozenset(f.name for f in fields if f.sensitive)


def _sensitive(props: dict[str, str], ftype: str, here: str, issues: list[Issue]) -> str | None:
    kind = props.get("sensitive")
    if kind is None:
        return None
    if kind not in SENSITIVE_KINDS:
        issues.append(Issue(f"{here} property sensitive", kind, f"expected one of {', '.join(SENSITIVE_KINDS)}"))
        return None
    if ftype not in SENSITIVE_TYPES:
        issues.append(Issue(f"{here} property sensitive", kind,
                            f"only a {' or '.join(SENSITIVE_TYPES)} field can be sensitive (this one is {ftype}): "
                            "its value is stored as sealed text"))
        return None
    return kind


def _field(node: Any, where: str, issues: list[Issue]) -> FieldDef | None:
    name = node.get("id")
    ftype = node.get("type", "string")
    here = f"{where} field {name!r}"
    if not name:
        issues.append(Issue(where, None, "a camunda:formField needs an id (the field name)"))
        return None
    if ftype not in TYPES:
        issues.append(Issue(f"{here} type", ftype, f"expected one of {', '.join(TYPES)}"))
        return None
    rules: dict[str, Any] = {}
    for c in node.xpath("./camunda:validation/camunda:constraint", namespaces=NS):
        cname = c.get("name")
        if cname not in CONSTRAINTS:
            issues.append(Issue(f"{here} constraint", cname, f"expected one of {', '.join(CONSTRAINTS)}"))
            continue
        rules[cname] = c.get("config")
    props = {p.get("id") or p.get("name"): p.get("value", "")
             for p in node.xpath("./camunda:properties/camunda:property", namespaces=NS)}
    options = tuple((v.get("id"), v.get("name") or v.get("id")) for v in node.xpath("./camunda:value", namespaces=NS))
    if ftype == "enum" and not options:
        issues.append(Issue(here, None, "an enum field needs camunda:value children"))
    try:
        lengths = {k: int(rules[k]) for k in ("minlength", "maxlength") if rules.get(k)}
    except ValueError:
        issues.append(Issue(f"{here} length constraint", rules, "expected an integer config"))
        lengths = {}
    accept, unknown = uploads.accept_property(props.get("accept", ""))
    if unknown:
        issues.append(Issue(f"{here} property accept", ", ".join(unknown),
                            f"expected kinds among {', '.join(uploads.KINDS)}"))
    return FieldDef(name, ftype, node.get("label") or name, props.get("label_en", ""),
                    "required" in rules, rules.get("required_if"), rules.get("min"), rules.get("max"),
                    lengths.get("minlength"), lengths.get("maxlength"), options, accept,
                    _sensitive(props, ftype, here, issues), props.get("computed") or None,
                    props.get("row_of") or None)


def parse_form(element: Any, where: str, issues: list[Issue]) -> tuple[FieldDef, ...]:
    """A form's fields; a detail rows (明细) field carries its columns (the fields whose property
    ``row_of`` names it), which are not fields of the form themselves."""
    nodes = element.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=NS)
    fields = [f for f in (_field(n, where, issues) for n in nodes) if f is not None]
    columns = [f for f in fields if f.row_of]
    tables = {f.name for f in fields if f.type == "rows"}
    for col in columns:
        here = f"{where} field {col.name!r} property row_of"
        if col.row_of not in tables:
            issues.append(Issue(here, col.row_of, "expected the id of a field of type rows (明细) on this form"))
        elif col.type not in ROW_TYPES or col.computed or col.required_if:
            issues.append(Issue(here, col.type, f"a column takes one of {', '.join(ROW_TYPES)}, with "
                                                "no computed value and no required_if"))
    for fd in fields:
        here = f"{where} field {fd.name!r}"
        if fd.type == "rows" and not any(c.row_of == fd.name for c in columns):
            issues.append(Issue(here, None, "a rows (明细) field needs columns: fields with property row_of naming it"))
        if fd.computed and (fd.type not in ("long", "string", "date") or fd.required or fd.required_if):
            issues.append(Issue(f"{here} property computed", fd.type,
                                "a computed field is a long, string or date, and never required (nobody types it)"))
    return tuple(replace(f, columns=tuple(c for c in columns if c.row_of == f.name)) if f.type == "rows" else f
                 for f in fields if not f.row_of)


# ---- validation ---------------------------------------------------------------------------


# Defaults when the process sets no rule of its own (docs/processes.md, "Field limits"): a
# person typing 10**30 participants or a leave ending 9999-12-31 has made a typo, and a
# number or date far outside these ranges breaks sorting, arithmetic and other systems.
LONG_LIMIT = 10**9
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
TEXT_LIMITS = {"string": text.LINE_LENGTH, "text": text.TEXT_LENGTH, "attachment": text.LINE_LENGTH}

# Only the ASCII digits: int() also reads '１２', '٣', '1_000' and '\u3000 12', which a person
# did not mean as a number and other systems reading the stored value would not.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_DIGITS = 18  # more is out of any range here, and int() of 5,000 digits is not cheap
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ASCII_SPACE = " \t\r\n"


def _literal(spec: str | None, pattern: re.Pattern[str]) -> bool:
    """A bound written as a fixed value (``max="500"``), which replaces the default range;
    a bound like ``today`` or another field's name is checked in addition to it."""
    return spec is not None and pattern.fullmatch(spec) is not None


def _to_long(fd: FieldDef, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ValueError("expected a whole number")
    written = str(raw).strip(_ASCII_SPACE)
    if not _WHOLE_NUMBER.fullmatch(written):
        raise ValueError("expected a whole number")
    if len(written.lstrip("+-")) > _DIGITS:  # out of any range here; int() of it is not cheap
        raise ValueError(f"must be at least {-LONG_LIMIT}" if written.startswith("-")
                         else f"must be at most {LONG_LIMIT}")
    number = int(written)
    if number > LONG_LIMIT and not _literal(fd.max, _WHOLE_NUMBER):
        raise ValueError(f"must be at most {LONG_LIMIT}")
    if number < -LONG_LIMIT and not _literal(fd.min, _WHOLE_NUMBER):
        raise ValueError(f"must be at least {-LONG_LIMIT}")
    return number


def _to_date(fd: FieldDef, raw: Any) -> str:
    given = raw.isoformat() if isinstance(raw, date) else str(raw).strip(_ASCII_SPACE)
    try:
        if not _ISO_DATE.fullmatch(given):  # fromisoformat also reads 20240101 and 2024-W01-1
            raise ValueError
        day = date.fromisoformat(given)
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None
    if day > LATEST and not _literal(fd.max, _ISO_DATE):
        raise ValueError(f"must not be after {LATEST.isoformat()}")
    if day < EARLIEST and not _literal(fd.min, _ISO_DATE):
        raise ValueError(f"must not be before {EARLIEST.isoformat()}")
    return day.isoformat()


def _to_text(fd: FieldDef, raw: Any) -> str:
    """Characters refused in every text (approvals/text.py), and the default length unless
    the process sets a ``maxlength`` of its own."""
    value = str(raw).strip()
    limit = fd.maxlength if fd.maxlength is not None else TEXT_LIMITS[fd.type]
    reason = text.problem(value, limit)
    if reason is not None:
        raise ValueError(reason)
    return value


def _to_boolean(fd: FieldDef, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on", "是"):
        return True
    if text in ("false", "0", "no", "off", "否", ""):
        return False
    raise ValueError("expected true or false")


def _to_enum(fd: FieldDef, raw: Any) -> str:
    value = str(raw).strip()
    allowed = [v for v, _ in fd.options]
    if value not in allowed:
        raise ValueError(f"expected one of {', '.join(allowed)}")
    return value


_CONVERTERS = {"long": _to_long, "date": _to_date, "boolean": _to_boolean, "enum": _to_enum,
               "string": _to_text, "text": _to_text, "attachment": _to_text}


def _convert(fd: FieldDef, raw: Any) -> Any:
    """Text (CLI, HTML form) or already-typed values (API) to the field's type."""
    return _CONVERTERS[fd.type](fd, raw)


def _bound(fd: FieldDef, spec: str, values: Mapping[str, Any], today: str) -> Any:
    if fd.type == "date":
        if spec == "today":
            return today
        if spec in values:
            return values[spec]
        return spec
    return int(spec)


def _check_bounds(fd: FieldDef, value: Any, values: Mapping[str, Any], today: str) -> str | None:
    if fd.type in ("long", "date"):
        low = _bound(fd, fd.min, values, today) if fd.min else None
        high = _bound(fd, fd.max, values, today) if fd.max else None
        if low is not None and value < low:
            return f"must not be before {low}" if fd.type == "date" else f"must be at least {low}"
        if high is not None and value > high:
            return f"must not be after {high}" if fd.type == "date" else f"must be at most {high}"
    if fd.type in ("string", "text"):
        if fd.minlength and len(value) < fd.minlength:
            return f"must have at least {fd.minlength} characters"
    return None


def _is_required(fd: FieldDef, values: Mapping[str, Any], variables: Mapping[str, Any]) -> bool:
    if fd.required:
        return True
    if fd.required_if:
        return bool(evaluate(fd.required_if, {**variables, **values}))
    return False


def _shown(given: Any) -> Any:
    """A refused value as the message repeats it (Issue prints it with repr(), which escapes
    hidden characters): a 5,000-character text is cut."""
    if not isinstance(given, str) or len(given) <= 80:
        return given
    return f"{given[:80]}… ({len(given)} characters)"


def _left_empty(fd: FieldDef, given: Any) -> tuple[bool, str | None]:
    """Whether ``given`` counts as left out (None, or text showing nothing: spaces, zero-width
    spaces and the like), and the first invisible character it held."""
    if given is None:
        return True, None
    if isinstance(given, str) and fd.type != "boolean" and text.blank(given):
        return True, text.first_invisible(given)
    return False, None


def _required(fd: FieldDef, hidden: str | None) -> Issue:
    """"is required"; for a value of only zero-width spaces and the like, which every page
    shows as empty, it says so, naming the character, so the person knows why."""
    if hidden is None:
        return Issue(f"field {fd.name!r} ({fd.label})", None, "is required")
    return Issue(f"field {fd.name!r} ({fd.label})", None,
                 f"is required: it holds only invisible characters ({text.describe(hidden)}), which show as nothing")


def validate(
    fields: tuple[FieldDef, ...],
    raw: Mapping[str, Any],
    *,
    today: str,
    partial: bool = False,
    variables: Mapping[str, Any] | None = None,
    calendar: Any = None,
) -> dict[str, Any]:
    """Typed values for every field (None when left out), or FieldError listing every issue.

    ``partial`` is the route preview: fields given are checked, fields left out are not demanded.
    ``calendar`` (the organization's WorkingCalendar) is what ``working_days`` in a computed
    field counts with. A computed field's value is always the server's: one sent is ignored.
    """
    raw = {k: v for k, v in raw.items() if not any(f.name == k and f.computed for f in fields)}
    known = {f.name for f in fields}
    issues = [Issue(f"field {k!r}", None,
                    f"is not a field of this form; expected {', '.join(sorted(known))}")
              for k in raw if k not in known]
    values: dict[str, Any] = {}
    refused: set[str] = set()
    invisible: dict[str, str | None] = {}  # a field left empty: the invisible character it held, if any
    for fd in fields:
        values[fd.name] = _read(fd, raw.get(fd.name), today, partial, issues, refused, invisible)
    _compute(fields, values, variables or {}, calendar, issues)
    for fd in fields:
        value = values[fd.name]
        if value is None or value == []:
            if fd.name in refused:  # given but not usable: "is required" as well would mislead
                continue
            if not partial and _is_required(fd, values, variables or {}):
                issues.append(_required(fd, invisible.get(fd.name)))
            continue
        problem = _check_bounds(fd, value, {**(variables or {}), **values}, today)
        if problem:
            issues.append(Issue(f"field {fd.name!r} ({fd.label})", value, problem))
    if issues:
        raise FieldError(issues)
    return values


def _read(fd: FieldDef, given: Any, today: str, partial: bool, issues: list[Issue], refused: set[str],
          invisible: dict[str, str | None]) -> Any:
    """One field's typed value (None: left out, computed, or refused with an issue)."""
    empty, invisible[fd.name] = _left_empty(fd, given)
    if fd.type == "rows" and not empty:
        return _rows(fd, given, today, partial, issues)
    if empty or fd.computed:
        return None
    try:
        return _convert(fd, given)
    except ValueError as exc:
        issues.append(Issue(f"field {fd.name!r} ({fd.label})", _shown(given), str(exc)))
        refused.add(fd.name)
        return None


def _rows(fd: FieldDef, given: Any, today: str, partial: bool, issues: list[Issue]) -> list[dict[str, Any]]:
    """Detail rows (明细): a list of rows, each a mapping of column to value, every row checked
    against the columns; a row left wholly blank is dropped (a form's spare lines)."""
    if isinstance(given, str):  # the CLI's --set legs='[{"from": ...}]'
        try:
            given = json.loads(given)
        except ValueError:
            given = None
    if not isinstance(given, list) or not all(isinstance(r, Mapping) for r in given):
        issues.append(Issue(f"field {fd.name!r} ({fd.label})", _shown(str(given)),
                            "expected a list of rows, each a mapping of column to value"))
        return []
    kept = [r for r in given if any(not _left_empty(c, r.get(c.name))[0] for c in fd.columns)]
    if len(kept) > MAX_ROWS:
        issues.append(Issue(f"field {fd.name!r} ({fd.label})", len(kept), f"has more than {MAX_ROWS} rows"))
        return []
    rows = []
    for number, row in enumerate(kept, 1):
        try:
            rows.append(validate(fd.columns, row, today=today, partial=partial))
        except FieldError as exc:
            issues.extend(Issue(f"field {fd.name!r} ({fd.label}) row {number} {i.where}", i.value, i.message)
                          for i in exc.issues)
    return rows


def _compute(fields: tuple[FieldDef, ...], values: dict[str, Any], variables: Mapping[str, Any],
             calendar: Any, issues: list[Issue]) -> None:
    """Work out the computed fields, in the form's order (a later one may read an earlier one)."""
    for fd in fields:
        if not fd.computed:
            continue
        try:
            result = evaluate(fd.computed, {**variables, **values, CALENDAR: calendar})
            values[fd.name] = None if result is None else _convert(fd, result)
        except (ExpressionError, ValueError) as exc:
            issues.append(Issue(f"field {fd.name!r} ({fd.label}) computed", fd.computed, str(exc)))
            values[fd.name] = None
