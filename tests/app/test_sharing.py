"""Shareable links, the Korean interface, examples, presentation mode and downloads on the pages."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.delta_generator import DeltaGenerator

from attention import settings_table
from attention.examples import EXAMPLES, LECTURE_SOURCE, LECTURE_TARGET
from attention.models import DEFAULT_MODEL, ENGLISH_MODEL
from tests.helpers import (
    CROSS,
    SELF,
    STEPS,
    chart_spec,
    choose_model,
    decode_array,
    heatmap,
    live_chart_parts,
    live_charts,
    open_app,
    run,
    set_widgets,
)


def test_settings_round_trip_through_a_link():
    values = {
        **settings_table.defaults(),
        "source": "the cat <b>sat</b>",
        "temperature": 0.5,
        "transpose": True,
        "projection": "head",
        "layer": 3,
        "head": 7,
        "lang": "ko",
        "n_components": 4,
    }
    query = settings_table.to_query(values)
    assert "scale" not in query and query["transpose"] == "true" and query["temperature"] == "0.5"
    parsed, rejected = settings_table.from_query(query)
    assert rejected == [] and {**settings_table.defaults(), **parsed} == values


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("layer", "-1", 0),
        ("layer", "99", 63),
        ("head", "1000", 63),
        ("layer", "1e308", 63),
        ("n_components", "2.6", 3),
        ("n_components", "65", 64),
        ("n_components", "-3", 0),
        ("seed", "-5", 0),
    ],
)
def test_absurd_numbers_in_a_link_are_clamped(key, raw, expected):
    assert settings_table.from_query({key: raw}) == ({key: expected}, [])


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("temperature", "0"),
        ("temperature", "nan"),
        ("temperature", "1e308"),
        ("lang", "xx"),
        ("projection", "evil"),
        ("transpose", "maybe"),
        ("layer", "NaN"),
        ("colors", "<b>"),
    ],
)
def test_nonsense_in_a_link_is_rejected(key, raw):
    assert settings_table.from_query({key: raw}) == ({}, [key])


@pytest.mark.parametrize("raw", ["0.1", "0.37", "1", "2.5", "7.3", "10"])
def test_any_temperature_of_the_slider_comes_through_a_link(raw):
    """The temperature is a slider from 0.1 to 10, so a link may carry any temperature in between."""
    assert settings_table.from_query({"temperature": raw}) == ({"temperature": float(raw)}, [])
    assert settings_table.to_query({"temperature": float(raw)}) == ({} if raw == "1" else {"temperature": raw})


@pytest.mark.parametrize("raw", ["0.09", "0.05", "-1", "10.01", "11", "inf", "-inf", "hot"])
def test_a_temperature_outside_the_slider_is_rejected(raw):
    assert settings_table.from_query({"temperature": raw}) == ({}, ["temperature"])


def test_the_limits_are_the_same_for_every_page():
    """random_dk and n_components have one set of limits, shared by the widgets, links and the command line."""
    assert settings_table.FIELDS["random_dk"].choices == (4, 8, 16, 32, 64, 128)
    assert (settings_table.FIELDS["n_components"].low, settings_table.FIELDS["n_components"].high) == (0, 64)
    temperature = settings_table.FIELDS["temperature"]
    assert (temperature.kind, temperature.low, temperature.high, temperature.step) == ("float", 0.1, 10.0, 0.1)
    for raw, expected in (("4", 4), ("128", 128), ("64.0", 64)):
        assert settings_table.from_query({"random_dk": raw}) == ({"random_dk": expected}, [])
    for raw in ("2", "256", "48"):
        assert settings_table.from_query({"random_dk": raw}) == ({}, ["random_dk"])


def test_the_widgets_take_their_limits_from_the_settings():
    """The temperature is a slider of 0.1 to 10 by 0.1, and up to 64 output components can be drawn."""
    at = run(STEPS, n_components=64, temperature=7.3)
    temperature, count = at.slider("temperature"), at.slider("n_components")
    assert (temperature.min, temperature.max, temperature.step) == (0.1, 10.0, 0.1)
    assert temperature.value == pytest.approx(7.3)
    assert (count.min, count.max, count.value) == (0, 64, 64)
    assert at.query_params["temperature"] in (["7.3"], "7.3") and at.query_params["n_components"] in (["64"], "64")
    # the live heatmap's own temperature slider (in the browser) has the same limits
    at.switch_page(CROSS).run()
    head, _ = live_chart_parts(live_charts(at)[0])
    assert head["chrome"]["temperature_range"] == [0.1, 10.0] and head["display"]["temperature"] == 7.3
    heatmap(at)


def test_a_link_shows_exactly_the_same_figure():
    chosen = {
        "source": "the cat sat on the mat",
        "target": "le chat",
        "transpose": True,
        "temperature": 2.3,
        "merge_words": True,
        "show_special": True,
    }
    by_hand = set_widgets(run(CROSS), **chosen)
    link = by_hand.query_params
    assert link["source"] == ["the cat sat on the mat"] or link["source"] == "the cat sat on the mat"
    assert link["temperature"] in (["2.3"], "2.3")  # any temperature of the slider travels in a link
    shared = open_app(CROSS, {k: (v[0] if isinstance(v, list) else v) for k, v in link.items()})
    ours, theirs = chart_spec(by_hand)["data"][0], chart_spec(shared)["data"][0]
    assert ours["x"] == theirs["x"] and ours["y"] == theirs["y"]
    np.testing.assert_array_equal(decode_array(ours["z"]), decode_array(theirs["z"]))
    assert shared.text_input("target").value == "le chat" and shared.session_state["transpose"] is True
    assert shared.session_state["temperature"] == pytest.approx(2.3)


def test_tampered_link_still_renders_and_says_what_it_ignored():
    at = open_app(query=dict(temperature="nan", layer="99", projection="head", lang="xx", source="x" * 100_000))
    assert any("temperature" in c.value and "lang" in c.value for c in at.caption)
    at.switch_page(CROSS).run()
    assert not at.exception
    heatmap(at)  # a figure, despite everything
    assert at.slider("layer").value == 5  # clamped to the model's last layer


def test_switching_language_keeps_every_setting():
    at = run(CROSS, transpose=True)
    at.radio("projection").set_value("random").run()
    at.segmented_control("lang").set_value("ko").run()
    assert not at.exception
    assert at.session_state["transpose"] is True and at.radio("projection").value == "random"
    assert at.select_slider("random_dk").options == ["4", "8", "16", "32", "64", "128"]
    assert at.title[0].value == "크로스 어텐션"


@pytest.mark.parametrize(
    ("page", "example", "expected"),
    [
        (CROSS, "bank", {"source": EXAMPLES["bank"][1], "target": EXAMPLES["bank"][2]}),
        (SELF, "pronoun", {"sentence": EXAMPLES["pronoun"][1]}),
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


def test_download_buttons_for_every_format():
    at = run(CROSS)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["PNG 1×", "PNG 2×", "PNG 3×", "SVG", "PDF", "CSV", "JSON"]


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """The data of every download button the pages make, by file name (a callable where it is made on a click)."""
    made: dict = {}
    real = DeltaGenerator.download_button

    def recording(self, label, data=None, *args, **kwargs):
        made[kwargs.get("file_name")] = data
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return made


def json_download(downloads: dict) -> dict:
    """The JSON export as a click on its button would download it."""
    names = [name for name in downloads if str(name).endswith(".json")]
    assert len(names) == 1, list(downloads)
    data = downloads[names[0]]
    return json.loads(data() if callable(data) else data)


def test_the_json_export_names_the_model_that_computed_it(downloads):
    at = run(CROSS)
    assert json_download(downloads)["meta"]["model"] == ENGLISH_MODEL  # the model the page was opened on
    downloads.clear()
    choose_model(at, "no-such-model-xyz-123")
    assert any("no-such-model-xyz-123" in str(e.value) for e in at.error)  # the typed model failed to load
    meta = json_download(downloads)["meta"]
    assert meta["model"] == DEFAULT_MODEL and "no-such-model-xyz-123" not in json.dumps(meta)
    assert meta["sentences"] == {"source": LECTURE_SOURCE, "target": LECTURE_TARGET}  # the English tests' link
