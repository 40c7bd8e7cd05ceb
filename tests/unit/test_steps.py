"""The step-by-step panels and the projections show the core's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from attention import Settings, attend, causal_mask, scaled_dot_product_attention
from attention.heads import run_model
from attention.options import Projection
from attention.steps import attention_steps, dot_product_parts, step_figure, steps_animation, weighted_values
from attention.views import compute_view, projection_weights, random_projection


@pytest.fixture
def result():
    rng = np.random.default_rng(5)
    q, k, v = rng.normal(size=(3, 16)), rng.normal(size=(5, 16)), rng.normal(size=(5, 12))
    return scaled_dot_product_attention(q, k, v, temperature=2.0)


Q, K = ["a", "b", "c"], ["v", "w", "x", "y", "z"]


def test_panels_hold_the_core_numbers_in_the_lecture_layout(result):
    steps = attention_steps(result, Q, K, query=1)
    titles = [s.title for s in steps]
    assert titles[2] == "Dot-product scores q·k" and "√16 = ÷ 4.00" in titles[3] and "temperature 2" in titles[3]
    assert [s.number for s in steps] == ["1", "1", "2", "2a", "3", "4", "4", "4"]  # the lecture's numbers
    by_name = {s.name: s for s in steps}
    assert list(by_name) == ["queries", "keys", "scores", "scaled", "weights", "values", "weighted", "outputs"]
    np.testing.assert_array_equal(by_name["scores"].matrix, result.scores.T)  # columns are queries
    np.testing.assert_array_equal(by_name["weights"].matrix, result.weights.T)
    np.testing.assert_array_equal(by_name["values"].matrix, result.values[:, :8])
    np.testing.assert_array_equal(by_name["outputs"].matrix, result.output[:, :8].T)
    weighted = by_name["weighted"]
    assert "“b”" in weighted.title
    np.testing.assert_allclose(weighted.matrix.sum(axis=0), result.output[1, :8])  # rows add up to the output


def test_panels_speak_korean(result):
    steps = attention_steps(result, Q, K, lang="ko")
    assert steps[2].title == "내적 어텐션 스코어 q·k" and steps[2].col_title == "쿼리"


def test_mask_panel_appears_with_a_mask():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 8))
    masked = scaled_dot_product_attention(x, x, x, mask=causal_mask(4))
    steps = attention_steps(masked, list("abcd"), list("abcd"))
    mask = next(s for s in steps if s.name == "mask")
    np.testing.assert_array_equal(np.isfinite(mask.matrix), causal_mask(4).T)  # masked pairs: empty cells
    scaled = next(s for s in steps if s.name == "scaled").matrix
    assert np.isnan(scaled[1, 0]) and np.isfinite(scaled[0, 1])  # key 1 is hidden from query 0


def test_weighted_values_add_up_to_each_output(result):
    for query in range(3):
        np.testing.assert_allclose(weighted_values(result, query).sum(axis=0), result.output[query])


def test_dot_product_taken_apart(result):
    parts = dot_product_parts(result, query=2, key=4, top=3)
    np.testing.assert_allclose(parts.products, result.queries[2] * result.keys[4])
    assert parts.score == pytest.approx(result.scores[2, 4])
    assert parts.scaled == pytest.approx(result.scores[2, 4] / 4 / 2)
    assert len(parts.largest) == 3
    assert abs(parts.products[parts.largest[0]]) == np.abs(parts.products).max()


def test_step_figures_and_animation(result):
    step = attention_steps(result, Q, K)[2]
    fig = step_figure(step)
    assert np.asarray(fig.data[0].z).shape == (5, 3) and fig.data[0].texttemplate == "%{z:.2f}"
    assert np.asarray(step_figure(step, transpose=True).data[0].z).shape == (3, 5)
    animation = steps_animation(result, Q, K)
    assert [f.name for f in animation.frames] == ["1", "2", "2a", "3", "4"]  # the lecture's four steps
    assert animation.frames[3].layout.title.text.startswith("Step 3: Softmax")
    np.testing.assert_allclose(np.asarray(animation.frames[-1].data[0].z), result.weights.T, rtol=1e-6)
    assert animation.layout.updatemenus[0].buttons[0].label == "▶ Play"


def test_real_head_projection_reproduces_the_model(minilm):
    text = "the cat sat on the mat"
    run = run_model(minilm, text)
    settings = Settings(show_special=True, projection=Projection("head", layer=3, head=7))
    view = compute_view(minilm, {"sentence": text}, settings)  # the head reads the hidden states entering layer 3
    assert view.result.d_k == 32 and view.layer == 3
    assert np.abs(view.result.weights - run.attentions[3, 7]).max() < 1e-5


def test_random_projection_is_seeded():
    a, b, c = random_projection(384, 16, 1), random_projection(384, 16, 1), random_projection(384, 16, 2)
    np.testing.assert_array_equal(a.w_q, b.w_q)
    assert not np.array_equal(a.w_q, c.w_q) and a.w_q.shape == (16, 384)
    assert np.allclose(a.w_q.std(), 1 / np.sqrt(384), rtol=0.05)


def test_random_projection_changes_the_pattern(minilm):
    te = minilm.encode("the cat sat on the mat")
    identity = attend(te, te, Settings())
    settings = Settings(projection=Projection("random", d_k=16, seed=0))
    projected = attend(te, te, settings, weights=projection_weights(minilm, settings.projection))
    assert projected.result.weights.shape == identity.result.weights.shape and projected.result.d_k == 16
    assert not np.allclose(projected.result.weights, identity.result.weights, atol=1e-3)
