"""Shareable links, the Korean interface, examples, presentation mode and downloads on the pages."""

from __future__ import annotations

import string

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from attention import state
from attention.i18n import STRINGS, text
from tests.conftest import chart_spec, decode_array
from tests.test_pages import APP, CROSS, SELF, heatmap, run


def open_link(page: str, **params) -> AppTest:
    """Open ``page`` as a copied link with ``params`` in its URL would."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_settings_round_trip_through_a_link():
    values = {**state.defaults(), "source": "the cat <b>sat</b>", "temperature": 0.5, "transpose": True,
              "projection": "head", "layer": 3, "head": 7, "lang": "ko", "n_components": 4}
    query = state.to_query(values)
    assert "scale" not in query and query["transpose"] == "true" and query["temperature"] == "0.5"
    parsed, rejected = state.from_query(query)
    assert rejected == [] and {**state.defaults(), **parsed} == values


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("layer", "-1", 0),
        ("layer", "99", 63),
        ("head", "1000", 63),
        ("layer", "1e308", 63),
        ("n_components", "2.6", 3),
        ("seed", "-5", 0),
    ],
)
def test_absurd_numbers_in_a_link_are_clamped(key, raw, expected):
    assert state.from_query({key: raw}) == ({key: expected}, [])


@pytest.mark.parametrize(
    ("key", "raw"),
    [("temperature", "0"), ("temperature", "nan"), ("temperature", "1e308"), ("lang", "xx"),
     ("projection", "evil"), ("transpose", "maybe"), ("layer", "NaN"), ("colors", "<b>")],
)
def test_nonsense_in_a_link_is_rejected(key, raw):
    assert state.from_query({key: raw}) == ({}, [key])


def test_a_link_shows_exactly_the_same_figure():
    settings = {"source": "the cat sat on the mat", "target": "le chat", "transpose": True, "temperature": 2.0,
                "merge_words": True, "show_special": True}
    by_hand = run(CROSS)
    for key, value in settings.items():
        widget = by_hand.text_input(key) if isinstance(value, str) else None
        if widget is not None:
            widget.set_value(value)
        elif isinstance(value, bool):
            by_hand.toggle(key).set_value(value)
        else:
            by_hand.select_slider(key).set_value(value)
    by_hand.run()
    link = by_hand.query_params
    assert link["source"] == ["the cat sat on the mat"] or link["source"] == "the cat sat on the mat"
    shared = open_link(CROSS, **{k: (v[0] if isinstance(v, list) else v) for k, v in link.items()})
    ours, theirs = chart_spec(by_hand)["data"][0], chart_spec(shared)["data"][0]
    assert ours["x"] == theirs["x"] and ours["y"] == theirs["y"]
    np.testing.assert_array_equal(decode_array(ours["z"]), decode_array(theirs["z"]))
    assert shared.text_input("target").value == "le chat" and shared.toggle("transpose").value is True


def test_tampered_link_still_renders_and_says_what_it_ignored():
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in dict(temperature="nan", layer="99", projection="head", lang="xx", source="x" * 100_000).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert any("temperature" in c.value and "lang" in c.value for c in at.caption)
    at.switch_page(CROSS).run()
    assert not at.exception
    heatmap(at)  # a figure, despite everything
    assert at.slider("layer").value == 5  # clamped to the model's last layer


def test_korean_interface_everywhere():
    at = open_link(CROSS, lang="ko")
    assert at.title[0].value == "크로스 어텐션"
    assert at.text_input("source").label == "입력 문장 (source)"
    layout = chart_spec(at)["layout"]
    assert layout["xaxis"]["title"]["text"] == "쿼리: 입력"
    assert "어두운 칸일수록" in " ".join(c.value for c in at.caption)
    for page in (SELF, "pages/3_Step_by_Step.py", "pages/4_Model_Heads.py", "app.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert all(ch not in string.ascii_letters for ch in at.title[0].value), at.title[0].value


def test_switching_language_keeps_every_setting():
    at = run(CROSS, transpose=True)
    at.radio("projection").set_value("random").run()
    at.segmented_control("lang").set_value("ko").run()
    assert not at.exception
    assert at.toggle("transpose").value is True and at.radio("projection").value == "random"
    assert at.title[0].value == "크로스 어텐션"


def test_strings_exist_in_both_languages_with_the_same_placeholders():
    fields = lambda s: {name for _, name, _, _ in string.Formatter().parse(s) if name}  # noqa: E731
    assert STRINGS["en"].keys() == STRINGS["ko"].keys()
    for key in STRINGS["en"]:
        assert fields(STRINGS["en"][key]) == fields(STRINGS["ko"][key]), key
    assert text("msg.blank", "ko", role=text("role.source", "ko")) == "입력 문장을 입력하면 어텐션이 보인다."


@pytest.mark.parametrize(
    ("page", "example", "expected"),
    [
        (CROSS, "bank", {"source": "I sat on the bank of the river.", "target": "I put my money in the bank."}),
        (SELF, "pronoun", {"sentence": "The animal didn't cross the street because it was too tired."}),
    ],
)
def test_examples_fill_in_the_sentences(page, example, expected):
    at = run(page)
    kind = "cross" if page == CROSS else "self"
    at.selectbox(f"example_{kind}").set_value(example).run()
    assert not at.exception
    for key, value in expected.items():
        assert at.text_input(key).value == value
    trace, _ = heatmap(at)
    assert "bank" in trace["x"] or "animal" in trace["x"]


def test_presentation_mode_enlarges_the_figure():
    normal = chart_spec(run(CROSS))["layout"]
    big = chart_spec(run(CROSS, present=True))["layout"]
    assert big["height"] > normal["height"] and big["font"]["size"] > normal["font"]["size"]


def test_download_buttons_for_every_format():
    at = run(CROSS)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["PNG 1×", "PNG 2×", "PNG 3×", "SVG", "PDF", "CSV", "JSON"]
