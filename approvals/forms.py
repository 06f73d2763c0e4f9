"""Request and report forms: field definitions read from BPMN, and typed validation.

The same definitions generate the web form and check the CLI's ``--set`` values, so a rule
(required, min date, ``required_if``) is written once, in the process file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from approvals.errors import FieldError, Issue
from approvals.expressions import evaluate

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
TYPES = ("string", "text", "long", "date", "boolean", "enum", "attachment")
CONSTRAINTS = ("required", "required_if", "min", "max", "minlength", "maxlength", "readonly")


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
    return FieldDef(name, ftype, node.get("label") or name, props.get("label_en", ""),
                    "required" in rules, rules.get("required_if"), rules.get("min"), rules.get("max"),
                    lengths.get("minlength"), lengths.get("maxlength"), options)


def parse_form(element: Any, where: str, issues: list[Issue]) -> tuple[FieldDef, ...]:
    nodes = element.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=NS)
    fields = [f for f in (_field(n, where, issues) for n in nodes) if f is not None]
    return tuple(fields)


# ---- validation ---------------------------------------------------------------------------


def _to_long(fd: FieldDef, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError("expected a whole number")
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ValueError("expected a whole number") from None


def _to_date(fd: FieldDef, raw: Any) -> str:
    text = raw.isoformat() if isinstance(raw, date) else str(raw).strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None


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


_CONVERTERS = {"long": _to_long, "date": _to_date, "boolean": _to_boolean, "enum": _to_enum}


def _convert(fd: FieldDef, raw: Any) -> Any:
    """Text (CLI, HTML form) or already-typed values (API) to the field's type."""
    converter = _CONVERTERS.get(fd.type)
    return converter(fd, raw) if converter else str(raw).strip()


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
        if fd.maxlength and len(value) > fd.maxlength:
            return f"must have at most {fd.maxlength} characters"
    return None


def _is_required(fd: FieldDef, values: Mapping[str, Any], variables: Mapping[str, Any]) -> bool:
    if fd.required:
        return True
    if fd.required_if:
        return bool(evaluate(fd.required_if, {**variables, **values}))
    return False


def validate(
    fields: tuple[FieldDef, ...],
    raw: Mapping[str, Any],
    *,
    today: str,
    partial: bool = False,
    variables: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Typed values for every field (None when left out), or FieldError listing every issue.

    ``partial`` is the route preview: fields given are checked, fields left out are not demanded.
    """
    known = {f.name for f in fields}
    issues = [Issue(f"field {k!r}", None, f"is not a field of this form; expected {', '.join(sorted(known))}")
              for k in raw if k not in known]
    values: dict[str, Any] = {}
    for fd in fields:
        given = raw.get(fd.name)
        if given is None or (isinstance(given, str) and not given.strip() and fd.type != "boolean"):
            values[fd.name] = None
            continue
        try:
            values[fd.name] = _convert(fd, given)
        except ValueError as exc:
            issues.append(Issue(f"field {fd.name!r} ({fd.label})", given, str(exc)))
            values[fd.name] = None
    for fd in fields:
        value = values[fd.name]
        if value is None:
            if not partial and _is_required(fd, values, variables or {}):
                issues.append(Issue(f"field {fd.name!r} ({fd.label})", None, "is required"))
            continue
        problem = _check_bounds(fd, value, {**(variables or {}), **values}, today)
        if problem:
            issues.append(Issue(f"field {fd.name!r} ({fd.label})", value, problem))
    if issues:
        raise FieldError(issues)
    return values
