"""Self attention: one sentence on both axes; every token asks every token, itself included."""

from __future__ import annotations

import streamlit as st

from attention import ui
from attention.views import AttentionView, attend

st.set_page_config(page_title="Self attention · Seeing attention", layout="wide")
ui.sidebar_navigation()
st.title("Self attention")
st.markdown(
    "One sentence sits on both axes: each token is a query (a column) and also a key and value (a row). "
    "Turn on the causal mask to see what a decoder sees: each token only itself and the tokens before it."
)

sentence = ui.sentence_input("Sentence", "sentence", ui.LECTURE_SOURCE, "Its tokens are queries, keys and values.")
settings, options = ui.sidebar_controls(causal=True)
options = ui.with_roles(options, "sentence", "sentence")
encoder = ui.active_encoder()

problem = ui.blank_message((sentence, "sentence"))
if problem:
    view = AttentionView(problem=problem)
else:
    notes: list[str] = []
    tokens = ui.embeddings(encoder, sentence, "sentence", notes)
    view = ui.with_notes(attend(tokens, tokens, settings, roles=("sentence", "sentence")), notes)
ui.show_attention(view, options, sentence)
