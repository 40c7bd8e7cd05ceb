"""A new sentence drawn before Streamlit's rerun: the live heatmap asks for it over HTTP.

Pressing Enter in a sentence field makes Streamlit rerun the page's fragment, and the rerun's messages reach
the browser only after the whole fragment has run and Streamlit's frontend has rendered it. The live heatmap
does not wait for that: at the same Enter it posts the new sentence to the app's route (``webapp.server``)
and draws the bytes that come back, the same bytes the rerun then sends (``component_data``), so that rerun
draws nothing again. The rerun still does everything else (the link, the captions, the downloads), and where
the answer is not a drawing (an empty sentence, an unknown page, any failure) the rerun alone draws, as before.

What the page drew with lives in ``remember``'s table, one entry per session under a random token that only
that session's page holds: the model, the sentences, the settings and the chart's chrome. A request can
change one sentence of its own page and nothing else.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

import streamlit as st

from attention.heatmap_payload import live_payload
from attention.options import FigureOptions, Settings
from attention.views import compute_view
from webapp import cache, live_chart, server

MAX_PAGES = 1024  # pages remembered (the latest), at about 2 KB each
_TOKEN_KEY = "_new_sentence_token"


@dataclass(frozen=True)
class DrawnPage:
    """What a page's live heatmap was last drawn with: enough to draw it again for another sentence."""

    model: str
    sentences: dict[str, str]  # by role, in the page's order ("source", "target" or "sentence")
    settings: Settings
    options: FigureOptions  # with the page's roles and language, as ``page_figures.show_live`` draws
    lang: str
    display: dict[str, object]
    chrome: dict  # the chart's chrome; its config's camera file name follows the sentences (``chrome_for``)


_pages: OrderedDict[str, DrawnPage] = OrderedDict()
_lock = threading.Lock()


def token() -> str:
    """This session's token (made once): the page's chart sends it with a new sentence."""
    if _TOKEN_KEY not in st.session_state:
        st.session_state[_TOKEN_KEY] = secrets.token_urlsafe(18)
    return st.session_state[_TOKEN_KEY]


def remember(page_token: str, page: DrawnPage) -> None:
    """Keep what this session's page drew, in place of what it drew before (the oldest pages go first)."""
    with _lock:
        _pages[page_token] = page
        _pages.move_to_end(page_token)
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)


def chrome_for(page: DrawnPage, sentences: dict[str, str]) -> dict:
    """The chart's chrome for ``sentences``: the camera button's file is named after them, as the rerun names it."""
    from webapp.page_figures import chart_config, file_name  # the pages' module imports this one

    return {**page.chrome, "config": chart_config(file_name("_".join(sentences.values())))}


def component_data(page_token: str, role: str, text: str) -> bytes | None:
    """What the live heatmap of the page ``page_token`` receives once its sentence ``role`` is ``text``: the bytes
    of ``live_chart.data_of``, as that page's rerun will send them. None where the rerun draws no heatmap (a
    blank sentence, text the model cannot read), or where the page or the role is not known here."""
    with _lock:
        page = _pages.get(page_token)
    if page is None or role not in page.sentences:
        return None
    sentences = {**page.sentences, role: text}
    encoder = cache.encoder(page.model)
    view = compute_view(encoder, sentences, page.settings, cache.encode(encoder), lang=page.lang)
    if view.problem:
        return None
    payload = live_payload(view.result, view.query_tokens, view.key_tokens, page.options)
    return live_chart.data_of(page.display, chrome_for(page, sentences), payload)


def page_drawn(
    model: str, sentences: dict[str, str], settings: Settings, options: FigureOptions, lang: str, display, chrome
) -> dict:
    """Remember the page the live heatmap is drawing and return what its chrome adds for a new sentence: the
    session's token and the roles of its sentence fields (their Streamlit keys)."""
    page_token = token()
    asked = {"token": page_token, "path": server.NEW_SENTENCE, "roles": list(sentences)}
    chrome = {**chrome, "new_sentence": asked}
    remember(page_token, DrawnPage(model, dict(sentences), settings, options, lang, dict(display), chrome))
    return chrome
