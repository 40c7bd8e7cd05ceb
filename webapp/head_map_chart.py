"""A live head map: one head's map of many, chosen in the browser (a Streamlit component, v2 API).

The page sends every head's map once (``attention.head_maps.encode_maps`` in its payload, e.g.
``attention.translation_figures.payload``); the layer, the head, the layer's average and the transpose are the
component's own controls, drawn by the browser at once (webapp/head_maps.js's ``render``, the twin of
``attention.head_maps.render``). A moment later the component sends the new view back, which ``_keep_view``
stores as the page's settings (their names in ``fields``), so the link and the downloads follow.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from webapp import controls, page_figures
from webapp.component_data import component_data, payload_id
from webapp.session import keep_sent, presenting

VIEW = ("layer", "head", "average", "transpose")  # the component's controls, in its view
# one ES module: the shared machinery, then the component
JS_FILES = ("component_start.js", "head_maps.js", "head_map_chart.js")

_component = st.components.v2.component(
    "head_map_chart",
    js="\n".join(Path(__file__).with_name(name).read_text(encoding="utf-8") for name in JS_FILES),
    css=Path(__file__).with_name("head_map_chart.css").read_text(encoding="utf-8"),
    isolate_styles=False,  # plotly.js puts its styles (hover labels, mode bar) into the page's head
)


def data_of(view: dict, chrome: dict, payload: bytes) -> bytes:
    """What the component receives (``webapp.component_data``): the view and the chrome, which names the payload
    by its hash so that the browser unpacks new bytes only, then the payload."""
    return component_data({"view": view, "chrome": {**chrome, "payload_id": payload_id(payload)}}, payload)


def view_of(fields: dict[str, str], values: dict) -> dict:
    """The component's view from the session's settings, named in ``fields`` (view name -> setting); a control
    the page does not offer (not in ``fields``) stays off."""
    return {name: values[fields[name]] if name in fields else False for name in VIEW}


def chrome_of(file_stem: str, labels: dict[str, str]) -> dict:
    """The chrome every page's head map shares: the Plotly config (the camera's file name), the theme and the
    text size of presentation mode, and the controls' ``labels``."""
    return {
        "config": page_figures.chart_config(page_figures.file_name(file_stem)),
        "dark": st.context.theme.type == "dark",
        "present": presenting(),
        "font_scale": controls.font_scale(),
        "labels": labels,
    }


def show(key: str, fields: dict[str, str], values: dict, chrome: dict, payload: bytes) -> None:
    """Mount the component with the controls ``fields`` names (the others hidden); what it sends back is stored
    in those settings."""
    chrome = {**chrome, "hidden": [name for name in VIEW if name not in fields]}
    _component(
        key=key, data=data_of(view_of(fields, values), chrome, payload), on_view_change=partial(_keep_view, key, fields)
    )


def _keep_view(key: str, fields: dict[str, str]) -> None:
    """Store the view the browser sent as the session's settings (invalid values are dropped)."""
    keep_sent((st.session_state.get(key) or {}).get("view") or {}, fields)
