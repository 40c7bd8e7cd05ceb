"""Compare side by side: the difference map is B − A exactly, only where the tokens are the same;
both maps share one colour range; links reproduce the page; the exports name both models."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial

import numpy as np
import pytest

from attention.compare import (
    BANK_EXAMPLE,
    SideB,
    compare,
    fit_to_model,
    settings_choices,
    shared_range,
    two_sides,
)
from attention.compare_figures import difference_figure, side_figures
from attention.options import FigureOptions, Projection, Settings
from attention.rollout import head_average
from tests.helpers import (
    chart_spec,
    charts,
    compare_charts,
    decode_array,
    live_chart_parts,
    messages,
    open_app,
    set_widgets,
)
from webapp.downloads import comparison_files

COMPARE = "pages/5_Compare.py"
TEXTS = {
    "sentence": "I sat on the bank of the river.",
    "sentence_b": "I put my money in the bank.",
    "source": "this is an example",
    "target": "kore wa rei desu",
    "target_b": "kore wa hon desu",
}


def sources(minilm):
    return minilm.encode_layers


# --- the library ---------------------------------------------------------------------------------


def test_the_difference_is_b_minus_a_exactly(minilm):
    sides = two_sides("self", TEXTS, Settings(), SideB("settings", "temperature", temperature=0.5))
    result = compare((minilm, minilm), sides, (sources(minilm), sources(minilm)))
    assert result.comparable
    assert result.sides[1].settings.temperature == 0.5 and result.sides[0].settings.temperature == 1.0
    np.testing.assert_array_equal(result.difference, result.b.result.weights - result.a.result.weights)
    np.testing.assert_allclose(result.difference.sum(axis=1), 0.0, atol=1e-12)  # rows of both sum to 1
    figure = difference_figure(result.difference, result.a.query_tokens, result.a.key_tokens)
    trace = figure.data[0]
    np.testing.assert_array_equal(trace.z, result.difference.T.astype(np.float32))  # columns are queries
    assert trace.zmid == 0 and trace.zmin == -trace.zmax == -np.abs(result.difference).max()
    assert trace.colorbar.title.text == "B − A"


def test_different_sentences_have_no_difference(minilm):
    sides = two_sides("self", TEXTS, Settings(), SideB("sentences"))
    result = compare((minilm, minilm), sides, (sources(minilm), sources(minilm)))
    assert not result.comparable and result.difference is None
    assert result.a.result is not None and result.b.result is not None
    names = [file.file_name for file in comparison_files(result, "bank")]
    assert names == ["bank_A.csv", "bank_A.json", "bank_B.csv", "bank_B.json"]  # no difference to export


def test_both_figures_share_one_colour_range(minilm):
    sides = two_sides("self", TEXTS, Settings(), SideB("settings", "temperature", temperature=0.2))
    result = compare((minilm, minilm), sides, (sources(minilm), sources(minilm)))
    assert shared_range([result.a, result.b]) == (0.0, 1.0)  # the plain colours: a colour is a weight
    first, second = side_figures(result, FigureOptions(n_components=0))
    assert (first.data[0].zmin, first.data[0].zmax) == (second.data[0].zmin, second.data[0].zmax) == (0.0, 1.0)
    low, high = shared_range([result.a, result.b], fit=True)
    assert high == max(result.a.result.weights.max(), result.b.result.weights.max())
    assert low == min(result.a.result.weights.min(), result.b.result.weights.min())
    first, second = side_figures(result, FigureOptions(n_components=0, fit_colors=True))
    assert (first.data[0].zmin, first.data[0].zmax) == (second.data[0].zmin, second.data[0].zmax) == (low, high)


def test_exports_of_the_difference_name_both_sides(minilm):
    sides = two_sides("self", TEXTS, Settings(), SideB("settings", "scale"))
    result = compare((minilm, minilm), sides, (sources(minilm), sources(minilm)))
    files = {file.file_name: file for file in comparison_files(result, "bank")}
    document = json.loads(files["bank_B-A.json"].data())
    np.testing.assert_array_equal(document["difference"], result.difference)
    assert document["meta"]["a"]["model"] == document["meta"]["b"]["model"] == minilm.name
    assert (
        document["meta"]["a"]["settings"]["scale_by_sqrt_dk"]
        and not document["meta"]["b"]["settings"]["scale_by_sqrt_dk"]
    )
    rows = files["bank_B-A.csv"].data().decode().splitlines()
    assert rows[0] == "query_index,query_token,key_index,key_token,weight_a,weight_b,difference"
    assert len(rows) == 1 + result.difference.size
    assert json.loads(files["bank_A.json"].data())["meta"]["model"] == minilm.name


@pytest.mark.parametrize(
    ("setting", "check"),
    [
        ("scale", lambda a, b: a.scale_by_sqrt_dk and not b.scale_by_sqrt_dk),
        ("causal", lambda a, b: not a.causal and b.causal),
        ("projection", lambda a, b: a.projection.kind == "identity" and b.projection == Projection("head", 2, 3)),
    ],
)
def test_b_differs_from_a_in_the_one_setting(setting, check):
    a, b = two_sides("self", TEXTS, Settings(), SideB("settings", setting, head=Projection("head", 2, 3)))
    assert check(a.settings, b.settings) and a.sentences == b.sentences == {"sentence": TEXTS["sentence"]}


def test_cross_attention_compares_one_source_with_two_targets():
    a, b = two_sides("cross", TEXTS, Settings(causal=True), SideB("sentences"))
    assert a.sentences == {"source": "this is an example", "target": "kore wa rei desu"}
    assert b.sentences == {"source": "this is an example", "target": "kore wa hon desu"}
    assert not a.settings.causal  # a mask needs the same tokens on both axes
    assert "causal" not in settings_choices("cross") and "causal" in settings_choices("self")


def test_a_head_beyond_the_second_models_layers_is_brought_within_them(minilm):
    settings = Settings(projection=Projection("head", layer=11, head=11))
    assert fit_to_model(settings, minilm).projection == Projection("head", layer=5, head=11)  # MiniLM: 6 layers
    assert fit_to_model(replace(settings, projection=Projection()), minilm).projection == Projection()


def test_b_through_every_head_is_each_heads_own_view(minilm, monkeypatch):
    """``every_head`` computes B through each head as ``compare`` would for that head alone; the payload then holds
    them all instead of B's own head, so that it stays the same bytes whichever head the display picks."""
    from attention import compare as compare_module
    from attention.compare_figures import comparison_data, comparison_payload, pins, render_comparison

    def side(layer: int, head: int) -> SideB:
        return SideB("settings", "projection", head=Projection("head", layer=layer, head=head))

    def run(b: SideB, every: bool = True):
        return compare(
            (minilm, minilm), two_sides("self", TEXTS, Settings(), b), (sources(minilm),) * 2, every_head_of_b=every
        )

    result = run(side(2, 4))
    assert (len(result.heads_b), len(result.heads_b[0])) == (6, 12)
    alone = run(side(5, 7), every=False)
    assert alone.heads_b is None
    np.testing.assert_array_equal(result.heads_b[5][7].scores, alone.b.result.scores)
    np.testing.assert_array_equal(result.heads_b[2][4].weights, result.b.result.weights)
    options = FigureOptions()
    data = comparison_data(result, options, pins(side(2, 4)))
    assert comparison_payload(data) == comparison_payload(comparison_data(run(side(5, 7)), options, pins(side(5, 7))))
    display = {"temperature": 1.0, "scale": True, "transpose": False, "show_values": False, "fit_colors": False}
    picked = render_comparison(data, {**display, "colors": "Blues", "layer_b": 5, "head_b": 7})["sides"][1]
    own = render_comparison(comparison_data(alone, options), {**display, "colors": "Blues"})["sides"][1]
    np.testing.assert_allclose(picked["data"][0]["z"], own["data"][0]["z"], atol=1e-6)  # float32 scores
    np.testing.assert_allclose(picked["data"][1]["z"], own["data"][1]["z"], atol=1e-5)  # the output strip
    assert run(SideB("settings", "temperature", temperature=0.5)).heads_b is None  # B is no real head
    cells = 6 * 12 * result.b.result.scores.size
    monkeypatch.setattr(compare_module, "EVERY_HEAD_CELLS", cells)
    assert run(side(2, 4)).heads_b is not None
    monkeypatch.setattr(compare_module, "EVERY_HEAD_CELLS", cells - 1)  # one score too many: B's head by the server
    assert run(side(2, 4)).heads_b is None


def test_the_app_computes_every_head_once_whichever_head_b_shows(minilm, monkeypatch):
    """The Compare page's every-head entry (``webapp.cache.every_head``) leaves B's own head out of its key: a head
    change, and the rerun after a display change, reuse it."""
    from attention import compare as compare_module
    from webapp import cache

    calls = []
    real = compare_module.every_head
    monkeypatch.setattr(compare_module, "every_head", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    cache._every_head.clear()
    heads = []
    for layer, head in ((2, 4), (5, 7), (2, 4)):
        b = SideB("settings", "projection", head=Projection("head", layer=layer, head=head))
        sides = two_sides("self", TEXTS, Settings(), b)
        every = partial(cache.every_head, lang="en")
        heads.append(compare((minilm, minilm), sides, (sources(minilm),) * 2, every_head_of_b=every).heads_b)
    assert len(calls) == 1
    np.testing.assert_array_equal(heads[1][5][7].scores, heads[0][5][7].scores)


def test_head_average_and_bad_layer():
    maps = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    np.testing.assert_array_equal(head_average(maps, 1), maps[1].mean(axis=0))
    with pytest.raises(ValueError, match="layer must be between 0 and 1"):
        head_average(maps, 2)


def test_difference_figure_escapes_tokens_and_checks_lengths():
    figure = difference_figure(np.zeros((1, 2)), ["<b>"], ["a", "b"], lang="ko", transpose=True)
    assert list(figure.data[0].y) == ["&lt;b&gt;"] and figure.data[0].zmax > 0
    with pytest.raises(ValueError, match="1 queries and 2 keys"):
        difference_figure(np.zeros((1, 2)), ["a", "b"], ["a", "b"])


# --- the page ------------------------------------------------------------------------------------


def drawn(at, index: int) -> tuple[dict, np.ndarray]:
    trace = chart_spec(at, index)["data"][0]
    return trace, decode_array(trace["z"])


def test_page_draws_b_minus_a_for_two_temperatures():
    at = open_app(
        COMPARE, query={"compare_kind": "settings", "compare_setting": "temperature", "sentence": "the cat sat"}
    )
    set_widgets(at, temperature_b=0.5)
    assert len(charts(at)) == 3
    (trace_a, a), (trace_b, b), (trace_d, difference) = (drawn(at, i) for i in range(3))
    assert (trace_a["zmin"], trace_a["zmax"]) == (trace_b["zmin"], trace_b["zmax"])  # one colour range
    np.testing.assert_allclose(difference, b - a, atol=1e-6)  # float32 drawings of float64 numbers
    assert trace_d["zmid"] == 0 and trace_d["zmin"] == -trace_d["zmax"]
    assert any("temperature 0.5" in m for m in messages(at))
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["A · CSV", "A · JSON", "B · CSV", "B · JSON", "B − A · CSV", "B − A · JSON"]


def bank_focus(view, context: str) -> tuple[str, float]:
    """The key "bank" attends to most in ``view``, and the weight it gives ``context``."""
    tokens = list(view.query_tokens)
    weights = view.result.weights[tokens.index("bank")]  # (n_k,): row i is query i
    return view.key_tokens[int(weights.argmax())], float(weights[list(view.key_tokens).index(context)])


def test_the_bank_example_shows_two_meanings(e5):
    """Through the example's real head "bank" attends most to "river" in A and to "money" in B; with Q = K = V
    (the lecture's identity) it attends most to itself in both, which is why the example uses the head."""
    bank = BANK_EXAMPLE
    assert bank["model"] == e5.name
    head = Settings(projection=Projection("head", layer=bank["layer"], head=bank["head"]))
    texts = {"sentence": bank["sentence"], "sentence_b": bank["sentence_b"]}
    result = compare((e5, e5), two_sides("self", texts, head, SideB("sentences")), (e5.encode_layers,) * 2)
    a, b = result.a, result.b
    assert len(a.query_tokens) == len(b.query_tokens) == 9  # two maps of the same size
    top_a, river = bank_focus(a, "river")
    top_b, money = bank_focus(b, "money")
    assert (top_a, top_b) == ("river", "money"), (top_a, top_b)
    assert river > 0.6 and money > 0.4, (river, money)  # measured: 0.75 and 0.47
    identity = compare((e5, e5), two_sides("self", texts, Settings(), SideB("sentences")), (e5.encode_layers,) * 2)
    assert bank_focus(identity.a, "river")[0] == bank_focus(identity.b, "money")[0] == "bank"  # the old picture


def test_page_shows_the_bank_example_and_says_why_there_is_no_difference():
    at = open_app(COMPARE)
    at.button[0].click().run()  # the "bank" example
    assert not at.exception, at.exception
    assert at.text_input("sentence").value == BANK_EXAMPLE["sentence"]
    assert at.session_state["projection"] == "head" and at.session_state["layer"] == BANK_EXAMPLE["layer"]
    assert len(charts(at)) == 2
    assert any("no difference map" in m for m in messages(at))  # the words differ: a cell is two pairs
    _, a = drawn(at, 0)
    _, b = drawn(at, 1)
    assert a.shape == b.shape == (9, 9)


def test_a_link_reproduces_both_sides():
    at = open_app(COMPARE)
    set_widgets(at, compare_kind="settings")
    set_widgets(at, compare_setting="projection")
    # B's layer and head are the live compare chart's own controls: what it sends, the session keeps
    (chart,) = compare_charts(at)
    head, _ = live_chart_parts(chart)
    assert head["fields"][-2:] == ["layer_b", "head_b"] and head["chrome"]["ranges"] == {"layer_b": 5, "head_b": 11}
    at.session_state["layer_b"], at.session_state["head_b"] = 2, 4  # as webapp.compare_chart.keep_display stores them
    at.run()
    query = dict(at.query_params)
    assert {"compare_kind": "settings", "compare_setting": "projection", "layer_b": "2", "head_b": "4"}.items() <= {
        key: value[0] if isinstance(value, list) else value for key, value in query.items()
    }.items()
    again = open_app(COMPARE, query={k: v[0] if isinstance(v, list) else v for k, v in query.items()}, model=None)
    assert any("layer 2, head 4" in m for m in messages(again))
    for index in range(3):
        np.testing.assert_array_equal(drawn(again, index)[1], drawn(at, index)[1])


def test_two_models_side_by_side():
    at = open_app(COMPARE, query={"compare_kind": "models", "model_b": "multilingual-e5-small"})
    assert any("all-MiniLM-L6-v2" in m and "multilingual-e5-small" in m for m in messages(at))
    assert len(charts(at)) >= 2
