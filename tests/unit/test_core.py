"""The attention core: hand-computed cases, invariants, stability and errors."""

from __future__ import annotations

import numpy as np
import pytest

from attention import causal_mask, scaled_dot_product_attention, softmax


def test_two_by_two_by_hand():
    q = np.array([[1.0, 0.0], [0.0, 2.0]])
    k = np.array([[1.0, 0.0], [1.0, 1.0]])
    v = np.array([[10.0, 0.0], [0.0, 10.0]])
    r = scaled_dot_product_attention(q, k, v)
    # scores: q0·k0 = 1, q0·k1 = 1, q1·k0 = 0, q1·k1 = 2
    np.testing.assert_array_equal(r.scores, [[1.0, 1.0], [0.0, 2.0]])
    s = 1 / np.sqrt(2)
    np.testing.assert_allclose(r.scaled, [[s, s], [0.0, 2 * s]])
    # query 0 ties: half and half; query 1: softmax([0, sqrt 2])
    w1 = 1 / (1 + np.exp(-2 * s))
    np.testing.assert_allclose(r.weights, [[0.5, 0.5], [1 - w1, w1]])
    np.testing.assert_allclose(r.output, [[5.0, 5.0], [10 * (1 - w1), 10 * w1]])
    assert r.d_k == 2 and r.scale == pytest.approx(s)


def test_one_query_three_keys_unscaled():
    # as in sentence-transformers' own tests: [[1, 0]] against three keys
    q = np.array([[1.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    v = np.eye(3)
    r = scaled_dot_product_attention(q, k, v, scale=1.0)
    e = np.exp([1.0, 0.0, -1.0])
    np.testing.assert_allclose(r.weights, [e / e.sum()])
    np.testing.assert_allclose(r.output, [e / e.sum()])  # v = identity: output = weights


def test_temperature_divides_scaled_scores():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    hot = scaled_dot_product_attention(q, k, v, temperature=2.0)
    same = scaled_dot_product_attention(q, k, v, scale=0.5 / 2.0)
    np.testing.assert_allclose(hot.weights, same.weights)
    sharp = scaled_dot_product_attention(q, k, v, temperature=0.01)
    np.testing.assert_allclose(sharp.weights.max(axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_invariants(seed):
    rng = np.random.default_rng(seed)
    n_q, n_k, d_k, d_v = rng.integers(1, 9, size=4)
    q, k, v = rng.normal(size=(n_q, d_k)), rng.normal(size=(n_k, d_k)), rng.normal(size=(n_k, d_v))
    r = scaled_dot_product_attention(q, k, v)
    assert r.weights.shape == (n_q, n_k) and r.output.shape == (n_q, d_v)
    np.testing.assert_allclose(r.weights.sum(axis=1), 1.0)
    assert (r.weights >= 0).all()
    # each output is a convex combination of the values
    assert (r.output <= v.max(axis=0) + 1e-12).all() and (r.output >= v.min(axis=0) - 1e-12).all()
    # shuffling the keys together with their values shuffles the weights and leaves the outputs alone
    order = rng.permutation(n_k)
    shuffled = scaled_dot_product_attention(q, k[order], v[order])
    np.testing.assert_allclose(shuffled.weights, r.weights[:, order])
    np.testing.assert_allclose(shuffled.output, r.output)


def test_huge_scores_stay_finite():
    q = np.array([[1e2, 0.0], [-1e2, 0.0]])
    k = np.array([[1e2, 0.0], [-1e2, 0.0]])  # raw scores of ±1e4
    r = scaled_dot_product_attention(q, k, np.eye(2), scale=1.0)
    assert np.isfinite(r.weights).all()
    np.testing.assert_allclose(r.weights, np.eye(2))
    assert np.allclose(softmax(np.array([1e4, -1e4, 0.0])), [1, 0, 0])


def test_mask_gives_exact_zeros_and_renormalises():
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    mask = causal_mask(4)
    r = scaled_dot_product_attention(q, k, v, mask=mask)
    assert (r.weights[~mask] == 0).all()
    np.testing.assert_allclose(r.weights.sum(axis=1), 1.0)
    assert r.weights[0, 0] == 1.0  # the first token can only see itself
    np.testing.assert_allclose(r.output[0], v[0])


def test_causal_mask_shape():
    np.testing.assert_array_equal(causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])


@pytest.mark.parametrize(
    ("q", "k", "v", "mask", "words"),
    [
        ((2, 3), (4, 5), (4, 2), None, ["d_k=3", "d_k=5"]),
        ((2, 3), (4, 3), (5, 2), None, ["4 keys", "5 values"]),
        ((2, 3), (4, 3), (4, 2), np.ones((3, 4), bool), ["(3, 4)", "(2, 4)"]),
        ((3,), (4, 3), (4, 2), None, ["q must be a 2-D array", "(3,)"]),
        ((0, 3), (4, 3), (4, 2), None, ["0 queries"]),
    ],
)
def test_shape_errors_name_the_sizes(q, k, v, mask, words):
    with pytest.raises(ValueError) as error:
        scaled_dot_product_attention(np.ones(q), np.ones(k), np.ones(v), mask=mask)
    for word in words:
        assert word in str(error.value)


def test_fully_masked_row_is_an_error():
    mask = np.array([[True, False], [False, False]])
    with pytest.raises(ValueError, match="query 1 has every one of its 2 keys masked"):
        scaled_dot_product_attention(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)), mask=mask)


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature"):
        scaled_dot_product_attention(np.ones((1, 2)), np.ones((1, 2)), np.ones((1, 2)), temperature=temperature)


def test_core_needs_no_torch_or_streamlit():
    import ast
    from pathlib import Path

    import attention.core as core

    tree = ast.parse(Path(core.__file__).read_text())
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"__future__", "dataclasses", "numpy"}
