"""Guess first: for each query the student picks the key it attends to most, then sees the real weights.

Three pure pieces, data in and data (or a figure) out:

- ``blank_grid_figure`` draws the grid from the tokens alone: it takes no weights, so no weight
  can leak into the page (figure data, hover text) before the reveal;
- ``score_guesses`` compares the guesses with the weights;
- ``mark_guesses`` frames each guess on the real figure of ``attention.figures.attention_figure``.

A guess is ``query index -> key index``; weights[i, j] is how much query i attends to key j.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from attention import style
from attention.i18n import text
from attention.options import FigureOptions

BLANK_CELL = "#e6e9f0"  # a cell nobody has guessed yet
ANSWERED_CELL = "#f6f7fa"  # the other cells of a column (or row) that has its guess
GUESS_CELL = style.CHOSEN  # the guessed cell: the darkest weight colour, "this key gets the most weight"
GRID_ROOM = 220  # px of the grid's figure besides its squares: labels, axis titles, margins
HIT_COLOR = "#1a9850"
MISS_COLOR = "#d73027"


@dataclass(frozen=True)
class QuizScore:
    """How well the guesses match the weights, one entry per guessed query (in query order).

    Attributes:
        queries: the guessed queries.
        keys: the key guessed for each of them.
        best: the key that really got the most weight (the first, if several tie).
        ranks: the guessed key's rank among its query's weights, 1 = the largest (ties share a rank).
        weights: the weight the guessed key got.
        n_queries: how many queries there are, guessed or not.
    """

    queries: tuple[int, ...]
    keys: tuple[int, ...]
    best: tuple[int, ...]
    ranks: tuple[int, ...]
    weights: tuple[float, ...]
    n_queries: int

    @property
    def hits(self) -> tuple[bool, ...]:
        """Whether each guess was (one of) the key(s) with the most weight."""
        return tuple(rank == 1 for rank in self.ranks)

    @property
    def n_guessed(self) -> int:
        return len(self.queries)

    @property
    def n_hits(self) -> int:
        return sum(self.hits)

    @property
    def mean_weight(self) -> float:
        """The average weight of the guessed keys (0 without guesses)."""
        return float(np.mean(self.weights)) if self.weights else 0.0


def score_guesses(weights: np.ndarray, guesses: Mapping[int, int]) -> QuizScore:
    """Score ``guesses`` against ``weights``.

    Args:
        weights: (n_q, n_k), weights[i, j] = how much query i attends to key j; each row sums to 1.
        guesses: query index -> the key index guessed to get the most weight.

    Returns:
        A QuizScore whose entries follow the guessed queries in increasing order.

    Raises:
        ValueError: a query or key index outside the weights.
    """
    n_q, n_k = weights.shape
    queries = tuple(sorted(int(q) for q in guesses))
    keys = tuple(int(guesses[q]) for q in queries)
    for q, k in zip(queries, keys, strict=True):
        if not (0 <= q < n_q and 0 <= k < n_k):
            raise ValueError(f"the guess {q} -> {k} is outside the weights' {n_q} queries and {n_k} keys")
    rows = weights[list(queries)]  # (n_guessed, n_k)
    chosen = rows[np.arange(len(queries)), list(keys)] if queries else np.zeros(0)  # (n_guessed,)
    ranks = 1 + (rows > chosen[:, None]).sum(axis=1)  # how many keys got strictly more, plus one
    return QuizScore(
        queries=queries,
        keys=keys,
        best=tuple(int(k) for k in rows.argmax(axis=1)) if queries else (),
        ranks=tuple(int(r) for r in ranks),
        weights=tuple(float(w) for w in chosen),
        n_queries=n_q,
    )


def cell_of_point(index: int, n_keys: int) -> tuple[int, int]:
    """The (query, key) of point ``index`` of ``blank_grid_figure``'s grid (points go query by query)."""
    return divmod(int(index), n_keys)


def blank_grid_figure(
    query_tokens: list[str],
    key_tokens: list[str],
    options: FigureOptions | None = None,
    guesses: Mapping[int, int] | None = None,
) -> go.Figure:
    """The attention grid without any weight: one clickable square per (query, key), guesses filled in.

    Same orientation as ``attention_figure``: queries are columns and keys rows, or the other way
    round with ``options.transpose``. The squares are a scatter trace (a heatmap sends no click
    selections); point ``q * n_k + k`` is query q's key k, see ``cell_of_point``.

    Args:
        query_tokens, key_tokens: the labels of the queries and of the keys.
        options: roles, orientation, language and text size (the colour options are not used).
        guesses: query index -> guessed key index, drawn filled in.
    """
    options = options or FigureOptions()
    guesses = guesses or {}
    n_q, n_k = len(query_tokens), len(key_tokens)
    q_labels, k_labels = style.axis_labels(query_tokens), style.axis_labels(key_tokens)
    queries, keys = np.divmod(np.arange(n_q * n_k), n_k)  # (n_q * n_k,) each, query by query
    colors = [
        GUESS_CELL if guesses.get(q) == k else ANSWERED_CELL if q in guesses else BLANK_CELL
        for q, k in zip(queries.tolist(), keys.tolist(), strict=True)
    ]
    q_of_point, k_of_point = [q_labels[q] for q in queries], [k_labels[k] for k in keys]
    word_q, word_k = text("fig.word.query", options.lang), text("fig.word.key", options.lang)
    if options.transpose:
        x, y, x_labels, y_labels = k_of_point, q_of_point, k_labels, q_labels
        who = (f"{word_q}: %{{y}}", f"{word_k}: %{{x}}")
    else:
        x, y, x_labels, y_labels = q_of_point, k_of_point, q_labels, k_labels
        who = (f"{word_q}: %{{x}}", f"{word_k}: %{{y}}")
    n = max(n_q, n_k)
    cols, rows = len(x_labels), len(y_labels)
    cell = style.cell_size(n, low=8) * options.font_scale  # at least 8 px: a square must stay clickable
    line = style.label_line(x_labels + y_labels)
    if options.target_height:
        # the whole grid on the screen's height, down to the squares on which every label fits at its smallest
        # (a guess needs the names of its row and column)
        least = line * max(round(style.MIN_TICK * options.font_scale), 1)
        cell = max(min(cell, (options.target_height - GRID_ROOM) / rows), min(cell, least))
    labels = style.label_rule(x_labels, cell, cell, n, options.font_scale, line)
    size = labels.size  # as large as fits; every label is shown (the axes have no step)
    axis = dict(type="category", automargin=True, tickfont_size=size, title_font_size=size + 1)
    axis.update(fixedrange=True, showgrid=False, zeroline=False)
    q_title = style.escaped(text("fig.query", options.lang, role=options.query_role))
    k_title = style.escaped(text("fig.key", options.lang, role=options.key_role))
    trace = go.Scatter(
        x=x,
        y=y,
        mode="markers",
        marker=dict(symbol="square", size=cell * 0.9, color=colors, line=dict(width=0)),
        selected=dict(marker=dict(opacity=1)),
        unselected=dict(marker=dict(opacity=1)),  # Plotly would dim the other squares after a click
        hovertemplate=style.hover(*who, text("quiz.hover", options.lang)),
        name=text("quiz.grid", options.lang),
    )
    layout = style.layout(
        height=rows * cell + GRID_ROOM,
        width=cols * cell + 300,
        xaxis=dict(
            axis,
            side="top",
            categoryorder="array",
            categoryarray=x_labels,
            tickangle=labels.angle,
            constrain="domain",
            title_text=k_title if options.transpose else q_title,
        ),
        yaxis=dict(
            axis,
            autorange="reversed",
            categoryorder="array",
            categoryarray=y_labels,
            scaleanchor="x",  # square cells, however much room the labels leave
            constrain="domain",
            title_text=q_title if options.transpose else k_title,
        ),
        showlegend=False,
        font=dict(size=style.font_size(n, options.font_scale)),
    )
    return go.Figure(data=[trace], layout=layout)


def mark_guesses(figure: go.Figure, score: QuizScore, n_keys: int, options: FigureOptions | None = None) -> go.Figure:
    """Frame each guess on ``attention_figure``'s weights (its first axes) and say how it did.

    A hit gets a green frame and ✓; a miss a red frame and its rank (#3 = the third largest weight),
    with a dashed green frame on the key that really got the most. Changes ``figure`` and returns it.

    Args:
        figure: an ``attention_figure`` drawn with the same orientation as ``options.transpose``.
        score: what ``score_guesses`` returned for that figure's weights.
        n_keys: how many keys the figure has.
    """
    options = options or FigureOptions()
    n_q = score.n_queries
    shapes, notes = [], []
    for q, k, best, rank in zip(score.queries, score.keys, score.best, score.ranks, strict=True):
        color = HIT_COLOR if rank == 1 else MISS_COLOR
        shapes.append(_frame(q, k, n_q, n_keys, options.transpose, dict(color=color, width=4)))
        if rank != 1:
            shapes.append(_frame(q, best, n_q, n_keys, options.transpose, dict(color=HIT_COLOR, width=3, dash="dot")))
        x, y = _center(q, k, n_q, n_keys, options.transpose)
        notes.append(
            dict(
                x=x,
                y=y,
                xref="x domain",
                yref="y domain",
                text=f"<b>{'✓' if rank == 1 else f'#{rank}'}</b>",
                showarrow=False,
                font=dict(color=color, size=round(14 * options.font_scale)),
                bgcolor="rgba(255,255,255,0.85)",
                borderpad=1,
            )
        )
    figure.update_layout(shapes=[*figure.layout.shapes, *shapes], annotations=[*figure.layout.annotations, *notes])
    return figure


def _box(q: int, k: int, n_q: int, n_k: int, transpose: bool) -> tuple[float, float, float, float]:
    """The cell of (query q, key k) as fractions of the weights' axes: x0, x1, y0, y1 (y counted from the bottom,
    the rows running downwards as in ``attention_figure``)."""
    column, row, n_columns, n_rows = (k, q, n_k, n_q) if transpose else (q, k, n_q, n_k)
    return column / n_columns, (column + 1) / n_columns, 1 - (row + 1) / n_rows, 1 - row / n_rows


def _frame(q: int, k: int, n_q: int, n_k: int, transpose: bool, line: dict) -> dict:
    x0, x1, y0, y1 = _box(q, k, n_q, n_k, transpose)
    return dict(type="rect", xref="x domain", yref="y domain", x0=x0, x1=x1, y0=y0, y1=y1, line=line)


def _center(q: int, k: int, n_q: int, n_k: int, transpose: bool) -> tuple[float, float]:
    x0, x1, y0, y1 = _box(q, k, n_q, n_k, transpose)
    return (x0 + x1) / 2, (y0 + y1) / 2
