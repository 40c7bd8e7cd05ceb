"""The reader's screen, in presentation mode: how wide the page's main area is and how high the window.

Streamlit cannot tell the server the size of the browser's window. A small component (v2 API, ``screen.js``)
measures it and sends it back; the page then reruns once, and its figures are drawn for the screen in the room
(a 1280 × 720 projector's page as well as a 1920 × 1080 one's), not for an assumed one.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

KEY = "screen_area"

# Until the browser has told: a 1920 × 1080 projector's page, with the sidebar folded away
PROJECTOR_AREA = (1760, 960)
HEADER = 120  # px of the window above the figures' room: the app's header and the page's top margin

_component = st.components.v2.component("screen_area", js=Path(__file__).with_name("screen.js").read_text("utf-8"))


def measure(place) -> None:
    """Mount the measuring component in ``place`` (height 0; it measures the main area wherever it stands);
    a new size reruns the page."""
    with place:
        _component(key=KEY, data={"known": list(_told() or (0, 0))}, height=0, on_area_change=lambda: None)


def _told() -> tuple[int, int] | None:
    """The main area's width and the window's height the browser sent, or None before it has."""
    area = (st.session_state.get(KEY) or {}).get("area")
    if isinstance(area, list) and len(area) == 2 and all(isinstance(v, int) and 200 <= v <= 20000 for v in area):
        return area[0], area[1]
    return None


def area() -> tuple[int, int]:
    """The room for a figure in pixels: the main area's width, and the window's height less the header."""
    told = _told()
    if told is None:
        return PROJECTOR_AREA
    return told[0], told[1] - HEADER
