"""Cross attention: the source sentence's tokens ask, the target sentence's tokens answer."""

from __future__ import annotations

import streamlit as st

from attention import ui

st.set_page_config(page_title="Cross attention · Seeing attention", layout="wide")
ui.sidebar_navigation()
st.title("Cross attention")
st.markdown(
    "Each **source** token is a *query*; each **target** token is a *key* and a *value*, as in the lecture. "
    "A column is one query: its cells are softmax(q·k / √d_k) over the target's tokens, and under it stands "
    "its output vector, the weighted sum of the target's value vectors."
)
ui.model_input()
encoder = ui.active_encoder()
settings, options = ui.sidebar_controls(encoder)
view = ui.cross_view(encoder, settings)
file_name = f"{st.session_state.get('source', '')}_{st.session_state.get('target', '')}"
ui.show_attention(view, ui.with_roles(options, "source", "target"), file_name)
