"""The interface's strings: the tables hold to account, and the Korean interface is Korean everywhere.

The tables: every key the code uses exists in both languages, with the same format fields, and every
key of the tables is used. The code writes every key in full (no key is built at run time; a key that
depends on a choice comes from a family listed whole in ``attention.i18n``), so a scan of the source's
string literals finds them all.

The Korean interface: an English word of the English string table (one that the Korean table does not
use itself, like "softmax") must not appear among the strings a Korean user sees. Tokens (the user's own
text on the axes) and numbers aside.
"""

from __future__ import annotations

import ast
import re
import string
from functools import reduce
from pathlib import Path

import plotly.graph_objects as go
import pytest

from attention import examples, export, models, options
from attention.compare import BANK_EXAMPLE
from attention.embeddings import ModelLoadError
from attention.i18n import (
    COMPARE_ATTENTION_LABELS,
    COMPARE_KIND_LABELS,
    COMPARE_SETTING_LABELS,
    COMPARE_SETTING_WHAT,
    COMPONENT_LABELS,
    COMPONENT_WORDS,
    DIRECTION_LABELS,
    EXAMPLE_LABELS,
    PROJECTION_CAPTIONS,
    PROJECTION_LABELS,
    STRINGS,
    UNREADABLE_TEXT,
    en,
    ko,
    text,
)
from tests.helpers import CROSS, HEADS, HOME, ROOT, SELF, STEPS, charts, open_app, set_widgets

# Where the interface's code lives (bench/ and deploy/ show no interface strings); the tables themselves aside.
SOURCE_FILES = sorted(
    path
    for path in [*ROOT.glob("attention/**/*.py"), *ROOT.glob("webapp/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
    if path.parent.name != "i18n" or path.name == "__init__.py"
)
KEYS = set(STRINGS["en"])
SECTION_WORDS = {key.split(".")[0] for key in KEYS}  # a key's first word: nav, side, fig, compare...
KEY_SHAPE = re.compile(r"[a-z_]+(\.[A-Za-z0-9_-]+)+")
FILE_NAME = re.compile(r".+\.(safetensors|json|txt|py|js|css|html|csv|svg|png|pdf|bin|npz)")  # model.safetensors


def literals(source: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """A module's string literals, and its strings built from pieces, with their lines.

    A built string (an f-string, or a sum with literal parts) comes as a pattern: its literal parts
    escaped and every other part ``.+`` (``f"role.{role}"`` is ``role\\..+``).
    """
    tree = ast.parse(source)
    built = [node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) or _is_string_sum(node)]
    inside = {id(part) for node in built for part in _pieces(node) if part is not node}
    strings = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside
    ]
    return strings, [(node.lineno, _pattern(node)) for node in built if id(node) not in inside]


def _is_string_sum(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add)
        and any(isinstance(side, ast.Constant) and isinstance(side.value, str) for side in (node.left, node.right))
    )


def _pieces(node: ast.AST) -> list[ast.AST]:
    """The node and its literal pieces (not the expressions inside an f-string's braces)."""
    if isinstance(node, ast.JoinedStr):
        return [node, *(part for part in node.values if isinstance(part, ast.Constant))]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [node, *_pieces(node.left), *_pieces(node.right)]
    return [node] if isinstance(node, ast.Constant) else []


def _pattern(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(_pattern(part) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _pattern(node.left) + _pattern(node.right)
    return ".+"


def looks_like_key(value: str) -> bool:
    """Dotted words whose first is the first word of some key ("side.seed", "fig.word.query")."""
    shaped = KEY_SHAPE.fullmatch(value) and not FILE_NAME.fullmatch(value)
    return bool(shaped) and value.split(".")[0] in SECTION_WORDS


def builds_keys(pattern: str, keys: set[str]) -> bool:
    """A string built from pieces that some key matches: a key's first word and more
    (``f"role.{role}"``), or more and a key's ending (``f"{label}_help"``); not ``f"{prefix}.weight"``."""
    starts_as_key = re.match(r"([a-z_]+)\\.", pattern) and pattern.split("\\.")[0] in SECTION_WORDS
    ends_as_key = re.search(r"\.\+_[a-z_]+$", pattern)
    return bool(starts_as_key or ends_as_key) and any(re.fullmatch(pattern, key) for key in keys)


def key_problems(sources: dict[str, str], keys: set[str]) -> dict[str, list[str]]:
    """What the scan finds wrong in ``sources`` (name -> text) against the table ``keys``: keys used
    but missing, keys built at run time (from pieces, or from a prefix like "nav."), keys never used."""
    used, missing, built = set(), [], []
    for name, source in sources.items():
        strings, patterns = literals(source)
        for line, value in strings:
            if value in keys:
                used.add(value)
            elif looks_like_key(value):
                missing.append(f"{name}:{line}: {value}")
            elif value.endswith(".") and any(key.startswith(value) for key in keys):
                built.append(f"{name}:{line}: {value!r}")
        built += [f"{name}:{line}: {pattern}" for line, pattern in patterns if builds_keys(pattern, keys)]
    return {"missing": missing, "built": built, "unused": sorted(keys - used)}


def format_fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_sections_and_keys_in_the_same_order():
    assert list(en.SECTIONS) == list(ko.SECTIONS)
    for name in en.SECTIONS:
        assert list(en.SECTIONS[name]) == list(ko.SECTIONS[name]), name
    assert len(en.STRINGS) == sum(map(len, en.SECTIONS.values())), "a key stands in two sections"


def test_strings_exist_in_both_languages_with_the_same_placeholders():
    assert STRINGS["en"].keys() == STRINGS["ko"].keys()
    for key in STRINGS["en"]:
        assert format_fields(STRINGS["en"][key]) == format_fields(STRINGS["ko"][key]), key
    assert text("msg.blank", "ko", role=text("role.source", "ko")) == "입력 문장을 입력하면 어텐션이 보인다."


def test_every_key_the_code_uses_exists_and_every_key_is_used():
    sources = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in SOURCE_FILES}
    assert len(sources) > 30 and "pages/0_Home.py" in sources and "attention/i18n/__init__.py" in sources
    problems = key_problems(sources, KEYS)
    assert not problems["missing"], "keys missing from the tables: " + ", ".join(problems["missing"])
    assert not problems["built"], "keys built at run time: " + ", ".join(problems["built"])
    assert not problems["unused"], "keys no code uses: " + ", ".join(problems["unused"])


@pytest.mark.parametrize(
    ("source", "finding"),
    [
        ('st.caption(t("side.bogus"))', "missing"),  # a key used that the tables lack
        ('t(f"role.{role}")', "built"),  # a key built from a prefix
        ('t(label + "_help")', "built"),  # ... or from a suffix
        ('t(title.replace("nav.", "home."))', "built"),
    ],
)
def test_the_scan_finds_a_missing_key_and_a_key_built_at_run_time(source, finding):
    assert key_problems({"page.py": source}, KEYS)[finding]


def test_the_scan_finds_a_key_no_code_uses():
    assert key_problems({"page.py": 't("side.seed")'}, {"side.seed", "side.bogus"})["unused"] == ["side.bogus"]


@pytest.mark.parametrize(
    ("family", "choices"),
    [
        (EXAMPLE_LABELS, examples.EXAMPLES),
        (PROJECTION_LABELS, options.PROJECTIONS),
        (PROJECTION_CAPTIONS, options.PROJECTIONS),
        (COMPONENT_LABELS, options.COMPONENT_MODES),
        (COMPONENT_WORDS, options.COMPONENT_MODES),
        (COMPARE_KIND_LABELS, options.KINDS),
        (COMPARE_ATTENTION_LABELS, options.ATTENTIONS),
        (COMPARE_SETTING_LABELS, options.COMPARED_SETTINGS),
        (COMPARE_SETTING_WHAT, options.COMPARED_SETTINGS),
        (DIRECTION_LABELS, models.TRANSLATION_DIRECTIONS),
        (UNREADABLE_TEXT, ("source", "target")),
    ],
)
def test_each_family_of_keys_has_one_key_per_choice(family, choices):
    assert set(family) == set(choices)
    assert set(family.values()) <= KEYS


def test_errors_for_a_user_speak_the_interface_language(monkeypatch):
    monkeypatch.setattr(export, "image_export_available", lambda: False)  # as on a server without Chromium
    figure = go.Figure()
    with pytest.raises(export.ImageExportError) as error:
        export.figure_image(figure, "png", lang="ko")
    assert str(error.value) == text("export.no_browser", "ko") and "Chromium이 필요한데" in str(error.value)
    assert error.value.message("en") == text("export.no_browser", "en")
    with pytest.raises(export.ImageExportError, match="PNG, SVG and PDF downloads need Chromium"):
        export.figure_image(figure, "png")
    model_error = ModelLoadError("load.not_on_hub", name="x/y")
    assert str(model_error) == text("load.not_on_hub", name="x/y") and "허브" in model_error.message("ko")


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


THIRD_PARTY_NOTICES = Path("THIRD_PARTY_NOTICES.md")  # a file's name, which Home's licence notice gives


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
    # every sentence in Korean or Japanese, B's included: the test is about the interface's words, not the user's
    query = {"lang": "ko", "source": "이것은 예입니다", "target": "これは例です", "sentence": "이것은 예입니다"}
    query |= {"sentence_b": "이것은 다른 예입니다", "target_b": "これは例です"}
    at = open_app(page, query=query, model=None)  # the default, multilingual model
    if widgets:
        set_widgets(at, **widgets)
    # the examples' own sentences, quoted in their help, are content in their language, as typed sentences are
    quoted = (BANK_EXAMPLE["sentence"], BANK_EXAMPLE["sentence_b"], THIRD_PARTY_NOTICES.name)
    strings = [reduce(lambda s, q: s.replace(q, ""), quoted, string) for string in visible_strings(at)]
    assert len(strings) > 5
    assert not english_words(strings), sorted(english_words(strings))


def test_the_check_finds_english_when_there_is_some():
    at = open_app(CROSS)  # the English interface
    assert english_words(visible_strings(at))
