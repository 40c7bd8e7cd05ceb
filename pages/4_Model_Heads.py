"""The model's own attention: every head of every layer, and our core recomputing each one exactly."""

from __future__ import annotations

import streamlit as st

from attention.figures import attention_figure, heads_grid_figure, split_heads_figure, weights_figure
from attention.heads import head_maps, layer_head_count
from attention.options import FigureOptions
from attention.rollout import DEFAULT_RESIDUAL, head_average
from attention.views import blank_sentence_message, truncation_note
from webapp import cache, controls, head_map_chart, navigation, page_figures, screen
from webapp.session import keep_in_range, lang, presenting, t, values

TOLERANCE = 1e-5
COLUMN_GAP = 16  # px between the page's two columns (Streamlit's small gap, 1rem)
# the settings the live map's controls stand for (its view's names -> the settings' and the link's)
# (no transpose: our core's map beside it stands in the lecture's layout)
MAP_FIELDS = {"layer": "heads_layer", "head": "heads_head", "average": "heads_average"}

frame = navigation.frame()
encoder = frame.encoder
n_layers, n_heads = layer_head_count(encoder)
page_figures.page_header("heads.title", "heads.intro", n_layers=n_layers, n_heads=n_heads)
sentence = controls.sentence_input("input.sentence", "sentence")
problem = blank_sentence_message(sentence, "sentence", lang())
if problem:
    st.info(problem, icon="✏️")
    st.stop()

run = cache.model_run(encoder.name, sentence)
tokens, attentions = run.tokens, run.attentions  # attentions: (n_layers, n_heads, n, n)
comparison = cache.heads_comparison(encoder.name, sentence)
embedded = cache.embeddings(encoder.name, sentence, 0)  # depth 0: the tokens and their counts, no layer run
cut = truncation_note(embedded.at_layer(0), "sentence", encoder.max_tokens, lang())
if cut:
    st.warning(cut, icon="✂️")
st.caption(t("heads.tokens_caption"))

keep_in_range("heads_layer", n_layers, last=True)
keep_in_range("heads_head", n_heads, last=True)
live = cache.live_chart_served()  # the layer and head are chosen on the model's map, drawn in the browser
if not live:  # plotly.js cannot be served by the app: the server draws the map of the menus' choice
    left, middle, right = st.columns([1, 1, 2])
    left.selectbox(t("heads.layer"), range(n_layers), key="heads_layer")
    middle.selectbox(t("heads.head"), range(n_heads), key="heads_head")
    right.toggle(t("heads.average"), key="heads_average")
chosen = values()
layer, head, average = int(chosen["heads_layer"]), int(chosen["heads_head"]), bool(chosen["heads_average"])

st.subheader(t("heads.every"))
page_figures.show_figure(heads_grid_figure(attentions, (layer, head), lang(), controls.font_scale()))

st.subheader(t("heads.one_average", layer=layer) if average else t("heads.one", layer=layer, head=head))
ours = cache.layer_recomputed(encoder.name, sentence, layer)
model_map, our_map, difference = head_maps(run, ours, None if average else head)
# On a projector the two maps stand in half of the page each: drawn for that half of the screen in the room,
# so that their labels are sized and spaced for the cells seen, not squeezed from a whole column's.
half = (screen.area()[0] - COLUMN_GAP) // 2 if presenting() else None
scale = controls.font_scale()
mine, theirs = st.columns(2)
with theirs:
    if live:  # every head of every layer sent once: a change of layer, head or average is drawn at once
        labels = {"layer": t("heads.layer"), "head": t("heads.head"), "average": t("heads.average")}
        payload = cache.model_heads_payload(encoder.name, sentence, lang(), scale, half)
        head_map_chart.show("heads_map", MAP_FIELDS, chosen, head_map_chart.chrome_of(sentence, labels), payload)
    else:
        page_figures.show_figure(weights_figure(model_map, tokens, tokens, t("heads.model_map"), lang(), scale, half))
with mine:
    if average:
        page_figures.show_figure(weights_figure(our_map, tokens, tokens, t("heads.our_map"), lang(), scale, half))
    else:
        role = t("role.sentence")
        size = dict(target_width=half, target_height=screen.area()[1]) if half else {}
        options = FigureOptions(query_role=role, key_role=role, lang=lang(), font_scale=scale, **size)
        page_figures.show_figure(attention_figure(ours.heads[head], tokens, tokens, options))
        st.caption(t("heads.ours_caption", d_head=comparison.d_head))
verdict = t("heads.agrees") if difference < TOLERANCE else t("heads.disagrees")
st.metric(t("heads.metric"), f"{difference:.1e}", help=t("heads.metric_help", tolerance=TOLERANCE))
st.markdown(
    t(
        "heads.verdict",
        verdict=verdict,
        difference=difference,
        n=n_layers * n_heads,
        worst=float(comparison.differences.max()),
        tolerance=TOLERANCE,
    )
)

st.subheader(t("heads.multi", layer=layer))
st.markdown(t("heads.multi_text", d_model=ours.output.shape[1], n_heads=n_heads, d_head=comparison.d_head))
# one figure, so that each head's map stands straight above the block of the output that it made
split = split_heads_figure(
    ours.weights, ours.output, tokens, comparison.d_head, lang(), scale, None if average else head
)
page_figures.show_figure(split)
st.caption(t("split_heads.caption", d_head=comparison.d_head))

st.subheader(t("rollout.title"))
if not presenting():
    st.markdown(t("rollout.intro"))
keep_in_range("rollout_layer", n_layers, last=True)
through = st.slider(t("rollout.layer"), 0, n_layers - 1, key="rollout_layer")
flow = cache.rollout(encoder.name, sentence)  # (n_layers, n, n)
alone, rolled = st.columns(2)
with alone:
    plain = head_average(attentions, through)  # (n, n)
    title = t("rollout.average", layer=through)
    page_figures.show_figure(weights_figure(plain, tokens, tokens, title, lang(), scale, half))
with rolled:
    page_figures.show_figure(
        weights_figure(flow[through], tokens, tokens, t("rollout.flow", layer=through), lang(), scale, half)
    )
st.caption(t("rollout.limits", residual=DEFAULT_RESIDUAL))
