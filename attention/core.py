"""Scaled dot-product attention in plain numpy, written to be read beside the picture.

    Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d_k)) V

Letters used in the shape comments:
    n_q  number of queries (tokens that ask),
    n_k  number of keys and values (tokens that are asked),
    d_k  length of a query or key vector,
    d_v  length of a value vector.

The four steps are those of the lecture: (1) queries and keys, (2) a dot-product
score for every query-key pair, (3) softmax over each query's scores so they sum
to 1, (4) the weighted sum of the value vectors, one output vector per query.
There is nothing more to it than the few lines in ``scaled_dot_product_attention``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AttentionResult:
    """Everything attention computed, kept so that it can be drawn.

    Attributes:
        scores: raw dot products, ``scores[i, j] = q_i · k_j``, shape (n_q, n_k).
        scaled: the scores after scaling and temperature, what softmax sees
            (masked pairs are ``-inf``), shape (n_q, n_k).
        weights: ``weights[i, j]`` is how much query i attends to key j; each
            row sums to 1 and masked pairs are exactly 0, shape (n_q, n_k).
        output: ``output[i]`` is the weighted sum of the value vectors for
            query i, shape (n_q, d_v).
        queries: the query vectors, shape (n_q, d_k).
        keys: the key vectors, shape (n_k, d_k).
        values: the value vectors that were mixed, shape (n_k, d_v).
        mask: True where query i may attend to key j, shape (n_q, n_k).
        scale: the factor applied to the raw scores (``1/sqrt(d_k)`` by default).
        temperature: the scaled scores were divided by this before softmax.
        d_k: length of the query and key vectors.
    """

    scores: np.ndarray
    scaled: np.ndarray
    weights: np.ndarray
    output: np.ndarray
    queries: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    mask: np.ndarray
    scale: float
    temperature: float
    d_k: int


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, stable for any finite input.

    Subtracting the maximum first keeps ``exp`` from overflowing (scores of 1e4
    would otherwise give inf/inf = nan); it does not change the result, because
    softmax(x) = softmax(x - c) for any constant c. Entries equal to ``-inf``
    get exactly 0.
    """
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)


def causal_mask(n: int) -> np.ndarray:
    """Mask for self attention in a decoder: token i sees tokens 0..i only.

    Returns:
        Bool array (n, n), ``mask[i, j]`` is True when j <= i.
    """
    return np.tril(np.ones((n, n), dtype=bool))


def attention_weights(scores: np.ndarray, allowed: np.ndarray, scale: float, temperature: float) -> np.ndarray:
    """Step 3 alone: softmax over each query's scaled scores, masked pairs getting exactly 0.

    The browser's live heatmap redoes this step (and nothing else) when the temperature or
    the scaling changes; this function is the reference it is tested against.

    Args:
        scores: raw dot products q·k, shape (n_q, n_k).
        allowed: True where query i may attend to key j, shape (n_q, n_k).
        scale, temperature: the scores are multiplied by ``scale / temperature``.
    """
    # Subtracting each query's top score *before* scaling gives the weights of softmax(scaled),
    # and stays finite where the scaled scores would overflow.
    top = np.max(np.where(allowed, scores, -np.inf), axis=-1, keepdims=True)  # (n_q, 1)
    return softmax(np.where(allowed, (scores - top) * scale / temperature, -np.inf), axis=-1)  # (n_q, n_k)


def scaled_dot_product_attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    mask: np.ndarray | None = None,
    scale: float | None = None,
    temperature: float = 1.0,
) -> AttentionResult:
    """Attend from every query to every key and mix the values.

    Args:
        q: queries, shape (n_q, d_k).
        k: keys, shape (n_k, d_k).
        v: values, shape (n_k, d_v); row j belongs to key j.
        mask: optional bool (n_q, n_k); True means query i may attend to key j.
            Every query must be allowed at least one key.
        scale: factor for the raw scores; ``None`` means ``1 / sqrt(d_k)``.
        temperature: the scaled scores are divided by it before softmax;
            below 1 sharpens the weights, above 1 flattens them.

    Returns:
        An AttentionResult whose ``weights[i, j]`` is how much query i attends
        to key j (each row sums to 1) and whose ``output[i]`` is query i's
        weighted sum of values.

    Raises:
        ValueError: shapes that do not fit together, a query with every key
            masked, a temperature or scale that is not a positive finite number,
            or vectors so long that their dot products overflow float64.
    """
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    _check_shapes(q, k, v, mask)
    n_q, d_k = q.shape
    n_k = k.shape[0]
    if scale is None:
        scale = 1.0 / np.sqrt(d_k)
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale}")
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a positive finite number, got {temperature}")
    allowed = np.ones((n_q, n_k), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)

    # step 2: one dot product per (query, key) pair
    scores = q @ k.T  # (n_q, d_k) @ (d_k, n_k) -> (n_q, n_k)
    if not np.all(np.isfinite(scores)):
        raise ValueError("the dot products q·k overflow float64: the vectors are too long, scale them down")
    scaled = scores * scale / temperature  # (n_q, n_k); a huge scale can overflow it to ±inf
    scaled = np.where(allowed, scaled, -np.inf)  # a masked key can get no weight
    # step 3: softmax over keys, so each query's weights sum to 1
    weights = attention_weights(scores, allowed, scale, temperature)  # (n_q, n_k)
    # step 4: each output is the weighted sum of the value vectors
    output = weights @ v  # (n_q, n_k) @ (n_k, d_v) -> (n_q, d_v)

    return AttentionResult(
        scores=scores,
        scaled=scaled,
        weights=weights,
        output=output,
        queries=q,
        keys=k,
        values=v,
        mask=allowed,
        scale=float(scale),
        temperature=float(temperature),
        d_k=d_k,
    )


def is_index(value) -> bool:
    """Whether ``value`` is a whole number that may index a layer or head (not a bool): the range checks of
    every model module (heads, translation) share it, so none imports another for it."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_shapes(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None) -> None:
    """Raise a ValueError that names the sizes when q, k, v and mask do not fit."""
    for name, a in (("q", q), ("k", k), ("v", v)):
        if a.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array (tokens, features), got shape {a.shape}")
    if q.shape[0] == 0 or k.shape[0] == 0:
        raise ValueError(f"need at least one query and one key, got {q.shape[0]} queries and {k.shape[0]} keys")
    if q.shape[1] != k.shape[1]:
        raise ValueError(f"queries have d_k={q.shape[1]} but keys have d_k={k.shape[1]}; they must match")
    if k.shape[0] != v.shape[0]:
        raise ValueError(f"there are {k.shape[0]} keys but {v.shape[0]} values; each key needs one value")
    for name, a in (("q", q), ("k", k), ("v", v)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or infinite entries")
    if mask is None:
        return
    n_q, n_k = q.shape[0], k.shape[0]
    mask = np.asarray(mask)
    if mask.shape != (n_q, n_k):
        raise ValueError(f"mask has shape {mask.shape}, expected ({n_q}, {n_k}) for {n_q} queries and {n_k} keys")
    blocked = np.flatnonzero(~np.asarray(mask, dtype=bool).any(axis=1))
    if blocked.size:
        raise ValueError(f"query {int(blocked[0])} has every one of its {n_k} keys masked; softmax needs at least one")
