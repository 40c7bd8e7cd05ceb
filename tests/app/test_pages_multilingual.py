"""Every page on the default multilingual model, with Korean, Japanese and Chinese typed in (AppTest)."""

from __future__ import annotations

import numpy as np

from attention.examples import EXAMPLES, LECTURE_SOURCE, LECTURE_TARGET_SCRIPT
from attention.models import MULTILINGUAL_MODEL
from tests.helpers import CROSS, HEADS, HOME, SELF, STEPS, chart_spec, decode_array, heatmap, open_app, set_widgets


def test_the_default_model_is_the_multilingual_one_and_the_home_page_says_what_it_reads():
    at = open_app(HOME, model=None)
    assert at.session_state["model"] == "multilingual-e5-small"  # what a link without model= loads
    caption = " ".join(c.value for c in at.caption)
    assert MULTILINGUAL_MODEL in caption and "Korean, Japanese and Chinese" in caption
    at = open_app(HOME, query={"lang": "ko"}, model=None)
    assert "한국어, 일본어, 중국어" in " ".join(c.value for c in at.caption)


def test_korean_source_and_japanese_target_are_real_pieces():
    at = open_app(CROSS, query={"source": "이것은 예입니다", "target": "これは例です"}, model=None)
    trace, z = heatmap(at)
    assert trace["x"] == ["이것은", "예", "입니다"]  # ▁ taken off the labels
    assert trace["y"] == ["これは", "例", "です"]
    np.testing.assert_allclose(z.sum(axis=0), 1.0, rtol=1e-5)
    set_widgets(at, merge_words=True, show_special=True)
    trace, _ = heatmap(at)
    # Korean words are what spaces separate, Japanese ones the pieces (it has no spaces); the special tokens
    # are shown as text, escaped for Plotly
    assert trace["x"] == ["&lt;s&gt;", "이것은", "예입니다", "&lt;/s&gt;"]
    assert trace["y"] == ["&lt;s&gt;", "これは", "例", "です", "&lt;/s&gt;"]


def test_no_unknown_pieces_in_ordinary_korean_japanese_and_chinese():
    at = open_app(SELF, model=None)
    for sentence in ("그 동물은 너무 피곤해서 길을 건너지 않았다", "猫はマットの上に座った", "这是一个例子"):
        set_widgets(at, sentence=sentence)
        labels = heatmap(at)[0]["x"]
        assert labels and "<unk>" not in labels and "[UNK]" not in labels, labels


def test_the_lectures_pair_in_script_attends_to_its_translation():
    """this → これは, is → です, example → 例: the lecture's figure, from a real multilingual model."""
    _, source, target, needs = EXAMPLES["lecture_script"]
    assert (source, target) == (LECTURE_SOURCE, LECTURE_TARGET_SCRIPT)
    at = open_app(CROSS, query={"source": source, "target": target}, model=None)
    trace, z = heatmap(at)  # z: (keys, queries), columns are queries
    assert (trace["zmin"], trace["zmax"]) == (0, 1)
    darkest = {query: trace["y"][int(np.argmax(z[:, i]))] for i, query in enumerate(trace["x"])}
    assert darkest["this"] == "これは" and darkest["is"] == "です" and darkest["example"] == "例"
    assert z.max() > 0.8  # example → 例: sharp at the default layer, no fitted colours needed
    set_widgets(at, fit_colors=True)
    trace, z = heatmap(at)
    assert trace["zmin"] == float(z.min()) and f"{z.min():.2f}" in trace["colorbar"]["title"]["text"]


def test_choosing_a_script_example_switches_to_the_multilingual_model():
    at = open_app(CROSS)  # on the English model
    set_widgets(at, example_cross="lecture_script")
    assert at.session_state["model"] == MULTILINGUAL_MODEL and not at.session_state["fit_colors"]
    assert heatmap(at)[0]["y"] == ["これは", "例", "です"]


def test_the_korean_interface_lists_korean_examples_first():
    at = open_app(SELF, query={"lang": "ko"}, model=None)
    options = next(w for w in at.selectbox if w.key == "example_self").options
    assert "그 동물은" in options[0]


def test_steps_page_in_korean():
    at = open_app(STEPS, query={"source": "이것은 예입니다", "target": "これは例です", "lang": "ko"}, model=None)
    assert len(at.get("plotly_chart")) >= 8
    assert chart_spec(at)["data"][0]["x"] == ["이것은", "예", "입니다"]


def test_model_heads_page_shows_twelve_layers_of_twelve_heads_reproduced():
    at = open_app(HEADS, query={"sentence": "이것은 예입니다"}, model=None)
    grid = chart_spec(at, 0)
    assert len(grid["layout"]["yaxis"]["ticktext"]) == 12 and len(grid["layout"]["xaxis"]["ticktext"]) == 12
    text = " ".join(m.value for m in at.markdown)
    assert "over all 144 heads" in text and "agrees" in text
    heads = decode_array(chart_spec(at, 2)["data"][0]["z"])
    assert np.isfinite(heads).any()
