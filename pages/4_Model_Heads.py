"""The model's own attention: every head of every layer, and our core recomputing each one exactly."""

from __future__ import annotations

import numpy as np
import streamlit as st

from attention import ui
from attention.figures import (
    FigureOptions,
    attention_figure,
    concatenated_output_figure,
    heads_grid_figure,
    weights_figure,
)
from attention.heads import layer_head_count, multi_head_attention
from attention.views import truncation_note

TOLERANCE = 1e-5

st.set_page_config(page_title="Model heads · Seeing attention", layout="wide")
ui.sidebar_navigation()
st.title("The model's own heads")
ui.model_input()
encoder = ui.active_encoder()
n_layers, n_heads = layer_head_count(encoder)
st.markdown(
    f"The model has {n_layers} layers of {n_heads} heads. Each head makes its own queries, keys and values from "
    "the hidden states entering its layer (learned W_Q, W_K, W_V), attends with them, and the layer puts the "
    f"{n_heads} outputs side by side. Below, the maps the model itself reports, and the same maps recomputed by "
    "this app's numpy core from each head's weights."
)
sentence = ui.sentence_input(
    "Sentence", "sentence", ui.LECTURE_SOURCE, "One sentence: its tokens attend to each other."
)
problem = ui.blank_message((sentence, "sentence"))
if problem:
    st.info(problem, icon="✏️")
    st.stop()

run = ui.cached_model_run(encoder.name, sentence)
tokens, attentions = run.tokens, run.attentions  # attentions: (n_layers, n_heads, n, n)
cut = truncation_note(ui.cached_embeddings(encoder.name, sentence), "sentence", encoder.max_tokens)
if cut:
    st.warning(cut, icon="✂️")
ours = [multi_head_attention(encoder, layer, run.hidden_states[layer]) for layer in range(n_layers)]
differences = np.array(
    [[np.abs(ours[L].weights[h] - attentions[L, h]).max() for h in range(n_heads)] for L in range(n_layers)]
)
st.caption(
    "Tokens include [CLS] and [SEP] exactly as the model sees them (many heads rest their attention there), "
    "so the recomputation can be exact."
)

left, middle, right = st.columns([1, 1, 2])
layer = left.selectbox("Layer", range(n_layers), key="heads_layer")
head = middle.selectbox("Head", range(n_heads), key="heads_head")
average = right.toggle("Average over the heads of this layer", key="heads_average")

st.subheader("Every layer and head")
st.plotly_chart(heads_grid_figure(attentions, selected=(layer, head)), width="stretch")

st.subheader(f"Layer {layer}, " + ("average of its heads" if average else f"head {head}"))
if average:
    model_map, our_map = attentions[layer].mean(axis=0), ours[layer].weights.mean(axis=0)
    difference = float(np.abs(model_map - our_map).max())
else:
    model_map, difference = attentions[layer, head], float(differences[layer, head])
mine, theirs = st.columns(2)
with theirs:
    st.plotly_chart(weights_figure(model_map, tokens, tokens, "the model's own map"), width="content")
with mine:
    if average:
        st.plotly_chart(weights_figure(our_map, tokens, tokens, "recomputed by our core"), width="content")
    else:
        result = ours[layer].heads[head]
        options = FigureOptions(query_role="sentence", key_role="sentence", n_components=8)
        st.plotly_chart(attention_figure(result, tokens, tokens, options), width="content")
        st.caption("Recomputed by our core: softmax(q·k / √32) with this head's own q, k, v; its output in purple.")
verdict = "agrees" if difference < TOLERANCE else "DISAGREES"
st.metric("Largest |difference| between the two maps", f"{difference:.1e}", help=f"below {TOLERANCE:g} means equal")
worst = float(differences.max())
st.markdown(
    f"Our recomputation {verdict} with the model: the largest difference in this map is {difference:.1e}; "
    f"over all {n_layers * n_heads} heads it is {worst:.1e} (tolerance {TOLERANCE:g})."
)

st.subheader(f"Multi-head attention in layer {layer}: split, attend, concatenate")
st.markdown(
    f"The layer's {ours[layer].output.shape[1]}-dimensional projections are split into {n_heads} heads of "
    f"{ours[layer].output.shape[1] // n_heads} dimensions; each head attends on its own (one small map each), "
    "and their outputs side by side form the vector the layer passes on (to its output projection)."
)
per_head = np.stack([h.weights for h in ours[layer].heads])[None]  # (1, n_heads, n, n)
st.plotly_chart(heads_grid_figure(per_head, selected=None if average else (0, head)), width="stretch")
st.plotly_chart(
    concatenated_output_figure(ours[layer].output, tokens, ours[layer].output.shape[1] // n_heads), width="stretch"
)
