"""Which characters free text may hold, and how long it may be: one rule for every text a
person types (form fields, decision comments, org chart files, reasons, report fields).

Refused everywhere, with the position of the first offending character:

- NUL and the other C0/C1 control characters (tab, newline and carriage return are fine):
  PostgreSQL refuses NUL in text outright, and the others are invisible in every page;
- bidirectional-text controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C): an
  RTL override shows ``exe.pdf`` as ``fdp.exe`` and makes an approver read a different
  comment than the one stored (the "Trojan Source" trick);
- lone surrogates (U+D800–U+DFFF): not characters at all, they cannot be encoded as UTF-8,
  so a page showing one fails.

Lengths are counted in characters (a Chinese character counts one).

A text of nothing but spaces and invisible characters (zero-width spaces, joiners, the BOM,
Hangul fillers: ``blank``) shows as nothing on every page, so a required field holding one
is empty, not filled.
"""

from __future__ import annotations

import re
import unicodedata

from approvals.errors import FieldError, Issue

LINE_LENGTH = 200  # a one-line value (a form's ``string`` field, a reason) unless a rule says otherwise
TEXT_LENGTH = 5000  # a multi-line value (a form's ``text`` field, a comment)

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_REFUSED = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}\\ud800-\\udfff]")


def _kind(char: str) -> str:
    """Why ``char`` (one that ``_REFUSED`` matches) is refused."""
    code = ord(char)
    if code == 0:
        return "a NUL character"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "a control character"
    if 0xD800 <= code <= 0xDFFF:
        return "a lone surrogate, which is not a character"
    return "a bidirectional-text control, which can disguise what the text says"


def first_bad(text: str) -> tuple[int, str] | None:
    """(0-based index, reason) of the first refused character, or None (one regular
    expression scan: ~1 ms for 500 kB)."""
    match = _REFUSED.search(text)
    return None if match is None else (match.start(), _kind(match[0]))


# Characters that show nothing besides spaces: every format character (Unicode category Cf:
# U+200B ZERO WIDTH SPACE, U+200C/U+200D joiners, U+2060 WORD JOINER, U+FEFF, U+00AD SOFT
# HYPHEN, the bidirectional controls) and the letters fonts draw as blanks.
_BLANK_LETTERS = "\u115f\u1160\u2800\u3164\uffa0"


def _invisible(char: str) -> bool:
    return char.isspace() or char in _BLANK_LETTERS or unicodedata.category(char) == "Cf"


def blank(text: str) -> bool:
    """Whether ``text`` shows nothing: empty, or only spaces and invisible characters."""
    return all(_invisible(char) for char in text)


def first_invisible(text: str) -> str | None:
    """The first invisible character that is not a space (to name it), or None."""
    return next((char for char in text if _invisible(char) and not char.isspace()), None)


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: the code point and, where Unicode has one, its name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name})" if name else f"U+{ord(char):04X}"


def problem(text: str, max_length: int | None = None) -> str | None:
    """Why ``text`` is refused (a sentence a person can act on), or None when it is fine."""
    if max_length is not None and len(text) > max_length:
        return f"must have at most {max_length} characters"
    bad = first_bad(text)
    if bad is None:
        return None
    index, reason = bad
    return (f"contains {reason}, {describe(text[index])}, at character {index + 1}; "
            "remove it (retyping the text usually does)")


def checked(where: str, text: str, max_length: int | None = TEXT_LENGTH) -> str:
    """``text`` unchanged, or FieldError naming ``where`` (``comment``, ``field 'reason'``)."""
    reason = problem(text, max_length)
    if reason is not None:
        raise FieldError([Issue(where, short(text), reason)])
    return text


def short(text: str, limit: int = 60) -> str:
    """The value as an Issue repeats it; ``Issue`` prints it with repr(), which shows each
    refused character as an escape (``'\\x00'``, ``'\\u202e'``) rather than carrying it."""
    return text if len(text) <= limit else text[:limit] + "…"


# Cells a spreadsheet program would read as a formula (OWASP, "CSV Injection"): a comment
# "=HYPERLINK(...)" in an exported audit trail must show as text, not run as a link or a
# DDE command when an inspector opens the file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """``value`` for a CSV cell: text that would start a formula gets a leading ``'``,
    which spreadsheet programs show as text and do not display; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
