"""The numpy core against PyTorch's scaled_dot_product_attention, an independent implementation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from attention import causal_mask, scaled_dot_product_attention
from attention.examples import LECTURE_SOURCE, LECTURE_TARGET


def torch_reference(q, k, v, mask=None, scale=None):
    t = [torch.from_numpy(a).double()[None] for a in (q, k, v)]  # add a batch axis
    m = None if mask is None else torch.from_numpy(mask)[None]
    return F.scaled_dot_product_attention(*t, attn_mask=m, scale=scale)[0].numpy()


@pytest.mark.parametrize("seed", range(20))
def test_matches_torch_without_mask(seed):
    rng = np.random.default_rng(seed)
    n_q, n_k, d_k, d_v = rng.integers(1, 40, size=4)
    q, k, v = rng.normal(size=(n_q, d_k)) * 3, rng.normal(size=(n_k, d_k)) * 3, rng.normal(size=(n_k, d_v))
    ours = scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(ours.output, torch_reference(q, k, v), rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_matches_torch_with_random_mask(seed):
    rng = np.random.default_rng(100 + seed)
    n_q, n_k, d_k, d_v = rng.integers(1, 30, size=4)
    q, k, v = rng.normal(size=(n_q, d_k)), rng.normal(size=(n_k, d_k)), rng.normal(size=(n_k, d_v))
    mask = rng.random((n_q, n_k)) < 0.6
    mask[np.arange(n_q), rng.integers(0, n_k, size=n_q)] = True  # every query keeps a key
    ours = scaled_dot_product_attention(q, k, v, mask=mask)
    np.testing.assert_allclose(ours.output, torch_reference(q, k, v, mask), rtol=0, atol=1e-12)


@pytest.mark.parametrize("scale", [1.0, 0.05, 3.0])
def test_matches_torch_causal_and_custom_scale(scale):
    rng = np.random.default_rng(7)
    q, k, v = rng.normal(size=(12, 16)), rng.normal(size=(12, 16)), rng.normal(size=(12, 5))
    mask = causal_mask(12)
    ours = scaled_dot_product_attention(q, k, v, mask=mask, scale=scale)
    np.testing.assert_allclose(ours.output, torch_reference(q, k, v, mask, scale), rtol=0, atol=1e-12)


def test_weights_match_torch_softmax_on_real_embeddings(minilm):
    a = minilm.encode(LECTURE_SOURCE).vectors.astype(np.float64)
    b = minilm.encode(LECTURE_TARGET).vectors.astype(np.float64)
    ours = scaled_dot_product_attention(a, b, b)
    expected = torch.softmax(torch.from_numpy(a @ b.T / np.sqrt(a.shape[1])), dim=-1).numpy()
    np.testing.assert_allclose(ours.weights, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.output, torch_reference(a, b, b), rtol=0, atol=1e-10)
