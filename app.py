"""Home page (`streamlit run app.py`): what attention is, in the lecture's words, and where to see it."""

from __future__ import annotations

import streamlit as st

from attention import ui

st.set_page_config(page_title="Seeing attention", page_icon="🔍", layout="wide")
ui.sidebar_navigation()
st.title("Seeing attention")
st.markdown(
    """
**Attention** measures how much each element of one sequence matters to each element of another.
An *attention score* is the similarity of one **query** with every **key**. In four steps:

1. set the queries and the keys (here: each token's contextual vector from a real embedding model);
2. score each query against every key with a dot product, divided by √d_k;
3. turn each query's scores into weights with softmax, so they sum to 1;
4. multiply each key's **value** vector by its weight and add them up: one output vector per query.

In the pictures, one **column** is one query and one **row** is one key; darker cells mean higher weights,
and each query's output vector stands in **purple** under its column.
"""
)
for page, label, icon in ui.PAGES[1:]:
    st.page_link(page, label=label, icon=icon)
encoder = ui.active_encoder()
st.caption(f"Model: {encoder.name}, {encoder.dim}-dimensional token vectors, up to {encoder.max_tokens} tokens.")
