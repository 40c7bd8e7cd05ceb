"""The interface's words in English and Korean: one module of strings per language.

    text("msg.blank", "ko", role=text("role.source", "ko"))

A missing Korean string falls back to English, never to a key; a test checks
that both languages have the same keys and the same placeholders.
"""

from __future__ import annotations

from attention.i18n import en, ko

LANGUAGES = {"en": "English", "ko": "한국어"}
STRINGS = {"en": en.STRINGS, "ko": ko.STRINGS}


def text(key: str, lang: str = "en", **values) -> str:
    """The string ``key`` in ``lang`` (English where unknown), with ``values`` filled in."""
    template = STRINGS.get(lang, en.STRINGS).get(key) or en.STRINGS[key]
    return template.format(**values) if values else template
