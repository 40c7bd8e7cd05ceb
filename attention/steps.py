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

# Signed numbers (query, key and value vectors, scores, outputs): purple above zero, orange below, as the
# output strip of every attention figure (style.SIGNED_COLORS); weights light to dark blue.
SIGNED_COLORS = style.SIGNED_COLORS
MAX_NUMBERED = 20  # above this many rows or columns, cell numbers are too small to read
SHOWN_COMPONENTS = 8  # query, key, value and output vectors show their first components
# The lecture's four steps, and the panels that show each (a letter: a sub-step the lecture does not name):
#   1 queries and keys   2 dot-product scores (2a ÷ √d_k and the temperature, 2b the mask)
#   3 softmax            4 the weighted sum of the values
LECTURE_STEPS = ("1", "2", "3", "4")
# The sentence under each panel, by the panel's name.
STEP_TEXTS = {
    "queries": "step.queries_text",
    "keys": "step.keys_text",
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

    number: str  # the lecture's step ("1" to "4"), with a letter for a sub-step ("2a")
    name: str  # queries, keys, scores, scaled, mask, weights, values, weighted, outputs
    title: str
    explanation: str
    matrix: np.ndarray
    row_labels: list[str]
    col_labels: list[str]
    row_title: str
    col_title: str
    signed: bool  # True: a diverging scale centred on 0; False: light-to-dark from 0

    @property
    def lecture_step(self) -> int:
        """The lecture's step this panel belongs to, 1 to 4 (a sub-step belongs to its step)."""
        return int(self.number.rstrip("abcdefgh"))

    def heading(self, lang: str = "en") -> str:
        """``Step 2a: Scaled ...``, in ``lang``."""
        return step_label(self.number, self.title, lang)


def step_label(number: str, title: str, lang: str = "en") -> str:
    """A panel's or a frame's heading: the lecture's step number, then what it shows."""
    return text("step.label", lang, number=number, title=title)


def attention_steps(
    result: AttentionResult, query_tokens: list[str], key_tokens: list[str], query: int = 0, lang: str = "en"
) -> list[Step]:
    """The lecture's four steps as panels, in its order, numbered as it numbers them:

    1 the query and the key vectors; 2 the dot-product scores, 2a scaled (÷ √d_k, ÷ temperature),
    2b the mask (only when there is one); 3 softmax: the weights; 4 the value vectors, weights × values,
    and their sum, the output vectors.

    Weights × values differ for every query (a 3-D array), so that panel shows
    them for one chosen ``query``: every key's value vector times the weight
    this query gives it; its rows add up to this query's output vector.
    Titles and explanations are in ``lang``.
    """
    q, k = list(query_tokens), list(key_tokens)
    d_v, d_k = result.values.shape[1], result.queries.shape[1]
    m, m_k = min(SHOWN_COMPONENTS, d_v), min(SHOWN_COMPONENTS, d_k)
    components = [f"v{i + 1}" for i in range(m)]
    dims = [f"{i + 1}" for i in range(m_k)]
    axis = {
        "query": text("step.axis.query", lang),
        "key": text("step.axis.key", lang),
        "component": text("step.axis.component", lang),
    }
    scaled_title = text("step.scaled", lang, d_k=result.d_k, root=np.sqrt(result.d_k))
    if result.temperature != 1:
        scaled_title += text("step.scaled_temperature", lang, temperature=result.temperature)
    # (number, name, title, matrix, row labels, column labels, row axis, column axis, signed); queries are columns
    panels = [
        ("1", "queries", text("step.queries", lang), result.queries[:, :m_k].T, dims, q, "component", "query", True),
        ("1", "keys", text("step.keys", lang), result.keys[:, :m_k], k, dims, "key", "component", True),
        ("2", "scores", text("step.scores", lang), result.scores.T, k, q, "key", "query", True),
        ("2a", "scaled", scaled_title, np.where(result.mask, result.scaled, np.nan).T, k, q, "key", "query", True),
    ]
    if not result.mask.all():  # drawn as the mask is: ✓ where a query may look, an empty cell where it may not
        allowed = np.where(result.mask, 1.0, np.nan).T
        panels.append(("2b", "mask", text("step.mask", lang), allowed, k, q, "key", "query", False))
    panels += [
        ("3", "weights", text("step.weights", lang), result.weights.T, k, q, "key", "query", False),
        ("4", "values", text("step.values", lang), result.values[:, :m], k, components, "key", "component", True),
        (
            "4",
            "weighted",
            text("step.weighted", lang, query=q[query]),
            weighted_values(result, query)[:, :m],
            k,
            components,
            "key",
            "component",
            True,
        ),
        ("4", "outputs", text("step.outputs", lang), result.output[:, :m].T, components, q, "component", "query", True),
    ]
    return [
        Step(
            number=number,
            name=name,
            title=title,
            explanation=text(STEP_TEXTS[name], lang, m=m_k if name in ("queries", "keys") else m, d=d_v, d_k=d_k),
            matrix=matrix,
            row_labels=rows,
            col_labels=cols,
            row_title=axis[row_axis],
            col_title=axis[col_axis],
            signed=signed,
        )
        for number, name, title, matrix, rows, cols, row_axis, col_axis, signed in panels
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
    """One small labelled matrix, numbers in the cells when there are few enough to read.

    The mask is drawn as it is said: ✓ in a cell a query may attend to, an empty cell where it may not,
    and no colour bar (it holds no numbers).
    """
    matrix, rows, cols = step.matrix, step.row_labels, step.col_labels
    row_title, col_title = step.row_title, step.col_title
    if transpose:
        matrix, rows, cols, row_title, col_title = matrix.T, cols, rows, col_title, row_title
    readable = numbers and max(matrix.shape) <= MAX_NUMBERED
    mask = step.name == "mask"
    heatmap = go.Heatmap(
        z=matrix.astype(np.float32),
        x=style.axis_labels(cols),
        y=style.axis_labels(rows),
        colorscale=SIGNED_COLORS if step.signed else style.WEIGHT_COLORS,
        zmid=0 if step.signed else None,
        zmin=None if step.signed else 0,
        zmax=None if step.signed else (MASK_SHADE if mask else 1.0),  # weights: 0 white, 1 darkest
        xgap=1,
        ygap=1,
        texttemplate=("✓" if mask else "%{z:.2f}") if readable else None,
        hovertemplate=style.hover(f"{col_title}: %{{x}}", f"{row_title}: %{{y}}", "✓" if mask else "%{z:.4f}"),
        showscale=not mask,
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


MASK_SHADE = 4.0  # the mask's allowed cells (z = 1) in a light shade of the weights' blue, its ✓ readable


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
    highlight = [style.CHOSEN if j == key else style.LIGHT_BLUE for j in range(len(labels))]
    scaled = np.where(result.mask[query], result.scaled[query], np.nan)
    titles = (
        step_label("2a", text("fig.scaled_scores", lang), lang),
        step_label("3", text("fig.softmax_weights", lang), lang),
    )
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles)
    for column, values in ((1, scaled), (2, result.weights[query])):
        bars = go.Bar(x=labels, y=values, marker_color=highlight, hovertemplate=style.hover("%{x}: %{y:.3f}"))
        fig.add_trace(bars, row=1, col=column)
    fig.update_xaxes(type="category")
    fig.update_layout(height=320, showlegend=False, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def steps_animation(
    result: AttentionResult, query_tokens: list[str], key_tokens: list[str], lang: str = "en", font_scale: float = 1.0
) -> go.Figure:
    """The grid going through the lecture's four steps, with a play button and a slider under it.

    1 the queries (columns) and the keys (rows), no numbers yet; 2 the dot-product scores; 2a scaled;
    3 the softmax weights; 4 the weights again, and under each column the output vector, the weighted
    sum of the values (purple above zero, orange below, as under every attention figure). Each frame
    redraws the same cells with that step's numbers, so a class can watch the scores turn into weights
    and the weights into outputs.
    """
    n_k, n_q = len(key_tokens), len(query_tokens)
    m = min(SHOWN_COMPONENTS, result.output.shape[1])
    # step 1 has no numbers: its cells are drawn empty (the lightest colour, no number, no value on hover), so
    # that the grid and its query and key labels stand there before the scores fill them
    blank_grid, blank_strip = np.zeros((n_k, n_q)), np.full((m, n_q), np.nan)
    scaled = np.where(result.mask, result.scaled, np.nan).T
    outputs = result.output[:, :m].T  # (m, n_q): under each query's column
    # (number, title, grid, its range (None: its own), output strip)
    stages = [
        ("1", text("step.queries_and_keys", lang), blank_grid, (0.0, 1.0), blank_strip),
        ("2", text("step.scores", lang), result.scores.T, None, blank_strip),
        ("2a", text("step.scaled", lang, d_k=result.d_k, root=np.sqrt(result.d_k)), scaled, None, blank_strip),
        ("3", text("step.weights", lang), result.weights.T, (0.0, 1.0), blank_strip),
        ("4", text("step.outputs_sum", lang), result.weights.T, (0.0, 1.0), outputs),
    ]
    x, y = style.axis_labels(query_tokens), style.axis_labels(key_tokens)
    components = [f"v{i + 1}" for i in range(m)]
    readable = max(n_q, n_k) <= MAX_NUMBERED
    strip_high = float(np.abs(outputs).max()) or 1.0

    def grid(z: np.ndarray, limits: tuple[float, float] | None, numbers: bool = True) -> go.Heatmap:
        finite = z[np.isfinite(z)]
        low, high = limits or ((float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
        roles = (f"{text('fig.word.query', lang)}: %{{x}}", f"{text('fig.word.key', lang)}: %{{y}}")
        return go.Heatmap(
            z=z.astype(np.float32),
            x=x,
            y=y,
            zmin=low,  # weights on the fixed 0 to 1 scale of every weights figure
            zmax=high,
            colorscale=style.WEIGHT_COLORS,
            texttemplate="%{z:.2f}" if readable and numbers else "",
            xgap=1,
            ygap=1,
            showscale=numbers,
            colorbar=dict(thickness=10, len=0.6, y=1.0, yanchor="top"),
            hovertemplate=style.hover(*roles, "%{z:.3f}") if numbers else style.hover(*roles),
            xaxis="x",
            yaxis="y",
        )

    def strip(z: np.ndarray) -> go.Heatmap:
        return go.Heatmap(
            z=z.astype(np.float32),
            x=x,
            y=components,
            zmid=0,
            zmin=-strip_high,
            zmax=strip_high,
            colorscale=style.SIGNED_COLORS,
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate=style.hover(
                f"{text('fig.hover.output_of', lang)} %{{x}}", f"{text('fig.word.component', lang)} %{{y}}", "%{z:.3f}"
            ),
            xaxis="x2",
            yaxis="y2",
        )

    def heading(number: str, title: str) -> str:
        return step_label(number, title, lang)

    frames = [
        go.Frame(
            data=[grid(z, limits, numbers=number != "1"), strip(out)],
            traces=[0, 1],
            name=number,
            layout=dict(title_text=heading(number, title)),
        )
        for number, title, z, limits, out in stages
    ]
    n = max(n_q, n_k)
    # on a projector (font_scale > 1) the cells and labels grow together
    cell = int(style.cell_size(n, span=420 * font_scale, low=14 * font_scale, high=style.MAX_CELL * font_scale))
    ticks = dict(tickfont=dict(size=style.tick_size(n, font_scale)))
    strip_cell = max(10, min(cell, 22))
    grid_height, strip_height, gap = n_k * cell, m * strip_cell, 14
    plot_height = grid_height + gap + strip_height
    share = strip_height / plot_height  # of the plot's height, the output strip's
    controls = 110  # px under the plot: the ▶ and ⏸ buttons, and below them the slider
    layout = style.layout(
        height=plot_height + 170 + controls,
        width=n_q * cell + 300 * font_scale,
        font=dict(size=style.font_size(n, font_scale)),
        # the title in the figure's top band, above the query labels and their title
        title=dict(text=heading(*stages[0][:2]), y=1, yref="container", yanchor="top", pad=dict(t=40)),
        # fixed ranges: an animation redraws the cells, not the axes, and step 1 has no numbers to fit them to
        xaxis=dict(
            type="category",
            side="top",
            title_text=text("step.axis.query", lang),
            anchor="y",
            **ticks,
            range=[-0.5, n_q - 0.5],
            automargin=True,
        ),
        yaxis=dict(
            type="category",
            range=[n_k - 0.5, -0.5],
            title=dict(text=text("step.axis.key", lang), standoff=12),
            **ticks,
            domain=[share + gap / plot_height, 1],
            automargin=True,
        ),
        xaxis2=dict(type="category", anchor="y2", matches="x", showticklabels=False),
        yaxis2=dict(
            type="category",
            range=[-0.5, m - 0.5],  # v1 at the bottom, as the output strip of the attention figure
            domain=[0, share],  # untitled: plotly.js put a CJK title over the v1..v8 labels; step 4's title names it
            automargin=True,
        ),
        margin=dict(l=10, r=10, t=180, b=controls),
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0,
                y=0,
                yanchor="top",
                xanchor="left",
                pad=dict(t=8),
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
            dict(  # its own row, under the buttons: they never cover its start
                active=0,
                x=0,
                len=1,
                y=0,
                yanchor="top",
                pad=dict(t=52, b=0),
                currentvalue=dict(visible=False),
                steps=[
                    dict(label=number, method="animate", args=[[number], dict(mode="immediate")])
                    for number, *_ in stages
                ],
            )
        ],
    )
    first = stages[0]
    return go.Figure(data=[grid(first[2], first[3], numbers=False), strip(first[4])], frames=frames, layout=layout)
