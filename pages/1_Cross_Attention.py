"""Cross attention: the source sentence's tokens ask, the target sentence's tokens answer."""

from __future__ import annotations

import streamlit as st

from attention import ui

ui.start_page("nav.cross", "cross.intro")
encoder = ui.active_encoder()
settings, options = ui.sidebar_controls(encoder)
view = ui.cross_view(encoder, settings)
sentences = {"source": st.session_state["source"], "target": st.session_state["target"]}
ui.show_attention(view, ui.with_roles(options, "source", "target"), sentences, settings)
ui.finish_page()
