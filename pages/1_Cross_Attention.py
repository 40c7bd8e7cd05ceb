"""Cross attention: the source sentence's tokens ask, the target sentence's tokens answer."""

from __future__ import annotations

import streamlit as st

from attention import ui
from attention.views import AttentionView, attend

st.set_page_config(page_title="Cross attention · Seeing attention", layout="wide")
ui.sidebar_navigation()
st.title("Cross attention")
st.markdown(
    "Each **source** token is a *query*; each **target** token is a *key* and a *value*, as in the lecture. "
    "A column is one query: its cells are softmax(q·k / √d_k) over the target's tokens, and under it stands "
    "its output vector, the weighted sum of the target's value vectors."
)

left, right = st.columns(2)
with left:
    source = ui.sentence_input("Source sentence", "source", ui.LECTURE_SOURCE, "Its tokens are the queries.")
with right:
    target = ui.sentence_input("Target sentence", "target", ui.LECTURE_TARGET, "Its tokens are the keys and values.")
st.button("⇄ Swap roles", on_click=ui.swap_roles, key="swap", help=ui.SWAP_HELP)

settings, options = ui.sidebar_controls()
options = ui.with_roles(options, "source", "target")
encoder = ui.active_encoder()

problem = ui.blank_message((source, "source"), (target, "target"))
if problem:
    view = AttentionView(problem=problem)
else:
    notes: list[str] = []
    queries = ui.embeddings(encoder, source, "source", notes)
    keys = ui.embeddings(encoder, target, "target", notes)
    view = attend(queries, keys, settings, roles=("source", "target"))
    view = ui.with_notes(view, notes)
ui.show_attention(view, options, f"{source}_{target}")
