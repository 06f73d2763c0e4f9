"""Sensitive form fields (``<camunda:property id="sensitive" value="id_number"/>``) at rest.

Where a request's field values live, and what each place holds of a sensitive one:

    requests.fields_json        sealed (SM4-GCM under the current data key, key id in the value)
    audit_entries.detail        sealed, as submitted: the chain hashes what was stored then
    the SpiffWorkflow state     nothing: conditions may not read a sensitive field (refused at
                                load), so the route is never given one (process/routes.py)

Sealing the state's copy instead would have meant re-sealing a serialized workflow on every
key rotation and keeping the routing engine away from key errors; leaving the value out costs
nothing, since no route may depend on it.

The purpose bound into each value is ``requests.fields.<field name>``: a sealed ID number
copied into the phone field does not open there. Without a data key configured the value is
stored as given (as channel secrets are, approvals/crypto/atrest.py) and still masked on pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from approvals.crypto import atrest
from approvals.process.forms import FieldDef

PURPOSE = "requests.fields.{name}"


def purpose(name: str) -> str:
    return PURPOSE.format(name=name)


def _sensitive(fields: Iterable[FieldDef]) -> list[FieldDef]:
    return [f for f in fields if f.sensitive]


def seal(fields: Iterable[FieldDef], values: Mapping[str, Any], ring: atrest.Keyring | None = None) -> dict[str, Any]:
    """``values`` with each sensitive field's text sealed under the current data key."""
    marked = _sensitive(fields)
    if not marked:
        return dict(values)
    ring = atrest.keyring() if ring is None else ring
    sealed = dict(values)
    for fd in marked:
        value = values.get(fd.name)
        if isinstance(value, str) and value and not atrest.is_sealed(value):
            sealed[fd.name] = atrest.seal_secret(value, purpose(fd.name), ring)
    return sealed


def open_values(fields: Iterable[FieldDef], stored: Mapping[str, Any],
                ring: atrest.Keyring | None = None) -> dict[str, Any]:
    """The plain values; CryptoError naming the field's purpose and key id when one does not open."""
    marked = _sensitive(fields)
    if not marked:
        return dict(stored)
    ring = atrest.keyring() if ring is None else ring
    plain = dict(stored)
    for fd in marked:
        value = stored.get(fd.name)
        if isinstance(value, str) and atrest.is_sealed(value):
            plain[fd.name] = atrest.open_secret(value, purpose(fd.name), ring)
    return plain


def shown(fields: Iterable[FieldDef], stored: Mapping[str, Any], *, reveal: bool,
          ring: atrest.Keyring | None = None) -> tuple[dict[str, Any], list[str]]:
    """What a page shows: the plain values when ``reveal`` (the person is entitled), else each
    sensitive one masked (``110***********1234``); and the sensitive fields revealed with a value,
    for the access log."""
    fields = list(fields)
    plain = open_values(fields, stored, ring)
    marked = [fd.name for fd in _sensitive(fields) if plain.get(fd.name)]
    if reveal:
        return plain, marked
    return {k: atrest.mask(str(v)) if k in marked else v for k, v in plain.items()}, []

