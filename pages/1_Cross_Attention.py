"""Cross attention: the source sentence's tokens ask, the target sentence's tokens answer."""

from __future__ import annotations

from attention.views import compute_view
from webapp import cache, controls, display, navigation, quiz
from webapp.session import lang

frame = navigation.frame()
display.page_header("nav.cross", "cross.intro")
settings, options = controls.attention_controls(frame.encoder, frame.controls, live=display.live())
sentences = controls.cross_sentences(settings, guess_first=True)
view = compute_view(frame.encoder, sentences, settings, cache.encode(frame.encoder), lang=lang())
if quiz.active():  # guess first: the weights stay out of the page until revealed
    quiz.show_quiz(view, options, sentences, settings, frame.encoder.name)
else:
    display.show_attention(view, options, sentences, settings, frame.encoder.name)
