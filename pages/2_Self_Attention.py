"""Self attention: one sentence on both axes; every token asks every token, itself included."""

from __future__ import annotations

import streamlit as st

from attention import ui

st.set_page_config(page_title="Self attention · Seeing attention", layout="wide")
ui.sidebar_navigation()
st.title("Self attention")
st.markdown(
    "One sentence sits on both axes: each token is a query (a column) and also a key and value (a row). "
    "Turn on the causal mask to see what a decoder sees: each token only itself and the tokens before it."
)
ui.model_input()
encoder = ui.active_encoder()
settings, options = ui.sidebar_controls(encoder, causal=True)
view = ui.self_view(encoder, settings)
ui.show_attention(view, ui.with_roles(options, "sentence", "sentence"), st.session_state.get("sentence", ""))
