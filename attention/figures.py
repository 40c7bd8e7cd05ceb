"""Plotly figures in the lecture's layout: data in, ``plotly.graph_objects.Figure`` out.

The lecture draws one column per query and one row per key, darker meaning a
higher weight, with each query's output vector in purple under its column.
Nothing here computes attention; it only draws an AttentionResult. Colours, sizes,
axes and hover text come from ``attention.style``.

The attention heatmap is made in two steps: ``heatmap_data`` (the plain fields the live
heatmap's payload carries too) and ``attention.heatmap.render`` (the display settings).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import plotly.graph_objects as go

from attention.core import AttentionResult
from attention.heatmap import LAYOUTS, render
from attention.i18n import text
from attention.options import COMPONENT_MODES, FigureOptions
from attention.style import (
    LABELLED,
    LINE,
    MIN_CELL,
    MIN_TICK,
    OUTPUT_COLORS,
    PURPLE,
    WEIGHT_COLORS,
    WEIGHT_SCALES,
    axis_labels,
    category_axis,
    colorbar,
    colorscale,
    column_angle,
    escaped,
    fits,
    font_size,
    gaps,
    hover,
    label_depth,
    label_rule,
    label_width,
    layout,
    tick_size,
    title_above,
)
from attention.style import LINE_HEIGHT as LABEL_HEIGHT
from attention.style import cell_size as square_cell

MAX_TILE = 48  # longest side of one map in the grid of every head
ROW_PX = 16  # a token's row in the heads' concatenated output
CJK_LINE = 1.45  # font sizes: a line of Korean labels as Chromium draws it (their boxes measure 1.43)
STRIP_CELL_RATIO = 0.6
MIN_STRIP_SHARE = 0.08
# Room around the grid at normal size (times font_scale): tick labels, axis titles, colour bars. A file
# keeps SIDE_ROOM; a figure for a page counts what the labels and colour bars take there, PAGE_SIDE_ROOM.
SIDE_ROOM = 300
PAGE_SIDE_ROOM = 200
TOP_ROOM = 220
COLORBAR_ROOM = 90  # px: a colour bar, its numbers and its title, beside a map
CELL_ASPECT = 1.5  # a square-ish cell is at most this much wider than high
LABEL_LINE = 1.25  # a row of a projected figure is at least this many times its labels' font size high
TEMPERATURE_NOTE = " / T (T = {temperature:g})"  # after the scaling's description, when the temperature is not 1


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


def component_names(n: int, mode: str) -> list[str]:
    """The output strip's labels of ``n`` components: v1, v2, ... as they are, PC1, PC2, ... projected."""
    return [f"{'v' if mode == 'first' else 'PC'}{i + 1}" for i in range(n)]


def display_of_result(result: AttentionResult, options: FigureOptions) -> dict[str, object]:
    """The display settings that ``result`` was computed with and ``options`` draw with. The scale is √d_k's
    or none, the app's two choices (a result scaled otherwise is drawn as scaled by 1)."""
    return {
        "temperature": result.temperature,
        "scale": bool(np.isclose(result.scale, 1 / np.sqrt(result.d_k))),
        "transpose": options.transpose,
        "show_values": options.show_values,
        "colors": options.colorscale,
        "fit_colors": options.fit_colors,
    }


# --- the data --------------------------------------------------------------------------------


def heatmap_data(
    result: AttentionResult, query_tokens: list[str], key_tokens: list[str], options: FigureOptions
) -> dict:
    """The plain fields of the heatmap of ``result``, for ``attention.heatmap.render`` (its module's text lists
    them); ``options``' display fields do not matter. The live heatmap's payload is this data."""
    n_q, n_k = result.scores.shape
    if len(query_tokens) != n_q or len(key_tokens) != n_k:
        raise ValueError(
            f"attention has {n_q} queries and {n_k} keys, but {len(query_tokens)} query tokens "
            f"and {len(key_tokens)} key tokens were given"
        )
    queries, keys = axis_labels(query_tokens, options.lang), axis_labels(key_tokens, options.lang)
    basis = output_basis(result, options.n_components, options.components) if options.n_components > 0 else None
    names = component_names(basis.shape[1], options.components) if basis is not None else []
    data = {
        "scores": result.scores.astype(np.float64),  # (n_q, n_k)
        "d_k": result.d_k,
        "queries": queries,
        "keys": keys,
        "components": names,
        "words": _words(options, len(names), result.values.shape[1]),
        "colorscales": {name: colorscale(colors) for name, colors in WEIGHT_SCALES.items()},
        "output_colors": colorscale(OUTPUT_COLORS),
        "sizes": _sizes(queries, keys, len(names), options),
    }
    if not result.mask.all():
        data["allowed"] = result.mask.astype(np.uint8)  # (n_q, n_k)
    if basis is not None:
        data["basis"] = basis.astype(np.float64)  # (n_k, m)
    return data


def _words(options: FigureOptions, m: int, d_v: int) -> dict[str, str]:
    """Every word the figure shows, in its language (``weight_fitted`` and ``temperature`` are templates)."""

    def word(key: str, **values) -> str:
        return text(key, options.lang, **values)

    return {
        "query_title": escaped(word("fig.query", role=options.query_role)),
        "key_title": escaped(word("fig.key", role=options.key_role)),
        "output": word("fig.output"),
        "weight": word("fig.weight"),
        "weight_fitted": word("fig.weight_fitted"),  # {low:.2f}, {high:.2f}
        "query": word("fig.word.query"),
        "key": word("fig.word.key"),
        "raw": word("fig.hover.raw"),
        "scaled": word("fig.hover.scaled"),
        "softmax": word("fig.hover.weight"),
        "output_of": word("fig.hover.output_of"),
        "components": options.describe_components(m, d_v) if m else "",
        "scale_sqrt": "q·k / √d_k",
        "scale_other": word("fig.hover.scale_other"),
        "temperature": TEMPERATURE_NOTE,  # {temperature:g}
    }


def _sizes(queries: list[str], keys: list[str], m: int, options: FigureOptions) -> dict:
    """Text sizes, label steps, gaps and the strip's share, and each layout's size in pixels and column label angle.

    The labels' size and step are ``label_rule``'s for the cells of both layouts (the smaller size, the larger
    step), so that no two labels touch in either; the output strip's component names have a size of their own,
    as its rows (columns, transposed) are flatter than a cell.
    """
    n_q, n_k = len(queries), len(keys)
    n = max(n_q, n_k)
    strip = m * STRIP_CELL_RATIO  # output cells are flatter than weight cells
    side_room = SIDE_ROOM if options.target_width is None else PAGE_SIDE_ROOM
    names = component_names(m, options.components)
    grids, rules, strip_labels = {}, [], []
    for name, transpose in LAYOUTS.items():
        # the grid and the strip in cells, columns across and rows down; the strip keeps MIN_STRIP_SHARE of them
        strip_cells = max(strip, (n_q if transpose else n_k) * MIN_STRIP_SHARE) if strip else 0
        cols, rows = (n_k + strip_cells, n_q) if transpose else (n_q, n_k + strip_cells)
        cell_w, cell_h = _cell_sizes(n, cols, rows, tick_size(n, options.font_scale), options)
        columns = keys if transpose else queries
        grids[name] = (cols, rows, cell_w, columns)
        rules.append(label_rule(columns, cell_w, cell_h, n, options.font_scale))
        if m:  # the strip's m components, each STRIP_CELL_RATIO of a cell or more: their names' own size
            thin = strip_cells / m
            strip_labels.append(_strip_labels(names, transpose, cell_w * thin, cell_h * thin, rules[-1].size, options))
    tick, step = min(rule.size for rule in rules), max(rule.step for rule in rules)
    sizes = {
        "tick": tick,
        # the output strip's component names (v1, v2, ...): their size and step
        "strip_tick": min([tick, *(size for size, _ in strip_labels)]),
        "strip_step": max([1, *(step for _, step in strip_labels)]),
        "font": font_size(n, options.font_scale),
        "step": step,
        "gap": gaps(n)["xgap"],
        "strip_gap": gaps(n_q)["xgap"],
        # of the height (or width) that the weights take; the strip keeps at least MIN_STRIP_SHARE to stay visible
        "share": min(n_k / (n_k + strip), 1 - MIN_STRIP_SHARE) if strip else 1.0,
        # under the strip the queries' labels again, except on a projector, whose height the strip needs
        "strip_labels": not options.fill_width,
    }
    for name, (cols, rows, cell_w, columns) in grids.items():
        cell_h = _cell_sizes(n, cols, rows, tick_size(n, options.font_scale), options)[1]
        sizes[name] = {
            "height": int(rows * cell_h + TOP_ROOM * options.font_scale),
            "width": int(cols * cell_w + side_room * options.font_scale),
            "angle": column_angle(columns[::step], cell_w * step, tick),
        }
    return sizes


def _strip_labels(names: list[str], transpose: bool, across: float, down: float, tick: int, options) -> tuple[int, int]:
    """The size of the strip's component names, at most ``tick``, and which of them are labelled (every step-th):
    rows ``down`` px high in the lecture's layout (names one under another), columns ``across`` px wide transposed
    (names flat, side by side)."""
    smallest = max(round(MIN_TICK * options.font_scale), 1)
    for step in range(1, len(names) + 1):
        for size in range(tick, smallest - 1, -1):
            if fits(names[::step], across * step, size, 0) if transpose else down * step >= LABEL_HEIGHT * size:
                return size, step
    return smallest, max(len(names), 1)


def _cell_sizes(n: int, cols: float, rows: float, tick: int, options: FigureOptions) -> tuple[float, float]:
    """Pixels per cell (width, height) of a grid of ``cols`` by ``rows`` cells, ``n`` tokens on its longer side.

    Without a target: square cells sized from ``n`` (a file's size). With one: cells as large as fit in
    it, room left for labels and colour bars, at most CELL_ASPECT times wider than high; filling the
    width: as wide as the target makes them, never taller than wide, and while every token is labelled
    rows at least LABEL_LINE labels high (the figure may then be taller than the target).
    The sizes depend on counts only, never on the tokens' text.
    """
    if options.target_width is None:
        cell = square_cell(n) * options.font_scale
        return cell, cell
    wide = (options.target_width - PAGE_SIDE_ROOM * options.font_scale) / cols
    high = (options.target_height - TOP_ROOM * options.font_scale) / rows if options.target_height else wide
    if options.fill_width:
        readable = LABEL_LINE * tick if n <= LABELLED else MIN_CELL  # beyond, labels are thinned
        return max(wide, MIN_CELL), max(min(high, wide), readable, MIN_CELL)
    cell_h = max(min(high, wide), MIN_CELL)
    return max(min(wide, CELL_ASPECT * cell_h), MIN_CELL), cell_h


def output_components(result: AttentionResult, n: int, mode: str = "first") -> tuple[np.ndarray, list[str]]:
    """The part of each output vector that the figure shows.

    Returns:
        (components, names): components has shape (n_q, m) with m <= n, and
        names labels the m components.
    """
    basis = output_basis(result, n, mode)  # (n_k, m)
    m = basis.shape[1]
    if mode == "first":
        return result.output[:, :m], component_names(m, mode)
    return result.weights @ basis, component_names(m, mode)  # (n_q, n_k) @ (n_k, m) -> (n_q, m)


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
        ``attention.heatmap.render``'s figure of ``heatmap_data`` under the result's own scaling and
        the options' display, its cells as float32 (half the JSON).
    """
    options = options or FigureOptions()
    data = heatmap_data(result, query_tokens, key_tokens, options)
    return render(data, display_of_result(result, options), cells=np.float32)


def weights_figure(
    weights: np.ndarray,
    query_tokens: list[str],
    key_tokens: list[str],
    title: str,
    lang: str = "en",
    font_scale: float = 1.0,
    width: int | None = None,
) -> go.Figure:
    """A bare attention map in the lecture's layout (columns are queries), e.g. the model's own.

    Args:
        weights: (n_q, n_k), rows sum to 1.
        font_scale: text size relative to normal (1.5 on a projector): the labels, and the cells with them.
        width: the most pixels the figure may take (e.g. half of a projected page): its cells shrink to fit
            it, room left for the key labels and the colour bar, and the labels follow the cells seen.
            None: cells sized from the number of tokens alone.
    """
    word = partial(text, lang=lang)
    q_labels, k_labels = axis_labels(query_tokens, lang), axis_labels(key_tokens, lang)
    n = max(weights.shape)
    cell = square_cell(n) * font_scale
    labels = label_rule(q_labels, cell, cell, n, font_scale)
    if width is not None:  # twice: the room the key labels take depends on their size, which depends on the cells
        for _ in range(2):
            widest = max((label_width(label, labels.size) for label in k_labels[:: labels.step]), default=0)
            room = widest + 1.4 * (labels.size + 1) + 10 + COLORBAR_ROOM + 40
            cell = max(min(cell, (width - room) / max(weights.shape[0], 1)), MIN_CELL)
            labels = label_rule(q_labels, cell, cell, n, font_scale)
    heading, top = title_above(title, q_labels, labels)
    grid = dict(
        type="heatmap",
        z=weights.T.astype(np.float32),
        x=q_labels,
        y=k_labels,
        zmin=0.0,
        zmax=1.0,
        colorscale=WEIGHT_COLORS,
        xgap=1,
        ygap=1,
        colorbar=colorbar(word("fig.weight")),
        hovertemplate=hover(
            f"{word('fig.word.query')}: %{{x}}", f"{word('fig.word.key')}: %{{y}}", f"{word('fig.weight')} = %{{z:.4f}}"
        ),
    )
    return go.Figure(
        data=[grid],
        layout=layout(
            weights.shape[1] * cell + 140 + top,
            weights.shape[0] * cell + 260 if width is None else width,
            title=heading,
            margin=dict(l=10, r=10, t=top, b=10),
            xaxis=category_axis(
                n, labels.size, labels.step, side="top", title=dict(text=word("fig.word.query")), tickangle=labels.angle
            ),
            yaxis=category_axis(
                n, labels.size, labels.step, autorange="reversed", title=dict(text=word("fig.word.key"))
            ),
        ),
    )


GRID_WIDTH = 700  # px: plotly.js's width of a figure that names none (the heads' grid, a page's column)


def heads_grid_figure(
    attentions: np.ndarray, selected: tuple[int, int] | None = None, lang: str = "en", font_scale: float = 1.0
) -> go.Figure:
    """Every head of every layer as small multiples: one row per layer, one column per head.

    The maps are tiled into one heatmap with a blank line between them, which
    draws far faster than 72 separate subplots. Each map is in the lecture's
    layout (columns are queries, rows keys); a cross-attention map is as wide as
    its queries and as high as its keys.

    Args:
        attentions: (n_layers, n_heads, n_q, n_k), each map's rows sum to 1 (n_q = n_k for self attention).
        selected: (layer, head) to outline.
        font_scale: larger labels on a projector (1.5), flat, slanted or upright as ``label_rule`` finds room.

    Maps longer than MAX_TILE tokens are shrunk by averaging blocks of cells,
    so that a 512-token sentence still makes a small figure.
    """
    word = partial(text, lang=lang)
    attentions, block = _shrink(attentions, MAX_TILE)
    n_layers, n_heads, n_q, n_k = attentions.shape
    across, down = n_q + 1, n_k + 1  # one blank column and row between maps
    tiles = np.full((n_layers * down - 1, n_heads * across - 1), np.nan, dtype=np.float32)
    where = np.zeros((*tiles.shape, 4), dtype=np.int16)  # layer, head, query, key of every cell
    queries, keys = np.meshgrid(np.arange(n_q), np.arange(n_k))  # (n_k, n_q): column = query, row = key
    for layer in range(n_layers):
        for head in range(n_heads):
            rows, cols = slice(layer * down, layer * down + n_k), slice(head * across, head * across + n_q)
            tiles[rows, cols] = attentions[layer, head].T
            cell = np.stack([np.full_like(queries, layer), np.full_like(queries, head), queries, keys], -1)
            where[rows, cols] = cell * np.array([1, 1, block, block])
    grid = dict(
        type="heatmap",
        z=tiles,
        customdata=where,
        zmin=0.0,
        zmax=1.0,
        colorscale=WEIGHT_COLORS,
        colorbar=colorbar(word("fig.weight"), thickness=12),
        hovertemplate=hover(
            f"{word('fig.word.layer')} %{{customdata[0]}}, {word('fig.word.head')} %{{customdata[1]}}",
            f"{word('fig.word.query')} %{{customdata[2]}} → {word('fig.word.key')} %{{customdata[3]}}"
            + (word("fig.hover.block", block=block) if block > 1 else ""),
            f"{word('fig.weight')} = %{{z:.3f}}",
        ),
        hoverongaps=False,
    )

    def tiles_axis(count: int, step: int, n: int, name: str, **more) -> dict:
        """One labelled tick at the middle of each layer's (or head's) maps."""
        names = [f"{word(name)} {i}" for i in range(count)]
        return dict(
            tickvals=np.arange(count) * step + (n - 1) / 2, ticktext=names, **more, showgrid=False, zeroline=False
        )

    more = {}
    if selected is not None:
        layer, head = selected
        x0, y0 = head * across - 0.5, layer * down - 0.5
        outline = dict(type="rect", x0=x0, x1=x0 + n_q, y0=y0, y1=y0 + n_k, line=dict(color=PURPLE, width=3))
        more["shapes"] = [outline]
    heads = [f"{word('fig.word.head')} {i}" for i in range(n_heads)]
    tall = float(np.clip(n_k / n_q, 0.5, 2.0))  # a layer's row of maps: as high as a square one times this
    tile_height = round(95 * tall)  # px per layer, as the figure's height says
    rule = label_rule(heads, (GRID_WIDTH - 120 * font_scale) / n_heads, tile_height, max(n_layers, n_heads), font_scale)
    font = dict(size=rule.size) if font_scale != 1 else None
    return go.Figure(
        data=[grid],
        layout=layout(
            tile_height * n_layers + 90 * font_scale,
            margin=dict(l=10, r=10, t=round(30 * font_scale), b=10),
            xaxis=tiles_axis(
                n_heads, across, n_q, "fig.word.head", side="top", tickfont=font, tickangle=font and rule.angle
            ),
            yaxis=tiles_axis(n_layers, down, n_k, "fig.word.layer", autorange="reversed", tickfont=font),
            **more,
        ),
    )


def _shrink(maps: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Average (…, n_q, n_k) maps over b×b blocks so that neither side is longer than size; returns (maps, b)."""
    n_q, n_k = maps.shape[-2:]
    block = int(np.ceil(max(n_q, n_k) / size))
    if block == 1:
        return maps, 1
    m_q, m_k = int(np.ceil(n_q / block)), int(np.ceil(n_k / block))
    padded = np.full((*maps.shape[:-2], m_q * block, m_k * block), np.nan, dtype=np.float32)
    padded[..., :n_q, :n_k] = maps
    blocks = padded.reshape(*maps.shape[:-2], m_q, block, m_k, block)
    return np.nanmean(blocks, axis=(-3, -1)), block


SPLIT_MAP_PX = 95  # px (times font_scale): a map above its block, as high as a layer's in the grid of every head
SPLIT_GAP = 14  # px between the row of maps and the output under it (times font_scale)


def split_heads_figure(
    weights: np.ndarray,
    output: np.ndarray,
    tokens: list[str],
    d_head: int,
    lang: str = "en",
    font_scale: float = 1.0,
    selected_head: int | None = None,
) -> go.Figure:
    """Multi-head attention in one layer: split, attend, concatenate. Each head's map stands straight above the
    d_head components of the output that it made.

    Both rows share one x axis counted in output components, so that head h's map covers exactly the columns
    h*d_head - 0.5 to (h + 1)*d_head - 0.5 of the output under it, at any width the figure is drawn: two figures
    one above the other would not line up, as their tick labels and colour bars take different margins.

    Args:
        weights: (n_heads, n, n), head h's weights[h, i, j]: how much query i attends to key j; each row sums to 1.
        output: (n, n_heads * d_head), the heads' outputs side by side: head h owns columns h*d_head to
            (h + 1)*d_head - 1.
        tokens: the n tokens, queries and keys alike (self attention).
        d_head: length of one head's output vector.
        font_scale: text size relative to normal (1.5 on a projector).
        selected_head: the head whose column (map and block) is outlined, or None.

    Returns:
        A figure of n_heads heatmaps of weights (one per head, drawn in the lecture's layout: columns are
        queries, rows keys; longer than MAX_TILE tokens averaged over blocks of cells), then one heatmap of
        ``output``, as it is.

    Raises:
        ValueError: shapes that do not agree, naming both numbers.
    """
    n_heads, n_q, n_k = weights.shape
    if output.shape != (n_q, n_heads * d_head):
        raise ValueError(
            f"{n_heads} heads of {d_head} components make {n_heads * d_head} output columns for {n_q} queries, "
            f"but the output has shape {output.shape}"
        )
    if len(tokens) != n_q or n_q != n_k:
        raise ValueError(f"self attention of {n_q} queries and {n_k} keys, but {len(tokens)} tokens were given")
    word = partial(text, lang=lang)
    labels = axis_labels(tokens, lang)
    width = n_heads * d_head  # output components: the shared x axis runs from -0.5 to width - 0.5
    maps, block = _shrink(weights, MAX_TILE)  # (n_heads, m_q, m_k): at most MAX_TILE cells a side
    m_q, m_k = maps.shape[1:]
    heads = [str(h) for h in range(n_heads)]  # numbers under the axis title "head": flat in a block's width
    starts = [str(h * d_head) for h in range(n_heads)]  # the output's ticks: each head's first component

    # Sizes in pixels, on a page GRID_WIDTH wide: the token labels on the left and the colour bars on the right
    # leave the rest to the n_heads blocks, about 45 px each; the maps are taller than wide, as in the grid of every
    # head, so that their patterns show.
    row = ROW_PX * font_scale  # a token's row of the output
    rows = label_rule([], GRID_WIDTH, row * LABEL_HEIGHT / CJK_LINE, n_q, font_scale)
    widest = max((label_width(label, rows.size) for label in labels[:: rows.step]), default=0)
    block_px = max(GRID_WIDTH - widest - COLORBAR_ROOM * font_scale - 40, n_heads) / n_heads
    map_px = SPLIT_MAP_PX * font_scale
    names = label_rule(heads, block_px, map_px, n_heads, font_scale)
    components = label_rule(starts, block_px, map_px, n_heads, font_scale)
    output_px = max(row * n_q, 60 * font_scale)
    gap_px = SPLIT_GAP * font_scale
    plot_px = map_px + gap_px + output_px
    maps_bottom, output_top = 1 - map_px / plot_px, output_px / plot_px  # the rows' domains, as parts of the plot

    def map_trace(h: int) -> dict:
        """Head h's map, its m_q columns spread evenly over the d_head components of head h's block."""
        step = d_head / m_q
        queries = np.broadcast_to(np.array(labels[::block], dtype=object), (m_k, m_q))
        keys = np.broadcast_to(np.array(labels[::block], dtype=object)[:, None], (m_k, m_q))
        return dict(
            type="heatmap",
            z=maps[h].T.astype(np.float32),  # (m_k, m_q): a column per query, a row per key
            x0=h * d_head - 0.5 + step / 2,
            dx=step,
            y0=0,
            dy=1,
            xaxis="x2",
            yaxis="y2",
            zmin=0.0,
            zmax=1.0,
            colorscale=WEIGHT_COLORS,
            colorbar=colorbar(word("fig.weight"), thickness=12, y=(1 + maps_bottom) / 2, len=1 - maps_bottom),
            showscale=h == 0,
            customdata=np.stack([queries, keys], axis=-1),
            hovertemplate=hover(
                f"{word('fig.word.head')} {h}",
                f"{word('fig.word.query')}: %{{customdata[0]}} → {word('fig.word.key')}: %{{customdata[1]}}"
                + (word("fig.hover.block", block=block) if block > 1 else ""),
                f"{word('fig.weight')} = %{{z:.3f}}",
            ),
            name=f"{word('fig.word.head')} {h}",
        )

    limit = float(np.abs(output).max()) or 1.0
    concatenated = dict(
        type="heatmap",
        z=output.astype(np.float32),
        y=labels,
        colorscale=OUTPUT_COLORS,
        zmin=-limit,  # white at zero: purple above, orange below
        zmax=limit,
        colorbar=colorbar(word("fig.output"), thickness=12, y=output_top / 2, len=output_top),
        hovertemplate=hover(
            f"{word('fig.word.token')}: %{{y}}",
            f"{word('fig.word.component')} %{{x}} ({word('fig.word.head')} %{{customdata}})",
            "%{z:.3f}",
        ),
        customdata=np.broadcast_to(np.arange(width) // d_head, output.shape).astype(np.int16),
        name=word("fig.output"),
    )
    font = round(12 * font_scale)
    axis_title = 1.4 * (font + 1) + 10  # px: an axis title's line and its padding, as ``title_above`` reckons
    top, bottom = axis_title + label_depth(heads, names) + 8, axis_title + label_depth(starts, components) + 8
    return go.Figure(
        data=[*(map_trace(h) for h in range(n_heads)), concatenated],
        layout=layout(
            plot_px + top + bottom,
            margin=dict(l=10, r=10, t=round(top), b=round(bottom)),
            font=dict(size=font),
            shapes=_head_columns(n_heads, d_head, selected_head),
            xaxis=dict(
                domain=[0, 1],
                range=[-0.5, width - 0.5],
                anchor="y",
                tickvals=list(range(0, width, d_head))[:: components.step],
                ticktext=starts[:: components.step],
                tickfont=dict(size=components.size),
                tickangle=components.angle,
                automargin=True,
                showgrid=False,
                zeroline=False,
                title=dict(text=word("fig.head_axis", d=d_head, last=d_head - 1)),
            ),
            yaxis={
                **category_axis(n_q, rows.size, rows.step, autorange="reversed"),
                "domain": [0, output_top],
                "anchor": "x",
            },
            xaxis2=dict(
                matches="x",
                anchor="y2",
                side="top",
                tickvals=[h * d_head + (d_head - 1) / 2 for h in range(n_heads)][:: names.step],
                ticktext=heads[:: names.step],
                tickfont=dict(size=names.size),
                tickangle=names.angle,
                automargin=True,
                showgrid=False,
                zeroline=False,
                title=dict(text=word("fig.word.head")),
            ),
            yaxis2=dict(
                domain=[maps_bottom, 1],
                anchor="x2",
                range=[m_k - 0.5, -0.5],  # the first key at the top
                showticklabels=False,
                showgrid=False,
                zeroline=False,
            ),
        ),
    )


def _head_columns(n_heads: int, d_head: int, selected: int | None) -> list[dict]:
    """The split-heads figure's shapes: a line between each two heads through both rows, so that each column of the
    figure reads as one head (its map above its block), and the selected head's column outlined in PURPLE."""
    shapes = [
        dict(type="line", x0=b - 0.5, x1=b - 0.5, y0=0, y1=1, xref="x", yref="paper", line=dict(width=1.5, color=LINE))
        for b in range(d_head, n_heads * d_head, d_head)
    ]
    if selected is not None:
        x0 = selected * d_head - 0.5
        outline = dict(color=PURPLE, width=3)
        shapes.append(dict(type="rect", x0=x0, x1=x0 + d_head, y0=0, y1=1, xref="x", yref="paper", line=outline))
    return shapes
