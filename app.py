"""Home page (`streamlit run app.py`): what attention is, in the lecture's words, and where to see it."""

from __future__ import annotations

import streamlit as st

from attention import ui

ui.start_page("app.title", "home.body")
for page, key in zip(ui.PAGES[1:], ("home.cross", "home.self", "home.steps", "home.heads"), strict=True):
    st.page_link(page[0], label=ui.t(key), icon=page[2])
encoder = ui.active_encoder()
st.caption(ui.t("home.model", name=encoder.name, dim=encoder.dim, max_tokens=encoder.max_tokens))
ui.finish_page()
