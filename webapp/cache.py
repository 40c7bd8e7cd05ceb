"""Every cached thing of the app, and nothing else: the one place to look for caching.

Models are ``st.cache_resource`` entries, one copy per server process shared by
every session (``Encoder.encode`` and ``run_model`` are thread-safe). Per-text
results are bounded ``st.cache_data`` entries keyed by plain values (model name,
text), so changing a display option recomputes nothing.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np
import streamlit as st

from attention import compare
from attention.core import AttentionResult
from attention.decoder import Decoder, decoder_folder, load_decoder
from attention.embeddings import EncodedText, Encoder, load_encoder
from attention.export import image_export_available
from attention.heads import (
    HeadsComparison,
    ModelRun,
    MultiHeadResult,
    attention_model,
    compare_heads,
    multi_head_attention,
    run_model,
)
from attention.heads_figures import payload as heads_maps_payload
from attention.next_word import NextWordRun, summarise
from attention.next_word import payload as next_word_payload
from attention.options import Projection
from attention.rollout import DEFAULT_RESIDUAL, attention_rollout
from attention.translation import CrossAttention, Translator, load_translator
from attention.translation_figures import payload as translation_map_payload
from webapp import live_chart


@st.cache_resource(max_entries=3, show_spinner=False)
def encoder(name: str) -> Encoder:
    """One loaded model per name, shared by every session of this server (each is hundreds of MB).

    Everything allocated so far (torch, transformers, the model) lives as long as the server, so it
    is moved out of the garbage collector's sight (``gc.freeze``): a full collection then walks only
    what sessions allocate, instead of stopping every session for a few hundred ms now and then.
    """
    use_model_threads()
    loaded = load_encoder(name)
    gc.collect()
    gc.freeze()
    return loaded


def use_model_threads() -> None:
    """Set torch's threads (``model_threads``). torch is imported here, when a model loads, not with this
    module: the page script imports this module before it draws anything, and torch's second of import
    would hold back the first elements (and the plotly.js they start loading) on a cold start."""
    import torch

    torch.set_num_threads(model_threads())


def model_threads(cores: int | None = None, environ=os.environ) -> int:
    """Torch's threads in this server: ``OMP_NUM_THREADS`` where it is set (the lecture hall sets it for each
    process), else one fewer than the cores, at least one.

    A core stays free for what runs beside the model: the server's event loop, which sends every message of
    a rerun while the model runs, and, in a classroom demo, the teacher's own browser drawing the page. On
    two cores, torch's two threads then wait on each other: measured here, a new 32-token sentence reached
    the browser in 101 to 119 ms with two threads and in 72 to 74 ms with one (128 tokens: 99 to 134 ms, 80 to 83 ms).
    """
    if environ.get("OMP_NUM_THREADS", "").strip().isdigit():
        return max(1, int(environ["OMP_NUM_THREADS"]))
    if cores is None:  # the cores this process may run on (macOS and Windows know only the machine's)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)


@st.cache_resource(max_entries=3, show_spinner=False)
def attention_twin(name: str):
    """The eager twin of ``encoder(name)`` that returns attention maps (see ``attention.heads.attention_model``)."""
    return attention_model(encoder(name))


@st.cache_data(max_entries=512, max_size="256MB", show_spinner=False)  # a 512-token text, every layer: ~10 MB
def embeddings(model_name: str, text: str, depth: int | None = None) -> EncodedText:
    """Tokens of ``text`` and the hidden states of its first ``depth`` layers (None: all), computed once
    per model, text and depth (``Encoder.depth_for`` picks few depths, so the layer slider mostly reuses one)."""
    return encoder(model_name).encode_layers(text, depth)


@st.cache_data(max_entries=64, max_size="384MB", show_spinner=False)  # a 512-token run is ~80 MB
def model_run(model_name: str, text: str) -> ModelRun:
    """The model's own attention maps and hidden states for ``text``, computed once per model and text."""
    return run_model(encoder(model_name), text, twin=attention_twin(model_name))


@st.cache_data(max_entries=32, max_size="96MB", show_spinner=False)
def model_heads_payload(
    model_name: str, text: str, lang: str, font_scale: float = 1.0, width: int | None = None
) -> bytes:
    """What the Model heads page's live map receives: every head of every layer (float16) and the map's fields
    (``attention.heads_figures.payload``), drawn for ``width`` px at most (None: no limit)."""
    run = model_run(model_name, text)
    return heads_maps_payload(run.attentions, run.tokens, lang, font_scale, width)


@st.cache_data(max_entries=64, max_size="16MB", show_spinner=False)
def heads_comparison(model_name: str, text: str) -> HeadsComparison:
    """How far our core is from every head of the model, once per model and text (a small table)."""
    return compare_heads(encoder(model_name), model_run(model_name, text))


@st.cache_data(max_entries=16, max_size="192MB", show_spinner=False)  # one 512-token layer is ~100 MB
def layer_recomputed(model_name: str, text: str, layer: int) -> MultiHeadResult:
    """Every head of one layer recomputed by our core from the hidden states entering it."""
    return multi_head_attention(encoder(model_name), layer, model_run(model_name, text).hidden_states[layer])


@st.cache_data(max_entries=16, max_size="32MB", show_spinner=False)  # a 512-token, 12-layer rollout is ~25 MB
def rollout(model_name: str, text: str) -> np.ndarray:
    """Attention rollout through every layer of the model's run over ``text``: (n_layers, n, n)."""
    return attention_rollout(model_run(model_name, text).attentions, residual=DEFAULT_RESIDUAL)


@st.cache_resource(max_entries=2, show_spinner=False)
def translator(direction: str) -> Translator:
    """One tiny Marian translator per direction ("en-pt", "pt-en"), shared by every session (its arrays are
    read-only, so one object serves every thread)."""
    return load_translator(direction)


@st.cache_data(max_entries=64, max_size="128MB", show_spinner=False)  # a 256-piece source is ~25 MB
def translation_run(direction: str, source: str, target: str | None) -> CrossAttention:
    """The translator's attention and predictions for ``source``: its own translation when ``target`` is None,
    else ``target`` fed to the decoder (teacher forcing). Raises ValueError for a text it cannot read."""
    return translator(direction).cross_attention(source, target)


def decoder() -> Decoder:
    """The language model of the Next Word page, shared by every session of this server (one per cache folder,
    so that a server whose cache moves, or a test that points ``ATTENTION_CACHE_DIR`` elsewhere, loads anew).

    Raises:
        DecoderNotFetched: the cache does not have it yet (the page offers to fetch it).
        DecoderError: it could not be loaded.
    """
    return _decoder(str(decoder_folder()))


@st.cache_resource(max_entries=2, show_spinner=False)
def _decoder(folder: str) -> Decoder:
    use_model_threads()
    loaded = load_decoder(fetch=False)
    gc.collect()
    gc.freeze()
    return loaded


@st.cache_data(max_entries=32, max_size="512MB", show_spinner=False)  # a 256-token prompt is ~71 MB
def decoder_run(prompt: str) -> NextWordRun:
    """Every head's causal attention and the next token's scores for ``prompt``, once per prompt.
    Raises ValueError for a prompt with no tokens."""
    return summarise(decoder().run(prompt))


@st.cache_data(max_entries=16, max_size="160MB", show_spinner=False)  # a 256-token prompt sends ~9 MB
def decoder_payload(prompt: str, lang: str, font_scale: float) -> bytes:
    """What the Next Word page's component receives for ``prompt`` (``attention.next_word.payload``)."""
    return next_word_payload(decoder_run(prompt), lang, font_scale)


@st.cache_data(max_entries=32, max_size="96MB", show_spinner=False)  # a 256-piece pair sends ~2 MB
def translation_payload(direction: str, source: str, target: str | None, lang: str, font_scale: float = 1.0) -> bytes:
    """What the Translation page's live map receives for ``translation_run(direction, source, target)``:
    both decoder layers' 8 heads (float16) and the map's fields (``attention.translation_figures.payload``)."""
    return translation_map_payload(translation_run(direction, source, target), lang, font_scale)


@st.cache_resource(show_spinner=False)
def image_export() -> bool:
    """Whether PNG, SVG and PDF downloads can work on this server (kaleido and Chromium found)."""
    return image_export_available()


@st.cache_data(max_entries=16, max_size="128MB", show_spinner=False)  # e5's 144 heads with q, k, v: 8 MB at 32 tokens
def _every_head(model_name: str, side: compare.Side, lang: str) -> list[list[AttentionResult]]:
    model = encoder(model_name)
    return compare.every_head(model, side, encode(model), lang)


def every_head(model: Encoder, side: compare.Side, lang: str = "en") -> list[list[AttentionResult]]:
    """The Compare page's B through every head (``attention.compare.every_head``), once per model, sentences and
    settings: the side's own head is left out of the key, as the result does not depend on it (a head change, and
    the rerun after any display change, reuse it)."""
    anyhead = replace(side, settings=replace(side.settings, projection=Projection("head")))
    return _every_head(model.name, anyhead, lang)


def encode(model: Encoder) -> Callable[[str, int | None], EncodedText]:
    """The cached way to encode a text with ``model``, for ``compute_view``."""
    return partial(embeddings, model.name)


@st.cache_resource(show_spinner=False)
def live_chart_served() -> bool:
    """Whether the browser can load plotly.js from the app itself (``static/``, copied once from the
    plotly package); without it the pages draw the figure the server's way."""
    return live_chart.serve_plotly()
