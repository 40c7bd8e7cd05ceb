"""The widgets: the shared sidebar, the attention controls, the sentence fields and the examples.

Each widget's key is its setting's name in ``attention.settings_table.FIELDS``, and its limits
come from there, so a widget, a link and the command line always agree.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from attention.embeddings import Encoder, ModelLoadError
from attention.examples import EXAMPLE_DEFAULTS, EXAMPLES, examples_of
from attention.heads import layer_head_count
from attention.heatmap import DISPLAY_FIELDS
from attention.i18n import (
    COMPONENT_LABELS,
    EXAMPLE_LABELS,
    LANGUAGES,
    PROJECTION_CAPTIONS,
    PROJECTION_LABELS,
    SENTENCE_HELP,
)
from attention.models import DEFAULT_MODEL, EMBEDDED_MODELS
from attention.options import COMPONENT_MODES, PROJECTIONS, FigureOptions, Projection, Settings
from attention.settings_table import FIELDS, figure_options_from, settings_from
from attention.style import WEIGHT_SCALES
from webapp import cache, quiz, screen
from webapp.session import keep_in_range, labels, lang, literal, presenting, set_setting, t, values


def interface_controls(place) -> None:
    """Language and presentation mode, at the top of the sidebar on every page."""
    place.segmented_control(t("side.language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang")
    place.toggle(t("side.present"), help=t("side.present_help"), key="present")
    if presenting():  # a projector's page: larger fields, a smaller top margin (style only: it takes no room)
        st.html(PRESENTATION_CSS)


PRESENTATION_CSS = Path(__file__).with_name("presentation.css")


def model_control(place) -> Encoder:
    """The model field; returns the model it names, or the embedded default with a message when it cannot load."""
    typed = str(st.session_state.get("model") or "").strip()
    place.selectbox(
        t("side.model"),
        [*EMBEDDED_MODELS, *([typed] if typed and typed not in EMBEDDED_MODELS else [])],
        help=t("side.model_help"),
        key="model",
        accept_new_options=True,  # any other sentence-transformers name or folder can be typed in
    )
    name = str(st.session_state.get("model") or "").strip() or DEFAULT_MODEL
    with st.spinner(t("msg.loading_model"), show_time=True):
        try:
            encoder = cache.encoder(name)
        except ModelLoadError as error:
            st.error(t("msg.model_fallback", error=literal(error.message(lang())), default=DEFAULT_MODEL), icon="⚠️")
            encoder = cache.encoder(DEFAULT_MODEL)
    note = encoder.note(lang())  # e.g. the model cache could not be written
    if note:
        place.caption(note)
    return encoder


def _slider(place, key: str, label: str, **kwargs):
    """A slider whose limits are the setting's own."""
    field = FIELDS[key]
    return place.slider(label, field.low, field.high, step=field.step, key=key, **kwargs)


def projection_controls(encoder: Encoder, place) -> Projection:
    """How Q, K and V are made: identity (the lecture), one of the model's real heads, or random."""
    place.subheader(t("side.qkv"))
    kind = place.radio(
        t("side.projection"), options=list(PROJECTIONS), format_func=labels(PROJECTION_LABELS), key="projection"
    )
    place.caption(t(PROJECTION_CAPTIONS[kind]))
    vector_layer_control(encoder, place, kind == "head")
    if kind == "head":
        n_layers, n_heads = layer_head_count(encoder)
        keep_in_range("layer", n_layers, last=True)
        keep_in_range("head", n_heads, last=True)
        layer = place.slider(t("side.layer"), 0, n_layers - 1, key="layer")
        head = place.slider(t("side.head"), 0, n_heads - 1, key="head")
        return Projection("head", layer=layer, head=head)
    if kind == "random":
        d_k = place.select_slider(t("side.random_dk"), options=FIELDS["random_dk"].choices, key="random_dk")
        seed = place.number_input(t("side.seed"), FIELDS["seed"].low, FIELDS["seed"].high, step=1, key="seed")
        place.caption(t("side.random_caption"))
        return Projection("random", d_k=int(d_k), seed=int(seed))
    return Projection()


LAYER_SLIDER = "vector_layer_slider"  # the slider of the setting "vector_layer", whose default is the model's own


def vector_layer_control(encoder: Encoder, place, head: bool) -> None:
    """Which hidden states the tokens carry: a slider from 0 (the input embeddings) to the model's depth.

    The setting ``vector_layer`` stays None (the model's own default layer, which follows a change of
    model) until someone picks another layer; a real head reads its own layer instead.
    """
    depth, default = encoder.n_layers, encoder.default_layer
    if head:
        place.caption(t("side.vector_layer_head", layer=st.session_state.get("layer", 0)))
        return
    st.session_state[LAYER_SLIDER] = encoder.layer(st.session_state.get("vector_layer"))
    place.slider(
        t("side.vector_layer"),
        0,
        depth,
        key=LAYER_SLIDER,
        help=t("side.vector_layer_help", n_layers=depth, last=depth - 1, default=default),
        on_change=_choose_layer,
        args=(default,),
    )
    place.caption(t("side.vector_layer_caption", layer=st.session_state[LAYER_SLIDER], n_layers=depth, default=default))


def _choose_layer(default: int) -> None:
    chosen = st.session_state[LAYER_SLIDER]
    set_setting("vector_layer", None if chosen == default else chosen)


def attention_controls(
    encoder: Encoder, place, causal: bool = False, live: bool = False
) -> tuple[Settings, FigureOptions]:
    """The controls of an attention figure, in ``place`` (folded away in presentation mode).

    With ``live``, the figure is the live heatmap, whose own controls above it set the temperature,
    √d_k and the picture's options (``attention.heatmap.DISPLAY_FIELDS``); their values are read from the session.

    Returns:
        What changes the numbers (Settings) and what changes only the picture
        (FigureOptions, with the page's roles still to fill in).
    """
    outer, place = place, place.expander(t("side.more")) if presenting() else place
    place.subheader(t("side.tokens"))
    show_special = place.toggle(label("show_special"), help=explain("show_special"), key="show_special")
    merge_words = place.toggle(label("merge_words"), help=explain("merge_words"), key="merge_words")
    place.subheader(t("side.scores"))
    if live:  # the live heatmap's own controls set DISPLAY_FIELDS
        place.caption(t("side.live_note"))
    else:
        place.toggle(label("scale"), key="scale")
        place.caption(explain("scale"))
        _slider(place, "temperature", label("temperature"))
        place.caption(explain("temperature"))
    is_causal = False
    if causal:
        is_causal = place.toggle(label("causal"), key="causal")
        place.caption(explain("causal"))
    projection = projection_controls(encoder, place)
    place.subheader(t("side.picture"))
    if not live:
        place.toggle(label("show_values"), key="show_values")
        place.toggle(label("transpose"), help=explain("transpose"), key="transpose")
        place.selectbox(label("colors"), list(WEIGHT_SCALES), help=explain("colors"), key="colors")
        place.toggle(label("fit_colors"), help=explain("fit_colors"), key="fit_colors")
    display = {key: values()[key] for key in DISPLAY_FIELDS}  # from the widgets above or the live heatmap's
    n_components = _slider(place, "n_components", label("n_components"))
    components = place.radio(
        label("components"),
        options=list(COMPONENT_MODES),
        format_func=labels(COMPONENT_LABELS),
        help=explain("components"),
        key="components",
    )
    explanations(outer, encoder)
    chosen = {
        **display,
        "temperature": float(display["temperature"]),
        "show_special": show_special,
        "merge_words": merge_words,
        "causal": is_causal,
        "vector_layer": st.session_state.get("vector_layer"),
        "n_components": n_components,
        "components": components,
        "lang": lang(),
    }
    return settings_from(chosen, projection), figure_options_from(chosen, **figure_size())


# The settings whose controls' explanations (help icons, captions, the live heatmap's tooltips) the sidebar's
# "What the controls do" gathers, in its order
EXPLAINED = ("temperature", "scale", "show_special", "merge_words", "transpose", "colors", "fit_colors", "components")


def label(setting: str) -> str:
    """The label of ``setting``'s control, in this session's language (defined once, in the settings table)."""
    return t(FIELDS[setting].label)


def explain(setting: str) -> str:
    """What ``setting``'s control does, in this session's language (defined once, in the settings table)."""
    return t(FIELDS[setting].explain)


def explanations(place, encoder: Encoder) -> None:
    """Every control's explanation in one expander, opened by a click: a tooltip needs a pointer that hovers,
    which a touch screen and a projector's clicker do not have (and the live heatmap's controls only have
    tooltips). Outside the folded settings of presentation mode, so that it opens with one click there too."""
    with place.expander(t("side.explain"), icon="ℹ️"):
        for setting in EXPLAINED:
            st.markdown(f"**{label(setting)}**: {explain(setting)}")
        depth, default = encoder.n_layers, encoder.default_layer
        layers = t("side.vector_layer_help", n_layers=depth, last=depth - 1, default=default)
        st.markdown(f"**{t('side.vector_layer')}**: {layers}")


# The pages the figures are sized for, in pixels of the page's main area (the screen's height less the app's
# header and the figure's own margin): in presentation mode the screen in the room, as the browser measured it
# (webapp.screen; a 1920 × 1080 projector's until it has), otherwise a 1400 × 900 laptop window with the sidebar.
PROJECTOR_AREA = screen.PROJECTOR_AREA
LAPTOP_AREA = (940, 760)


def figure_size() -> dict[str, object]:
    """FigureOptions' size fields: in presentation mode larger text, and a grid that fills the projector's
    page (``show_figure`` stretches it to the page actually there); otherwise square cells that fit a laptop's."""
    if presenting():
        width, height = screen.area()
        return dict(font_scale=font_scale(), target_width=width, target_height=height, fill_width=True)
    width, height = LAPTOP_AREA
    return dict(font_scale=font_scale(), target_width=width, target_height=height, fill_width=False)


def font_scale() -> float:
    """Text size relative to normal: larger in presentation mode, for a projector."""
    return 1.5 if presenting() else 1.0


def sentence_input(label_key: str, key: str) -> str:
    """A text field for a sentence that redraws shortly after the user stops typing (on a projector its
    label is the field's placeholder, leaving the screen's height to the figure).

    ``live=True`` is Streamlit's own pause, 250 ms. A duration string ("300ms") would do as well, but
    Streamlit reads it with pandas, whose import (0.35 s) then holds back the first figure of every cold start.
    """
    return st.text_input(
        t(label_key),
        help=t(SENTENCE_HELP[label_key]),
        live=True,
        key=key,
        placeholder=t(label_key),
        label_visibility=_label_visibility(),
    )


def _label_visibility() -> str:
    return "collapsed" if presenting() else "visible"


def example_picker(kind: str) -> None:
    """A menu of examples that teach something; choosing one fills in the sentences."""
    st.selectbox(
        t("examples.label"),
        examples_of(kind, lang()),
        index=None,
        placeholder=t("examples.none"),
        label_visibility=_label_visibility(),
        format_func=labels(EXAMPLE_LABELS),
        key=f"example_{kind}",
        on_change=_use_example,
        args=(f"example_{kind}",),
    )


def _use_example(widget_key: str) -> None:
    chosen = st.session_state.get(widget_key)
    if chosen is None:
        return
    kind, first, second, needs = EXAMPLES[chosen]
    if kind == "cross":
        set_setting("source", first)
        set_setting("target", second)
    else:
        set_setting("sentence", first)
    for key, value in {**EXAMPLE_DEFAULTS, **needs}.items():
        set_setting(key, value)
    st.session_state[widget_key] = None


def cross_sentences(settings: Settings, guess_first: bool = False) -> dict[str, str]:
    """Source and target fields, then one row with the swap button, the *Guess first* switch (with
    ``guess_first``) and the examples; returns the two sentences by role."""
    left, right = st.columns(2)
    with left:
        source = sentence_input("input.source", "source")
    with right:
        target = sentence_input("input.target", "target")
    buttons, switch, examples = st.columns([1, 1, 2], vertical_alignment="bottom")
    buttons.button(t("input.swap"), on_click=swap_roles, key="swap", help=t("input.swap_help"))
    if guess_first:
        with switch:
            quiz.toggle()
    with examples:
        example_picker("cross")
    if settings.projection.kind == "head":
        st.caption(t("input.head_across", layer=settings.projection.layer, head=settings.projection.head))
    return {"source": source, "target": target}


def self_sentence(guess_first: bool = False) -> dict[str, str]:
    """One sentence field, then the *Guess first* switch (with ``guess_first``) beside the examples;
    returns ``{"sentence": ...}``."""
    sentence = sentence_input("input.sentence", "sentence")
    switch, examples = st.columns([1, 3], vertical_alignment="bottom") if guess_first else (None, st.container())
    if guess_first:
        with switch:
            quiz.toggle()
    with examples:
        example_picker("self")
    return {"sentence": sentence}


def swap_roles() -> None:
    """Exchange the source and target sentences (a button callback)."""
    source, target = st.session_state["source"], st.session_state["target"]
    set_setting("source", target)
    set_setting("target", source)
