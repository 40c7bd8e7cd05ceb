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

st.set_page_config(page_title="Step by step · Seeing attention", layout="wide")
ui.sidebar_navigation()
st.title("Step by step")
st.markdown(
    "The lecture's four steps on your sentences: score every query against every key, scale, "
    "softmax per query, and add up the value vectors with those weights. Pick a cell to take its score apart."
)

kind = st.radio(
    "Attention",
    ["cross", "self"],
    format_func={"cross": "cross: source → target", "self": "self: one sentence"}.get,
    horizontal=True,
    key="step_kind",
    persist_state=ui.KEEP,
)
ui.model_input()
encoder = ui.active_encoder()
settings, options = ui.sidebar_controls(encoder, causal=kind == "self")
view = ui.cross_view(encoder, settings) if kind == "cross" else ui.self_view(encoder, settings)
ui.show_notes(view)
if view.result is not None:
    result, queries, keys = view.result, view.query_tokens, view.key_tokens

    st.subheader("Play the steps")
    st.caption("Press ▶ to watch the raw scores become weights, or drag the slider through the steps.")
    st.plotly_chart(steps_animation(result, queries, keys), width="content")

    st.subheader("Pick a cell")
    ui.keep_in_range("pick_query", len(queries))
    ui.keep_in_range("pick_key", len(keys))
    left, right = st.columns(2)
    query = left.selectbox("Query", range(len(queries)), format_func=lambda i: f"{i} · {queries[i]}", key="pick_query")
    key = right.selectbox("Key", range(len(keys)), format_func=lambda j: f"{j} · {keys[j]}", key="pick_key")
    parts = dot_product_parts(result, query, key)
    st.plotly_chart(dot_product_figure(parts, queries[query], keys[key]), width="stretch")
    named = ", ".join(f"dimension {i} ({parts.products[i]:+.3f})" for i in parts.largest[:3])
    st.markdown(
        f"The score is the sum of {len(parts.products)} products q_i × k_i = **{parts.score:.3f}**; "
        f"the largest contributions: {named}. Scaled: {parts.score:.3f} × {result.scale:.4f}"
        + (f" ÷ {result.temperature:g}" if result.temperature != 1 else "")
        + f" = **{parts.scaled:.3f}**. Softmax over this query's scores gives the key a weight of "
        f"**{result.weights[query, key]:.3f}**:"
    )
    st.plotly_chart(softmax_figure(result, keys, query, key), width="stretch")

    st.subheader("Every step")
    panels = attention_steps(result, queries, keys, query=query)
    for row in range(0, len(panels), 2):
        for column, step in zip(st.columns(2), panels[row : row + 2], strict=False):
            with column:
                st.markdown(f"**{step.number}. {step.title}**")
                st.caption(step.explanation)
                st.plotly_chart(step_figure(step, transpose=options.transpose), width="content")
