"""Property tests of scaled_dot_product_attention: whatever the shapes, masks, magnitudes and temperature,
the weights are finite, each row sums to 1, masked keys get exactly 0, and every output is a convex mix of
the values it was allowed to see."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attention.core import scaled_dot_product_attention, softmax

# the overflow is the point of some tests here, and numpy says so each time
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
MAX_DIM = 12
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def finite(magnitude: float):
    return st.floats(-magnitude, magnitude, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def problems(draw, magnitude: float = 1e3, scale=None):
    """q (n_q, d_k), k (n_k, d_k), v (n_k, d_v), an optional mask keeping at least one key per row,
    a scale (None = 1/sqrt(d_k)) and a temperature in [1e-3, 1e3] spread over its decades."""
    n_q, n_k, d_k, d_v = (draw(st.integers(1, MAX_DIM)) for _ in range(4))
    # entries up to ±1e3 over up to 12 dimensions: raw scores q·k reach about ±1e6 or more
    q = draw(arrays(np.float64, (n_q, d_k), elements=finite(magnitude)))
    k = draw(arrays(np.float64, (n_k, d_k), elements=finite(magnitude)))
    v = draw(arrays(np.float64, (n_k, d_v), elements=finite(magnitude)))
    mask = None
    if draw(st.booleans()):
        mask = draw(arrays(np.bool_, (n_q, n_k)))
        keep = draw(arrays(np.int64, n_q, elements=st.integers(0, n_k - 1)))
        mask[np.arange(n_q), keep] = True  # every query keeps at least one key
    temperature = 10.0 ** draw(st.floats(-3, 3))
    return q, k, v, mask, draw(scale) if scale is not None else None, temperature


def check_properties(q, k, v, mask, scale, temperature) -> None:
    r = scaled_dot_product_attention(q, k, v, mask=mask, scale=scale, temperature=temperature)
    allowed = np.ones((q.shape[0], k.shape[0]), dtype=bool) if mask is None else mask
    assert r.weights.shape == (q.shape[0], k.shape[0]) and r.output.shape == (q.shape[0], v.shape[1])
    assert np.all(np.isfinite(r.weights)), r.weights
    assert np.all(r.weights >= 0)
    np.testing.assert_allclose(r.weights.sum(axis=1), 1.0, rtol=0, atol=1e-9)
    assert np.all(r.weights[~allowed] == 0.0), "a masked key got weight"
    assert np.all(np.isfinite(r.output))
    for i in range(q.shape[0]):
        seen = v[allowed[i]]  # the values query i may mix
        low, high = seen.min(axis=0), seen.max(axis=0)
        tolerance = 1e-9 * (1 + np.abs(seen).max())
        assert np.all(r.output[i] >= low - tolerance), (i, r.output[i], low)
        assert np.all(r.output[i] <= high + tolerance), (i, r.output[i], high)


@PROPERTY_SETTINGS
@given(problems())
def test_weights_are_a_distribution_and_outputs_mix_the_values(problem):
    check_properties(*problem)


@PROPERTY_SETTINGS
@given(problems(scale=st.floats(1e-6, 1e6)))
def test_any_positive_scale_keeps_the_properties(problem):
    check_properties(*problem)


@PROPERTY_SETTINGS
@given(problems(scale=st.sampled_from([1e10, 1e100, 1e300, 1.7e308])))
def test_a_scale_that_overflows_the_scaled_scores_keeps_the_properties(problem):
    """Scores up to about ±1e7 times a huge (but finite, so accepted) scale leave float64's range:
    the weights must still be a distribution, the largest scores taking all of it, never NaN."""
    check_properties(*problem)


@pytest.mark.parametrize("scale", [1e300, 1e308])
def test_overflowing_scaled_scores_pick_the_largest_key(scale):
    q = np.array([[1e10, 0.0], [-1e10, 0.0]])
    k = np.array([[1e10, 0.0], [2e10, 0.0], [0.0, 1.0]])  # key 1 scores highest for query 0, key 2 for query 1
    v = np.array([[1.0], [2.0], [3.0]])
    r = scaled_dot_product_attention(q, k, v, scale=scale)
    assert np.isinf(r.scaled).any()  # what the hover shows: the scaled scores did overflow
    np.testing.assert_array_equal(r.weights, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(r.output[:, 0], [2.0, 3.0])


def test_ties_share_the_weight_when_the_scaled_scores_overflow():
    q = np.array([[1.0]])
    k = np.array([[1.0], [1.0], [-1.0]])
    r = scaled_dot_product_attention(q, k, np.eye(3), scale=1e308, temperature=1e-3)
    np.testing.assert_array_equal(r.weights, [[0.5, 0.5, 0.0]])


@settings(max_examples=100, deadline=None)
@given(problems(magnitude=1e200))
def test_dot_products_that_overflow_are_refused_not_nan(problem):
    """Finite vectors so long that q·k itself leaves float64's range: a ValueError that says so,
    never NaN weights."""
    q, k, v, mask, scale, temperature = problem
    with np.errstate(over="ignore", invalid="ignore"):
        finite_scores = np.all(np.isfinite(q @ k.T))
    if finite_scores:
        check_properties(q, k, np.clip(v, -1e300, 1e300), mask, scale, temperature)
    else:
        with pytest.raises(ValueError, match="overflow"):
            scaled_dot_product_attention(q, k, v, mask=mask, scale=scale, temperature=temperature)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, MAX_DIM), st.integers(1, MAX_DIM)), elements=finite(1e6)))
def test_softmax_of_finite_scores(x):
    w = softmax(x)
    assert np.all(np.isfinite(w)) and np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    top = np.take_along_axis(w, np.argmax(x, axis=-1)[:, None], axis=-1)
    np.testing.assert_array_equal(top[:, 0], w.max(axis=-1))  # the largest score has the largest weight


@settings(max_examples=100, deadline=None)
@given(st.integers(1, MAX_DIM), st.integers(1, MAX_DIM), st.floats(-1e6, 1e6))
def test_equal_scores_give_equal_weights(n_q, n_k, value):
    """Keys that all score the same get 1/n_k each, whatever the score."""
    q = np.full((n_q, 1), value)
    k = np.ones((n_k, 1))
    r = scaled_dot_product_attention(q, k, np.eye(n_k), scale=1.0)
    np.testing.assert_allclose(r.weights, 1.0 / n_k, rtol=1e-12)
