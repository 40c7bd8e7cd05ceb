"""From sentences to what a page draws: token choice, mask, scale, and attention.

Pure Python and numpy; the pages add widgets and caching around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from attention import style
from attention.core import AttentionResult, causal_mask, scaled_dot_product_attention
from attention.embeddings import EncodedText, Encoder, TokenEmbeddings
from attention.heads import QKVWeights, project, qkv_weights
from attention.i18n import ROLE_WORDS, text
from attention.options import PROJECTIONS, Projection, Settings


@dataclass(frozen=True)
class AttentionView:
    """What a page shows: a result and its token labels, or a message instead.

    Attributes:
        result: the attention, or None when ``problem`` says why there is none.
        query_tokens: one label per query.
        key_tokens: one label per key.
        notes: things the reader should know, e.g. how many tokens were cut.
        hints: calm lines about how to read the figure, e.g. that the model cannot read the sentence's script.
        problem: a short message shown where the figure would be.
        layer: the hidden states the vectors were taken from (0: the input embeddings), or None.
        n_layers: how many layers the model has.
    """

    result: AttentionResult | None = None
    query_tokens: list[str] = field(default_factory=list)
    key_tokens: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    problem: str | None = None
    layer: int | None = None
    n_layers: int | None = None


def attention_kind(sentences: dict[str, str]) -> str:
    """ "cross" for ``{"source": ..., "target": ...}``, "self" for ``{"sentence": ...}``."""
    return "cross" if len(sentences) > 1 else "self"


def blank_sentence_message(sentence: str, role: str, lang: str = "en") -> str | None:
    """A message for a sentence that has nothing to attend with, or None when it is fine.

    ``role`` is "source", "target" or "sentence"; the message is in ``lang``.
    """
    if not sentence or not sentence.strip():
        return text("msg.blank", lang, role=text(ROLE_WORDS[role], lang))
    return None


def truncation_note(embeddings: TokenEmbeddings, role: str, max_tokens: int, lang: str = "en") -> str | None:
    """Say how many word pieces the model kept and dropped, or None when nothing was cut."""
    if not embeddings.n_dropped:
        return None
    return text(
        "msg.truncated",
        lang,
        role=text(ROLE_WORDS[role], lang),
        total=embeddings.n_total,
        max_tokens=max_tokens,
        kept=embeddings.n_kept,
        dropped=embeddings.n_dropped,
    )


# Letters a word-piece model trained on English splits a Korean or Japanese word into, one piece each:
# Hangul jamo (what NFD makes of a syllable) and kana
LETTER_PIECES = re.compile(r"^(?:##)?[\u1100-\u11ff\u3130-\u318f\u3040-\u30ff]$")


def unread_note(embeddings: TokenEmbeddings, role: str, model: str, lang: str = "en") -> str | None:
    """A calm line when ``model`` cannot read the sentence: how many of its pieces are [UNK] (characters the model
    has never seen) or single letters of a word it split apart (Korean jamo, kana); None when there are none."""
    unknown = sum(token == "[UNK]" for token in embeddings.tokens)
    letters = sum(bool(LETTER_PIECES.match(token)) for token in embeddings.tokens)
    if not unknown and not letters:
        return None
    n = len(embeddings.without_special_tokens().tokens)
    role_word = text(ROLE_WORDS[role], lang)
    return text("msg.unread", lang, model=model, role=role_word, n=n, unknown=unknown, letters=letters)


def select_tokens(embeddings: TokenEmbeddings, settings: Settings) -> TokenEmbeddings:
    """The tokens that take part in attention under ``settings``."""
    chosen = embeddings if settings.show_special else embeddings.without_special_tokens()
    return chosen.merge_word_pieces() if settings.merge_words and chosen.tokens else chosen


def projection_weights(encoder: Encoder, projection: Projection) -> QKVWeights | None:
    """The W_Q, W_K, W_V (and biases) of ``projection``; None for the identity."""
    if projection.kind == "identity":
        return None
    if projection.kind == "head":
        return qkv_weights(encoder, projection.layer, projection.head)
    if projection.kind == "random":
        return random_projection(encoder.dim, projection.d_k, projection.seed)
    raise ValueError(f"projection must be one of {sorted(PROJECTIONS)}, got {projection.kind!r}")


def random_projection(d_model: int, d_k: int, seed: int) -> QKVWeights:
    """Gaussian W_Q, W_K, W_V of shape (d_k, d_model) and zero biases, the same for the same seed.

    Entries have variance 1/d_model, so projected vectors keep about the length of
    the embeddings: the pattern changes, the scale does not.
    """
    if not 1 <= d_k <= 4096 or seed < 0:
        raise ValueError(f"a random projection needs 1 <= d_k <= 4096 and a seed >= 0, got d_k={d_k}, seed={seed}")
    rng = np.random.default_rng(seed)
    w_q, w_k, w_v = rng.normal(0.0, 1.0 / np.sqrt(d_model), size=(3, d_k, d_model))
    zeros = np.zeros(d_k)
    return QKVWeights(layer=-1, head=None, w_q=w_q, b_q=zeros, w_k=w_k, b_k=zeros, w_v=w_v, b_v=zeros)


def attend(
    queries: TokenEmbeddings,
    keys: TokenEmbeddings,
    settings: Settings,
    roles: tuple[str, str] = ("source", "target"),
    weights: QKVWeights | None = None,
    lang: str = "en",
) -> AttentionView:
    """Attention from the tokens of one sentence to those of another (or the same).

    Args:
        queries: the tokens that ask, with their vectors.
        keys: the tokens that are asked (keys and values), with their vectors.
        settings: token choice, scaling, temperature, mask.
        roles: the two sentences' roles ("source", "target" or "sentence"), for messages.
        weights: W_Q, W_K, W_V to project the vectors with; None means
            Q = K = V = the vectors themselves, as in the lecture.
        lang: the language of messages.
    """
    q_tokens, k_tokens = select_tokens(queries, settings), select_tokens(keys, settings)
    for tokens, role in ((q_tokens, roles[0]), (k_tokens, roles[1])):
        if not tokens.tokens:
            return AttentionView(problem=text("msg.no_pieces", lang, role=text(ROLE_WORDS[role], lang)))
    if weights is None:
        q, k, v = q_tokens.vectors, k_tokens.vectors, k_tokens.vectors  # (n_q, d), (n_k, d), (n_k, d)
    else:
        q, k, v = project(weights, q_tokens.vectors, k_tokens.vectors)  # (n_q, d_k), (n_k, d_k), (n_k, d_k)
    d_k = q.shape[1]
    result = scaled_dot_product_attention(
        q,
        k,
        v,
        mask=causal_mask(len(q_tokens.tokens)) if settings.causal else None,
        scale=1 / np.sqrt(d_k) if settings.scale_by_sqrt_dk else 1.0,
        temperature=settings.temperature,
    )
    return AttentionView(result=result, query_tokens=q_tokens.tokens, key_tokens=k_tokens.tokens)


def vectors_layer(encoder: Encoder, settings: Settings) -> int:
    """Which hidden states the tokens carry under ``settings``: a real head's own layer reads the states
    entering it (``hidden_states[layer]``); otherwise the chosen layer, or the model's default."""
    if settings.projection.kind == "head":
        return settings.projection.layer
    return encoder.layer(settings.vector_layer)


def compute_view(
    encoder: Encoder,
    sentences: dict[str, str],
    settings: Settings,
    encode: Callable[[str, int | None], EncodedText] | None = None,
    lang: str = "en",
) -> AttentionView:
    """Everything a page or the command line shows, from the sentences as typed.

    Args:
        encoder: the loaded model.
        sentences: ``{"source": ..., "target": ...}`` for cross attention (the first
            sentence asks, the last answers) or ``{"sentence": ...}`` for self attention.
        settings: what changes the numbers.
        encode: (text, depth) -> EncodedText (the hidden states of the first ``depth`` layers);
            defaults to ``encoder.encode_layers`` (the app passes a cached one).
        lang: the language of messages and notes.

    Returns:
        The attention with its token labels and notes, or a view whose ``problem``
        says why there is none (an empty sentence, nothing the model can read).
    """
    encode = encode or encoder.encode_layers
    for role, sentence in sentences.items():
        message = blank_sentence_message(sentence, role, lang)
        if message:
            return AttentionView(problem=message)
    weights = projection_weights(encoder, settings.projection)  # first: it checks the layer and head
    layer = vectors_layer(encoder, settings)
    notes: list[str] = []
    hints: list[str] = []
    vectors: dict[str, TokenEmbeddings] = {}  # by text, so that self attention encodes once
    for role, sentence in sentences.items():
        if sentence in vectors:
            continue
        vectors[sentence] = encode(sentence, encoder.depth_for(layer)).at_layer(layer)
        note = truncation_note(vectors[sentence], role, encoder.max_tokens, lang)
        if note:
            notes.append(note)
        hint = unread_note(vectors[sentence], role, encoder.name, lang)
        if hint:
            hints.append(hint)
    (query_role, query_text), (key_role, key_text) = list(sentences.items())[0], list(sentences.items())[-1]
    view = attend(vectors[query_text], vectors[key_text], settings, (query_role, key_role), weights, lang)
    hints += filter(None, [long_text_hint(max(len(view.query_tokens), len(view.key_tokens)), lang)])
    return replace(view, notes=notes + view.notes, hints=hints, layer=layer, n_layers=encoder.n_layers)


def long_text_hint(n: int, lang: str = "en") -> str | None:
    """A calm line for a figure of more than ``style.LABELLED`` tokens on a side, whose labels are stepped (how far
    apart depends on the screen, so it is not said) and cells small: attention reads best on a sentence or two."""
    if n <= style.LABELLED:
        return None
    return text("msg.long_text", lang, n=n, best=style.SHORT)
