"""From sentences to what a page draws: token choice, mask, scale, and attention.

Pure Python and numpy; the pages add widgets and caching around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attention.core import AttentionResult, causal_mask, scaled_dot_product_attention
from attention.embeddings import TokenEmbeddings


@dataclass(frozen=True)
class Settings:
    """What changes the numbers (display-only choices live in FigureOptions).

    Attributes:
        show_special: keep [CLS]/[SEP]; when False they are left out of the
            softmax, not only out of the picture.
        merge_words: whole words (mean of their pieces' vectors) instead of word pieces.
        scale_by_sqrt_dk: divide the scores by sqrt(d_k), as in the transformer.
        temperature: divide the scaled scores by this before softmax.
        causal: each query may attend only to itself and earlier keys (self attention).
    """

    show_special: bool = False
    merge_words: bool = False
    scale_by_sqrt_dk: bool = True
    temperature: float = 1.0
    causal: bool = False


@dataclass(frozen=True)
class AttentionView:
    """What a page shows: a result and its token labels, or a message instead.

    Attributes:
        result: the attention, or None when ``problem`` says why there is none.
        query_tokens: one label per query.
        key_tokens: one label per key.
        notes: things the reader should know, e.g. how many tokens were cut.
        problem: a short message shown where the figure would be.
    """

    result: AttentionResult | None = None
    query_tokens: list[str] = field(default_factory=list)
    key_tokens: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problem: str | None = None


def blank_sentence_message(text: str, role: str) -> str | None:
    """A message for a sentence that has nothing to attend with, or None when it is fine."""
    if not text or not text.strip():
        return f"Type a {role} sentence to see its attention."
    return None


def truncation_note(embeddings: TokenEmbeddings, role: str, max_tokens: int) -> str | None:
    """Say how many word pieces the model kept and dropped, or None when nothing was cut."""
    if not embeddings.n_dropped:
        return None
    return (
        f"The {role} sentence has {embeddings.n_total:,} word pieces; the model reads at most "
        f"{max_tokens:,} tokens, so the figure keeps the first {embeddings.n_kept:,} and dropped "
        f"{embeddings.n_dropped:,}."
    )


def select_tokens(embeddings: TokenEmbeddings, settings: Settings) -> TokenEmbeddings:
    """The tokens that take part in attention under ``settings``."""
    chosen = embeddings if settings.show_special else embeddings.without_special_tokens()
    return chosen.merge_word_pieces() if settings.merge_words and chosen.tokens else chosen


def attend(
    queries: TokenEmbeddings, keys: TokenEmbeddings, settings: Settings, roles=("query", "key")
) -> AttentionView:
    """Attention from the tokens of one sentence to those of another (or the same).

    Q = K = V = the token embeddings, as in the lecture: the score of a query
    and a key is the dot product of their contextual vectors.
    """
    q, k = select_tokens(queries, settings), select_tokens(keys, settings)
    for tokens, role in ((q, roles[0]), (k, roles[1])):
        if not tokens.tokens:
            return AttentionView(problem=f"The {role} sentence has no word pieces the model can read.")
    d_k = q.vectors.shape[1]
    mask = causal_mask(len(q.tokens)) if settings.causal else None
    result = scaled_dot_product_attention(
        q.vectors,  # queries (n_q, d_k)
        k.vectors,  # keys (n_k, d_k)
        k.vectors,  # values (n_k, d_v): the keys' own vectors
        mask=mask,
        scale=1 / np.sqrt(d_k) if settings.scale_by_sqrt_dk else 1.0,
        temperature=settings.temperature,
    )
    return AttentionView(result=result, query_tokens=q.tokens, key_tokens=k.tokens)
