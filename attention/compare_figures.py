"""The compare page's figures: A and B on one colour range, and their difference B − A.

As the attention heatmap (``attention.heatmap``), the figures are drawn from data in two steps, so that the browser
can draw them too: ``comparison_data`` is what does not change with the display settings (each side's heatmap data,
the labels and sizes of the difference), and ``render_comparison`` applies a display to it. The live compare chart
(webapp/compare_chart.js) follows the same rules in JavaScript; tests/browser/test_drawing_contract.py holds the two
to the same figures. Sizes, colours, axes and hover text come from ``attention.style``, as in every figure.

A side may hold some display settings fixed, its *pins*: what it differs from the other side in. Compared in
√d_k, A is always scaled and B never; compared in temperature, B keeps its own. The rest follow the page's display.

Where B is a real head of the model, B's data may hold every head's scores instead of its own head's
(``every_scores``, and the output strip's part of their values, ``every_basis``): the display's ``layer_b`` and
``head_b`` then pick the head drawn, so that the browser switches heads by itself.
"""

from __future__ import annotations

import json
import struct
from dataclasses import replace
from functools import partial

import numpy as np
import plotly.graph_objects as go

from attention import style
from attention.compare import Comparison, SideB
from attention.core import AttentionResult
from attention.figures import display_of_result, heatmap_data, output_basis
from attention.heatmap import ARRAYS, render, softmax_of
from attention.heatmap_payload import pack, read_payload
from attention.i18n import text
from attention.options import FigureOptions

COLUMN_GAP = 16  # px between the page's two columns (Streamlit's small gap, 1rem)
DIFFERENCE_TICKS = "+.3f"  # a difference's colour bar: changes are often below 0.01, and have a sign
LAYOUTS = {"lecture": False, "transposed": True}  # the difference's sizes per layout: name -> transposed
EVERY_HEAD = ("every_scores", "every_basis")  # B's data's arrays of every head: (L, H, n_q, n_k), (L, H, n_k, m)
HEAD_FIELDS = ("layer_b", "head_b")  # the display settings that pick B's head among them


def pins(side_b: SideB) -> tuple[dict, dict]:
    """The display settings each side holds fixed, whatever the page's display says: what the sides differ in."""
    if side_b.kind == "settings" and side_b.setting == "scale":
        return {"scale": True}, {"scale": False}
    if side_b.kind == "settings" and side_b.setting == "temperature":
        return {}, {"temperature": side_b.temperature}
    return {}, {}


def comparison_data(comparison: Comparison, options: FigureOptions, pinned: tuple[dict, dict] = ({}, {})) -> dict:
    """What the two figures and the difference need under any display (``render_comparison`` draws them).

    Returns:
        ``sides``: A's and B's ``heatmap_data`` (None for a side without a result), each drawn for half of
        ``options.target_width``, as they stand side by side (B's with ``every_head_data`` in place of its own
        head's numbers where the comparison has B through every head); ``pinned``: each side's pins (see the
        module's text); ``difference``: ``difference_data`` of the tokens when the sides are comparable, else None.
    """
    if options.target_width is not None:
        options = replace(options, target_width=(options.target_width - COLUMN_GAP) // 2)
    sides = [
        None if view.result is None else heatmap_data(view.result, view.query_tokens, view.key_tokens, options)
        for view in (comparison.a, comparison.b)
    ]
    if sides[1] is not None and comparison.heads_b is not None:
        # every head's numbers instead of its own head's: the bytes stay the same when the display picks another head
        own = {name: value for name, value in sides[1].items() if name not in ("scores", "basis")}
        sides[1] = {**own, **every_head_data(comparison.heads_b, options)}
    tokens = (comparison.a.query_tokens, comparison.a.key_tokens)
    difference = difference_data(*tokens, options.lang) if comparison.comparable else None
    return {"sides": sides, "pinned": [dict(pin) for pin in pinned], "difference": difference}


def every_head_data(heads: list[list[AttentionResult]], options: FigureOptions) -> dict[str, np.ndarray]:
    """The numbers of every head's map, ``heads[layer][head]``: ``every_heads`` [L, H], ``every_scores``
    (L, H, n_q, n_k) and, with an output strip, ``every_basis`` (L, H, n_k, m). float32: half the bytes, and a weight
    still within 1e-6 of float64's."""
    data = {
        "every_heads": [len(heads), len(heads[0])],
        "every_scores": np.array([[result.scores for result in layer] for layer in heads], np.float32),
    }
    if options.n_components > 0:
        data["every_basis"] = np.array(
            [[output_basis(result, options.n_components, options.components) for result in layer] for layer in heads],
            np.float32,
        )
    return data


def head_of(side: dict, display: dict) -> dict:
    """``side`` as the display's head draws it: where the side holds every head's numbers, its scores and output strip
    are those of the head the display names (``layer_b``, ``head_b``)."""
    if "every_scores" not in side:
        return side
    layer, head = int(display["layer_b"]), int(display["head_b"])
    chosen = {**side, "scores": side["every_scores"][layer, head].astype(np.float64)}
    if "every_basis" in side:
        chosen["basis"] = side["every_basis"][layer, head].astype(np.float64)
    return chosen


def render_comparison(data: dict, display: dict, cells: type = np.float64) -> dict:
    """The figures of ``comparison_data`` under ``display``, as plain dicts: ``sides`` (A's and B's, None for a
    side without data) on one colour range, and ``difference`` (B − A, or None).

    Each side is drawn under ``display`` with its pins (B through the display's head, ``head_of``); fitted, the
    colours run from the smallest allowed weight of both to the largest of both, so that one colour means one weight
    in both.
    """
    chosen = [None if side is None else head_of(side, display) for side in data["sides"]]
    drawn = [
        None if side is None else (side, {**display, **pin}, *softmax_of(side, {**display, **pin}))
        for side, pin in zip(chosen, data["pinned"], strict=True)
    ]
    present = [side for side in drawn if side is not None]
    low, high = 0.0, 1.0
    if present and display["fit_colors"]:
        low = min(float(weights[allowed].min()) for _, _, weights, allowed in present)
        high = max(float(weights.max()) for _, _, weights, allowed in present)
    sides = [None if side is None else render(side[0], side[1], cells, (low, high)) for side in drawn]
    difference = None
    if data["difference"] is not None and len(present) == 2:
        weights_a, weights_b = drawn[0][2], drawn[1][2]
        difference = render_difference(data["difference"], weights_b - weights_a, bool(display["transpose"]), cells)
    return {"sides": sides, "difference": difference}


def comparison_payload(data: dict) -> bytes:
    """``comparison_data`` as the live compare chart receives it: a JSON head (the pins, the difference's data and
    each side's byte count, 0 without a side) and each side's heatmap payload (``attention.heatmap_payload``)::

        uint32      length of the head
        head        UTF-8 JSON
        side A      its heatmap payload (``head["sizes"][0]`` bytes), then side B's
    """
    sides = [b"" if side is None else _side_payload(side) for side in data["sides"]]
    head = {"pinned": data["pinned"], "difference": data["difference"], "sizes": [len(side) for side in sides]}
    encoded = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode()
    return struct.pack("<I", len(encoded)) + encoded + b"".join(sides)


def _side_payload(side: dict) -> bytes:
    """One side's heatmap payload (``attention.heatmap_payload``), with every head's arrays where it has them."""
    arrays = {name: side[name] for name in (*ARRAYS, *EVERY_HEAD) if name in side}
    return pack({name: value for name, value in side.items() if name not in arrays}, arrays)


def read_comparison_payload(payload: bytes) -> dict:
    """The ``comparison_data`` that ``comparison_payload`` packed."""
    (length,) = struct.unpack_from("<I", payload)
    head = json.loads(payload[4 : 4 + length])
    sides, start = [], 4 + length
    for size in head["sizes"]:
        sides.append(read_payload(payload[start : start + size]) if size else None)
        start += size
    return {"sides": sides, "pinned": head["pinned"], "difference": head["difference"]}


def side_figures(comparison: Comparison, options: FigureOptions) -> tuple[go.Figure | None, go.Figure | None]:
    """A's and B's figures (None for a side without a result) as the server draws them: each under the settings it
    was computed with and ``options``' picture, on one colour range, side by side (half of ``options.target_width``
    each, so that its cells, and so its labels' size and angle, are the ones seen)."""
    pinned = tuple(
        display_of_result(view.result, options) if view.result is not None else {}
        for view in (comparison.a, comparison.b)
    )
    display = next((pin for pin in pinned if pin), None)
    if display is None:
        return None, None
    figures = render_comparison(comparison_data(comparison, options, pinned), display, np.float32)["sides"]
    return tuple(None if figure is None else go.Figure(figure) for figure in figures)


def difference_data(query_tokens: list[str], key_tokens: list[str], lang: str = "en") -> dict:
    """What the difference map needs besides the numbers: its labels, words and, for each layout, its sizes.

    Returns:
        ``queries``, ``keys``: the axes' labels (escaped); ``words``: the title, the colour bar's name and the hover's
        words, in ``lang``; ``colors``: the diverging scale; ``sizes``: per layout (``lecture``: columns are queries,
        ``transposed``: rows are), the figure's height and width, the labels' size, step and angle, and the top
        margin that keeps the title clear of the column labels.
    """
    word = partial(text, lang=lang)
    queries, keys = style.axis_labels(query_tokens, lang), style.axis_labels(key_tokens, lang)
    n_q, n_k = len(queries), len(keys)
    n = max(n_q, n_k)
    cell = style.cell_size(n)  # pixels per cell, as the attention figures
    sizes = {}
    for name, transposed in LAYOUTS.items():
        columns, rows = (keys, n_q) if transposed else (queries, n_k)
        labels = style.label_rule(columns, cell, cell, n)
        heading, top = style.title_above(word("compare.fig.title"), columns, labels)  # one title, its own margin
        sizes[name] = {
            "height": int(rows * cell + 140 + top),
            "width": int(len(columns) * cell + 260),
            "tick": labels.size,
            "step": labels.step,
            "angle": labels.angle,
            "top": top,
        }
    words = {
        "title": heading,
        "name": style.escaped(word("compare.fig.colorbar")),
        "query": word("fig.word.query"),
        "key": word("fig.word.key"),
    }
    return {
        "queries": queries,
        "keys": keys,
        "words": words,
        "colors": style.colorscale(style.DIFFERENCE_COLORS),
        "sizes": sizes,
    }


def render_difference(data: dict, difference: np.ndarray, transpose: bool = False, cells: type = np.float64) -> dict:
    """The difference B − A as a heatmap on a diverging scale, white at 0 and red where B gives more weight, as a
    plain dict. ``difference``: (n_q, n_k); by default columns are queries, as in the lecture; with ``transpose``
    rows are. The range is symmetric around 0, so that equal changes up and down look equally strong."""
    words, queries, keys = data["words"], data["queries"], data["keys"]
    size = data["sizes"]["transposed" if transpose else "lecture"]
    limit = max(float(np.abs(difference).max()), 1e-9)
    values = difference.astype(cells)  # (n_q, n_k)
    z, x, y = (values, keys, queries) if transpose else (values.T, queries, keys)
    query_axis, key_axis = ("y", "x") if transpose else ("x", "y")
    axis = style.category_axis(max(len(queries), len(keys)), size["tick"], size["step"])
    heatmap = dict(
        type="heatmap",
        z=z,
        x=x,
        y=y,
        zmin=-limit,
        zmax=limit,
        zmid=0.0,
        colorscale=data["colors"],
        xgap=1,
        ygap=1,
        colorbar=style.colorbar(words["name"], tickformat=DIFFERENCE_TICKS),
        hovertemplate=style.hover(
            f"{words['query']}: %{{{query_axis}}}",
            f"{words['key']}: %{{{key_axis}}}",
            f"{words['name']} = %{{z:+.4f}}",
        ),
        name=words["name"],
    )
    title = partial(dict, font=dict(size=size["tick"] + 1))
    figure_layout = style.layout(
        size["height"],
        size["width"],
        title=words["title"],
        margin=dict(l=10, r=10, t=size["top"], b=10),
        xaxis=dict(axis, side="top", tickangle=size["angle"], title=title(text=words["key" if transpose else "query"])),
        yaxis=dict(axis, autorange="reversed", title=title(text=words["query" if transpose else "key"])),
    )
    return dict(data=[heatmap], layout=figure_layout)


def difference_figure(
    difference: np.ndarray, query_tokens: list[str], key_tokens: list[str], lang: str = "en", transpose: bool = False
) -> go.Figure:
    """The difference B − A (``render_difference``) of these tokens as a Plotly figure.

    Args:
        difference: (n_q, n_k), ``B.weights − A.weights``.
        query_tokens, key_tokens: one label per row and per column of ``difference``.
        lang: the language of titles and hover text.
        transpose: rows are queries (as ``attention_figure`` with ``transpose``); by default
            columns are queries, as in the lecture.
    """
    n_q, n_k = difference.shape
    if len(query_tokens) != n_q or len(key_tokens) != n_k:
        raise ValueError(
            f"the difference has {n_q} queries and {n_k} keys, but {len(query_tokens)} query tokens "
            f"and {len(key_tokens)} key tokens were given"
        )
    return go.Figure(
        render_difference(difference_data(query_tokens, key_tokens, lang), difference, transpose, np.float32)
    )
