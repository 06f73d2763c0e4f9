"""Finding a person to pick by what a user types: the name, the unit, the title, or pinyin
(full or initials: "hp" and "heping" find 何平, "cw" finds 财务与资金运用科's people).

The search words are computed once per chart version; the same words drive the page's
filter box (static/picker.js, ``data-search``) and the no-script search (``?q=``)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from approvals.people.orgchart.model import OrgChart, Person


def _pinyin(text: str) -> str:
    full = "".join(lazy_pinyin(text))
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return f"{full} {initials}"


@lru_cache(maxsize=4096)
def _words(name: str, unit: str, title: str, person_id: str) -> str:
    return " ".join((name, _pinyin(name), unit, _pinyin(unit), title, person_id)).lower()


def search_words(chart: OrgChart, person: Person) -> str:
    unit = chart.units[person.unit].name if person.unit in chart.units else ""
    return _words(person.name, unit, person.title, person.id)


def matches(chart: OrgChart, person: Person, query: str) -> bool:
    """Every word of ``query`` is found in the person's search words."""
    words = search_words(chart, person)
    return all(part in words for part in query.lower().split())
