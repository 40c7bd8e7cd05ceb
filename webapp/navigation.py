"""The app's pages, and what the entry point (app.py) hands the page it runs.

A new page: a file in ``pages/`` and one line in PAGES (its strings in attention/i18n).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from attention.embeddings import Encoder
from webapp import run_context, streamlit_internals

# file, URL path (what links have always used), title's i18n key, its line on Home's i18n key, icon
PAGES = (
    ("pages/0_Home.py", "", "nav.home", None, "🔍"),
    ("pages/1_Cross_Attention.py", "Cross_Attention", "nav.cross", "home.cross", "🔤"),
    ("pages/2_Self_Attention.py", "Self_Attention", "nav.self", "home.self", "🔁"),
    ("pages/3_Step_by_Step.py", "Step_by_Step", "nav.steps", "home.steps", "🪜"),
    ("pages/4_Model_Heads.py", "Model_Heads", "nav.heads", "home.heads", "🧠"),
    ("pages/5_Compare.py", "Compare", "nav.compare", "home.compare", "⚖️"),
    ("pages/6_Translation.py", "Translation", "nav.translate", "home.translate", "🌐"),
    ("pages/7_Next_Word.py", "Next_Word", "nav.next_word", "home.next_word", "✍️"),
)


# Pages that draw no figure of the sentence-embedding model: the sidebar shows no model menu there
WITHOUT_ENCODER = ("Translation", "Next_Word")


def uses_encoder(page) -> bool:
    """Whether ``page`` (an st.Page) uses the sidebar's embedding model."""
    return page.url_path not in WITHOUT_ENCODER


@dataclass(frozen=True)
class Frame:
    """What every page of one script run shares.

    Attributes:
        encoder: the model that computes this run's figures (the one named in the
            sidebar, or the default when that one cannot load); None on the pages of
            WITHOUT_ENCODER, which use models of their own.
        controls: the part of the sidebar where a page draws its own controls.
    """

    encoder: Encoder | None
    controls: object


def pages(t) -> list:
    """The st.Page of every page, titled in this session's language by ``t``."""
    return [
        st.Page(path, title=t(title), icon=icon, url_path=url or None, default=not url)
        for path, url, title, _, icon in PAGES
    ]


def run_page(page, frame: Frame) -> None:
    """Run ``page`` with ``frame`` available to it through ``frame()``."""
    with run_context.during(frame=frame):
        page.run()


def frame() -> Frame:
    """What the entry point prepared for the page now running.

    Streamlit runs a file of a folder named ``pages/`` by itself, without app.py,
    until ``st.navigation`` has been called once in the process (on a server's first
    run, and in every AppTest run): then there is no frame. Doing what st.navigation
    does first (leaving the old pages-folder mode) and running again goes through app.py.
    """
    current = run_context.value("frame")
    if current is None:
        streamlit_internals.leave_pages_directory_mode()
        st.rerun()
    return current
