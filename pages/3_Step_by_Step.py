"""Step by step: one attention computation taken apart, from raw scores to output vectors."""

from __future__ import annotations

import streamlit as st

from attention.i18n import STEP_KIND_LABELS
from attention.steps import (
    attention_steps,
    dot_product_figure,
    dot_product_parts,
    softmax_figure,
    step_figure,
    steps_animation,
)
from attention.views import compute_view
from webapp import cache, controls, navigation, page_figures
from webapp.session import keep_in_range, labels, lang, t

frame = navigation.frame()
page_figures.page_header("nav.steps", "steps.intro")
kind = st.radio(
    t("steps.kind"), ["cross", "self"], format_func=labels(STEP_KIND_LABELS), horizontal=True, key="step_kind"
)
settings, options = controls.attention_controls(frame.encoder, frame.controls, causal=kind == "self")
sentences = controls.cross_sentences(settings) if kind == "cross" else controls.self_sentence()
view = compute_view(frame.encoder, sentences, settings, cache.encode(frame.encoder), lang=lang())
page_figures.show_notes(view)
if view.result is not None and view.layer is not None and settings.projection.kind != "head":
    st.markdown(t("steps.layer", layer=view.layer, n_layers=view.n_layers))
if view.result is not None:
    result, queries, keys = view.result, view.query_tokens, view.key_tokens

    st.subheader(t("steps.play"))
    st.caption(t("steps.play_caption"))
    page_figures.show_figure(steps_animation(result, queries, keys, lang(), controls.font_scale()))

    st.subheader(t("steps.pick"))
    keep_in_range("pick_query", len(queries))
    keep_in_range("pick_key", len(keys))
    left, right = st.columns(2)
    query = left.selectbox(
        t("steps.query"), range(len(queries)), format_func=lambda i: f"{i} · {queries[i]}", key="pick_query"
    )
    key = right.selectbox(t("steps.key"), range(len(keys)), format_func=lambda j: f"{j} · {keys[j]}", key="pick_key")
    parts = dot_product_parts(result, query, key)
    page_figures.show_figure(dot_product_figure(parts, queries[query], keys[key], lang()))
    st.markdown(
        t(
            "steps.score_text",
            d=len(parts.products),
            score=parts.score,
            named=", ".join(t("steps.dimension", i=i, value=parts.products[i]) for i in parts.largest[:3]),
            scale=result.scale,
            temperature=f" ÷ {result.temperature:g}" if result.temperature != 1 else "",
            scaled=parts.scaled,
            weight=result.weights[query, key],
        )
    )
    page_figures.show_figure(softmax_figure(result, keys, query, key, lang()))

    st.subheader(t("steps.every"))
    panels = attention_steps(result, queries, keys, query=query, lang=lang())
    for row in range(0, len(panels), 2):
        for column, step in zip(st.columns(2), panels[row : row + 2], strict=False):
            with column:
                st.markdown(f"**{step.heading(lang())}**")
                st.caption(step.explanation)
                page_figures.show_figure(step_figure(step, transpose=options.transpose), key=f"step_{step.name}")
