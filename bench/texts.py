"""Sentences of an exact length in model positions, each new to the app's embedding cache.

Each embedded model has its own tokenizer (all-MiniLM-L6-v2 a lowercasing WordPiece,
multilingual-e5-small a SentencePiece unigram one), and the two split text differently,
so a generator is made for one model's tokenizer and its words are checked against it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

WORD_MARK = "\u2581"  # SentencePiece's word-start mark
# Word pools by tokenizer object (kept alive here): the load test makes dozens of generators on one tokenizer.
_POOLS: dict[int, tuple[object, list[str]]] = {}


@dataclass(frozen=True)
class Sentence:
    """A text and the labels the app puts on its axis (default settings: no [CLS]/[SEP], word pieces)."""

    text: str
    words: list[str]
    labels: list[str]

    @property
    def positions(self) -> int:
        """Model positions, [CLS] and [SEP] (or <s> and </s>) included."""
        return len(self.words) + 2


def model_folder(model: str | None = None) -> str:
    """The local folder of an embedded model (None: the app's default); the multilingual one is
    converted on first use (a few seconds, once per cache)."""
    from attention.models import DEFAULT_MODEL, ENGLISH_MODEL, english_model_path
    from attention.multilingual import MULTILINGUAL_MODEL, multilingual_model_path

    model = model or DEFAULT_MODEL
    if model == ENGLISH_MODEL:
        return english_model_path()
    if model == MULTILINGUAL_MODEL:
        return multilingual_model_path().path
    return model  # another model: a folder or a hub name the tokenizer can load


def load_tokenizer(model: str | None = None):
    """The model's own tokenizer (no weights loaded); None means the app's default model."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_folder(model))
    tokenizer.model_max_length = 512  # the models' positions (MiniLM's config says 256, sentence-transformers' cut)
    return tokenizer


def word_pool(tokenizer) -> list[str]:
    """Lowercase ASCII words of 3 to 10 letters that this tokenizer keeps as one piece, shown
    on the app's axis as the word itself; sorted by the piece's id."""
    cached = _POOLS.get(id(tokenizer))
    if cached is not None and cached[0] is tokenizer:
        return cached[1]
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    candidates: list[str] = []
    seen: set[str] = set()
    for piece, _ in vocab:
        word = piece[1:] if piece.startswith(WORD_MARK) else piece
        if word not in seen and word.isascii() and word.isalpha() and word.islower() and 3 <= len(word) <= 10:
            seen.add(word)
            candidates.append(word)
    # The tokenizer's model alone, on each word as its pre-tokenizer hands it over (SentencePiece:
    # with the word-start mark): the whole tokenizer would cost seconds for the multilingual model's
    # normaliser, and these words pass through it unchanged. make() checks every sentence in full.
    model = tokenizer.backend_tokenizer.model
    marked = any(piece.startswith(WORD_MARK) for piece, _ in vocab)
    pool = []
    for word in candidates:
        pieces = model.tokenize(WORD_MARK + word if marked else word)
        if len(pieces) == 1 and pieces[0].value in (word, WORD_MARK + word):
            pool.append(word)
    _POOLS[id(tokenizer)] = (tokenizer, pool)
    return pool


class Texts:
    """Sentences that tokenize to exactly ``n`` model positions, the two special tokens included
    (so ``n - 2`` pieces), each made of words that are one piece each in this tokenizer and that
    no earlier sentence from this generator used at the same place. Every sentence is new,
    so the app cannot answer it from its embedding cache, and its tick labels differ from
    the previous figure's.

    Args:
        tokenizer: the model's tokenizer; by default ``load_tokenizer(model)``.
        seed: the shuffle of the words (generators with different seeds type different texts).
        model: the embedded model whose tokenizer to load when ``tokenizer`` is None
            (None: the app's default model).
    """

    def __init__(self, tokenizer=None, seed: int = 0, model: str | None = None):
        self.tokenizer = tokenizer if tokenizer is not None else load_tokenizer(model)
        pool = list(word_pool(self.tokenizer))
        random.Random(seed).shuffle(pool)
        self.pool = pool
        self.cursor = (seed * 1009) % len(pool)

    def make(self, n: int) -> Sentence:
        """A new sentence of exactly ``n`` positions (first special token + n-2 pieces + last one)."""
        from attention.style import axis_labels

        k = n - 2
        if not 1 <= k <= len(self.pool):
            raise ValueError(f"cannot make a sentence of {n} positions")
        words = [self.pool[(self.cursor + i) % len(self.pool)] for i in range(k)]
        self.cursor = (self.cursor + k) % len(self.pool)
        text = " ".join(words)
        ids = self.tokenizer(text, add_special_tokens=True)["input_ids"]
        if len(ids) != n:
            raise AssertionError(f"a text of {k} words tokenized to {len(ids)} positions, expected {n}")
        return Sentence(text=text, words=words, labels=axis_labels(words))
