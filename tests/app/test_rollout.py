"""Attention rollout: a two-layer case by hand, rows summing to 1, and the plain product without residual."""

from __future__ import annotations

import numpy as np
import pytest

from attention import attention_rollout, model_attention


def test_two_layers_by_hand():
    # layer 0: two heads, averaging to [[0.5, 0.5], [0, 1]]; layer 1: one head each way round
    a0 = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]])
    a1 = np.array([[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])
    rollout = attention_rollout(np.stack([a0, a1]), residual=0.5)
    # Â_0 = 0.5 I + 0.5 [[0.5, 0.5], [0, 1]] = [[0.75, 0.25], [0, 1]]
    np.testing.assert_allclose(rollout[0], [[0.75, 0.25], [0.0, 1.0]])
    # Â_1 = 0.5 I + 0.5 [[0, 1], [1, 0]] = [[0.5, 0.5], [0.5, 0.5]];  R_1 = Â_1 · R_0
    np.testing.assert_allclose(rollout[1], [[0.375, 0.625], [0.375, 0.625]])


def test_without_residual_it_is_the_product_of_head_averages():
    rng = np.random.default_rng(0)
    maps = rng.random((3, 4, 5, 5))
    maps /= maps.sum(axis=-1, keepdims=True)
    averages = maps.mean(axis=1)
    expected = averages[2] @ averages[1] @ averages[0]
    np.testing.assert_allclose(attention_rollout(maps, residual=0.0)[2], expected, atol=1e-12)


def test_rows_sum_to_one_on_the_models_own_maps(minilm):
    _, attentions = model_attention(minilm, "the cat sat on the mat because it was tired")
    rollout = attention_rollout(attentions)
    assert rollout.shape == (attentions.shape[0], *attentions.shape[2:])
    np.testing.assert_allclose(rollout.sum(axis=-1), 1.0, atol=1e-9)
    assert (rollout >= 0).all()


@pytest.mark.parametrize(("shape", "residual"), [((2, 2, 3), 0.5), ((1, 1, 2, 3), 0.5), ((1, 1, 2, 2), 1.0)])
def test_bad_input_says_what_is_wrong(shape, residual):
    with pytest.raises(ValueError, match="attentions|residual"):
        attention_rollout(np.ones(shape), residual=residual)


def test_the_model_heads_page_draws_the_rollout_of_the_model_run(minilm):
    from attention.heads import run_model
    from attention.rollout import DEFAULT_RESIDUAL
    from tests.helpers import HEADS, chart_spec, decode_array, open_app, set_widgets

    sentence = "the cat sat on the mat because it was tired"
    at = open_app(HEADS, query={"sentence": sentence})
    run = run_model(minilm, sentence)
    expected = attention_rollout(run.attentions, residual=DEFAULT_RESIDUAL)  # (n_layers, n, n)
    for layer in (len(expected) - 1, 2):  # the last layer by default, then one chosen
        if layer != len(expected) - 1:
            set_widgets(at, rollout_layer=layer)
        titles = {
            chart_spec(at, i)["layout"].get("title", {}).get("text"): i for i in range(len(at.get("plotly_chart")))
        }
        rolled = decode_array(chart_spec(at, titles[f"Rollout through layers 0 to {layer}"])["data"][0]["z"])
        plain = decode_array(chart_spec(at, titles[f"Layer {layer} alone: the average of its heads"])["data"][0]["z"])
        np.testing.assert_allclose(rolled, expected[layer].T, atol=1e-5)  # drawn with columns as queries
        np.testing.assert_allclose(plain, run.attentions[layer].mean(axis=0).T, atol=1e-5)
