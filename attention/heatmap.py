"""The attention heatmap's renderer: its data (``attention.figures.heatmap_data``) under the six display settings.

``render(data, display)`` applies the settings that change only the picture (DISPLAY_FIELDS): softmax
with the temperature and √d_k, transposing, numbers in cells, the colour scale, and fitted colours,
and returns the Plotly figure. The live heatmap's payload (``attention.heatmap_payload``) is this data, and the
browser's renderer, webapp/attention_figure.js, follows the same rules written in JavaScript;
tests/browser/test_drawing_contract.py holds the two to the same figure for every combination of the settings.

The data, plain fields::

    scores      (n_q, n_k) float64, the raw q·k
    allowed     (n_q, n_k) uint8, only where some pairs are masked
    basis       (n_k, m) float64, the part of the value vectors the output strip shows (only with a strip)
    d_k         the length of q and k (for √d_k)
    queries, keys, components    the axes' labels (escaped)
    words       titles, hover words and colour-bar words, in the figure's language
                (``weight_fitted`` and ``temperature`` are templates: {low:.2f}, {high:.2f}, {temperature:g})
    colorscales the weights' colour scales by name (the first when a name is unknown), and output_colors
    sizes       text sizes and label steps (``tick``, ``step`` for the tokens, ``strip_tick``, ``strip_step`` for the
                components), gaps, the strip's share, whether the strip repeats the
                queries' labels, and each layout's (``lecture``, ``transposed``) size and column label angle
"""

from __future__ import annotations

import numpy as np

from attention.core import attention_weights
from attention.style import category_axis, colorbar, hover, layout

# The settings that change only how the scores are drawn: the browser applies them by itself (the live
# heatmap's controls, in this order), and every other change goes through the server.
DISPLAY_FIELDS = ("temperature", "scale", "transpose", "show_values", "fit_colors", "colors")
LAYOUTS = {"lecture": False, "transposed": True}  # the data's sizes per layout: name -> transposed
ARRAYS = ("scores", "allowed", "basis")  # the data's numbers; its other fields are plain JSON
STRIP_GAP = 0.03  # of the figure, between the weights and the output strip


def weight_range(weights: np.ndarray, allowed: np.ndarray, fit: bool) -> tuple[float, float]:
    """The colour range of attention weights: 0 to 1, or fitted to the smallest allowed weight and the largest."""
    if not fit:
        return 0.0, 1.0
    return float(weights[allowed].min()), float(weights.max())


def softmax_of(data: dict, display: dict[str, object]) -> tuple[np.ndarray, np.ndarray]:
    """The attention weights of ``data`` under ``display``'s temperature and √d_k, and the pairs allowed:
    (n_q, n_k) each, the weights' rows summing to 1 over the allowed keys."""
    scores = data["scores"]  # (n_q, n_k)
    allowed = data["allowed"].astype(bool) if "allowed" in data else np.ones(scores.shape, bool)
    scale = 1 / np.sqrt(data["d_k"]) if display["scale"] else 1.0
    return attention_weights(scores, allowed, scale, float(display["temperature"])), allowed


def render(
    data: dict,
    display: dict[str, object],
    cells: type = np.float64,
    colour_range: tuple[float, float] | None = None,
) -> dict:
    """The Plotly figure of ``data`` (from ``heatmap_data``) under ``display`` (DISPLAY_FIELDS), as a plain
    dict: plotly.js reads it as it is. ``cells``: the cells' float type (float32 halves a figure sent as JSON).
    ``colour_range``: the weights' colours from and to (figures shown side by side share one); by default the
    figure's own ``weight_range``.

    The first trace is the attention heatmap. In the lecture's layout its z is ``weights.T`` (rows
    are keys, columns are queries, each column sums to 1); transposed, z is ``weights`` and each row
    sums to 1. A second heatmap trace, when components are shown, holds the output vectors.
    """
    words, sizes = data["words"], data["sizes"]
    transpose = bool(display["transpose"])
    weights, allowed = softmax_of(data, display)  # (n_q, n_k) each
    scale = 1 / np.sqrt(data["d_k"]) if display["scale"] else 1.0
    temperature = float(display["temperature"])
    scaled = np.where(allowed, data["scores"] * scale / temperature, -np.inf)  # (n_q, n_k), what softmax saw
    scaling = words["scale_sqrt" if display["scale"] else "scale_other"]
    if temperature != 1:
        scaling += words["temperature"].format(temperature=temperature)
    # 0 is white and 1 the darkest colour, so that a colour means the same weight in every figure;
    # fitted, the colours run from the smallest weight shown to the largest (the colour bar says so).
    low, high = colour_range or weight_range(weights, allowed, bool(display["fit_colors"]))
    traces = [_weights_trace(data, weights.astype(cells), scaled.astype(cells), (low, high), display, scaling)]
    if "basis" in data:
        outputs = (weights @ data["basis"]).astype(cells)  # (n_q, n_k) @ (n_k, m) -> (n_q, m)
        traces.append(_output_trace(data, outputs, transpose))
    name = "transposed" if transpose else "lecture"
    axes = _axes(data, transpose, sizes[name]["angle"])
    figure_layout = layout(sizes[name]["height"], sizes[name]["width"], **axes, font=dict(size=sizes["font"]))
    return dict(data=traces, layout=figure_layout)


def _weights_trace(
    data: dict, weights: np.ndarray, scaled: np.ndarray, colour_range: tuple[float, float], display: dict, scaling: str
) -> dict:
    """The weights' heatmap, coloured from ``colour_range``'s low to its high; its customdata holds the raw and
    the scaled score of every cell."""
    words = data["words"]
    custom = np.stack([data["scores"].astype(weights.dtype), scaled], axis=-1)  # (n_q, n_k, 2)
    if display["transpose"]:
        z, x, y, who = weights, data["keys"], data["queries"], ("%{y}", "%{x}")
    else:
        z, custom, x, y, who = weights.T, custom.transpose(1, 0, 2), data["queries"], data["keys"], ("%{x}", "%{y}")
    low, high = colour_range
    title = words["weight_fitted"].format(low=low, high=high) if display["fit_colors"] else words["weight"]
    scales = data["colorscales"]
    gap = data["sizes"]["gap"]
    trace = dict(
        type="heatmap",
        z=z,
        x=x,
        y=y,
        customdata=custom,
        zmin=low,
        zmax=high if high > low else low + 1e-9,  # plotly.js needs a range that is not empty
        colorscale=scales.get(display["colors"]) or next(iter(scales.values())),
        colorbar=colorbar(title, len=0.6, y=1.0, yanchor="top"),
        xgap=gap,
        ygap=gap,
        hovertemplate=hover(
            f"{words['query']}: {who[0]}",
            f"{words['key']}: {who[1]}",
            f"{words['raw']} = %{{customdata[0]:.3f}}",
            f"{words['scaled']} {scaling} = %{{customdata[1]:.3f}}",
            f"{words['softmax']} = %{{z:.3f}}",
        ),
        name=words["weight"],
    )
    if display["show_values"]:
        trace["texttemplate"] = "%{z:.2f}"
    return trace


def _output_trace(data: dict, outputs: np.ndarray, transpose: bool) -> dict:
    """The output vectors: under each query's column (or beside its row, transposed), on the second axes."""
    words, names, queries = data["words"], data["components"], data["queries"]
    limit = float(np.abs(outputs).max()) or 1.0
    if transpose:
        z, x, y, who = outputs, names, queries, f"{words['output_of']} %{{y}}<br>%{{x}}"
    else:
        z, x, y, who = outputs.T, queries, names, f"{words['output_of']} %{{x}}<br>%{{y}}"
    gap = data["sizes"]["strip_gap"]
    return dict(
        type="heatmap",
        z=z,
        x=x,
        y=y,
        xaxis="x2",
        yaxis="y2",
        colorscale=data["output_colors"],
        zmin=-limit,
        zmax=limit,
        xgap=gap,
        ygap=gap,
        name=words["output"],
        hovertemplate=hover(f"{who} = %{{z:.3f}}", f"({words['components']})"),
        colorbar=colorbar(words["output"], len=0.3, y=0.0, yanchor="bottom"),
    )


def _axes(data: dict, transpose: bool, angle: int) -> dict:
    """The axes of the weights (x, y) and of the output strip (x2, y2) beside or under them."""
    words, sizes = data["words"], data["sizes"]
    axis = category_axis(max(len(data["queries"]), len(data["keys"])), sizes["tick"], sizes["step"])
    names = dict(axis, tickfont=dict(size=sizes["strip_tick"]), dtick=sizes["strip_step"])  # the strip's components

    def title(words: str) -> dict:
        return dict(text=words, font=dict(size=sizes["tick"] + 1))

    strip, share, gap = "basis" in data, sizes["share"], STRIP_GAP
    if transpose:
        axes = dict(
            xaxis=dict(
                axis,
                domain=[0, share - gap / 2 if strip else 1],
                side="top",
                title=title(words["key_title"]),
                tickangle=angle,
            ),
            yaxis=dict(axis, autorange="reversed", title=title(words["query_title"])),
            xaxis2=dict(names, domain=[share + gap / 2, 1], side="top", anchor="y2", title=title(words["output"])),
            yaxis2=dict(axis, autorange="reversed", matches="y", anchor="x2", showticklabels=False),
        )
    else:
        axes = dict(
            xaxis=dict(axis, side="top", title=title(words["query_title"]), tickangle=angle),
            yaxis=dict(
                axis,
                autorange="reversed",
                domain=[1 - share + gap / 2 if strip else 0, 1],
                title=title(words["key_title"]),
            ),
            xaxis2=dict(axis, matches="x", anchor="y2", tickangle=angle, showticklabels=sizes["strip_labels"]),
            yaxis2=dict(
                names, anchor="x2", autorange="reversed", domain=[0, 1 - share - gap / 2], title=title(words["output"])
            ),
        )
    if not strip:
        del axes["xaxis2"], axes["yaxis2"]
    return axes
