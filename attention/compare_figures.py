"""The compare page's figures: A and B on one colour range, and their difference B − A.

Data in, figures out: a ``compare.Comparison`` (or its difference) and the display options.
Sizes, colours, axes and hover text come from ``attention.style``, as in every figure.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
import plotly.graph_objects as go

from attention import style
from attention.compare import Comparison, shared_range
from attention.figures import attention_figure
from attention.i18n import text
from attention.options import FigureOptions

COLUMN_GAP = 16  # px between the page's two columns (Streamlit's small gap, 1rem)


def side_figures(comparison: Comparison, options: FigureOptions) -> tuple[go.Figure | None, go.Figure | None]:
    """``attention_figure`` of A and of B (None for a side without a result), in the same layout
    (``options``) and on the same colour range, said on the colour bars. They stand side by side, so each is
    drawn for half of ``options.target_width``: its cells, and so its labels' size and angle, are the ones seen."""
    views = (comparison.a, comparison.b)
    if options.target_width is not None:
        options = replace(options, target_width=(options.target_width - COLUMN_GAP) // 2)
    low, high = shared_range(list(views), options.fit_colors)
    title = text("fig.weight_fitted", options.lang, low=low, high=high) if options.fit_colors else None
    figures = []
    for view in views:
        if view.result is None:
            figures.append(None)
            continue
        figure = attention_figure(view.result, view.query_tokens, view.key_tokens, options)
        figure.data[0].update(zmin=low, zmax=high if high > low else low + 1e-9)
        if title:
            figure.data[0].colorbar.title.text = title
        figures.append(figure)
    return figures[0], figures[1]


def difference_figure(
    difference: np.ndarray, query_tokens: list[str], key_tokens: list[str], lang: str = "en", transpose: bool = False
) -> go.Figure:
    """The difference B − A as a heatmap on a diverging scale: white at 0, red where B gives more weight.

    Args:
        difference: (n_q, n_k), ``B.weights − A.weights``.
        query_tokens, key_tokens: one label per row and per column of ``difference``.
        lang: the language of titles and hover text.
        transpose: rows are queries (as ``attention_figure`` with ``transpose``); by default
            columns are queries, as in the lecture.

    Returns:
        One heatmap trace whose z is ``difference.T`` (or ``difference`` transposed), on a
        symmetric range around 0 (zmid = 0) so that equal changes up and down look equally strong.
    """
    n_q, n_k = difference.shape
    if len(query_tokens) != n_q or len(key_tokens) != n_k:
        raise ValueError(
            f"the difference has {n_q} queries and {n_k} keys, but {len(query_tokens)} query tokens "
            f"and {len(key_tokens)} key tokens were given"
        )
    word = partial(text, lang=lang)
    q_labels, k_labels = style.axis_labels(query_tokens, lang), style.axis_labels(key_tokens, lang)
    limit = max(float(np.abs(difference).max()), 1e-9)
    values = difference.astype(np.float32)  # (n_q, n_k)
    z, x, y = (values, k_labels, q_labels) if transpose else (values.T, q_labels, k_labels)
    query_axis, key_axis = ("y", "x") if transpose else ("x", "y")
    n = max(n_q, n_k)
    cell = style.cell_size(n)  # pixels per cell, as the attention figures
    labels = style.label_rule(x, cell, cell, n)
    axis = style.category_axis(n, labels.size, labels.step)
    heading, top = style.title_above(word("compare.fig.title"), x, labels)
    name = style.escaped(word("compare.fig.colorbar"))
    heatmap = go.Heatmap(
        z=z,
        x=x,
        y=y,
        zmin=-limit,
        zmax=limit,
        zmid=0.0,
        colorscale=style.DIFFERENCE_COLORS,
        xgap=1,
        ygap=1,
        colorbar=style.colorbar(name),
        hovertemplate=style.hover(
            f"{word('fig.word.query')}: %{{{query_axis}}}",
            f"{word('fig.word.key')}: %{{{key_axis}}}",
            f"{name} = %{{z:+.4f}}",
        ),
        name=name,
    )
    layout = style.layout(
        height=(n_q if transpose else n_k) * cell + 140 + top,
        width=(n_k if transpose else n_q) * cell + 260,
        title=heading,
        margin=dict(l=10, r=10, t=top, b=10),
        xaxis=dict(
            axis, side="top", tickangle=labels.angle, title_text=word("fig.word.key" if transpose else "fig.word.query")
        ),
        yaxis=dict(axis, autorange="reversed", title_text=word("fig.word.query" if transpose else "fig.word.key")),
    )
    return go.Figure(data=[heatmap], layout=layout)
