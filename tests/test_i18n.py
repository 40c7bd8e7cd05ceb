"""The Korean interface is Korean everywhere: every page and every figure, hover text and buttons included.

An English word of the English string table (one that the Korean table does not use itself, like
"softmax") must not appear among the strings a Korean user sees. Tokens (the user's own text on the
axes) and numbers aside.
"""

from __future__ import annotations

import re

import pytest

from attention.i18n import en, ko
from tests.helpers import CROSS, HEADS, HOME, SELF, STEPS, charts, open_app, set_widgets

WORD = re.compile(r"[A-Za-z]{3,}")
KOREAN_WORDS = {w.lower() for value in ko.STRINGS.values() for w in WORD.findall(value)}
ENGLISH_WORDS = {w.lower() for value in en.STRINGS.values() for w in WORD.findall(value)} - KOREAN_WORDS
# Plotly's own template syntax and CSS names are not words a user reads.
MARKUP = {"extra", "customdata", "right", "top", "bottom", "left"}


def visible_strings(at) -> list[str]:
    """Every string the page shows: text elements, widget labels and help, and the charts' words."""
    strings = [
        str(e.value)
        for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error")
        for e in getattr(at, kind)
    ]
    for kind in (
        "text_input",
        "toggle",
        "slider",
        "select_slider",
        "selectbox",
        "radio",
        "button",
        "segmented_control",
    ):
        for widget in getattr(at, kind, []):
            strings += [str(getattr(widget, "label", "") or ""), str(getattr(widget, "help", "") or "")]
    for figure in charts(at):
        strings += chart_words(figure)
    return strings


def chart_words(figure: dict) -> list[str]:
    """The strings of a figure that are the app's, not the user's: titles, hover templates, tick texts,
    annotations, colour bars and buttons (the traces' x and y, the tokens, are left out)."""
    found: list[str] = []

    def walk(value, key: str = "") -> None:
        if key in ("x", "y", "z", "customdata", "text", "ids") and isinstance(value, (list, dict)) and key != "text":
            return
        if isinstance(value, str):
            if key in ("text", "hovertemplate", "ticktext", "label", "name", "title", "title_text"):
                found.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)

    walk({k: v for k, v in figure.items()})
    return found


def english_words(strings: list[str]) -> set[str]:
    return {w.lower() for s in strings for w in WORD.findall(s)} & ENGLISH_WORDS - MARKUP


@pytest.mark.parametrize(
    ("page", "widgets"),
    [
        (HOME, {}),
        (CROSS, {"show_values": True}),
        (CROSS, {"transpose": True, "temperature": 2.0, "components": "pca"}),
        (SELF, {"causal": True}),
        (CROSS, {"quiz": True}),
        (SELF, {"quiz": True, "transpose": True}),
        (STEPS, {}),
        (HEADS, {}),
        (HEADS, {"heads_average": True}),
        ("pages/5_Compare.py", {}),
        ("pages/5_Compare.py", {"compare_kind": "settings"}),
        ("pages/5_Compare.py", {"compare_kind": "models"}),
    ],
)
def test_every_page_and_figure_is_korean(page, widgets):
    query = {"lang": "ko", "source": "이것은 예입니다", "target": "これは例です", "sentence": "이것은 예입니다"}
    at = open_app(page, query=query, model=None)  # the default, multilingual model
    if widgets:
        set_widgets(at, **widgets)
    strings = visible_strings(at)
    assert len(strings) > 5
    assert not english_words(strings), sorted(english_words(strings))


def test_the_check_finds_english_when_there_is_some():
    at = open_app(CROSS)  # the English interface
    assert english_words(visible_strings(at))
