"""Home: what attention is, in the lecture's words, and where to see it."""

from __future__ import annotations

import streamlit as st

from attention import models
from webapp import display, navigation
from webapp.navigation import PAGES
from webapp.session import t

frame = navigation.frame()
display.page_header("app.title", "home.body")
for path, _, _, home_line, icon in PAGES[1:]:
    st.page_link(path, label=t(home_line), icon=icon)
encoder = frame.encoder
reads = t(models.reads(encoder.name))
st.caption(t("home.model", name=encoder.name, dim=encoder.dim, max_tokens=encoder.max_tokens, reads=reads))
st.markdown(t("home.layers", default=encoder.default_layer, n_layers=encoder.n_layers))
st.caption(t(models.reads(models.TRANSLATOR)))
