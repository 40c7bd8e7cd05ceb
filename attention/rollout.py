"""Attention rollout: how much each token's final representation draws on each input token.

One layer's map says where that layer looks, not where the information it reads came
from: after layer 0 every hidden state is already a mix of tokens. Abnar and Zuidema
("Quantifying Attention Flow in Transformers", 2020) follow the mixing through the layers:

    Â_L = r·I + (1 − r)·mean_h(A_L)      the residual connection keeps a share r of each token itself
    Â_L /= Â_L.sum(axis=-1)              rows sum to 1 again
    R_0 = Â_0,   R_L = Â_L · R_{L−1}     compose the layers in order

What it cannot show: it treats the residual share as fixed, averages the heads with
equal weight and ignores the value vectors and the feed-forward layers, so it is an
estimate of the flow, not a measurement of it.
"""

from __future__ import annotations

import numpy as np

DEFAULT_RESIDUAL = 0.5  # the share of each token that the residual connection keeps, as Abnar and Zuidema do


def attention_rollout(attentions: np.ndarray, residual: float = DEFAULT_RESIDUAL) -> np.ndarray:
    """Rollout through the layers of one model run.

    Args:
        attentions: (n_layers, n_heads, n, n), e.g. ``ModelRun.attentions``; each row sums to 1.
        residual: the share r of each token kept by the residual connection, 0 <= r < 1.

    Returns:
        float64 (n_layers, n, n): entry L is the rollout through layers 0..L;
        ``rollout[L, i, j]`` is how much token i after layer L draws on input token j.
        Every row sums to 1.

    Raises:
        ValueError: ``attentions`` is not (n_layers, n_heads, n, n), or ``residual`` is out of range.
    """
    attentions = np.asarray(attentions, dtype=np.float64)
    if attentions.ndim != 4 or attentions.shape[-1] != attentions.shape[-2]:
        raise ValueError(f"attentions must be (n_layers, n_heads, n, n), got shape {attentions.shape}")
    if not 0 <= residual < 1:
        raise ValueError(f"residual must be in [0, 1), got {residual}")
    n = attentions.shape[-1]
    mixed = residual * np.eye(n) + (1 - residual) * attentions.mean(axis=1)  # (n_layers, n, n)
    mixed /= mixed.sum(axis=-1, keepdims=True)  # rows sum to 1 again
    rollout = np.empty_like(mixed)
    rollout[0] = mixed[0]
    for layer in range(1, len(mixed)):
        rollout[layer] = mixed[layer] @ rollout[layer - 1]  # (n, n) @ (n, n) -> (n, n)
    return rollout


def head_average(attentions: np.ndarray, layer: int) -> np.ndarray:
    """The plain map of one layer that the rollout is set beside: the mean of its heads.

    Args:
        attentions: (n_layers, n_heads, n, n), e.g. ``ModelRun.attentions``.
        layer: 0 <= layer < n_layers.

    Returns:
        (n, n): ``average[i, j]`` is how much token i attends to token j in ``layer``, averaged
        over its heads; each row sums to 1.
    """
    if not 0 <= layer < len(attentions):
        raise ValueError(f"layer must be between 0 and {len(attentions) - 1}, got {layer}")
    return attentions[layer].mean(axis=0)  # (n_heads, n, n) -> (n, n)
