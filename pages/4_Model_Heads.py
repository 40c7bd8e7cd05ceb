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
from attention.views import blank_sentence_message, truncation_note

TOLERANCE = 1e-5

ui.start_page("heads.title")
encoder = ui.active_encoder()
n_layers, n_heads = layer_head_count(encoder)
if not ui.presenting():
    st.markdown(ui.t("heads.intro", n_layers=n_layers, n_heads=n_heads))
ui.model_input()
sentence = ui.sentence_input("input.sentence", "sentence")
problem = blank_sentence_message(sentence, "sentence", ui.lang())
if problem:
    st.info(problem, icon="✏️")
    ui.finish_page()
    st.stop()

run = ui.cached_model_run(encoder.name, sentence)
tokens, attentions = run.tokens, run.attentions  # attentions: (n_layers, n_heads, n, n)
cut = truncation_note(ui.cached_embeddings(encoder.name, sentence), "sentence", encoder.max_tokens, ui.lang())
if cut:
    st.warning(cut, icon="✂️")
ours = [multi_head_attention(encoder, layer, run.hidden_states[layer]) for layer in range(n_layers)]
differences = np.array(
    [[np.abs(ours[layer].weights[h] - attentions[layer, h]).max() for h in range(n_heads)] for layer in range(n_layers)]
)
d_model = ours[0].output.shape[1]
d_head = d_model // n_heads
st.caption(ui.t("heads.tokens_caption"))

ui.keep_in_range("heads_layer", n_layers, last=True)
ui.keep_in_range("heads_head", n_heads, last=True)
left, middle, right = st.columns([1, 1, 2])
layer = left.selectbox(ui.t("heads.layer"), range(n_layers), **ui.bound("heads_layer"))
head = middle.selectbox(ui.t("heads.head"), range(n_heads), **ui.bound("heads_head"))
average = right.toggle(ui.t("heads.average"), **ui.bound("heads_average"))

st.subheader(ui.t("heads.every"))
ui.show_figure(heads_grid_figure(attentions, selected=(layer, head)))

st.subheader(ui.t("heads.one_average", layer=layer) if average else ui.t("heads.one", layer=layer, head=head))
if average:
    model_map, our_map = attentions[layer].mean(axis=0), ours[layer].weights.mean(axis=0)
    difference = float(np.abs(model_map - our_map).max())
else:
    model_map, difference = attentions[layer, head], float(differences[layer, head])
mine, theirs = st.columns(2)
with theirs:
    ui.show_figure(weights_figure(model_map, tokens, tokens, ui.t("heads.model_map")))
with mine:
    if average:
        ui.show_figure(weights_figure(our_map, tokens, tokens, ui.t("heads.our_map")))
    else:
        role = ui.t("role.sentence")
        options = FigureOptions(
            query_role=role, key_role=role, lang=ui.lang(), font_scale=1.5 if ui.presenting() else 1
        )
        ui.show_figure(attention_figure(ours[layer].heads[head], tokens, tokens, options))
        st.caption(ui.t("heads.ours_caption", d_head=d_head))
verdict = ui.t("heads.agrees") if difference < TOLERANCE else ui.t("heads.disagrees")
st.metric(ui.t("heads.metric"), f"{difference:.1e}", help=ui.t("heads.metric_help", tolerance=TOLERANCE))
st.markdown(
    ui.t(
        "heads.verdict",
        verdict=verdict,
        difference=difference,
        n=n_layers * n_heads,
        worst=float(differences.max()),
        tolerance=TOLERANCE,
    )
)

st.subheader(ui.t("heads.multi", layer=layer))
st.markdown(ui.t("heads.multi_text", d_model=d_model, n_heads=n_heads, d_head=d_head))
per_head = np.stack([h.weights for h in ours[layer].heads])[None]  # (1, n_heads, n, n)
ui.show_figure(heads_grid_figure(per_head, selected=None if average else (0, head)))
ui.show_figure(concatenated_output_figure(ours[layer].output, tokens, d_head))
ui.finish_page()
