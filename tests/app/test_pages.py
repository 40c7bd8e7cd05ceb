"""Every page run headless with AppTest and the real embedded model, good input and bad."""

from __future__ import annotations

import numpy as np
import pytest

from attention.examples import LECTURE_SOURCE, LECTURE_TARGET, LECTURE_TARGET_SCRIPT
from tests.helpers import (
    CROSS,
    HEADS,
    SELF,
    STEPS,
    chart_spec,
    charts,
    choose_model,
    decode_array,
    heatmap,
    live_charts,
    messages,
    open_app,
    run,
    set_widgets,
)
from webapp import cache


def test_home_page_loads_the_model_and_links_the_pages():
    at = open_app()
    assert "Seeing attention" in at.title[0].value
    assert "384-dimensional" in at.caption[0].value


def test_cross_attention_defaults_to_the_lecture():
    at = open_app(CROSS, model=None)  # no link: the app's own defaults
    assert at.text_input("source").value == LECTURE_SOURCE == "this is an example"
    assert at.text_input("target").value == LECTURE_TARGET_SCRIPT == "これは例です"
    trace, z = heatmap(at)
    assert trace["x"] == ["this", "is", "an", "example"] and trace["y"] == ["これは", "例", "です"]
    assert z.shape == (3, 4)
    np.testing.assert_allclose(z.sum(axis=0), 1.0, rtol=1e-5)


def test_swap_roles_exchanges_the_sentences():
    at = run(CROSS)
    at.button("swap").click().run()
    assert at.text_input("source").value == LECTURE_TARGET
    trace, _ = heatmap(at)
    assert trace["x"] == ["ko", "##re", "wa", "rei", "des", "##u"]


def test_merge_words_and_special_tokens():
    at = run(CROSS, merge_words=True, show_special=True)
    trace, z = heatmap(at)
    assert trace["x"] == ["[CLS]", "this", "is", "an", "example", "[SEP]"]
    assert trace["y"] == ["[CLS]", "kore", "wa", "rei", "desu", "[SEP]"]
    np.testing.assert_allclose(z.sum(axis=0), 1.0, rtol=1e-5)


def test_transpose_makes_rows_sum_to_one():
    trace, z = heatmap(run(CROSS, transpose=True))
    assert trace["y"] == ["this", "is", "an", "example"] and z.shape == (4, 6)
    np.testing.assert_allclose(z.sum(axis=1), 1.0, rtol=1e-5)


def test_self_attention_with_causal_mask():
    at = run(SELF, sentence="the cat sat on the mat", causal=True)
    trace, z = heatmap(at)
    assert trace["x"] == ["0 · the", "cat", "sat", "on", "4 · the", "mat"]
    weights = z.T  # rows are queries
    assert np.all(weights[np.triu_indices(6, k=1)] == 0)  # nothing from the future
    assert weights[0, 0] == pytest.approx(1.0)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_blank_sentences_get_a_message_not_a_chart(text):
    for page, key in ((CROSS, "source"), (CROSS, "target"), (SELF, "sentence")):
        at = run(page, **{key: text})
        assert not charts(at)
        assert "Type a" in " ".join(messages(at))


def test_text_with_nothing_readable_gets_a_message():
    at = run(SELF, sentence="\x00\x01\x02")
    assert not charts(at)
    assert "no word pieces the model can read" in " ".join(messages(at))


def test_long_input_says_what_was_kept_and_dropped():
    at = run(CROSS, source="word " * 700)
    shown = " ".join(messages(at))
    assert "has 700 word pieces" in shown and "keeps the first 510 and dropped 190" in shown
    _, z = heatmap(at)
    assert z.shape == (6, 510)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("<b>bold</b>", "&lt;"),
        ('<a href="javascript:alert(1)">x</a>', "&lt;"),
        ("😀👍🏽 family 👨‍👩‍👧", "family"),
        ("שלום עולם", "ש"),
        ("これは例です", "例"),
    ],
)
def test_odd_text_is_drawn_literally(text, label):
    at = run(SELF, sentence=text, merge_words=True)
    trace, _ = heatmap(at)
    assert any(label in x for x in trace["x"])
    assert not any("<" in x for x in trace["x"])  # markup arrives as escaped characters


def test_unknown_model_falls_back_to_the_default_with_a_message():
    at = choose_model(run(CROSS), "no-such-model-xyz-123")
    shown = " ".join(messages(at))
    assert "no-such-model-xyz-123" in shown and "embedded default" in shown
    heatmap(at)  # the figure still comes from the default model


def test_step_page_follows_the_shared_sentences_and_takes_a_cell_apart():
    at = run(CROSS, source="the cat sat", target="le chat noir")
    at.switch_page(STEPS).run()
    assert not at.exception
    assert at.text_input("source").value == "the cat sat"  # shared through session state
    at.selectbox("pick_query").set_value(1).run()
    at.selectbox("pick_key").set_value(2).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "**Step 2:** the score is the sum of 384 products" in text  # the lecture's step 2, named as such
    charts = at.get("plotly_chart")
    assert len(charts) >= 9  # animation, dot product, softmax, and the panels
    assert "**Step 4: Weights × values for the query “cat”**" in text


def test_step_page_self_attention_with_mask():
    at = run(STEPS)
    at.radio("step_kind").set_value("self").run()
    at.toggle("causal").set_value(True).run()
    assert not at.exception
    assert "**Step 2b: The mask**" in [m.value for m in at.markdown]  # a sub-step of step 2, not a new number


@pytest.mark.parametrize("kind", ["head", "random"])
def test_projection_control_on_the_cross_page(kind):
    at = run(CROSS)
    at.radio("projection").set_value(kind).run()
    assert not at.exception
    trace, z = heatmap(at)
    assert trace["x"] == ["this", "is", "an", "example"]
    np.testing.assert_allclose(z.sum(axis=0), 1.0, rtol=1e-5)
    if kind == "head":
        assert any("what it would do across the two sentences" in c.value for c in at.caption)


def test_model_heads_page_agrees_with_the_model_for_every_head():
    at = run(HEADS, sentence="the cat sat on the mat because it was tired")
    set_widgets(at, heads_layer=4, heads_head=11)
    text = " ".join(m.value for m in at.markdown)
    assert "Our recomputation agrees with the model" in text and "over all 72 heads" in text
    grid = decode_array(chart_spec(at)["data"][0]["z"])  # 6 × 12 maps of 12 × 12 tokens, a blank line between
    assert grid.shape == (6 * 13 - 1, 12 * 13 - 1)
    assert float(at.metric[0].value) < 1e-5
    assert "Layer 4, head 11" in [s.value for s in at.subheader]
    set_widgets(at, heads_average=True)
    assert float(at.metric[0].value) < 1e-5


def test_step_page_survives_a_shorter_sentence_after_picking_a_late_cell():
    at = run(STEPS)
    at.selectbox("pick_query").set_value(3).run()
    at.text_input("source").set_value("cat").run()
    assert not at.exception
    assert at.selectbox("pick_query").value == 0


def test_without_a_writable_static_folder_the_pages_draw_the_servers_way(monkeypatch, tmp_path):
    """Where plotly.js cannot be put into static/ (a read-only install), the cross page still draws:
    the server's Plotly chart, with the temperature and picture controls back in the sidebar."""
    from webapp import cache, live_chart

    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setattr(live_chart, "STATIC", blocked / "static")  # a folder inside a file cannot be made
    cache.live_chart_served.clear()
    try:
        at = open_app(CROSS)
        assert not live_charts(at) and len(at.get("plotly_chart")) == 1
        assert at.slider("temperature").value == 1.0 and at.toggle("transpose").value is False
        at.toggle("transpose").set_value(True).run()
        assert chart_spec(at)["layout"]["xaxis"]["title"]["text"].startswith("key")
    finally:
        cache.live_chart_served.clear()


@pytest.mark.parametrize(
    ("environ", "cores", "threads"),
    [({}, 2, 1), ({}, 1, 1), ({}, 8, 7), ({"OMP_NUM_THREADS": "3"}, 2, 3), ({"OMP_NUM_THREADS": " "}, 4, 3)],
)
def test_the_model_leaves_a_core_to_the_server_and_the_browser(environ, cores, threads):
    assert cache.model_threads(cores, environ) == threads


def test_loading_a_model_sets_the_servers_threads(monkeypatch, minilm):
    import torch

    monkeypatch.setattr(cache, "load_encoder", lambda name: minilm)
    before = torch.get_num_threads()
    torch.set_num_threads(cache.model_threads() + 1)  # not the server's count: loading must set it
    try:
        assert cache.encoder.__wrapped__(minilm.name) is minilm  # what the cached function runs once per model
        assert torch.get_num_threads() == cache.model_threads()
    finally:
        torch.set_num_threads(before)
