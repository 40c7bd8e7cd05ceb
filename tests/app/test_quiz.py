"""Guess first: the grid without weights, the score, and the quiz in the pages (AppTest).

Until "Reveal" the page must not hold any weight, in any form: not in the figure's data,
not in hover text, not in a download.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from attention.figures import attention_figure
from attention.i18n import text
from attention.options import FigureOptions
from attention.quiz import GUESS_CELL, blank_grid_figure, cell_of_point, mark_guesses, score_guesses
from tests.helpers import (
    CROSS,
    SELF,
    chart_spec,
    charts,
    decode_array,
    heatmap,
    live_charts,
    open_app,
    page_text,
    set_widgets,
)

# weights[i, j]: how much query i attends to key j; each row sums to 1
WEIGHTS = np.array(
    [
        [0.5, 0.3, 0.2],  # query 0: key 0 gets the most
        [0.1, 0.6, 0.3],  # query 1: key 1
        [0.25, 0.25, 0.5],  # query 2: key 2; keys 0 and 1 tie behind it
        [0.2, 0.2, 0.6],  # query 3: key 2
    ]
)


# --- the library ---------------------------------------------------------------------------------


def test_score_by_hand():
    score = score_guesses(WEIGHTS, {0: 0, 1: 2, 2: 1, 3: 2})
    assert score.queries == (0, 1, 2, 3)
    assert score.hits == (True, False, False, True)
    assert score.ranks == (1, 2, 2, 1)  # 0.3 is second in row 1; 0.25 ties for second in row 2
    assert score.weights == pytest.approx((0.5, 0.3, 0.25, 0.6))
    assert score.best == (0, 1, 2, 2)
    assert (score.n_hits, score.n_guessed, score.n_queries) == (2, 4, 4)
    assert score.mean_weight == pytest.approx((0.5 + 0.3 + 0.25 + 0.6) / 4)


def test_score_of_some_queries_and_of_none():
    score = score_guesses(WEIGHTS, {3: 0, 1: 1})
    assert score.queries == (1, 3) and score.keys == (1, 0)
    assert score.ranks == (1, 2)  # 0.2 ties with key 1 behind 0.6
    assert score.mean_weight == pytest.approx(0.4)
    empty = score_guesses(WEIGHTS, {})
    assert (empty.n_guessed, empty.n_hits, empty.mean_weight, empty.n_queries) == (0, 0, 0.0, 4)


def test_score_refuses_guesses_outside_the_weights():
    with pytest.raises(ValueError, match="4 queries and 3 keys"):
        score_guesses(WEIGHTS, {0: 3})
    with pytest.raises(ValueError):
        score_guesses(WEIGHTS, {4: 0})


def test_points_go_query_by_query():
    assert cell_of_point(0, 3) == (0, 0)
    assert cell_of_point(5, 3) == (1, 2)
    assert cell_of_point(11, 3) == (3, 2)


@pytest.mark.parametrize("transpose", [False, True])
def test_blank_grid_has_tokens_and_guesses_but_no_weights(transpose):
    queries, keys = ["the", "<b>cat</b>", "the"], ["le", "chat"]
    figure = blank_grid_figure(queries, keys, FigureOptions(transpose=transpose), {1: 0})
    (trace,) = figure.data
    assert trace.type == "scatter" and "z" not in trace.to_plotly_json()
    columns, rows = (trace.y, trace.x) if transpose else (trace.x, trace.y)
    for index, (column, row) in enumerate(zip(columns, rows, strict=True)):
        query, key = cell_of_point(index, len(keys))
        assert column == ["0 · the", "&lt;b&gt;cat&lt;/b&gt;", "2 · the"][query]  # escaped, repeats kept apart
        assert row == keys[key]
    colors = list(trace.marker.color)
    assert colors.count(GUESS_CELL) == 1 and colors[1 * len(keys) + 0] == GUESS_CELL
    query_axis = figure.layout.yaxis if transpose else figure.layout.xaxis
    assert "query" in query_axis.title.text
    assert figure.layout.yaxis.autorange == "reversed"


def test_marks_frame_each_guess_on_the_real_figure():
    from attention.core import scaled_dot_product_attention

    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 8))
    y = rng.normal(size=(3, 8))
    result = scaled_dot_product_attention(x, y, y)
    best = result.weights.argmax(axis=1)  # (4,)
    worst = result.weights.argmin(axis=1)
    score = score_guesses(result.weights, {0: int(best[0]), 1: int(worst[1])})
    figure = mark_guesses(attention_figure(result, list("abcd"), list("xyz")), score, 3)
    texts = [a.text for a in figure.layout.annotations]
    assert texts == ["<b>✓</b>", "<b>#3</b>"]
    assert len(figure.layout.shapes) == 3  # two guesses and the dotted frame of the missed query's best key
    hit = figure.layout.shapes[0]
    # query 0 is the first of 4 columns; its best key the best[0]-th of 3 rows from the top
    assert (hit.x0, hit.x1) == pytest.approx((0, 0.25))
    assert (hit.y0, hit.y1) == pytest.approx((1 - (best[0] + 1) / 3, 1 - best[0] / 3))
    transposed = mark_guesses(
        attention_figure(result, list("abcd"), list("xyz"), FigureOptions(transpose=True)),
        score,
        3,
        FigureOptions(transpose=True),
    )
    hit = transposed.layout.shapes[0]  # query 0 is now the top row of 4, its key a column of 3
    assert (hit.y0, hit.y1) == pytest.approx((0.75, 1))
    assert (hit.x0, hit.x1) == pytest.approx((best[0] / 3, (best[0] + 1) / 3))


# --- the pages -----------------------------------------------------------------------------------


def guess(at, kind: str, guesses: dict[int, int]):
    """Record ``guesses`` as clicks on the grid would, and run the page."""
    rounds = at.session_state["_quiz_guesses"]
    rounds[kind]["guesses"] = dict(guesses)
    at.session_state["_quiz_guesses"] = rounds
    at.run()
    assert not at.exception, at.exception
    return at


def recorded(at, kind: str) -> dict[int, int]:
    return dict(at.session_state["_quiz_guesses"][kind]["guesses"])


def reveal(at, kind: str):
    at.button(f"quiz_reveal_{kind}").click().run()
    assert not at.exception, at.exception
    return at


def weight_strings(weights: np.ndarray) -> list[str]:
    """Each weight written every way a page might write it."""
    found = set()
    for w in weights.ravel():
        w = float(w)
        if w < 1e-3:
            continue
        found |= {f"{w:.3f}", f"{w:.4f}", f"{w:.6f}", repr(w), repr(float(np.float32(w))), f"{w:.2%}"}
    return sorted(found)


def assert_no_weights(text_: str, weights: np.ndarray) -> None:
    for written in weight_strings(weights):
        assert written not in text_, written
    two_decimals = {f"{float(w):.2f}" for w in weights.ravel() if float(w) >= 0.01}
    for written in two_decimals:
        assert not re.search(rf"(?<![\d.]){re.escape(written)}(?!\d)", text_), written


@pytest.mark.parametrize(("page", "kind"), [(CROSS, "cross"), (SELF, "self")])
def test_the_quiz_hides_the_weights_then_reveals_and_scores(page, kind):
    at = open_app(page, query={"quiz": "true"})
    assert at.toggle("quiz").value
    before = page_text(at)
    assert not live_charts(at)  # no live heatmap: it would carry the scores
    for spec in charts(at):
        assert all(trace["type"] == "scatter" for trace in spec["data"])
        assert all("z" not in trace and "customdata" not in trace for trace in spec["data"])
        assert "bdata" not in json.dumps(spec)
    assert not at.get("download_button")
    assert at.button(f"quiz_reveal_{kind}").disabled

    guess(at, kind, {0: 0, 1: 1})
    assert recorded(at, kind) == {0: 0, 1: 1}
    grid = chart_spec(at)["data"][0]
    assert grid["marker"]["color"].count(GUESS_CELL) == 2
    guessed = page_text(at)
    assert text("quiz.progress", guessed=2, n=len(set(grid["x"]))) in guessed  # x: the queries
    assert not at.get("download_button")

    reveal(at, kind)
    trace, z = heatmap(at)
    weights = z.T  # the lecture's layout: columns are queries
    assert_no_weights(before, weights)
    assert_no_weights(guessed, weights)
    for packed in (z, weights):  # nor as the typed array Plotly sends numpy data in
        assert base64.b64encode(np.ascontiguousarray(packed, dtype=np.float32).tobytes()).decode() not in guessed
    with pytest.raises(AssertionError):  # the check does find a weight where there is one
        assert_no_weights(f"{guessed} {weights[0, 0]:.3f}", weights)
    score = score_guesses(weights, {0: 0, 1: 1})
    even = 100 / weights.shape[1]
    expected = text("quiz.score", hits=score.n_hits, guessed=2, share=100 * score.mean_weight, even=even)
    assert expected in [str(s.value) for s in at.success]
    spec = chart_spec(at)
    marks = [a["text"] for a in spec["layout"]["annotations"]]
    assert marks == [f"<b>{'✓' if r == 1 else f'#{r}'}</b>" for r in score.ranks]
    assert at.get("download_button")  # the numbers may be downloaded now


def test_score_through_the_page_by_hand():
    """The first query's best key and its worst: one hit of two, the share is their mean weight."""
    at = open_app(CROSS, query={"quiz": "true"})
    at.toggle("quiz").set_value(False).run()  # the normal page, to read the weights a student would not see
    weights = heatmap(at)[1].T  # (n_q, n_k)
    at.toggle("quiz").set_value(True).run()
    best, worst = int(weights[0].argmax()), int(weights[1].argmin())
    reveal(guess(at, "cross", {0: best, 1: worst}), "cross")
    share = 100 * (weights[0, best] + weights[1, worst]) / 2
    assert text("quiz.score", hits=1, guessed=2, share=share, even=100 / weights.shape[1]) in [
        str(s.value) for s in at.success
    ]
    n_q = weights.shape[0]
    assert text("quiz.unguessed", n=n_q - 2) in [str(c.value) for c in at.caption]


def test_a_new_sentence_or_setting_clears_the_guesses_but_the_picture_does_not():
    at = open_app(CROSS, query={"quiz": "true"})
    guess(at, "cross", {0: 1})
    set_widgets(at, transpose=True)  # only the picture: the guess stays
    assert recorded(at, "cross") == {0: 1}
    transposed = chart_spec(at)["data"][0]
    assert transposed["marker"]["color"].count(GUESS_CELL) == 1
    set_widgets(at, source="A new sentence")
    assert recorded(at, "cross") == {}
    guess(at, "cross", {0: 1})
    set_widgets(at, temperature=2.0)  # changes the numbers
    assert recorded(at, "cross") == {}


def test_guess_again_hides_the_weights():
    at = open_app(SELF, query={"quiz": "true"})
    reveal(guess(at, "self", {0: 0}), "self")
    assert at.get("download_button")
    at.button("quiz_again_self").click().run()
    assert recorded(at, "self") == {}
    assert not at.get("download_button")
    assert all(trace["type"] == "scatter" for trace in chart_spec(at)["data"])


def test_the_link_keeps_quiz_mode_and_presentation_mode_works():
    at = open_app(CROSS, query={"quiz": "true", "present": "true"})
    assert at.query_params["quiz"] in ("true", ["true"])  # the link kept opens quiz mode again
    spec = chart_spec(at)
    assert spec["data"][0]["type"] == "scatter"
    reveal(guess(at, "cross", {0: 0}), "cross")
    assert heatmap(at)[0]["type"] == "heatmap"


@pytest.mark.parametrize("projection", ["head", "random"])
def test_quiz_with_other_projections(projection):
    at = open_app(SELF, query={"quiz": "true", "projection": projection})
    assert chart_spec(at)["data"][0]["type"] == "scatter"
    reveal(guess(at, "self", {0: 0}), "self")
    assert decode_array(heatmap(at)[0]["z"]).shape[0] > 0


def test_quiz_in_korean_with_the_multilingual_model():
    query = {"quiz": "true", "lang": "ko", "source": "이것은 예입니다", "target": "これは例です"}
    at = open_app(CROSS, query=query, model=None)
    assert text("quiz.ask", "ko") in [str(m.value) for m in at.markdown]
    assert at.button("quiz_reveal_cross").label == text("quiz.reveal", "ko")
    reveal(guess(at, "cross", {0: 0}), "cross")
    assert any(str(s.value).startswith("쿼리 1개 중") for s in at.success)
