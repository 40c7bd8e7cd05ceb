"""Streamlit pieces shared by the pages: the cached model, the controls, and the figure.

All caching lives here. The model is one ``st.cache_resource`` shared by every
session (Encoder.encode is thread-safe); per-text embeddings are a bounded
``st.cache_data`` keyed by plain values, so changing a display option reuses them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import streamlit as st

from attention.embeddings import DEFAULT_MODEL, Encoder, ModelLoadError, TokenEmbeddings, load_encoder
from attention.figures import COMPONENT_MODES, FigureOptions, attention_figure
from attention.heads import ModelRun, layer_head_count, run_model
from attention.views import PROJECTIONS, AttentionView, Projection, Settings, blank_sentence_message, compute_view

LECTURE_SOURCE = "this is an example"
LECTURE_TARGET = "kore wa rei desu"
TEMPERATURES = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
# Widgets keep their values across pages (persist_state), so the sentences typed
# on one page are there on the next.
KEEP = "session"
PAGES = [
    ("app.py", "Home", "🔍"),
    ("pages/1_Cross_Attention.py", "Cross attention", "🔤"),
    ("pages/2_Self_Attention.py", "Self attention", "🔁"),
    ("pages/3_Step_by_Step.py", "Step by step", "🪜"),
    ("pages/4_Model_Heads.py", "Model heads", "🧠"),
]


@st.cache_resource(max_entries=3, show_spinner="Loading the model…")
def cached_encoder(name: str) -> Encoder:
    """One loaded model per name, shared by every session of this server."""
    return load_encoder(name)


@st.cache_data(max_entries=512, show_spinner=False)
def cached_embeddings(model_name: str, text: str) -> TokenEmbeddings:
    """Token embeddings of ``text``, computed once per model and text."""
    return cached_encoder(model_name).encode(text)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_model_run(model_name: str, text: str) -> ModelRun:
    """The model's own attention maps and hidden states for ``text``, computed once per model and text."""
    return run_model(cached_encoder(model_name), text)


def active_encoder() -> Encoder:
    """The model named in the sidebar, or the embedded default with a message when it cannot load."""
    name = (st.session_state.get("model") or "").strip() or DEFAULT_MODEL
    if name != DEFAULT_MODEL:
        try:
            return cached_encoder(name)
        except ModelLoadError as error:
            st.error(f"{error} Using the embedded default model, {DEFAULT_MODEL}, instead.", icon="⚠️")
    return cached_encoder(DEFAULT_MODEL)


def sidebar_navigation() -> None:
    """Links to every page at the top of the sidebar (Streamlit's own list is turned off in
    .streamlit/config.toml because it would call the home page "app")."""
    for page, label, icon in PAGES:
        st.sidebar.page_link(page, label=label, icon=icon)
    st.sidebar.divider()


def sentence_input(label: str, key: str, default: str, help: str) -> str:
    """A text field that redraws shortly after the user stops typing."""
    return st.text_input(label, value=default, key=key, help=help, live="300ms", persist_state=KEEP)


def model_input() -> None:
    """The model field, at the top of the sidebar; read by ``active_encoder``."""
    st.sidebar.text_input(
        "Model",
        value=DEFAULT_MODEL,
        key="model",
        persist_state=KEEP,
        help="Any sentence-transformers model name or local folder. The default is all-MiniLM-L6-v2, "
        "shipped with the app, so it needs no download.",
    )


def projection_controls(encoder: Encoder) -> Projection:
    """How Q, K and V are made: identity (the lecture), one of the model's real heads, or random."""
    side = st.sidebar
    side.subheader("Queries, keys, values")
    kind = side.radio(
        "Projection",
        options=list(PROJECTIONS),
        format_func={"identity": "identity: Q = K = V", "head": "a real head of the model", "random": "random"}.get,
        key="projection",
        persist_state=KEEP,
    )
    side.caption(PROJECTIONS[kind] + ".")
    if kind == "head":
        n_layers, n_heads = layer_head_count(encoder)
        layer = side.slider("Layer", 0, n_layers - 1, value=0, key="layer", persist_state=KEEP)
        head = side.slider("Head", 0, n_heads - 1, value=0, key="head", persist_state=KEEP)
        return Projection("head", layer=layer, head=head)
    if kind == "random":
        d_k = side.select_slider("d_k", options=[4, 8, 16, 32, 64, 128], value=64, key="random_dk", persist_state=KEEP)
        seed = side.number_input("Seed", 0, 1_000_000, value=0, step=1, key="seed", persist_state=KEEP)
        side.caption("Same seed, same projections: learned heads differ from these only in what training taught them.")
        return Projection("random", d_k=int(d_k), seed=int(seed))
    return Projection()


def sidebar_controls(encoder: Encoder, causal: bool = False) -> tuple[Settings, FigureOptions]:
    """The controls every page shares, in the sidebar. Returns what changes the numbers
    (Settings) and what changes only the picture (FigureOptions, roles still to fill in)."""
    side = st.sidebar
    side.subheader("Tokens")
    show_special = side.toggle(
        "Show [CLS] and [SEP]",
        value=False,
        key="show_special",
        persist_state=KEEP,
        help="When hidden they are left out of the softmax, not only out of the picture.",
    )
    merge_words = side.toggle(
        "Merge word pieces into words",
        value=False,
        key="merge_words",
        persist_state=KEEP,
        help="ko ##re becomes kore; a word's vector is the mean of its pieces' vectors.",
    )
    side.subheader("Scores")
    scale = side.toggle("Divide by √d_k", value=True, key="scale", persist_state=KEEP)
    side.caption("Long vectors give large dot products; dividing by √d_k keeps softmax from picking a single key.")
    temperature = side.select_slider(
        "Temperature", options=TEMPERATURES, value=1.0, key="temperature", persist_state=KEEP
    )
    side.caption("The scaled scores are divided by it: below 1 sharpens the weights, above 1 flattens them.")
    is_causal = False
    if causal:
        is_causal = side.toggle("Causal mask", value=False, key="causal", persist_state=KEEP)
        side.caption("Each token may attend only to itself and earlier tokens, as in a decoder.")
    side.subheader("Picture")
    show_values = side.toggle("Numbers in cells", value=False, key="show_values", persist_state=KEEP)
    transpose = side.toggle(
        "Rows are queries (transpose)",
        value=False,
        key="transpose",
        persist_state=KEEP,
        help="The lecture puts queries in columns; most papers put them in rows.",
    )
    n_components = side.slider("Output components shown", 0, 16, value=8, key="n_components", persist_state=KEEP)
    components = side.radio(
        "Which components",
        options=list(COMPONENT_MODES),
        format_func={"first": "first ones", "pca": "PCA of the values"}.get,
        key="components",
        persist_state=KEEP,
        help="First ones: the output vector's first components as they are. "
        "PCA: the outputs projected on the directions in which the value vectors vary most.",
    )
    settings = Settings(
        show_special=show_special,
        merge_words=merge_words,
        scale_by_sqrt_dk=scale,
        temperature=float(temperature),
        causal=is_causal,
        projection=projection_controls(encoder),
    )
    options = FigureOptions(
        show_values=show_values, transpose=transpose, n_components=n_components, components=components
    )
    return settings, options


def cross_view(encoder: Encoder, settings: Settings) -> AttentionView:
    """Source and target inputs with a swap button; returns the cross attention to draw."""
    left, right = st.columns(2)
    with left:
        source = sentence_input("Source sentence", "source", LECTURE_SOURCE, "Its tokens are the queries.")
    with right:
        target = sentence_input("Target sentence", "target", LECTURE_TARGET, "Its tokens are the keys and values.")
    st.button("⇄ Swap roles", on_click=swap_roles, key="swap", help=SWAP_HELP)
    if settings.projection.kind == "head":
        st.caption(
            f"Layer {settings.projection.layer}, head {settings.projection.head} of the model is a self-attention "
            "head: this is what it would do across the two sentences, queries from the source's hidden states, "
            "keys and values from the target's."
        )
    return compute_view(encoder, {"source": source, "target": target}, settings, *cached_sources(encoder))


def self_view(encoder: Encoder, settings: Settings) -> AttentionView:
    """One sentence input; returns its self attention to draw."""
    sentence = sentence_input("Sentence", "sentence", LECTURE_SOURCE, "Its tokens are queries, keys and values.")
    return compute_view(encoder, {"sentence": sentence}, settings, *cached_sources(encoder))


def cached_sources(encoder: Encoder) -> tuple[Callable[[str], TokenEmbeddings], Callable[[str], ModelRun]]:
    """The cached ways to embed a text and to run the model over it, for ``compute_view``."""
    return partial(cached_embeddings, encoder.name), partial(cached_model_run, encoder.name)


def show_notes(view: AttentionView) -> None:
    """The view's notes, and its problem where the figure would be."""
    for note in view.notes:
        st.warning(note, icon="✂️")
    if view.problem:
        st.info(view.problem, icon="✏️")


def show_attention(view: AttentionView, options: FigureOptions, file_name: str) -> None:
    """Draw the figure, or say in its place why there is none."""
    show_notes(view)
    if view.problem:
        return
    figure = attention_figure(view.result, view.query_tokens, view.key_tokens, options)
    st.plotly_chart(
        figure,
        width="content",
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "scale": 3, "filename": _file_name(file_name)},
        },
    )
    st.caption(
        "Darker cells: higher attention weight. Each query's weights sum to 1. "
        "Under each query, its output vector (the weighted sum of the values) in purple: "
        + COMPONENT_MODES[options.components].format(n=options.n_components, d=view.result.output.shape[1])
        + ". Hover a cell for its raw score q·k, the scaled score and the weight."
    )


def blank_message(*texts_and_roles: tuple[str, str]) -> str | None:
    """The first message about an empty sentence, if any."""
    for text, role in texts_and_roles:
        message = blank_sentence_message(text, role)
        if message:
            return message
    return None


def _file_name(text: str) -> str:
    """A safe file name made from the sentences, for the chart's own PNG download."""
    return re.sub(r"[^\w-]+", "_", text, flags=re.UNICODE).strip("_")[:80] or "attention"


SWAP_HELP = (
    "Exchange the sentences: the target's tokens become the queries. In a translation model it is the "
    "decoder (target) that queries the encoder (source); the lecture puts the input sentence in the query role."
)


def keep_in_range(key: str, n: int) -> None:
    """Reset a chosen index that a shorter new sentence no longer has."""
    if not 0 <= st.session_state.get(key, 0) < n:
        st.session_state[key] = 0


def swap_roles() -> None:
    """Exchange the source and target sentences (a button callback)."""
    state = st.session_state
    state["source"], state["target"] = state.get("target", LECTURE_TARGET), state.get("source", LECTURE_SOURCE)


def with_roles(options: FigureOptions, query_role: str, key_role: str) -> FigureOptions:
    """FigureOptions with the axis roles of a page filled in."""
    return replace(options, query_role=query_role, key_role=key_role)
