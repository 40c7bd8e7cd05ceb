"""The cross and self attention pages, which differ only in their title, their mask and their sentence fields."""

from __future__ import annotations

from attention.views import compute_view
from webapp import cache, controls, display, navigation, quiz
from webapp.session import lang

HEADERS = {"cross": ("nav.cross", "cross.intro"), "self": ("nav.self", "self.intro")}  # title and introduction keys


def show(kind: str) -> None:
    """The page of ``kind`` ("cross" or "self") attention: its controls, its sentences, then the figure
    (or, guessing first, the grid to guess on). Self attention alone offers the causal mask, which needs
    the same tokens on both axes."""
    frame = navigation.frame()
    display.page_header(*HEADERS[kind])
    settings, options = controls.attention_controls(
        frame.encoder, frame.controls, causal=kind == "self", live=display.live()
    )
    if kind == "self":
        sentences = controls.self_sentence(guess_first=True)
    else:
        sentences = controls.cross_sentences(settings, guess_first=True)
    view = compute_view(frame.encoder, sentences, settings, cache.encode(frame.encoder), lang=lang())
    if quiz.active():  # guess first: the weights stay out of the page until revealed
        quiz.show_quiz(view, options, sentences, settings, frame.encoder.name)
    else:
        display.show_attention(view, options, sentences, settings, frame.encoder.name)
