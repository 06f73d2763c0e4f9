"""Languages: Chinese by default, English on request; every UI string goes through gettext.

The catalog lives in ``web/translations/zh/`` (Babel ignores ``zh_CN``; it would look for
``zh_Hans_CN``). Message ids are English, so English needs no catalog of its own.
Process files carry their own labels (``label`` in Chinese, ``label_en``), chosen here.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import Flask, session
from flask_babel import Babel, get_locale, get_translations
from markupsafe import Markup

from web.pagememo import once

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT


def _translations() -> NullTranslations:
    """The page's catalog, found once per request: Flask-Babel looks up the domain, the locale
    and the catalog on every call (about 11 µs), and a list page of 50 rows makes hundreds."""
    return once("translations", get_translations)


def gettext(string: str, **variables: Any) -> str:
    """``flask_babel.gettext`` with the catalog found once per request."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def template_gettext(string: str, **variables: Any) -> Markup:
    """Jinja's newstyle ``_()`` without its second trip through the template context (about
    10 µs a call; an inbox page makes a few per row). Same meaning: every page here is
    autoescaped HTML, the translation is trusted and the variables are escaped into it, and
    the string is always a format string (a literal percent sign is written ``%%``)."""
    return Markup(_translations().ugettext(string)) % variables


def is_english() -> bool:
    """Asked for every label of every row; the answer is kept for the request."""
    return once("english", _locale_is_english)


def _locale_is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def localized(zh: str, en: str | None) -> str:
    """A label from a process file: Chinese always exists, English only when someone wrote it."""
    return en if en and is_english() else zh


def field_label(field: Any) -> str:
    return localized(field.label, getattr(field, "label_en", ""))


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # templates too: the catalog once per request
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        field_label=field_label,
        localized=localized,
        current_language=select_locale,
    )
