"""The org chart loader's issues as sentences in the page's language, naming things in words.

The loader (approvals/people/orgchart/loader.py, yamlread.py) speaks English and names places by key
path (``units[finance].head``) so the CLI and the editor's line finder agree. An HR head reads
"单位 财务与资金运用科 的 主要负责人：找不到编号为 he.pin 的人员（是否想写 he.ping？）" instead:
this module reads the path (unit, person, post, duty, field) and the message pattern and says
both in words. Names come from the chart in force; a unit or person only the edited text has
is named by its id. A message no pattern knows is shown as the loader wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from approvals.errors import Issue
from approvals.people.orgchart.model import OrgChart
from web import labels
from web.i18n import gettext as _

FIELD = {
    "id": _l("id"),
    "name": _l("name"),
    "kind": _l("kind"),
    "head": _l("head"),
    "deputies": _l("deputies"),
    "supervisor": _l("supervising leader"),
    "unit": _l("unit"),
    "title": _l("title"),
    "grade": _l("grade"),
    "processes": _l("processes"),
    "risk_areas": _l("risk areas"),
    "time_zone": _l("time zone"),
    "organization": _l("organization"),
    "units": _l("units"),
    "people": _l("people"),
    "posts": _l("posts"),
    "duties": _l("duties"),
}

_AT = re.compile(r"^line (\d+)(?:, column (\d+))?$")
_ITEM = re.compile(r"^(units|people)\[([^\]]*)\](?:\.(\w+))?(?:\[\d+\])?$")
_DID_YOU_MEAN = re.compile(r"did you mean '?([^'?]+)'?\?")


def field_word(key: str) -> str:
    return str(FIELD.get(key, key))


def place(where: str, chart: OrgChart | None) -> str:
    """``units[finance].head`` -> "unit 财务与资金运用科, field head" in the page's language."""
    if where in ("(file)", "(top level)", ""):
        return _("The file")
    at = _AT.match(where)
    if at:
        return _("Line %(line)s", line=at[1])
    item = _ITEM.match(where)
    if item:
        kind, key, field = item[1], item[2], item[3]
        if kind == "units":
            unit = chart.units.get(key) if chart else None
            thing = _("unit %(name)s", name=unit.name if unit else key)
        else:
            person = chart.people.get(key) if chart else None
            thing = _("person %(name)s", name=person.name if person else key)
        return _("%(thing)s, field %(field)s", thing=thing, field=field_word(field)) if field else thing
    head, _sep, rest = where.partition(".")
    if head == "posts" and rest:
        return _("post %(name)s", name=labels.role(chart, rest))
    if head == "duties" and rest:
        return _("duty %(name)s", name=labels.duty(chart, rest) if chart else rest)
    if head == "organization":
        return _("organization, field %(field)s", field=field_word(rest.split(".")[0] or "organization"))
    return _("field %(field)s", field=field_word(where))


def _guess(message: str) -> str:
    match = _DID_YOU_MEAN.search(message)
    return _(" (did you mean %(guess)s?)", guess=match[1]) if match else ""


Words = Callable[[re.Match[str], str], str]

_MESSAGES: list[tuple[re.Pattern[str], Words]] = [
    (re.compile(r"^no person with this id under people"),
     lambda m, msg: _("there is no person with this id in the people list%(guess)s.", guess=_guess(msg))),
    (re.compile(r"^no unit with this id under units"),
     lambda m, msg: _("there is no unit with this id in the units list%(guess)s.", guess=_guess(msg))),
    (re.compile(r"^no process with this id in processes/ \(known: (.*?)\)"),
     lambda m, msg: _("there is no process with this id (known: %(known)s).", known=m[1])),
    (re.compile(r"^is missing; this key is required"), lambda m, msg: _("is missing; it must be given.")),
    (re.compile(r"^is empty; this key is required"), lambda m, msg: _("is empty; it must be filled in.")),
    (re.compile(r"^unknown key; expected one of ([^;(]*)"),
     lambda m, msg: _("is not a field of the chart; the fields here are %(keys)s%(guess)s.",
                      keys=m[1].strip(), guess=_guess(msg))),
    (re.compile(r"^expected one of ([^(]*)"), lambda m, msg: _("must be one of %(values)s.", values=m[1].strip())),
    (re.compile(r"^not a valid id"),
     lambda m, msg: _("is not a valid id: use lowercase letters a-z, digits and . _ - (e.g. zhao.lei).")),
    (re.compile(r"^expected a list, found"),
     lambda m, msg: _("must be a list in brackets, e.g. [wu.min] for one person.")),
    (re.compile(r"^expected text, found"),
     lambda m, msg: _("must be text; put it in quotes if it looks like a number or date.")),
    (re.compile(r"^expected a mapping"), lambda m, msg: _("must be indented 'name: value' lines.")),
    (re.compile(r"^not an IANA time zone name"),
     lambda m, msg: _("is not a time zone; write a name such as Asia/Shanghai%(guess)s.", guess=_guess(msg))),
    (re.compile(r"^duplicate (\w+) id"), lambda m, msg: _("this id is used twice; every id must be unique.")),
    (re.compile(r"^a person belongs to exactly one unit"),
     lambda m, msg: _("a person belongs to exactly one unit; give one unit id, not a list.")),
    (re.compile(r"^a supervisor \(分管局领导\) must be a member of a leadership unit"),
     lambda m, msg: _("a supervising leader must be a member of the leadership (局领导班子).")),
    (re.compile(r"^this name is taken by a built-in role"),
     lambda m, msg: _("this post name is taken by a built-in role; rename the post.")),
    (re.compile(r"^key given twice \(lines (\d+) and (\d+)\)"),
     lambda m, msg: _("the same field is given twice (lines %(a)s and %(b)s); delete or rename one.", a=m[1], b=m[2])),
    (re.compile(r"^not valid YAML: .*quote values that look like dates"),
     lambda m, msg: _("a value looks like a date but is none; put it in quotes.")),
    (re.compile(r"^not valid YAML"),
     lambda m, msg: _("the layout is broken here: indent with spaces (not tabs), line up items of the same "
                      "list, and put text containing ': ' or ' #' in quotes.")),
    (re.compile(r"^not UTF-8 text \(byte (\d+)"),
     lambda m, msg: _("the file is not saved as UTF-8 (byte %(n)s); save it as UTF-8 and upload it again.", n=m[1])),
    (re.compile(r"^(?:the file contains|this value) .*(?:NUL|control|bidirectional|surrogate)"),
     lambda m, msg: _("contains an invisible control character; retype the line. (%(detail)s)", detail=msg)),
    (re.compile(r"^anchors \(&name\) and aliases"),
     lambda m, msg: _("anchors (&) and aliases (*) are not accepted; write each value out in full.")),
    (re.compile(r"^the file is larger than ([\d,]+) bytes"),
     lambda m, msg: _("the file is larger than %(n)s bytes, the most an org chart may have; split a very large "
                      "organization in two.", n=m[1])),
    (re.compile(r"^(more than|nested more than|a value of)"),
     lambda m, msg: _("the file is too large or too deeply nested for an org chart. (%(detail)s)", detail=msg)),
]


def issue_sentence(issue: Issue, chart: OrgChart | None) -> str:
    """One sentence: where, in words, then what is wrong and how to fix it."""
    for pattern, words in _MESSAGES:
        match = pattern.search(issue.message)
        if match:
            said = words(match, issue.message)
            break
    else:
        said = issue.message
    found = "" if issue.value is None or issue.value == "" else _(" (found %(value)s)", value=issue.value)
    sentence = _("%(where)s%(found)s: %(what)s", where=place(issue.where, chart), what=said, found=found)
    return sentence.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate quoted back: '?'

