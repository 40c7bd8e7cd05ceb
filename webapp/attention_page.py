"""The cross and self attention pages, which differ only in their title, their mask and their sentence fields.

The sentence fields, the figure and what goes with it (notes, captions, downloads, the link) are a fragment:
a new sentence reruns that part alone, not the sidebar, the title and the rest of the app. Anything else the
fragment's widgets change (an example's settings, the quiz switch, the live heatmap's display) reruns the
whole page, as before.
"""

from __future__ import annotations

import streamlit as st

from attention.embeddings import Encoder
from attention.options import FigureOptions, Settings
from attention.views import compute_view
from webapp import cache, controls, navigation, page_figures, quiz, run_context
from webapp.session import lang, share_box, values

HEADERS = {"cross": ("nav.cross", "cross.intro"), "self": ("nav.self", "self.intro")}  # title and introduction keys
SENTENCE_KEYS = ("source", "target", "sentence")  # the settings a fragment rerun may change by itself
OUTSIDE = "_attention_outside"  # the other settings, as the whole page last drew them


def show(kind: str) -> None:
    """The page of ``kind`` ("cross" or "self") attention: its controls, its sentences, then the figure
    (or, guessing first, the grid to guess on). Self attention alone offers the causal mask, which needs
    the same tokens on both axes."""
    frame = navigation.frame()
    page_figures.page_header(*HEADERS[kind])
    settings, options = controls.attention_controls(
        frame.encoder, frame.controls, causal=kind == "self", live=page_figures.uses_live_heatmap()
    )
    st.session_state[OUTSIDE] = _outside()
    with run_context.during(whole_page=True):
        sentences_and_figure(kind, frame.encoder, settings, options)


@st.fragment
def sentences_and_figure(kind: str, encoder: Encoder, settings: Settings, options: FigureOptions) -> None:
    """The sentence fields and the figure; run alone (a fragment rerun) when a sentence changes."""
    if not run_context.value("whole_page", False) and st.session_state.get(OUTSIDE) != _outside():
        st.rerun()  # a widget here changed more than a sentence: the sidebar and the rest follow
    if kind == "self":
        sentences = controls.self_sentence(guess_first=True)
    else:
        sentences = controls.cross_sentences(settings, guess_first=True)
    view = compute_view(encoder, sentences, settings, cache.encode(encoder), lang=lang())
    if quiz.active():  # guess first: the weights stay out of the page until revealed
        quiz.show_quiz(view, options, sentences, settings, encoder.name)
    else:
        page_figures.show_attention(view, options, sentences, settings, encoder.name)
    share_box(st.sidebar)  # the link, with the new sentence, where the app shows it


def _outside() -> dict[str, object]:
    """Every setting but the sentences: what the page outside the fragment was drawn with."""
    return {key: value for key, value in values().items() if key not in SENTENCE_KEYS}
