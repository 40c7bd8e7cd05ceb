"""How well attention between a sentence and its translation lines up words with their translations.

The evaluation set, ``attention/data/alignment_pairs.json``, holds English sentences with
translations into Japanese, Korean, Chinese, French, German, Spanish and Portuguese, and gold
word alignments written by hand: ``["example", "例"]`` says that *example* and *例* mean the same.

For one model and one layer L, each pair is attended as the cross page does by default
(Q = K = V = the hidden states after layer L, special tokens left out, scaled by √d_k):

    row(word)  = mean over the word's pieces of their weights     # (n_k,), sums to 1
    hit        = argmax(row) lies in the gold partner              # the darkest key is the translation
    weight     = row[pieces of the gold partner].sum()             # how much of the word's weight goes there

A piece belongs to a span when their characters overlap. ``evaluate`` adds up hits and weights
over every link and every pair, for every layer at once (each sentence runs through the model once).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attention.core import scaled_dot_product_attention
from attention.embeddings import EncodedText, Encoder

PAIRS_FILE = Path(__file__).with_name("data") / "alignment_pairs.json"
SPACED = {"en", "fr", "de", "es", "pt"}  # languages written with spaces between words: spans are whole words
GROUPS = {"ja": "ja", "ko": "ko", "zh": "zh", "fr": "eu", "de": "eu", "es": "eu", "pt": "eu"}


@dataclass(frozen=True)
class Pair:
    """A sentence, its translation and the gold word alignments: (source span, target span) pairs."""

    lang: str
    source: str
    target: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class LayerScore:
    """The alignment of one layer over the whole set.

    Attributes:
        layer: the hidden states after this many layers (0: the input embeddings).
        links: how many gold links were scored.
        hits: how many of them had their gold partner as the darkest key.
        weight: the mean weight a word put on its gold partner.
        by_group: hits / links per language group ("ja", "ko", "zh", "eu").
    """

    layer: int
    links: int
    hits: int
    weight: float
    by_group: dict[str, tuple[int, int]]

    @property
    def accuracy(self) -> float:
        """The share of links whose darkest key is the gold partner."""
        return self.hits / self.links if self.links else 0.0


def load_pairs(path: Path = PAIRS_FILE) -> list[Pair]:
    """The evaluation set."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [Pair(row["lang"], row["source"], row["target"], tuple(map(tuple, row["links"]))) for row in rows]


def span_range(text: str, span: str, spaced: bool) -> tuple[int, int]:
    """Where ``span`` stands in ``text``: as whole words where words are spaced, else as a substring.

    Raises:
        ValueError: the span is not there exactly once.
    """
    pattern = rf"(?<!\w){re.escape(span)}(?!\w)" if spaced else re.escape(span)
    found = [match.span() for match in re.finditer(pattern, text)]
    if len(found) != 1:
        raise ValueError(f"{span!r} occurs {len(found)} times in {text!r}; a gold span must occur once")
    return found[0]


def pieces_in(encoded: EncodedText, start: int, end: int) -> list[int]:
    """The indices of the word pieces (special tokens left out) whose characters overlap [start, end)."""
    return [
        i
        for i, ((a, b), word) in enumerate(zip(encoded.offsets, encoded.word_ids, strict=True))
        if word is not None and a < end and b > start
    ]


def evaluate(encoder: Encoder, pairs: list[Pair], layers: list[int] | None = None) -> list[LayerScore]:
    """Score every layer in ``layers`` (by default 0 to the model's depth) on ``pairs``.

    A link whose span covers no piece of the model (a tokenizer that reads the script as unknown
    characters may still cover it) counts as a miss with weight 0, never as skipped.
    """
    layers = list(range(encoder.n_layers + 1)) if layers is None else layers
    hits = {layer: 0 for layer in layers}
    weight = {layer: 0.0 for layer in layers}
    groups = {layer: {} for layer in layers}
    n_links = 0
    for pair in pairs:
        source, target = encoder.encode_layers(pair.source), encoder.encode_layers(pair.target)
        q_keep = [i for i, w in enumerate(source.word_ids) if w is not None]  # no special tokens
        k_keep = [i for i, w in enumerate(target.word_ids) if w is not None]
        links = []
        for source_span, target_span in pair.links:
            q_rows = [q_keep.index(i) for i in pieces_in(source, *span_range(pair.source, source_span, True))]
            k_cols = [
                k_keep.index(i) for i in pieces_in(target, *span_range(pair.target, target_span, pair.lang in SPACED))
            ]
            links.append((q_rows, k_cols))
        n_links += len(links)
        group = GROUPS.get(pair.lang, pair.lang)
        for layer in layers:
            q = source.hidden_states[layer][q_keep]  # (n_q, d)
            k = target.hidden_states[layer][k_keep]  # (n_k, d)
            weights = scaled_dot_product_attention(q, k, k).weights  # (n_q, n_k)
            for q_rows, k_cols in links:
                hit, share = False, 0.0  # a link that covers no piece counts, as a miss
                if q_rows and k_cols:
                    row = weights[q_rows].mean(axis=0)  # (n_k,): the word's weights, its pieces averaged
                    hit, share = int(np.argmax(row)) in k_cols, float(row[k_cols].sum())
                hits[layer] += hit
                weight[layer] += share
                done, total = groups[layer].get(group, (0, 0))
                groups[layer][group] = (done + hit, total + 1)
    return [LayerScore(layer, n_links, hits[layer], weight[layer] / max(n_links, 1), groups[layer]) for layer in layers]


def best_layer(scores: list[LayerScore]) -> LayerScore:
    """The layer with the most hits; among equals, the higher mean weight."""
    return max(scores, key=lambda score: (score.hits, score.weight))
