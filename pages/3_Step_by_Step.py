"""Step by step: one attention computation taken apart, from raw scores to output vectors."""

from __future__ import annotations

import streamlit as st

from attention import ui
from attention.steps import (
    attention_steps,
    dot_product_figure,
    dot_product_parts,
    softmax_figure,
    step_figure,
    steps_animation,
)

ui.start_page("nav.steps", "steps.intro")
kind = st.radio(
    ui.t("steps.kind"),
    ["cross", "self"],
    format_func=ui.labels("steps.kind."),
    horizontal=True,
    **ui.bound("step_kind"),
)
encoder = ui.active_encoder()
settings, options = ui.sidebar_controls(encoder, causal=kind == "self")
view = ui.cross_view(encoder, settings) if kind == "cross" else ui.self_view(encoder, settings)
ui.show_notes(view)
if view.result is not None:
    result, queries, keys = view.result, view.query_tokens, view.key_tokens

    st.subheader(ui.t("steps.play"))
    st.caption(ui.t("steps.play_caption"))
    ui.show_figure(steps_animation(result, queries, keys, ui.lang()))

    st.subheader(ui.t("steps.pick"))
    ui.keep_in_range("pick_query", len(queries))
    ui.keep_in_range("pick_key", len(keys))
    left, right = st.columns(2)
    query = left.selectbox(
        ui.t("steps.query"), range(len(queries)), format_func=lambda i: f"{i} · {queries[i]}", **ui.bound("pick_query")
    )
    key = right.selectbox(
        ui.t("steps.key"), range(len(keys)), format_func=lambda j: f"{j} · {keys[j]}", **ui.bound("pick_key")
    )
    parts = dot_product_parts(result, query, key)
    ui.show_figure(dot_product_figure(parts, queries[query], keys[key]))
    st.markdown(
        ui.t(
            "steps.score_text",
            d=len(parts.products),
            score=parts.score,
            named=", ".join(ui.t("steps.dimension", i=i, value=parts.products[i]) for i in parts.largest[:3]),
            scale=result.scale,
            temperature=f" ÷ {result.temperature:g}" if result.temperature != 1 else "",
            scaled=parts.scaled,
            weight=result.weights[query, key],
        )
    )
    ui.show_figure(softmax_figure(result, keys, query, key))

    st.subheader(ui.t("steps.every"))
    panels = attention_steps(result, queries, keys, query=query, lang=ui.lang())
    for row in range(0, len(panels), 2):
        for column, step in zip(st.columns(2), panels[row : row + 2], strict=False):
            with column:
                st.markdown(f"**{step.number}. {step.title}**")
                st.caption(step.explanation)
                ui.show_figure(step_figure(step, transpose=options.transpose), key=f"step_{step.name}")
ui.finish_page()
