"""The live heatmap: an attention figure that the browser redraws by itself for display changes.

A Streamlit component (v2 API, ``live_chart.js``) receives the bytes of ``attention.heatmap_payload``
once per sentence and setting that changes the scores; the temperature, √d_k, transpose,
numbers and colours are its own controls, applied in the browser. When one changes, the
component sends the new values back and ``keep_display`` stores them as the session's
settings, so the link and the downloads follow.
"""

from __future__ import annotations

import logging
import os
import shutil
from functools import partial
from pathlib import Path

import plotly
import streamlit as st

from attention.heatmap import DISPLAY_FIELDS
from webapp.component_data import component_data
from webapp.session import keep_sent

STATIC = Path(__file__).resolve().parent.parent / "static"  # served at app/static/ (server.enableStaticServing)
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
KEY = "live_chart"

# One ES module: the heatmap's renderer (render, shared with the contract test) and the component that uses it.
JS_FILES = ("component_start.js", "attention_figure.js", "live_chart.js", "live_heatmap.js")
CSS = (
    Path(__file__).with_name("live_chart.css").read_text(encoding="utf-8")
)  # the live heatmap's and the compare chart's

_component = st.components.v2.component(
    "attention_live_heatmap",
    js="\n".join(Path(__file__).with_name(name).read_text(encoding="utf-8") for name in JS_FILES),
    css=CSS,
    isolate_styles=False,  # plotly.js puts its styles (hover labels, mode bar) into the page's head
)


def serve_plotly() -> bool:
    """Copy the plotly package's own plotly.js into ``static/`` (once); False when that cannot be done."""
    target = STATIC / PLOTLY_JS.name
    try:
        if not target.exists() or target.stat().st_size != PLOTLY_JS.stat().st_size:
            STATIC.mkdir(exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.partial")  # several servers may start at once
            shutil.copyfile(PLOTLY_JS, partial)
            partial.replace(target)
        return True
    except OSError as error:
        logging.getLogger(__name__).warning("the live heatmap is off: cannot write %s (%s)", target, error)
        return False


def data_of(display: dict, chrome: dict, payload: bytes, fields: tuple[str, ...] = DISPLAY_FIELDS) -> bytes:
    """What the component receives (``webapp.component_data``): the display settings, the names of those it has
    controls for, in the controls' order (``DISPLAY_FIELDS``), and the page's chrome (labels, theme, Plotly
    config), then the payload of ``attention.heatmap_payload.live_payload``."""
    return component_data({"display": display, "fields": list(fields), "chrome": chrome}, payload)


def preload(place) -> None:
    """Start loading plotly.js in the browser now (the live heatmap with no data draws nothing); early in
    a run, this overlaps the download with the server's own work, such as loading the model on a first visit."""
    with place:
        _component(key="plotly_preload", height=0)


def show(display: dict, chrome: dict, payload: bytes) -> None:
    """Mount the live heatmap."""
    _component(key=KEY, data=data_of(display, chrome, payload), on_display_change=partial(keep_display, KEY))


def keep_display(key: str) -> None:
    """Store the display settings the live chart ``key`` sent as the session's own (invalid values are dropped)."""
    keep_sent((st.session_state.get(key) or {}).get("display") or {}, {name: name for name in DISPLAY_FIELDS})
