"""Compare side by side: two attention maps in the same layout and colours, and where their tokens
are the same, the difference B − A. B differs from A in the sentence, one setting, or the model."""

from __future__ import annotations

from functools import partial

import streamlit as st

from attention import compare, compare_figures
from attention.heads import layer_head_count
from attention.heatmap_payload import display_of
from attention.i18n import COMPARE_ATTENTION_LABELS, COMPARE_KIND_LABELS, COMPARE_SETTING_LABELS
from attention.models import EMBEDDED_MODELS
from attention.options import Projection
from attention.settings_table import FIELDS
from webapp import cache, compare_chart, controls, downloads, navigation, page_figures
from webapp.session import keep_in_range, labels, lang, presenting, set_setting, t, values

frame = navigation.frame()
page_figures.page_header("nav.compare", "compare.intro")
# on a projector the choices share one row, so that the two maps start on the first screen
places = st.columns([3, 3, 2], vertical_alignment="bottom") if presenting() else [st] * 3
kind_place, attention_place, bank_place = places
kind = kind_place.radio(
    t("compare.kind"), compare.KINDS, format_func=labels(COMPARE_KIND_LABELS), key="compare_kind", horizontal=True
)
attention = attention_place.radio(
    t("compare.attention"),
    compare.ATTENTIONS,
    format_func=labels(COMPARE_ATTENTION_LABELS),
    key="compare_attention",
    horizontal=True,
)
bank = compare.BANK_EXAMPLE
bank_help = t("compare.bank_help", a=bank["sentence"], b=bank["sentence_b"], layer=bank["layer"], head=bank["head"])
bank_place.button(t("compare.bank"), help=bank_help, on_click=st.session_state.update, args=(bank,))
live = cache.live_chart_served()
settings, options = controls.attention_controls(frame.encoder, frame.controls, causal=attention == "self", live=live)
texts = {key: controls.sentence_input(label, key) for key, label in compare.sentence_fields(attention, kind)}

# side B: how it differs from A (the controls above)
setting, temperature_b, head_b, encoder_b = "scale", FIELDS["temperature_b"].default, None, None
if kind == "settings":
    choices = compare.settings_choices(attention)
    if st.session_state.get("compare_setting") not in choices:
        set_setting("compare_setting", choices[0])
    setting = st.radio(t("compare.setting"), choices, format_func=labels(COMPARE_SETTING_LABELS), key="compare_setting")
    if setting == "temperature":
        field = FIELDS["temperature_b"]
        help_text = t("compare.temperature_b_help")
        temperature_b = st.slider(
            t("compare.temperature_b"), field.low, field.high, step=field.step, help=help_text, key="temperature_b"
        )
    if setting == "projection":
        n_layers, n_heads = layer_head_count(frame.encoder)
        keep_in_range("layer_b", n_layers, last=True)
        keep_in_range("head_b", n_heads, last=True)
        chosen = values()
        head_b = Projection("head", layer=chosen["layer_b"], head=chosen["head_b"])
        head_sliders = st.empty()  # B's layer and head: the chart's own controls, or here when it cannot have them
if kind == "models":
    model_b = st.selectbox(t("compare.model_b"), EMBEDDED_MODELS, help=t("compare.model_b_help"), key="model_b")
    encoder_b = cache.encoder(model_b)
side_b = compare.SideB(kind, setting, temperature_b, head_b, encoder_b)

sides = compare.two_sides(attention, {**values(), **texts}, settings, side_b)
encoders = side_b.encoders(frame.encoder)
sources = (cache.encode(encoders[0]), cache.encode(encoders[1]))
every_head = partial(cache.every_head, lang=lang()) if live and head_b is not None else False
result = compare.compare(encoders, sides, sources, lang(), every_head_of_b=every_head)
if head_b is not None and result.heads_b is None:  # B's head through the server: too many maps to send, or no chart
    with head_sliders.container():
        left, right = st.columns(2)
        left.slider(t("compare.layer_b"), 0, n_layers - 1, key="layer_b")
        right.slider(t("compare.head_b"), 0, n_heads - 1, key="head_b")
description = compare.description(side_b, result, lang())
if not presenting():
    st.info(description, icon="⚖️")

options = page_figures.with_roles(options, sides[0].sentences)
file_stem = "_".join(sides[0].sentences.values())
display = display_of(settings, options)
if result.heads_b is not None:
    display.update(layer_b=head_b.layer, head_b=head_b.head)
compare_chart.show_comparison(result, display, options, compare_figures.pins(side_b), file_stem)
if presenting():
    st.caption(description)
if not result.comparable and compare.not_comparable_note(result, lang()):
    st.info(compare.not_comparable_note(result, lang()), icon="↔️")

files = downloads.comparison_files(result, page_figures.file_name(file_stem), lang())
if files:
    st.markdown(f"**{t('compare.downloads')}**")
    page_figures.download_row(files, "compare_file")
