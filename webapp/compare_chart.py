"""The live compare chart: A and B side by side on one colour range, and their difference B − A, redrawn by the
browser for display changes (a Streamlit component, v2 API).

As the live heatmap (``webapp.live_chart``), it receives both sides' scores once
(``attention.compare_figures.comparison_payload``); the temperature, √d_k, transpose, numbers and colours are its own
controls (and, where B is a real head and brings every head's scores, B's layer and head), drawn in the browser by
webapp/compare_figure.js's ``renderComparison``, the twin of ``attention.compare_figures.render_comparison``. A moment
later it sends the new display back, stored as the session's settings, so the link and the downloads follow.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from attention.compare import Comparison, largest_change, shared_range
from attention.compare_figures import (
    HEAD_FIELDS,
    comparison_data,
    comparison_payload,
    difference_figure,
    side_figures,
)
from attention.heatmap import DISPLAY_FIELDS
from attention.options import FigureOptions
from webapp import cache, live_chart, page_figures
from webapp.session import keep_sent, literal, presenting, t

KEY = "compare_chart"
# one ES module: the heatmap's renderer, the comparison's, the live chart's machinery, then the component
JS_FILES = ("component_start.js", "attention_figure.js", "compare_figure.js", "live_chart.js", "compare_chart.js")

_component = st.components.v2.component(
    "attention_compare_chart",
    js="\n".join(Path(__file__).with_name(name).read_text(encoding="utf-8") for name in JS_FILES),
    css=live_chart.CSS,
    isolate_styles=False,  # plotly.js puts its styles (hover labels, mode bar) into the page's head
)


def show_comparison(
    comparison: Comparison, display: dict, options: FigureOptions, pinned: tuple[dict, dict], name: str
) -> None:
    """A and B and their difference, with each side's notes: the live compare chart (``show``), or the server's
    figures where the app cannot serve plotly.js (``show_figures``)."""
    if not cache.live_chart_served():
        show_figures(comparison, options)
        return
    for side_name, view in zip("AB", (comparison.a, comparison.b), strict=True):
        for note in view.notes:
            st.warning(f"{side_name}: {note}", icon="✂️")
        for hint in view.hints:
            st.caption(f"{side_name}: {hint}")
    show(comparison, display, options, pinned, name)


def show_figures(comparison: Comparison, options: FigureOptions) -> None:
    """A and B side by side and their difference, drawn by the server (``attention.compare_figures``)."""
    figures = side_figures(comparison, options)
    views = (comparison.a, comparison.b)
    for column, side_name, view, side, figure in zip(
        st.columns(2), "AB", views, comparison.sides, figures, strict=True
    ):
        sentences = " → ".join(side.sentences.values())
        with column:
            if presenting():  # one line: the side's name and its sentences
                st.markdown(f"**{side_name}** &nbsp; {literal(sentences)}")
            else:
                st.subheader(side_name)
                st.caption(literal(sentences))
            page_figures.show_notes(view)
            if figure is not None:
                file = f"{side_name}_{'_'.join(side.sentences.values())}"
                page_figures.show_figure(figure, name=file, key=f"compare_{side_name}")
    low, high = shared_range(list(views), options.fit_colors)
    st.caption(t("compare.same_colors", low=low, high=high))
    if comparison.comparable:
        st.subheader(t("compare.difference"))
        tokens = (comparison.a.query_tokens, comparison.a.key_tokens)
        figure = difference_figure(comparison.difference, *tokens, options.lang, options.transpose)
        page_figures.show_figure(figure, "B-A", "compare_difference")
        st.caption(t("compare.difference_caption", largest=largest_change(comparison)))


def show(comparison: Comparison, display: dict, options: FigureOptions, pinned: tuple[dict, dict], name: str) -> None:
    """Mount the compare chart of ``comparison`` under ``display`` (the page's display settings; with B's
    ``layer_b`` and ``head_b`` where the comparison holds B through every head); ``pinned``: what each side holds
    fixed (``attention.compare_figures.pins``), whose controls are hidden where both sides hold them; ``name``: the
    files' stem (the sentences)."""
    payload = comparison_payload(comparison_data(comparison, options, pinned))
    sides = [
        {"name": side_name, "sentences": " → ".join(side.sentences.values()), "problem": view.problem}
        for side_name, side, view in zip("AB", comparison.sides, (comparison.a, comparison.b), strict=True)
    ]
    chrome = {
        **page_figures.live_chrome(name, options),
        "stretch": False,  # two maps side by side, each as drawn for half of the page
        "sides": sides,
        "configs": [page_figures.chart_config(page_figures.file_name(f"{name}_{file}")) for file in ("A", "B", "B-A")],
        "texts": {
            "same_colors": t("compare.same_colors"),
            "difference": t("compare.difference"),
            "difference_caption": t("compare.difference_caption"),
        },
    }
    fields = tuple(field for field in DISPLAY_FIELDS if not all(field in pin for pin in pinned))
    if comparison.heads_b is not None:  # B's layer and head are the chart's own controls too
        fields += HEAD_FIELDS
        chrome["labels"].update(layer_b=t("compare.layer_b"), head_b=t("compare.head_b"))
        chrome["ranges"] = {"layer_b": len(comparison.heads_b) - 1, "head_b": len(comparison.heads_b[0]) - 1}
    data = live_chart.data_of(display, chrome, payload, fields)
    _component(key=KEY, data=data, on_display_change=partial(keep_display, fields))


def keep_display(fields: tuple[str, ...]) -> None:
    """Store the display settings the compare chart sent (B's layer and head among them, where it has them) as the
    session's own; invalid values are dropped."""
    keep_sent((st.session_state.get(KEY) or {}).get("display") or {}, {name: name for name in fields})
