"""Streamlit pieces shared by the pages: state and links, the cached model, the controls, the figure.

All caching lives here. The model is one ``st.cache_resource`` shared by every
session (Encoder.encode is thread-safe); per-text embeddings and model runs are
bounded ``st.cache_data`` entries keyed by plain values, so changing a display
option recomputes nothing. Every setting lives in ``st.session_state`` under
the keys of ``attention.state.FIELDS`` and is mirrored in the page URL, so a
copied link shows exactly the same figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from attention import state
from attention.embeddings import DEFAULT_MODEL, Encoder, ModelLoadError, TokenEmbeddings, load_encoder
from attention.export import IMAGE_FORMATS, MIME_TYPES, export_meta, export_view, image_export_available
from attention.figures import COMPONENT_MODES, WEIGHT_SCALES, FigureOptions, attention_figure
from attention.heads import ModelRun, layer_head_count, run_model
from attention.i18n import LANGUAGES, text
from attention.views import PROJECTIONS, AttentionView, Projection, Settings, compute_view

PAGES = [
    ("app.py", "nav.home", "🔍"),
    ("pages/1_Cross_Attention.py", "nav.cross", "🔤"),
    ("pages/2_Self_Attention.py", "nav.self", "🔁"),
    ("pages/3_Step_by_Step.py", "nav.steps", "🪜"),
    ("pages/4_Model_Heads.py", "nav.heads", "🧠"),
]
EXAMPLES = {  # key: (kind, source or sentence, target)
    "lecture_cross": ("cross", state.LECTURE_SOURCE, state.LECTURE_TARGET),
    "lecture_self": ("self", state.LECTURE_SOURCE, None),
    "pronoun": ("self", "The animal didn't cross the street because it was too tired.", None),
    "bank": ("cross", "I sat on the bank of the river.", "I put my money in the bank."),
    "paraphrase": ("cross", "The cat is sleeping on the sofa.", "A kitten naps on the couch."),
    "repeated": ("self", "the dog chased the cat and the cat chased the dog", None),
}


# --- the model, cached once per server process -------------------------------------------------


@st.cache_resource(max_entries=3, show_spinner="Loading the model…")
def cached_encoder(name: str) -> Encoder:
    """One loaded model per name, shared by every session of this server."""
    return load_encoder(name)


@st.cache_data(max_entries=512, max_size="256MB", show_spinner=False)
def cached_embeddings(model_name: str, text: str) -> TokenEmbeddings:
    """Token embeddings of ``text``, computed once per model and text."""
    return cached_encoder(model_name).encode(text)


@st.cache_data(max_entries=64, max_size="512MB", show_spinner=False)  # a 512-token run is ~80 MB
def cached_model_run(model_name: str, text: str) -> ModelRun:
    """The model's own attention maps and hidden states for ``text``, computed once per model and text."""
    return run_model(cached_encoder(model_name), text)


def cached_sources(encoder: Encoder) -> tuple[Callable[[str], TokenEmbeddings], Callable[[str], ModelRun]]:
    """The cached ways to embed a text and to run the model over it, for ``compute_view``."""
    return partial(cached_embeddings, encoder.name), partial(cached_model_run, encoder.name)


def active_encoder() -> Encoder:
    """The model named in the sidebar, or the embedded default with a message when it cannot load."""
    name = str(st.session_state.get("model") or "").strip() or DEFAULT_MODEL
    if name != DEFAULT_MODEL:
        try:
            return cached_encoder(name)
        except ModelLoadError as error:
            st.error(t("msg.model_fallback", error=literal(str(error)), default=DEFAULT_MODEL), icon="⚠️")
    return cached_encoder(DEFAULT_MODEL)


# --- state, language and the page frame ---------------------------------------------------------


def literal(user_text: str) -> str:
    """``user_text`` as a Markdown code span, so that Streamlit shows it as typed (no maths, bold or links)."""
    fence = "`" * (max(map(len, re.findall(r"`+", user_text)), default=0) + 1)
    return f"{fence} {user_text} {fence}"


def lang() -> str:
    """The interface language of this session."""
    return str(st.session_state.get("lang", "en"))


def t(key: str, **values) -> str:
    """A string of the interface in this session's language."""
    return text(key, lang(), **values)


def labels(prefix: str) -> Callable[[object], str]:
    """A format_func for a menu whose options are string keys: ``prefix + option`` in this
    session's language, fixed now (a widget may format its options outside the script run)."""
    language = lang()
    return lambda option: text(f"{prefix}{option}", language)


def start_page(title_key: str, intro_key: str | None = None, **intro_values) -> None:
    """Everything every page starts with: page config, settings from the link, navigation,
    language and presentation switches, title and (outside presentation mode) the introduction."""
    st.set_page_config(page_title=f"{text(title_key, lang())} · {text('app.title', lang())}", layout="wide")
    _load_settings()
    side = st.sidebar
    for page, label, icon in PAGES:
        side.page_link(page, label=t(label), icon=icon)
    side.divider()
    side.segmented_control(t("side.language"), list(LANGUAGES), format_func=LANGUAGES.get, **bound("lang"))
    side.toggle(t("side.present"), help=t("side.present_help"), **bound("present"))
    st.title(t(title_key))
    if intro_key and not presenting():
        st.markdown(t(intro_key, **intro_values))


def _load_settings() -> None:
    """Put every setting into its widget's key before the widgets are drawn.

    The settings themselves live in ``session_state["_saved"]``: defaults and the
    link's values on a session's first run, then whatever the user changes
    (each widget's on_change calls ``_remember``). Widget keys alone would not
    do: Streamlit forgets a widget's value when a page without it runs.
    """
    session = st.session_state
    if "_saved" not in session:
        values, rejected = state.from_query(st.query_params.to_dict())
        session["_saved"] = {**state.defaults(), **values}
        if rejected:
            session["_rejected"] = rejected
    for key, value in session["_saved"].items():
        session[key] = value


def _remember(key: str) -> None:
    """A widget's on_change: keep its new value as the setting."""
    value = st.session_state.get(key)
    if key == "lang" and value is None:  # a segmented control can be cleared; keep a language
        value = "en"
    st.session_state["_saved"][key] = value


def bound(key: str) -> dict:
    """The keyword arguments that tie a widget to the setting ``key``."""
    return {"key": key, "on_change": _remember, "args": (key,)}


def set_setting(key: str, value) -> None:
    """Change a setting from code (a button or an example), widget and all."""
    st.session_state["_saved"][key] = value
    st.session_state[key] = value


def finish_page() -> None:
    """Write the settings into the URL and offer the link (call at the end of a page)."""
    query = state.to_query(st.session_state["_saved"])
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    rejected = st.session_state.pop("_rejected", None)
    if rejected:
        st.caption(t("share.rejected", keys=", ".join(rejected)))
    base = (st.context.url or "").split("?")[0]
    with st.sidebar.expander(t("share.label")):
        st.code(f"{base}?{urlencode(query)}" if query else base or "?", language=None, wrap_lines=True)
        st.caption(t("share.help"))
        too_long = state.left_out(st.session_state["_saved"])
        if too_long:
            st.caption(t("share.too_long", keys=", ".join(too_long), limit=state.MAX_LINK_TEXT))


def presenting() -> bool:
    """True in presentation mode: larger text and figure, fewer controls on show."""
    return bool(st.session_state.get("present"))


def sentence_input(label_key: str, key: str) -> str:
    """A text field for a sentence that redraws shortly after the user stops typing."""
    return st.text_input(t(label_key), help=t(f"{label_key}_help"), live="300ms", **bound(key))


def example_picker(kind: str) -> None:
    """A menu of examples that teach something; choosing one fills in the sentences."""
    st.selectbox(
        t("examples.label"),
        [key for key, (k, _, _) in EXAMPLES.items() if k == kind],
        index=None,
        placeholder=t("examples.none"),
        format_func=labels("examples."),
        key=f"example_{kind}",
        on_change=_use_example,
        args=(f"example_{kind}",),
    )


def _use_example(widget_key: str) -> None:
    chosen = st.session_state.get(widget_key)
    if chosen is None:
        return
    kind, first, second = EXAMPLES[chosen]
    if kind == "cross":
        set_setting("source", first)
        set_setting("target", second)
    else:
        set_setting("sentence", first)
    st.session_state[widget_key] = None


# --- controls -----------------------------------------------------------------------------------


def model_input() -> None:
    """The model field, in the sidebar; read by ``active_encoder``."""
    st.sidebar.text_input(t("side.model"), **bound("model"), help=t("side.model_help"))


def projection_controls(encoder: Encoder, place) -> Projection:
    """How Q, K and V are made: identity (the lecture), one of the model's real heads, or random."""
    place.subheader(t("side.qkv"))
    kind = place.radio(
        t("side.projection"),
        options=list(PROJECTIONS),
        format_func=labels("side.proj."),
        **bound("projection"),
    )
    place.caption(t(f"side.proj_caption.{kind}"))
    if kind == "head":
        n_layers, n_heads = layer_head_count(encoder)
        keep_in_range("layer", n_layers, last=True)
        keep_in_range("head", n_heads, last=True)
        layer = place.slider(t("side.layer"), 0, n_layers - 1, **bound("layer"))
        head = place.slider(t("side.head"), 0, n_heads - 1, **bound("head"))
        return Projection("head", layer=layer, head=head)
    if kind == "random":
        d_k = place.select_slider(t("side.random_dk"), options=state.RANDOM_DKS, **bound("random_dk"))
        seed = place.number_input(t("side.seed"), 0, 1_000_000, step=1, **bound("seed"))
        place.caption(t("side.random_caption"))
        return Projection("random", d_k=int(d_k), seed=int(seed))
    return Projection()


def sidebar_controls(encoder: Encoder, causal: bool = False) -> tuple[Settings, FigureOptions]:
    """The controls every page shares, in the sidebar (folded away in presentation mode).

    Returns:
        What changes the numbers (Settings) and what changes only the picture
        (FigureOptions, with the page's roles still to fill in).
    """
    place = st.sidebar.expander(t("side.more")) if presenting() else st.sidebar
    place.subheader(t("side.tokens"))
    show_special = place.toggle(t("side.show_special"), help=t("side.show_special_help"), **bound("show_special"))
    merge_words = place.toggle(t("side.merge"), help=t("side.merge_help"), **bound("merge_words"))
    place.subheader(t("side.scores"))
    scale = place.toggle(t("side.scale"), **bound("scale"))
    place.caption(t("side.scale_caption"))
    temperature = place.select_slider(t("side.temperature"), options=state.TEMPERATURES, **bound("temperature"))
    place.caption(t("side.temperature_caption"))
    is_causal = False
    if causal:
        is_causal = place.toggle(t("side.causal"), **bound("causal"))
        place.caption(t("side.causal_caption"))
    projection = projection_controls(encoder, place)
    place.subheader(t("side.picture"))
    show_values = place.toggle(t("side.numbers"), **bound("show_values"))
    transpose = place.toggle(t("side.transpose"), help=t("side.transpose_help"), **bound("transpose"))
    colors = place.selectbox(t("side.colors"), list(WEIGHT_SCALES), help=t("side.colors_help"), **bound("colors"))
    n_components = place.slider(t("side.n_components"), 0, 16, **bound("n_components"))
    components = place.radio(
        t("side.components"),
        options=list(COMPONENT_MODES),
        format_func=labels("side.components."),
        help=t("side.components_help"),
        **bound("components"),
    )
    model_input()
    settings = Settings(
        show_special=show_special,
        merge_words=merge_words,
        scale_by_sqrt_dk=scale,
        temperature=float(temperature),
        causal=is_causal,
        projection=projection,
    )
    options = FigureOptions(
        show_values=show_values,
        transpose=transpose,
        n_components=n_components,
        components=components,
        colorscale=colors,
        font_scale=1.5 if presenting() else 1.0,
        lang=lang(),
    )
    return settings, options


# --- the sentences and the figure ---------------------------------------------------------------


def cross_view(encoder: Encoder, settings: Settings) -> AttentionView:
    """Source and target inputs with a swap button; returns the cross attention to draw."""
    left, right = st.columns(2)
    with left:
        source = sentence_input("input.source", "source")
    with right:
        target = sentence_input("input.target", "target")
    buttons, examples = st.columns([1, 2])
    buttons.button(t("input.swap"), on_click=swap_roles, key="swap", help=t("input.swap_help"))
    with examples:
        example_picker("cross")
    if settings.projection.kind == "head":
        st.caption(t("input.head_across", layer=settings.projection.layer, head=settings.projection.head))
    sentences = {"source": source, "target": target}
    return compute_view(encoder, sentences, settings, *cached_sources(encoder), lang=lang())


def self_view(encoder: Encoder, settings: Settings) -> AttentionView:
    """One sentence input; returns its self attention to draw."""
    sentence = sentence_input("input.sentence", "sentence")
    example_picker("self")
    return compute_view(encoder, {"sentence": sentence}, settings, *cached_sources(encoder), lang=lang())


def show_notes(view: AttentionView) -> None:
    """The view's notes, and its problem where the figure would be."""
    for note in view.notes:
        st.warning(note, icon="✂️")
    if view.problem:
        st.info(view.problem, icon="✏️")


def show_figure(figure, file_name: str = "attention", key: str | None = None) -> None:
    """A Plotly figure in the page, following the light or dark theme, with a high-resolution PNG button.

    ``key`` keeps apart two figures that happen to be identical (Streamlit refuses those without one).
    """
    if st.context.theme.type == "dark":
        figure.update_layout(plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)")
    st.plotly_chart(
        figure,
        width="content",
        key=key,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "scale": 3, "filename": _file_name(file_name)},
        },
    )


def show_attention(view: AttentionView, options: FigureOptions, sentences: dict[str, str], settings: Settings) -> None:
    """Draw the figure and its download buttons, or say in its place why there is none."""
    show_notes(view)
    if view.problem:
        return
    file_name = "_".join(sentences.values())
    show_figure(attention_figure(view.result, view.query_tokens, view.key_tokens, options), file_name)
    components = options.describe_components(
        min(options.n_components, view.result.output.shape[1]), view.result.output.shape[1]
    )
    st.caption(t("fig.caption", components=components))
    kind = "cross" if "source" in sentences else "self"
    meta = export_meta(sentences, settings, str(st.session_state.get("model") or DEFAULT_MODEL), kind)
    download_buttons(view, options, meta, file_name)


def download_buttons(view: AttentionView, options: FigureOptions, meta: dict, file_name: str) -> None:
    """PNG (1×, 2×, 3×), SVG, PDF of the whole figure and CSV, JSON of the numbers, made when clicked."""
    st.markdown(f"**{t('export.title')}**")
    images = image_export_available()
    if not images:
        st.caption(t("export.unavailable"))
    choices = [("png", scale) for scale in (1, 2, 3)] + [("svg", 1), ("pdf", 1), ("csv", 1), ("json", 1)]
    choices = [(fmt, scale) for fmt, scale in choices if images or fmt not in IMAGE_FORMATS]
    stem = _file_name(file_name)
    for column, (fmt, scale) in zip(st.columns(len(choices)), choices, strict=True):
        column.download_button(
            t("export.png", scale=scale) if fmt == "png" else fmt.upper(),
            data=partial(export_view, view, fmt, options, meta, scale),
            file_name=f"{stem}{'' if scale == 1 else f'@{scale}x'}.{fmt}",
            mime=MIME_TYPES[fmt],
            on_click="ignore",
            key=f"download_{fmt}_{scale}",
        )


def _file_name(sentences: str) -> str:
    """A safe file name made from the sentences."""
    return re.sub(r"[^\w-]+", "_", sentences, flags=re.UNICODE).strip("_")[:80] or "attention"


def keep_in_range(key: str, n: int, last: bool = False) -> None:
    """Bring a chosen index back into 0..n-1 (e.g. after a shorter new sentence, or from a link):
    to the last one when ``last``, else to the first."""
    value = st.session_state.get(key, 0)
    if not isinstance(value, int) or not 0 <= value < n:
        set_setting(key, n - 1 if last and isinstance(value, int) and value >= n else 0)


def swap_roles() -> None:
    """Exchange the source and target sentences (a button callback)."""
    source, target = st.session_state["_saved"]["source"], st.session_state["_saved"]["target"]
    set_setting("source", target)
    set_setting("target", source)


def with_roles(options: FigureOptions, query_role: str, key_role: str) -> FigureOptions:
    """FigureOptions with a page's roles ("source", "target", "sentence") filled in, in its language."""
    return replace(options, query_role=t(f"role.{query_role}"), key_role=t(f"role.{key_role}"))
