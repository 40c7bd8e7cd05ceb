"""Plotly figures in the lecture's layout: data in, ``plotly.graph_objects.Figure`` out.

The lecture draws one column per query and one row per key, darker meaning a
higher weight, with each query's output vector in purple under its column.
Nothing here computes attention; it only draws an AttentionResult.
"""

from __future__ import annotations

import html
from collections import Counter
from functools import partial

import numpy as np
import plotly.graph_objects as go
from plotly.colors import diverging, sequential

from attention.core import AttentionResult
from attention.i18n import text
from attention.options import COMPONENT_MODES, FigureOptions

# Weights: a single-hue sequential scale, light (low) to dark (high), as in the lecture.
WEIGHT_COLORS = sequential.Blues
# Perceptually uniform scales that stay readable with colour-blindness and in grey.
WEIGHT_SCALES = {"Blues": sequential.Blues, "Cividis": sequential.Cividis, "Viridis": sequential.Viridis[::-1]}
# Output components are signed: white at 0, purple (the lecture's colour) for
# positive, orange for negative, darker for larger magnitude.
OUTPUT_COLORS = diverging.PuOr
MAX_LABEL_CHARS = 24
STRIP_CELL_RATIO = 0.6
MIN_STRIP_SHARE = 0.08
MAX_TILE = 48  # longest side of one map in the grid of every head
MIN_CELL = 1.25  # px: a 512-token sentence still draws, as a 640-pixel square
GAPS_UP_TO = 128  # tokens: beyond, cells have no white gap between them
# Room around the grid at normal size (times font_scale): tick labels, axis titles, colour bars. A file
# keeps SIDE_ROOM; a figure for a page counts what the labels and colour bars take there, PAGE_SIDE_ROOM.
SIDE_ROOM = 300
PAGE_SIDE_ROOM = 200
TOP_ROOM = 220
CELL_ASPECT = 1.5  # a square-ish cell is at most this much wider than high
LABEL_LINE = 1.25  # a row of a projected figure is at least this many times its labels' font size high


def axis_labels(tokens: list[str]) -> list[str]:
    """Tick labels that show each token literally and keep repeated tokens apart.

    A token that occurs more than once gets its position in front (``2 · the``).
    Labels are escaped because Plotly reads ``<b>``, ``<br>`` and ``<a>`` in
    labels as markup; escaped, they appear as the characters the user typed.
    """
    short = [t if len(t) <= MAX_LABEL_CHARS else t[: MAX_LABEL_CHARS - 1] + "…" for t in tokens]
    counts = Counter(short)
    labels = [f"{i} · {t}" if counts[t] > 1 else t for i, t in enumerate(short)]
    return [html.escape(label, quote=False) for label in labels]


def output_components(result: AttentionResult, n: int, mode: str = "first") -> tuple[np.ndarray, list[str]]:
    """The part of each output vector that the figure shows.

    Returns:
        (components, names): components has shape (n_q, m) with m <= n, and
        names labels the m components.
    """
    basis = output_basis(result, n, mode)  # (n_k, m)
    m = basis.shape[1]
    if mode == "first":
        return result.output[:, :m], [f"v{i + 1}" for i in range(m)]
    return result.weights @ basis, [f"PC{i + 1}" for i in range(m)]  # (n_q, n_k) @ (n_k, m) -> (n_q, m)


def output_basis(result: AttentionResult, n: int, mode: str = "first") -> np.ndarray:
    """The part of each value vector that the figure shows, shape (n_k, m) with m <= n.

    Each output is a weighted mean of the values (its weights sum to 1), so the part of
    the outputs shown is ``weights @ basis``: the browser redraws it for a new temperature.
    """
    if mode not in COMPONENT_MODES:
        raise ValueError(f"components must be one of {sorted(COMPONENT_MODES)}, got {mode!r}")
    d_v = result.values.shape[1]
    if mode == "first":
        return result.values[:, : min(n, d_v)]
    center = result.values.mean(axis=0)  # (d_v,)
    # rows of vt are the directions of largest spread of the value vectors
    _, _, vt = np.linalg.svd(result.values - center, full_matrices=False)  # vt: (min(n_k, d_v), d_v)
    # (output - center) @ vt.T equals weights @ ((values - center) @ vt.T), as each row of weights sums to 1
    return (result.values - center) @ vt[: min(n, vt.shape[0])].T  # (n_k, d_v) @ (d_v, m) -> (n_k, m)


def attention_figure(
    result: AttentionResult,
    query_tokens: list[str],
    key_tokens: list[str],
    options: FigureOptions | None = None,
) -> go.Figure:
    """Draw attention weights as a heatmap with each query's output vector beside it
    (``attention_figure_spec`` as a Plotly figure)."""
    return go.Figure(attention_figure_spec(result, query_tokens, key_tokens, options))


def attention_figure_spec(
    result: AttentionResult,
    query_tokens: list[str],
    key_tokens: list[str],
    options: FigureOptions | None = None,
) -> dict:
    """Draw attention weights as a heatmap with each query's output vector beside it, as a plain
    Plotly figure dict (``{"data": [...], "layout": {...}}``: plotly.js reads it as it is, and
    building it skips plotly.py's checks, which cost more than the drawing itself).

    Args:
        result: what ``scaled_dot_product_attention`` returned.
        query_tokens: one label per query (row of ``result.weights``).
        key_tokens: one label per key (column of ``result.weights``).
        options: layout and display choices.

    Returns:
        A figure whose first trace is the attention heatmap. In the lecture's
        layout its z is ``weights.T`` (rows are keys, columns are queries, each
        column sums to 1); transposed, z is ``weights`` and each row sums to 1.
        A second heatmap trace, when components are shown, holds the output vectors.
    """
    options = options or FigureOptions()
    n_q, n_k = result.weights.shape
    if len(query_tokens) != n_q or len(key_tokens) != n_k:
        raise ValueError(
            f"attention has {n_q} queries and {n_k} keys, but {len(query_tokens)} query tokens "
            f"and {len(key_tokens)} key tokens were given"
        )
    q_labels, k_labels = axis_labels(query_tokens), axis_labels(key_tokens)
    q_title = html.escape(text("fig.query", options.lang, role=options.query_role), quote=False)
    k_title = html.escape(text("fig.key", options.lang, role=options.key_role), quote=False)

    components, names = (
        output_components(result, options.n_components, options.components) if options.n_components > 0 else (None, [])
    )
    strip = len(names) * STRIP_CELL_RATIO  # output cells are flatter than weight cells
    # the grid and the strip in cells, columns across and rows down; the strip keeps MIN_STRIP_SHARE of them
    strip_cells = max(strip, (n_q if options.transpose else n_k) * MIN_STRIP_SHARE) if strip else 0
    cols, rows = (n_k + strip_cells, n_q) if options.transpose else (n_q, n_k + strip_cells)
    tick_size = round((16 if max(n_q, n_k) <= 20 else 11) * options.font_scale)
    cell_w, cell_h = _cell_sizes(max(n_q, n_k), cols, rows, tick_size, options)
    step = int(np.ceil(max(n_q, n_k) / 64))  # label every token while they fit, else every step-th
    # nested dicts, not plotly.py's "title_text" shorthand: plotly.js reads this dict as it is
    axis = dict(type="category", automargin=True, tickfont=dict(size=tick_size), dtick=step)

    def title(words: str) -> dict:
        return dict(text=words, font=dict(size=tick_size + 1))

    gap = 0.03 if strip else 0.0
    # of the height (or width) that the weights take; the strip keeps at least MIN_STRIP_SHARE to stay visible
    share = min(n_k / (n_k + strip), 1 - MIN_STRIP_SHARE) if strip else 1.0
    # The layout is written out as one dict: Plotly then checks it once, instead of once per
    # update_* call, which makes building a figure several times faster.
    column_angle = _tick_angle(k_labels if options.transpose else q_labels, cell_w, tick_size)
    if options.transpose:
        x_weights = dict(axis, domain=[0, share - gap / 2 if strip else 1], side="top", title=title(k_title))
        layout = dict(
            xaxis=dict(x_weights, tickangle=column_angle),
            yaxis=dict(axis, autorange="reversed", title=title(q_title)),
            xaxis2=dict(
                axis,
                domain=[share + gap / 2, 1],
                side="top",
                anchor="y2",
                title=title(text("fig.output", options.lang)),
            ),
            yaxis2=dict(axis, autorange="reversed", matches="y", anchor="x2", showticklabels=False),
        )
    else:
        layout = dict(
            xaxis=dict(axis, side="top", title=title(q_title), tickangle=column_angle),
            yaxis=dict(
                axis, autorange="reversed", domain=[1 - share + gap / 2 if strip else 0, 1], title=title(k_title)
            ),
            # under the strip the queries' labels again, except on a projector, whose height the strip needs
            xaxis2=dict(axis, matches="x", anchor="y2", tickangle=column_angle, showticklabels=not options.fill_width),
            yaxis2=dict(
                axis,
                anchor="x2",
                autorange="reversed",
                domain=[0, 1 - share - gap / 2],
                title=title(text("fig.output", options.lang)),
            ),
        )
    if not strip:
        del layout["xaxis2"], layout["yaxis2"]
    rows_px, cols_px = rows * cell_h, cols * cell_w
    traces = [_weights_trace(result, q_labels, k_labels, options)]
    if strip:
        traces.append(_output_trace(components, names, q_labels, result.output.shape[1], options))
    return dict(
        data=traces,
        layout=dict(
            layout,
            height=int(rows_px + TOP_ROOM * options.font_scale),
            width=int(cols_px + (SIDE_ROOM if options.target_width is None else PAGE_SIDE_ROOM) * options.font_scale),
            margin=dict(l=10, r=10, t=10, b=10),
            plot_bgcolor="white",
            font=dict(size=round((14 if max(n_q, n_k) <= 20 else 11) * options.font_scale)),
        ),
    )


def _weights_trace(result: AttentionResult, q_labels: list[str], k_labels: list[str], options: FigureOptions) -> dict:
    # customdata carries the raw and the scaled score of every cell as one float32
    # array, so hovering costs 8 bytes a cell and no per-cell strings.
    scores = np.stack([result.scores, result.scaled], axis=-1).astype(np.float32)  # (n_q, n_k, 2)
    weights = result.weights.astype(np.float32)  # (n_q, n_k)
    word = partial(text, lang=options.lang)
    if options.transpose:
        z, custom, x, y = weights, scores, k_labels, q_labels
        who = f"{word('fig.word.query')}: %{{y}}<br>{word('fig.word.key')}: %{{x}}"
    else:
        z, custom, x, y = weights.T, scores.transpose(1, 0, 2), q_labels, k_labels
        who = f"{word('fig.word.query')}: %{{x}}<br>{word('fig.word.key')}: %{{y}}"
    scale_text = scale_description(
        bool(np.isclose(result.scale, 1 / np.sqrt(result.d_k))), result.temperature, options.lang
    )
    # 0 is white and 1 the darkest colour, so that a colour means the same weight in every figure;
    # fitted, the colours run from the smallest weight shown to the largest (the colour bar says so).
    low, high = weight_range(weights, result.mask, options.fit_colors)
    title = word("fig.weight_fitted", low=low, high=high) if options.fit_colors else word("fig.weight")
    return dict(
        type="heatmap",
        z=z,
        x=x,
        y=y,
        customdata=custom,
        zmin=low,
        zmax=high if high > low else low + 1e-9,
        colorscale=colorscale(WEIGHT_SCALES.get(options.colorscale, WEIGHT_COLORS)),
        colorbar=dict(title=dict(text=title, side="right"), thickness=14, len=0.6, y=1.0, yanchor="top"),
        **_gaps(max(len(x), len(y))),
        texttemplate="%{z:.2f}" if options.show_values else None,
        hovertemplate=(
            f"{who}<br>{word('fig.hover.raw')} = %{{customdata[0]:.3f}}"
            f"<br>{word('fig.hover.scaled')} {scale_text} = %{{customdata[1]:.3f}}"
            f"<br>{word('fig.hover.weight')} = %{{z:.3f}}<extra></extra>"
        ),
        name=text("fig.weight", options.lang),
    )


def weight_range(weights: np.ndarray, allowed: np.ndarray, fit: bool) -> tuple[float, float]:
    """The colour range of attention weights: 0 to 1, or fitted to the smallest allowed weight and the largest."""
    if not fit:
        return 0.0, 1.0
    return float(weights[allowed].min()), float(weights.max())


TEMPERATURE_NOTE = " / T (T = {})"  # after the scaling's description, when the temperature is not 1


def scale_description(by_sqrt_dk: bool, temperature: float, lang: str = "en") -> str:
    """How the scores were scaled before softmax, in words for the hover (``q·k / √d_k / T (T = 0.5)``)."""
    words = "q·k / √d_k" if by_sqrt_dk else text("fig.hover.scale_other", lang)
    return words if temperature == 1 else words + TEMPERATURE_NOTE.format(f"{temperature:g}")


def _output_trace(
    components: np.ndarray, names: list[str], q_labels: list[str], d_v: int, options: FigureOptions
) -> dict:
    """The output vectors: under each query's column (or beside its row, transposed), on the second axes."""
    what = options.describe_components(len(names), d_v)
    values = components.astype(np.float32)  # (n_q, m)
    limit = float(np.abs(values).max()) or 1.0
    output_of = text("fig.hover.output_of", options.lang)
    if options.transpose:
        z, x, y, who = values, names, q_labels, f"{output_of} %{{y}}<br>%{{x}}"
    else:
        z, x, y, who = values.T, q_labels, names, f"{output_of} %{{x}}<br>%{{y}}"
    return dict(
        type="heatmap",
        z=z,
        x=x,
        y=y,
        xaxis="x2",
        yaxis="y2",
        colorscale=colorscale(OUTPUT_COLORS),
        zmin=-limit,
        zmax=limit,
        **_gaps(len(q_labels)),
        name=text("fig.output", options.lang),
        hovertemplate=f"{who} = %{{z:.3f}}<br>({what})<extra></extra>",
        colorbar=dict(
            title=dict(text=text("fig.output", options.lang), side="right"),
            thickness=14,
            len=0.3,
            y=0.0,
            yanchor="bottom",
        ),
    )


def colorscale(colors: list[str]) -> list[list]:
    """A list of colours as plotly.js reads a colour scale: ``[[0, first], ..., [1, last]]``."""
    return [[i / (len(colors) - 1), color] for i, color in enumerate(colors)]


def _gaps(n: int) -> dict[str, int]:
    """A white pixel between cells while they are large enough to keep their colour around it; none for
    long sentences, whose cells are a few pixels wide (plotly.js also draws a gapless heatmap much faster)."""
    gap = 1 if n <= GAPS_UP_TO else 0
    return dict(xgap=gap, ygap=gap)


def _cell_size(n: int) -> float:
    """Pixels per cell: large for a short sentence, small for a long one."""
    return float(np.clip(520 / max(n, 1), MIN_CELL, 48))


def _cell_sizes(n: int, cols: float, rows: float, tick_size: int, options: FigureOptions) -> tuple[float, float]:
    """Pixels per cell (width, height) of a grid of ``cols`` by ``rows`` cells, ``n`` tokens on its longer side.

    Without a target: square cells sized from ``n`` (a file's size). With one: cells as large as fit in
    it, room left for labels and colour bars, at most CELL_ASPECT times wider than high; filling the
    width: as wide as the target makes them, never taller than wide, and while every token is labelled
    rows at least LABEL_LINE labels high (the figure may then be taller than the target).
    The sizes depend on counts only, never on the tokens' text.
    """
    if options.target_width is None:
        cell = _cell_size(n) * options.font_scale
        return cell, cell
    wide = (options.target_width - PAGE_SIDE_ROOM * options.font_scale) / cols
    high = (options.target_height - TOP_ROOM * options.font_scale) / rows if options.target_height else wide
    if options.fill_width:
        readable = LABEL_LINE * tick_size if n <= 64 else MIN_CELL  # beyond 64 tokens labels are thinned
        return max(wide, MIN_CELL), max(min(high, wide), readable, MIN_CELL)
    cell_h = max(min(high, wide), MIN_CELL)
    return max(min(wide, CELL_ASPECT * cell_h), MIN_CELL), cell_h


def _tick_angle(labels: list[str], cell: float, font_size: int) -> int:
    """Slant the column labels when the longest would not fit in its column."""
    widest = max((len(html.unescape(label)) for label in labels), default=0) * font_size * 0.6
    return -45 if widest > cell else 0


def _thin_ticks(fig: go.Figure, n: int) -> None:
    """Label every token while they fit (Plotly would otherwise skip some on its own),
    and every k-th one when there are too many to read, instead of a black smear."""
    step = int(np.ceil(n / 64))
    fig.update_xaxes(dtick=step)
    fig.update_yaxes(dtick=step)


def weights_figure(
    weights: np.ndarray, query_tokens: list[str], key_tokens: list[str], title: str, lang: str = "en"
) -> go.Figure:
    """A bare attention map in the lecture's layout (columns are queries), e.g. the model's own.

    Args:
        weights: (n_q, n_k), rows sum to 1.
    """
    word = partial(text, lang=lang)
    q_labels, k_labels = axis_labels(query_tokens), axis_labels(key_tokens)
    n = max(weights.shape)
    cell = _cell_size(n)
    fig = go.Figure(
        go.Heatmap(
            z=weights.T.astype(np.float32),
            x=q_labels,
            y=k_labels,
            zmin=0.0,
            zmax=1.0,
            colorscale=WEIGHT_COLORS,
            xgap=1,
            ygap=1,
            colorbar=dict(title=dict(text=word("fig.weight"), side="right"), thickness=14),
            hovertemplate=f"{word('fig.word.query')}: %{{x}}<br>{word('fig.word.key')}: %{{y}}"
            f"<br>{word('fig.weight')} = %{{z:.4f}}<extra></extra>",
        )
    )
    tick_size = 16 if n <= 20 else 11
    fig.update_xaxes(
        type="category",
        side="top",
        title_text=word("fig.word.query"),
        tickangle=_tick_angle(q_labels, cell, tick_size),
        tickfont_size=tick_size,
        automargin=True,
    )
    fig.update_yaxes(
        type="category", autorange="reversed", title_text=word("fig.word.key"), tickfont_size=tick_size, automargin=True
    )
    _thin_ticks(fig, n)
    fig.update_layout(
        title=dict(text=html.escape(title, quote=False), font_size=15),
        height=int(weights.shape[1] * cell + 200),
        width=int(weights.shape[0] * cell + 260),
        margin=dict(l=10, r=10, t=60, b=10),
        plot_bgcolor="white",
    )
    return fig


def heads_grid_figure(attentions: np.ndarray, selected: tuple[int, int] | None = None, lang: str = "en") -> go.Figure:
    """Every head of every layer as small multiples: one row per layer, one column per head.

    The maps are tiled into one heatmap with a blank line between them, which
    draws far faster than 72 separate subplots. Each map is in the lecture's
    layout (columns are queries).

    Args:
        attentions: (n_layers, n_heads, n, n), each map's rows sum to 1.
        selected: (layer, head) to outline.

    Maps longer than MAX_TILE tokens are shrunk by averaging blocks of cells,
    so that a 512-token sentence still makes a small figure.
    """
    word = partial(text, lang=lang)
    attentions, block = _shrink(attentions, MAX_TILE)
    n_layers, n_heads, n, _ = attentions.shape
    step = n + 1  # one blank row and column between maps
    tiles = np.full((n_layers * step - 1, n_heads * step - 1), np.nan, dtype=np.float32)
    where = np.zeros((*tiles.shape, 4), dtype=np.int16)  # layer, head, query, key of every cell
    queries, keys = np.meshgrid(np.arange(n), np.arange(n))  # (n, n): column = query, row = key
    for layer in range(n_layers):
        for head in range(n_heads):
            rows, cols = slice(layer * step, layer * step + n), slice(head * step, head * step + n)
            tiles[rows, cols] = attentions[layer, head].T
            cell = np.stack([np.full_like(queries, layer), np.full_like(queries, head), queries, keys], -1)
            where[rows, cols] = cell * np.array([1, 1, block, block])
    fig = go.Figure(
        go.Heatmap(
            z=tiles,
            customdata=where,
            zmin=0.0,
            zmax=1.0,
            colorscale=WEIGHT_COLORS,
            colorbar=dict(title=dict(text=word("fig.weight"), side="right"), thickness=12),
            hovertemplate=f"{word('fig.word.layer')} %{{customdata[0]}}, {word('fig.word.head')} %{{customdata[1]}}"
            f"<br>{word('fig.word.query')} %{{customdata[2]}} → {word('fig.word.key')} %{{customdata[3]}}"
            + (word("fig.hover.block", block=block) if block > 1 else "")
            + f"<br>{word('fig.weight')} = %{{z:.3f}}<extra></extra>",
            hoverongaps=False,
        )
    )
    centers = np.arange(n_heads) * step + (n - 1) / 2
    fig.update_xaxes(
        tickvals=centers,
        ticktext=[f"{word('fig.word.head')} {h}" for h in range(n_heads)],
        side="top",
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(
        tickvals=np.arange(n_layers) * step + (n - 1) / 2,
        ticktext=[f"{word('fig.word.layer')} {layer}" for layer in range(n_layers)],
        autorange="reversed",
        showgrid=False,
        zeroline=False,
    )
    if selected is not None:
        layer, head = selected
        fig.add_shape(
            type="rect",
            x0=head * step - 0.5,
            x1=head * step + n - 0.5,
            y0=layer * step - 0.5,
            y1=layer * step + n - 0.5,
            line=dict(color="#6a3d9a", width=3),
        )
    fig.update_layout(height=95 * n_layers + 90, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white")
    return fig


def _shrink(maps: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Average (…, n, n) maps over b×b blocks so that they are at most size×size; returns (maps, b)."""
    n = maps.shape[-1]
    block = int(np.ceil(n / size))
    if block == 1:
        return maps, 1
    m = int(np.ceil(n / block))
    padded = np.full((*maps.shape[:-2], m * block, m * block), np.nan, dtype=np.float32)
    padded[..., :n, :n] = maps
    blocks = padded.reshape(*maps.shape[:-2], m, block, m, block)
    return np.nanmean(blocks, axis=(-3, -1)), block


def concatenated_output_figure(output: np.ndarray, tokens: list[str], d_head: int, lang: str = "en") -> go.Figure:
    """The heads' outputs side by side: one row per token, one column per component, a line between heads.

    Args:
        output: (n, n_heads * d_head), head h owns columns h*d_head to (h+1)*d_head.
    """
    word = partial(text, lang=lang)
    limit = float(np.abs(output).max()) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=output.astype(np.float32),
            y=axis_labels(tokens),
            colorscale=OUTPUT_COLORS,
            zmin=-limit,
            zmax=limit,
            colorbar=dict(title=dict(text=word("fig.output"), side="right"), thickness=12),
            hovertemplate=f"{word('fig.word.token')}: %{{y}}<br>{word('fig.word.component')} %{{x}} "
            f"({word('fig.word.head')} %{{customdata}})<br>%{{z:.3f}}<extra></extra>",
            customdata=np.broadcast_to(np.arange(output.shape[1]) // d_head, output.shape).astype(np.int16),
        )
    )
    fig.update_layout(
        shapes=[
            dict(type="line", x0=b - 0.5, x1=b - 0.5, y0=0, y1=1, yref="paper", line=dict(width=1.5, color="#333"))
            for b in range(d_head, output.shape[1], d_head)
        ]
    )
    fig.update_yaxes(type="category", autorange="reversed", automargin=True)
    fig.update_xaxes(title_text=word("fig.head_axis", d=d_head, last=d_head - 1))
    fig.update_layout(height=max(16 * len(tokens), 120) + 120, margin=dict(l=10, r=10, t=10, b=10))
    return fig
