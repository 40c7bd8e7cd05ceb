"""Self attention: one sentence on both axes; every token asks every token, itself included."""

from __future__ import annotations

import streamlit as st

from attention import ui

ui.start_page("nav.self", "self.intro")
encoder = ui.active_encoder()
settings, options = ui.sidebar_controls(encoder, causal=True)
view = ui.self_view(encoder, settings)
sentences = {"sentence": st.session_state["sentence"]}
ui.show_attention(view, ui.with_roles(options, "sentence", "sentence"), sentences, settings)
ui.finish_page()
