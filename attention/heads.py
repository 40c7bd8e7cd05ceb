"""The model's own attention heads, taken apart and rebuilt in numpy.

all-MiniLM-L6-v2 is a BERT with 6 layers of 12 heads each. In every layer, every
head turns the hidden states entering that layer into queries, keys and values
with its own learned weights, then does exactly the attention of ``core.py``:

    q = hidden @ W_Qᵀ + b_Q        k = hidden @ W_Kᵀ + b_K        v = hidden @ W_Vᵀ + b_V
    weights = softmax(q kᵀ / sqrt(d_head))

This module runs the model once (torch is used for that and nothing else), keeps
its attention maps and hidden states, and reads the W and b of any head, so a
page can recompute a head's map with ``scaled_dot_product_attention`` and show
that it is the model's own, to float precision.

Letters used in the shape comments:
    n        number of tokens, [CLS] and [SEP] included,
    n_q/n_k  number of queries / keys when they come from different sentences,
    d_model  length of a hidden state (384),
    d_head   length of one head's query, key and value vectors (384 / 12 = 32),
    d_out    d_head for one head, d_model for all heads of a layer side by side.

Typical use:

    tokens, att = model_attention(enc, "the cat sat on the mat")    # att[layer, head] is (n, n)
    q, k, v = head_projections(enc, "the cat sat on the mat", layer=2, head=5)
    scaled_dot_product_attention(q, k, v).weights                      # == att[2, 5]
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from attention.core import AttentionResult, is_index, scaled_dot_product_attention
from attention.embeddings import Encoder


@dataclass(frozen=True)
class ModelRun:
    """One forward pass of the model over one text: what it attended to and what it computed.

    Attributes:
        text: the text as given.
        tokens: the word pieces exactly as the model saw them, [CLS] and [SEP] included,
            cut to ``enc.max_tokens``.
        attentions: float32 (n_layers, n_heads, n, n); ``attentions[L, h, i, j]`` is how
            much token i attends to token j in head h of layer L. Each row sums to 1.
        hidden_states: float32 (n_layers + 1, n, d_model); ``hidden_states[L]`` enters
            layer L, so ``hidden_states[0]`` is the embedding layer's output and
            ``hidden_states[-1]`` is the last layer's output.
    """

    text: str
    tokens: list[str]
    attentions: np.ndarray
    hidden_states: np.ndarray


@dataclass(frozen=True)
class QKVWeights:
    """The learned query, key and value projections of one head, or of all heads of a layer.

    PyTorch stores a Linear layer's weight as (out_features, in_features), so each
    ``w_*`` is (d_out, d_model) and is applied as ``hidden @ w.T + b``.

    Attributes:
        layer: the layer these weights belong to.
        head: the head, or None for all heads of the layer side by side
            (head h then owns rows ``h * d_head`` to ``(h + 1) * d_head``).
        w_q, w_k, w_v: float64 (d_out, d_model).
        b_q, b_k, b_v: float64 (d_out,).
    """

    layer: int
    head: int | None
    w_q: np.ndarray
    b_q: np.ndarray
    w_k: np.ndarray
    b_k: np.ndarray
    w_v: np.ndarray
    b_v: np.ndarray

    @property
    def d_out(self) -> int:
        """Length of the projected vectors: d_head for one head, d_model for a whole layer."""
        return int(self.w_q.shape[0])


@dataclass(frozen=True)
class MultiHeadResult:
    """Every head of one layer, attending separately, and their outputs side by side.

    Attributes:
        layer: the layer the heads belong to.
        heads: one AttentionResult per head, in head order.
        output: float64 (n_q, n_heads * d_head); the heads' outputs concatenated,
            ``output[:, h * d_head:(h + 1) * d_head]`` is ``heads[h].output``. (In the
            model this then goes through the layer's output projection, residual
            connection and LayerNorm, which are not attention and are not done here.)
    """

    layer: int
    heads: list[AttentionResult]
    output: np.ndarray

    @property
    def weights(self) -> np.ndarray:
        """All heads' attention weights, float64 (n_heads, n_q, n_k)."""
        return np.stack([result.weights for result in self.heads])


def layer_head_count(enc: Encoder) -> tuple[int, int]:
    """How many layers the model has and how many attention heads each layer has.

    Returns:
        (n_layers, n_heads); (6, 12) for all-MiniLM-L6-v2.
    """
    config = _auto_model(enc).config
    return int(config.num_hidden_layers), int(config.num_attention_heads)


def run_model(enc: Encoder, text: str, twin=None) -> ModelRun:
    """Run the model once over ``text`` and keep its attention maps and hidden states.

    This is the only function here that runs the model; the others take their
    numbers from its result. The text is cut to ``enc.max_tokens`` tokens, as
    ``enc.encode`` cuts it, so the tokens are the same as ``enc.encode(text).tokens``.

    The attention maps come from an "eager" twin of the encoder's model (see
    ``attention_model``; pass ``twin`` to reuse one); the encoder's own model is
    never changed, so the embeddings ``enc.encode`` returns stay exactly the same.

    Returns:
        A ModelRun with the tokens, attentions (n_layers, n_heads, n, n) and
        hidden_states (n_layers + 1, n, d_model).

    Raises:
        ValueError: the model does not report one attention map per layer.
    """
    import torch

    n_layers, n_heads = layer_head_count(enc)
    with enc.lock:  # the tokenizer and the model are shared by every thread
        model = twin if twin is not None else attention_model(enc)
        batch = enc.tokenize(text, truncation=True, max_length=enc.max_tokens, return_tensors="pt")
        with torch.inference_mode():
            out = model(**batch, output_attentions=True, output_hidden_states=True)
        ids = batch["input_ids"][0].tolist()
        tokens = enc.token_labels(ids)
    if not out.attentions or len(out.attentions) != n_layers:
        raise ValueError(f"the model {enc.name!r} gave no attention maps for its {n_layers} layers")
    # one sentence, so drop the batch axis of each layer's (1, n_heads, n, n) and (1, n, d_model)
    attentions = torch.stack(out.attentions)[:, 0].numpy()  # (n_layers, n_heads, n, n)
    hidden = torch.stack(out.hidden_states)[:, 0].numpy()  # (n_layers + 1, n, d_model)
    return ModelRun(text=text, tokens=tokens, attentions=attentions, hidden_states=hidden)


def model_attention(enc: Encoder, text: str) -> tuple[list[str], np.ndarray]:
    """The model's own attention maps for ``text``, every layer and every head.

    Returns:
        (tokens, attentions): the tokens as the model saw them ([CLS]/[SEP]
        included) and float32 (n_layers, n_heads, n, n) whose rows sum to 1;
        ``attentions[L, h, i, j]`` is how much token i attends to token j in
        head h of layer L.
    """
    run = run_model(enc, text)
    return run.tokens, run.attentions


def hidden_states(enc: Encoder, text: str) -> tuple[list[str], np.ndarray]:
    """The hidden states entering every layer, for projecting them as in the model.

    Returns:
        (tokens, hidden): the tokens as the model saw them and float32
        (n_layers + 1, n, d_model); ``hidden[L]`` is what layer L projects into
        queries, keys and values, ``hidden[-1]`` is the model's output.
    """
    run = run_model(enc, text)
    return run.tokens, run.hidden_states


def qkv_weights(enc: Encoder, layer: int, head: int | None = None) -> QKVWeights:
    """The learned W_Q, W_K, W_V and biases of one head, or of all heads of one layer.

    Args:
        enc: the encoder whose model the weights come from.
        layer: 0 to n_layers - 1.
        head: 0 to n_heads - 1, or None for all heads side by side.

    Returns:
        QKVWeights with float64 ``w_*`` of shape (d_head, d_model) for one head or
        (d_model, d_model) for all heads, and ``b_*`` of shape (d_head,) or (d_model,).

    Raises:
        ValueError: ``layer`` or ``head`` out of range (the message gives the range),
            or a model whose layers are not laid out like BERT's.
    """
    _check_layer(enc, layer)
    if head is not None:
        _check_head(enc, head)
    module = _self_attention_module(enc, layer)
    d_head = _d_head(enc)
    rows = slice(None) if head is None else slice(head * d_head, (head + 1) * d_head)
    # Reading parameters needs no lock: nothing ever writes them.
    weights = {}
    for name, linear in (("q", module.query), ("k", module.key), ("v", module.value)):
        weights[f"w_{name}"] = linear.weight.detach()[rows].double().numpy()  # (d_out, d_model)
        weights[f"b_{name}"] = linear.bias.detach()[rows].double().numpy()  # (d_out,)
    return QKVWeights(layer=int(layer), head=None if head is None else int(head), **weights)


def project(
    weights: QKVWeights, hidden_q: np.ndarray, hidden_kv: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Queries, keys and values from hidden states, as the model's layer makes them.

    For self attention pass one sentence's hidden states; for cross attention pass
    the hidden states of the sentence that asks as ``hidden_q`` and those of the
    sentence that is asked as ``hidden_kv``.

    Args:
        weights: from ``qkv_weights``, for one head or a whole layer.
        hidden_q: (n_q, d_model), the hidden states entering ``weights.layer``
            (``hidden_states(enc, text)[1][layer]``) of the tokens that ask.
        hidden_kv: (n_k, d_model), the same for the tokens that are asked;
            None means ``hidden_q`` (self attention).

    Returns:
        (q, k, v), float64 of shapes (n_q, d_out), (n_k, d_out), (n_k, d_out).

    Raises:
        ValueError: hidden states that are not (tokens, d_model).
    """
    hidden_q = _as_hidden(hidden_q, weights, "hidden_q")
    hidden_kv = hidden_q if hidden_kv is None else _as_hidden(hidden_kv, weights, "hidden_kv")
    q = hidden_q @ weights.w_q.T + weights.b_q  # (n_q, d_model) @ (d_model, d_out) -> (n_q, d_out)
    k = hidden_kv @ weights.w_k.T + weights.b_k  # (n_k, d_model) @ (d_model, d_out) -> (n_k, d_out)
    v = hidden_kv @ weights.w_v.T + weights.b_v  # (n_k, d_model) @ (d_model, d_out) -> (n_k, d_out)
    return q, k, v


def head_projections(enc: Encoder, text: str, layer: int, head: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One head's query, key and value vectors for every token of ``text``.

    They are computed in numpy from the head's learned weights and the hidden
    states entering ``layer``, so that

        scaled_dot_product_attention(q, k, v).weights == model_attention(enc, text)[1][layer, head]

    up to float precision (about 1e-6).

    Args:
        enc: the encoder.
        text: the sentence; it is cut to ``enc.max_tokens`` tokens.
        layer: 0 to n_layers - 1.
        head: 0 to n_heads - 1.

    Returns:
        (q, k, v), each float64 (n, d_head) with n the number of tokens,
        [CLS]/[SEP] included.

    Raises:
        ValueError: ``layer`` or ``head`` out of range; the message gives the range.
    """
    weights = qkv_weights(enc, layer, head)  # validates layer and head before running the model
    _, hidden = hidden_states(enc, text)
    return project(weights, hidden[layer])


def split_heads(x: np.ndarray, n_heads: int) -> np.ndarray:
    """Cut each token's vector into ``n_heads`` equal slices, one per head.

    Args:
        x: (n, n_heads * d_head), e.g. the queries of all heads of a layer.
        n_heads: how many heads share the vector.

    Returns:
        (n_heads, n, d_head); ``result[h]`` is head h's slice, columns
        ``h * d_head`` to ``(h + 1) * d_head`` of ``x``.

    Raises:
        ValueError: ``x`` is not 2-D or its width is not a multiple of ``n_heads``.
    """
    x = np.asarray(x)
    if x.ndim != 2 or n_heads < 1 or x.shape[1] % n_heads:
        raise ValueError(f"cannot split shape {x.shape} into {n_heads} heads; need (n, n_heads * d_head)")
    n, width = x.shape
    return x.reshape(n, n_heads, width // n_heads).transpose(1, 0, 2)  # (n, n_heads, d_head) -> (n_heads, n, d_head)


def concat_heads(x: np.ndarray) -> np.ndarray:
    """Put the heads' vectors side by side again: the inverse of ``split_heads``.

    Args:
        x: (n_heads, n, d_head), e.g. every head's attention output.

    Returns:
        (n, n_heads * d_head); columns ``h * d_head`` to ``(h + 1) * d_head`` are ``x[h]``.

    Raises:
        ValueError: ``x`` is not 3-D.
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"expected (n_heads, n, d_head), got shape {x.shape}")
    n_heads, n, d_head = x.shape
    return x.transpose(1, 0, 2).reshape(n, n_heads * d_head)  # (n, n_heads, d_head) -> (n, n_heads * d_head)


def multi_head_attention(
    enc: Encoder,
    layer: int,
    hidden_q: np.ndarray,
    hidden_kv: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    temperature: float = 1.0,
) -> MultiHeadResult:
    """All heads of one layer attending side by side, as in the model.

    The whole layer projects once, each token's query, key and value vectors are
    cut into one slice per head, every head attends with its own slices, and the
    heads' outputs are put side by side again.

    Args:
        enc: the encoder.
        layer: 0 to n_layers - 1.
        hidden_q: (n_q, d_model), hidden states entering ``layer`` of the tokens that ask.
        hidden_kv: (n_k, d_model), the same for the tokens that are asked; None
            means ``hidden_q`` (self attention, which is what the model does).
        mask: optional bool (n_q, n_k), True where query i may attend to key j;
            the same for every head.
        temperature: divides the scaled scores before softmax, for every head.

    Returns:
        MultiHeadResult with one AttentionResult per head (with the defaults,
        ``heads[h].weights`` is the model's ``attentions[layer, h]``) and the
        concatenated output (n_q, n_heads * d_head).

    Raises:
        ValueError: ``layer`` out of range or hidden states of the wrong shape.
    """
    _, n_heads = layer_head_count(enc)
    weights = qkv_weights(enc, layer)  # all heads: (d_model, d_model)
    q, k, v = project(weights, hidden_q, hidden_kv)  # (n_q, d_model), (n_k, d_model), (n_k, d_model)
    q_heads = split_heads(q, n_heads)  # (n_heads, n_q, d_head)
    k_heads = split_heads(k, n_heads)  # (n_heads, n_k, d_head)
    v_heads = split_heads(v, n_heads)  # (n_heads, n_k, d_head)
    heads = [
        scaled_dot_product_attention(q_heads[h], k_heads[h], v_heads[h], mask=mask, temperature=temperature)
        for h in range(n_heads)
    ]
    output = concat_heads(np.stack([result.output for result in heads]))  # (n_heads, n_q, d_head) -> (n_q, d_model)
    return MultiHeadResult(layer=int(layer), heads=heads, output=output)


@dataclass(frozen=True)
class HeadsComparison:
    """How far our core's recomputation is from the model's own map, for every head of every layer.

    Attributes:
        differences: float (n_layers, n_heads); the largest absolute difference between the
            model's map and ours, head by head.
        d_head: length of one head's query, key and value vectors.
    """

    differences: np.ndarray
    d_head: int


def compare_heads(enc: Encoder, run: ModelRun) -> HeadsComparison:
    """Recompute every head of ``run`` with our numpy core and measure how far it is from the model's map."""
    n_layers, _ = layer_head_count(enc)
    differences = np.array(
        [
            np.abs(multi_head_attention(enc, layer, run.hidden_states[layer]).weights - run.attentions[layer]).max(
                axis=(1, 2)
            )
            for layer in range(n_layers)
        ]
    )  # (n_layers, n_heads)
    return HeadsComparison(differences=differences, d_head=_d_head(enc))


def head_maps(run: ModelRun, ours: MultiHeadResult, head: int | None) -> tuple[np.ndarray, np.ndarray, float]:
    """The model's map and ours for one head of ``ours.layer``, or for the layer's average over
    heads when ``head`` is None, with their largest absolute difference; each map is (n, n)."""
    if head is None:
        model_map, our_map = run.attentions[ours.layer].mean(axis=0), ours.weights.mean(axis=0)
    else:
        model_map, our_map = run.attentions[ours.layer, head], ours.heads[head].weights
    return model_map, our_map, float(np.abs(model_map - our_map).max())


# --- the model behind the numbers ---------------------------------------------------------------


def attention_model(enc: Encoder):
    """A twin of the encoder's transformer that returns its attention maps.

    transformers computes attention with torch's fused ``sdpa`` kernel by default,
    which never forms the weights matrix and so cannot return it; only the
    "eager" implementation (the plain matmul-softmax-matmul) can. Switching the
    shared model to eager would change, by about 1e-6, the embeddings every other
    page gets from ``enc.encode``. So the twin is a copy of the module tree that
    shares the very same parameter tensors (no extra memory for weights, and always
    the same numbers) but has its own config set to eager. The app keeps one per
    model (webapp/cache.py); here each call makes a new one.
    """
    original = _auto_model(enc)
    shared = {id(p): p for p in original.parameters()}  # deepcopy keeps these as they are
    twin = copy.deepcopy(original, memo=shared)
    twin.set_attn_implementation("eager")
    twin.eval()  # no dropout
    return twin


def _auto_model(enc: Encoder):
    """The encoder's transformer (an ``attention.bert.Bert`` for both embedded models)."""
    return enc.transformer


def _self_attention_module(enc: Encoder, layer: int):
    """Layer ``layer``'s self-attention module, the one holding query, key and value."""
    try:
        module = _auto_model(enc).encoder.layer[layer].attention.self
    except AttributeError:
        module = None
    if not all(hasattr(module, name) for name in ("query", "key", "value")):
        raise ValueError(
            f"the model {enc.name!r} is not laid out like BERT (encoder.layer[L].attention.self.query/key/value), "
            "so its heads cannot be taken apart here"
        )
    return module


def _d_head(enc: Encoder) -> int:
    config = _auto_model(enc).config
    return int(config.hidden_size) // int(config.num_attention_heads)


def _check_layer(enc: Encoder, layer: int) -> None:
    n_layers, _ = layer_head_count(enc)
    if not is_index(layer) or not 0 <= layer < n_layers:
        raise ValueError(f"layer must be an integer from 0 to {n_layers - 1}, got {layer!r}")


def _check_head(enc: Encoder, head: int) -> None:
    _, n_heads = layer_head_count(enc)
    if not is_index(head) or not 0 <= head < n_heads:
        raise ValueError(f"head must be an integer from 0 to {n_heads - 1}, got {head!r}")


def _as_hidden(hidden: np.ndarray, weights: QKVWeights, name: str) -> np.ndarray:
    hidden = np.asarray(hidden, dtype=np.float64)
    d_model = weights.w_q.shape[1]
    if hidden.ndim != 2 or hidden.shape[1] != d_model or hidden.shape[0] == 0:
        raise ValueError(
            f"{name} must be (tokens, {d_model}), the hidden states entering layer {weights.layer}; got {hidden.shape}"
        )
    return hidden
