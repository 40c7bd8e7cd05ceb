"""The third family: a decoder-only language model writing the next word, and its causal self attention."""

from __future__ import annotations

import streamlit as st

from attention.decoder import MAX_PROMPT_TOKENS, DecoderError, DecoderNotFetched
from attention.next_word import EXAMPLE_LABELS, EXAMPLES, has_cjk, most_likely, rollout_figure, visible
from attention.settings_table import FIELDS
from webapp import cache, controls, navigation, next_word_chart, page_figures
from webapp.session import labels, lang, literal, presenting, t

navigation.frame()
page_figures.page_header("next_word.title", "next_word.intro")
try:
    cache.decoder()
except DecoderNotFetched as missing:
    st.info(missing.message(lang()), icon="📦")
    next_word_chart.fetch_button()
    st.stop()
except DecoderError as problem:
    st.error(problem.message(lang()), icon="⚠️")
    st.stop()

field, examples = st.columns([3, 2], vertical_alignment="bottom")
prompt = field.text_input(
    t("next_word.prompt"),
    help=t("next_word.prompt_help", limit=MAX_PROMPT_TOKENS),
    key="prompt",
    label_visibility="collapsed" if presenting() else "visible",
)
examples.selectbox(
    t("next_word.examples"),
    tuple(EXAMPLES),
    index=None,
    placeholder=t("next_word.examples_none"),
    format_func=labels(EXAMPLE_LABELS),
    key="next_word_example",
    on_change=next_word_chart.use_example,
    label_visibility="collapsed" if presenting() else "visible",
)
if not prompt.strip():
    st.info(t("next_word.empty"), icon="✏️")
    st.stop()
run = cache.decoder_run(prompt)
if run.dropped:
    st.warning(t("next_word.cut", total=run.n_total, kept=len(run.tokens), dropped=run.dropped), icon="✂️")
if has_cjk(prompt):
    st.info(t("next_word.cjk"), icon="🌐")

token, probability = most_likely(run)
greedy, sample, seed, said = st.columns([2, 2, 1, 3], vertical_alignment="bottom")
greedy.button(
    t("next_word.add_greedy"),
    key="next_word_add",
    help=t("next_word.add_greedy_help"),
    on_click=next_word_chart.add_next_word,
    args=(False,),
    type="primary",
)
sample.button(
    t("next_word.add_sample"),
    key="next_word_draw",
    help=t("next_word.add_sample_help"),
    on_click=next_word_chart.add_next_word,
    args=(True,),
)
low, high = FIELDS["next_seed"].low, FIELDS["next_seed"].high
seed.number_input(t("next_word.seed"), low, high, step=1, key="next_seed", help=t("next_word.seed_help"))
said.markdown(t("next_word.most_likely", token=literal(visible(token, space=True)), probability=f"{probability:.1%}"))
next_word_chart.show_added()

next_word_chart.live_part(run, prompt)

if not presenting():
    st.caption(t("next_word.kv_why"))
    st.caption(t("next_word.sink_why"))
st.subheader(t("next_word.rollout.title"))
page_figures.show_figure(rollout_figure(run, lang(), controls.font_scale()), name=prompt, key="next_word_rollout")
st.caption(t("next_word.rollout.caption"))
st.caption(t("next_word.model_note"))
