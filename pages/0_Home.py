"""Home: what attention is, in the lecture's words, where to start, and where to see the rest.

On a projector (presentation mode) Home shows what a class reads first, the definition and the
lecture's four steps, and leaves the model, its layers and the licences to the laptop view.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from attention import models
from webapp import navigation, page_figures
from webapp.navigation import PAGES
from webapp.session import presenting, t

THIRD_PARTY_NOTICES = Path(__file__).resolve().parents[1] / "THIRD_PARTY_NOTICES.md"  # every licence, with its source

frame = navigation.frame()
page_figures.page_header("app.title")
st.markdown(t("home.body"))  # the definition and the four steps, also on a projector
if not presenting():
    st.info(t("home.start"), icon="👉")
for path, _, _, home_line, icon in PAGES[1:]:
    st.page_link(path, label=t(home_line), icon=icon)
st.markdown(t("home.families"))
if not presenting():
    encoder = frame.encoder
    reads = t(models.reads(encoder.name))
    st.caption(t("home.model", name=encoder.name, dim=encoder.dim, max_tokens=encoder.max_tokens, reads=reads))
    st.markdown(t("home.layers", default=encoder.default_layer, n_layers=encoder.n_layers))
    st.caption(t(models.reads(models.TRANSLATOR)))
    st.caption(t(models.reads(models.DECODER)))
    with st.expander(t("home.licences")):
        st.markdown(t("home.licences_text", file=THIRD_PARTY_NOTICES.name))
        st.markdown(models.licence_table(t("home.licence_column")))
