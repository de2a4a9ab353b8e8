"""What the engine prints to the person running it (problems, usage mistakes, summaries),
in their language: the gettext catalog, Bahasa Indonesia by default, English with
`--lang en` or `SITEGEN_LANG=en`. How the pages write numbers and dates for their readers
is localeformat.py.

Messages are written in the code in English (the gettext message ids) and wrapped in `_()`
or `ngettext()`; `pybabel extract -F babel.cfg -o sitegen/locale/sitegen.pot .` collects
them, and the Indonesian catalog `sitegen/locale/id/LC_MESSAGES/sitegen.po` translates
them. The catalog is read at run time with Babel (no compiled .mo file to keep in step);
tests/test_messages.py fails when a message has no translation or a translation drops a
`{placeholder}`. Placeholders are filled with str.format after translation.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("id", "en")
DEFAULT = "id"
SOURCE = "en"  # the language the message ids are written in
DOMAIN = "sitegen"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_language: str | None = None


def normalise(value: str | None) -> str | None:
    """'en', 'EN', 'en_US.UTF-8' -> 'en'; None for anything not supported."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return code if code in LANGUAGES else None


def language() -> str:
    global _language
    if _language is None:
        _language = normalise(os.environ.get("SITEGEN_LANG")) or DEFAULT
    return _language


def set_language(code: str | None) -> None:
    """Choose the language (None: SITEGEN_LANG, else Indonesian)."""
    global _language
    _language = normalise(code) or normalise(os.environ.get("SITEGEN_LANG")) or DEFAULT


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=4)
def catalog(code: str) -> dict:
    """msgid (or (singular, plural)) -> translation(s), without fuzzy or empty entries."""
    path = po_path(code)
    if not path.is_file():
        return {}
    with open(path, "rb") as fh:
        cat = read_po(fh, locale=code, domain=DOMAIN)
    out: dict = {}
    for message in cat:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (list, tuple)):
            strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
            if all(strings):
                out[tuple(message.id)] = strings
        elif message.string:
            out[message.id] = message.string
    return out


def _(message: str) -> str:
    """The message in the current language."""
    code = language()
    if code == SOURCE:
        return message
    return catalog(code).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    code = language()
    if code != SOURCE:
        forms = catalog(code).get((singular, plural))
        if forms:  # Indonesian has one plural form; a two-form language counts like English
            return forms[0] if len(forms) == 1 else forms[0 if n == 1 else 1]
    return singular if n == 1 else plural


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a constant); it is translated
    with _() where it is used."""
    return message


def number(n: int) -> str:
    """A count in a message, with the current language's thousands separator
    (1.048.576 in Indonesian, 1,048,576 in English)."""
    text = f"{n:,}"
    return text if language() == SOURCE else text.replace(",", ".")
