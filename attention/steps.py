"""The computation taken apart, step by step, for the step-by-step page.

Data first (``attention_steps``, ``dot_product_parts``), drawing second
(``step_figure``, ``dot_product_figure``, ``softmax_figure``, ``steps_animation``),
as in the rest of the package. The numbers are those of an AttentionResult;
nothing here computes attention a second way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attention import style
from attention.core import AttentionResult
from attention.i18n import text

# Signed numbers (scores, values, outputs): the blue–white–red scale of the difference map, 0 white.
SIGNED_COLORS = style.DIFFERENCE_COLORS
MAX_NUMBERED = 20  # above this many rows or columns, cell numbers are too small to read
SHOWN_COMPONENTS = 8  # value and output vectors show their first components
# The sentence under each panel, by the panel's name.
STEP_TEXTS = {
    "scores": "step.scores_text",
    "scaled": "step.scaled_text",
    "mask": "step.mask_text",
    "weights": "step.weights_text",
    "values": "step.values_text",
    "weighted": "step.weighted_text",
    "outputs": "step.outputs_text",
}


@dataclass(frozen=True)
class Step:
    """One panel: a labelled matrix and a sentence saying what it is.

    ``matrix[r, c]`` is drawn at row r, column c; queries are columns, as in the
    lecture's figure, wherever a matrix has a query axis.
    """

    number: int
    name: str  # scores, scaled, mask, weights, values, weighted, outputs
    title: str
    explanation: str
    matrix: np.ndarray
    row_labels: list[str]
    col_labels: list[str]
    row_title: str
    col_title: str
    signed: bool  # True: a diverging scale centred on 0; False: light-to-dark from 0


def attention_steps(
    result: AttentionResult, query_tokens: list[str], key_tokens: list[str], query: int = 0, lang: str = "en"
) -> list[Step]:
    """The lecture's steps as panels: scores, scaled scores, mask, softmax, values, weights×values, outputs.

    Weights × values differ for every query (a 3-D array), so that panel shows
    them for one chosen ``query``: every key's value vector times the weight
    this query gives it; its rows add up to this query's output vector.
    Titles and explanations are in ``lang``.
    """
    q, k = list(query_tokens), list(key_tokens)
    d_v = result.values.shape[1]
    m = min(SHOWN_COMPONENTS, d_v)
    components = [f"v{i + 1}" for i in range(m)]
    axis = {
        "query": text("step.axis.query", lang),
        "key": text("step.axis.key", lang),
        "component": text("step.axis.component", lang),
    }
    scaled_title = text("step.scaled", lang, d_k=result.d_k, root=np.sqrt(result.d_k))
    if result.temperature != 1:
        scaled_title += text("step.scaled_temperature", lang, temperature=result.temperature)
    # (name, title, matrix, row labels, column labels, row axis, column axis, signed); queries are columns
    panels = [
        ("scores", text("step.scores", lang), result.scores.T, k, q, "key", "query", True),
        ("scaled", scaled_title, np.where(result.mask, result.scaled, np.nan).T, k, q, "key", "query", True),
    ]
    if not result.mask.all():
        panels.append(("mask", text("step.mask", lang), result.mask.T.astype(float), k, q, "key", "query", False))
    panels += [
        ("weights", text("step.weights", lang), result.weights.T, k, q, "key", "query", False),
        ("values", text("step.values", lang), result.values[:, :m], k, components, "key", "component", True),
        (
            "weighted",
            text("step.weighted", lang, query=q[query]),
            weighted_values(result, query)[:, :m],
            k,
            components,
            "key",
            "component",
            True,
        ),
        ("outputs", text("step.outputs", lang), result.output[:, :m].T, components, q, "component", "query", True),
    ]
    return [
        Step(
            number=number,
            name=name,
            title=title,
            explanation=text(STEP_TEXTS[name], lang, m=m, d=d_v),
            matrix=matrix,
            row_labels=rows,
            col_labels=cols,
            row_title=axis[row_axis],
            col_title=axis[col_axis],
            signed=signed,
        )
        for number, (name, title, matrix, rows, cols, row_axis, col_axis, signed) in enumerate(panels, start=1)
    ]


def weighted_values(result: AttentionResult, query: int) -> np.ndarray:
    """Every key's value vector times the weight that ``query`` gives it.

    Returns:
        (n_k, d_v) array whose rows add up to ``result.output[query]``.
    """
    return result.weights[query][:, None] * result.values  # (n_k, 1) * (n_k, d_v) -> (n_k, d_v)


@dataclass(frozen=True)
class DotProductParts:
    """One score taken apart: ``score = sum(products)`` with ``products[i] = q[i] * k[i]``."""

    products: np.ndarray  # (d_k,)
    score: float
    scaled: float
    largest: list[int]  # dimensions with the largest |product|, largest first


def dot_product_parts(result: AttentionResult, query: int, key: int, top: int = 5) -> DotProductParts:
    """The element-wise products behind ``result.scores[query, key]``.

    Args:
        result: the attention whose score is taken apart.
        query, key: which cell.
        top: how many of the largest contributions to name.
    """
    products = result.queries[query] * result.keys[key]  # (d_k,) * (d_k,) -> (d_k,)
    largest = [int(i) for i in np.argsort(-np.abs(products))[:top]]
    return DotProductParts(
        products=products,
        score=float(products.sum()),
        scaled=float(result.scaled[query, key]),
        largest=largest,
    )


def step_figure(step: Step, transpose: bool = False, numbers: bool = True) -> go.Figure:
    """One small labelled matrix, numbers in the cells when there are few enough to read."""
    matrix, rows, cols = step.matrix, step.row_labels, step.col_labels
    row_title, col_title = step.row_title, step.col_title
    if transpose:
        matrix, rows, cols, row_title, col_title = matrix.T, cols, rows, col_title, row_title
    readable = numbers and max(matrix.shape) <= MAX_NUMBERED
    heatmap = go.Heatmap(
        z=matrix.astype(np.float32),
        x=style.axis_labels(cols),
        y=style.axis_labels(rows),
        colorscale=SIGNED_COLORS if step.signed else style.WEIGHT_COLORS,
        zmid=0 if step.signed else None,
        zmin=None if step.signed else 0,
        zmax=None if step.signed else 1.0,  # weights and the mask: 0 white, 1 darkest
        xgap=1,
        ygap=1,
        texttemplate="%{z:.2f}" if readable else None,
        hovertemplate=style.hover(f"{col_title}: %{{x}}", f"{row_title}: %{{y}}", "%{z:.4f}"),
        colorbar=dict(thickness=10),
    )
    cell = int(style.cell_size(max(matrix.shape), span=360, low=14, high=44))  # small panels, side by side
    layout = style.layout(
        height=matrix.shape[0] * cell + 140,
        width=matrix.shape[1] * cell + 220,
        xaxis=dict(type="category", side="top", title_text=col_title, automargin=True),
        yaxis=dict(type="category", autorange="reversed", title_text=row_title, automargin=True),
    )
    return go.Figure(data=[heatmap], layout=layout)


def dot_product_figure(parts: DotProductParts, query_label: str, key_label: str, lang: str = "en") -> go.Figure:
    """Bars of q_i·k_i for every dimension i, the largest contributions named."""
    word = partial(text, lang=lang)
    d = len(parts.products)
    bars = go.Bar(
        x=np.arange(d),
        y=parts.products.astype(np.float32),
        marker_color=np.where(parts.products >= 0, style.PURPLE, style.ORANGE).tolist(),
        hovertemplate=style.hover(f"{word('fig.word.dimension')} %{{x}}", f"{word('fig.dot_part')} = %{{y:.4f}}"),
    )
    notes = [
        dict(
            x=i, y=parts.products[i], text=f"{word('fig.word.dimension')} {i}: {parts.products[i]:+.3f}", showarrow=True
        )
        for i in parts.largest
    ]
    q, k = style.escaped(query_label), style.escaped(key_label)
    layout = dict(
        title=dict(text=f"q({q}) · k({k}) = Σ q_i k_i = {parts.score:.3f}", font=dict(size=style.TITLE_SIZE)),
        xaxis_title=f"{word('fig.word.dimension')} i",
        yaxis_title="q_i × k_i",
        annotations=notes,
        height=320,
        margin=dict(l=10, r=10, t=50, b=10),
        showlegend=False,
    )
    return go.Figure(data=[bars], layout=layout)


def softmax_figure(result: AttentionResult, key_tokens: list[str], query: int, key: int, lang: str = "en") -> go.Figure:
    """One query's scaled scores beside the weights softmax turns them into; the chosen key highlighted."""
    labels = style.axis_labels(key_tokens)
    highlight = [style.PURPLE if j == key else style.LIGHT_BLUE for j in range(len(labels))]
    scaled = np.where(result.mask[query], result.scaled[query], np.nan)
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(text("fig.scaled_scores", lang), text("fig.softmax_weights", lang))
    )
    for column, values in ((1, scaled), (2, result.weights[query])):
        bars = go.Bar(x=labels, y=values, marker_color=highlight, hovertemplate=style.hover("%{x}: %{y:.3f}"))
        fig.add_trace(bars, row=1, col=column)
    fig.update_xaxes(type="category")
    fig.update_layout(height=320, showlegend=False, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def steps_animation(
    result: AttentionResult, query_tokens: list[str], key_tokens: list[str], lang: str = "en"
) -> go.Figure:
    """The grid going through the steps (raw scores → scaled → softmax weights), with a play button.

    Each frame redraws the same cells with that step's numbers, so a class can
    watch the scores turn into weights.
    """
    stages = [
        ("1. " + text("step.scores", lang), result.scores.T),
        (
            "2. " + text("step.scaled", lang, d_k=result.d_k, root=np.sqrt(result.d_k)),
            np.where(result.mask, result.scaled, np.nan).T,
        ),
        ("3. " + text("step.weights", lang), result.weights.T),
    ]
    x, y = style.axis_labels(query_tokens), style.axis_labels(key_tokens)
    readable = max(len(x), len(y)) <= MAX_NUMBERED

    def heatmap(z: np.ndarray, weights: bool = False) -> go.Heatmap:
        finite = z[np.isfinite(z)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        return go.Heatmap(
            z=z.astype(np.float32),
            x=x,
            y=y,
            zmin=0.0 if weights else low,  # weights on the fixed 0 to 1 scale of every weights figure
            zmax=1.0 if weights else high,
            colorscale=style.WEIGHT_COLORS,
            texttemplate="%{z:.2f}" if readable else None,
            xgap=1,
            ygap=1,
            hovertemplate=style.hover(
                f"{text('fig.word.query', lang)}: %{{x}}", f"{text('fig.word.key', lang)}: %{{y}}", "%{z:.3f}"
            ),
        )

    frames = [
        go.Frame(data=[heatmap(z, weights=number == len(stages) - 1)], name=name, layout=dict(title_text=name))
        for number, (name, z) in enumerate(stages)
    ]
    cell = int(style.cell_size(max(len(x), len(y)), span=420, low=14))
    layout = style.layout(
        height=len(y) * cell + 260,
        width=len(x) * cell + 260,
        title_text=stages[0][0],
        xaxis=dict(type="category", side="top", title_text=text("step.axis.query", lang)),
        yaxis=dict(type="category", autorange="reversed", title_text=text("step.axis.key", lang)),
        margin=dict(l=10, r=10, t=120, b=80),
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0,
                y=-0.02,
                yanchor="top",
                xanchor="left",
                buttons=[
                    dict(
                        label=text("fig.play", lang),
                        method="animate",
                        args=[None, dict(frame=dict(duration=1600, redraw=True), transition=dict(duration=300))],
                    ),
                    dict(label=text("fig.pause", lang), method="animate", args=[[None], dict(mode="immediate")]),
                ],
            )
        ],
        sliders=[
            dict(
                active=0,
                x=0.25,
                len=0.75,
                y=-0.02,
                yanchor="top",
                currentvalue=dict(visible=False),
                steps=[
                    dict(label=name.split(".")[0], method="animate", args=[[name], dict(mode="immediate")])
                    for name, _ in stages
                ],
            )
        ],
    )
    return go.Figure(data=[heatmap(stages[0][1])], frames=frames, layout=layout)
