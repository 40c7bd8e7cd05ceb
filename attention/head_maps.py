"""Every head's map, sent to the browser once and drawn there: the machinery the live pages share.

A page that shows one head of many (Translation, Model Heads, Next Word) sends all of its heads' maps
once, as compact bytes, and the browser picks the layer and head, averages a layer, transposes, and draws
(webapp/head_maps.js, this module's twin). A change of head is then a drawing in the browser, with no
round trip to the server.

- ``encode_maps`` / ``decode_maps``: every map of a model's layers and heads as float16 (or uint8)
  bytes, each map whole, or only its lower triangle for a causal map (Next Word);
- ``render``: the drawing contract of a head's map (queries against keys, with an optional note under
  each query's column) from plain data and the chosen view; webapp/head_maps.js's ``render`` gives the
  same figure (tests/browser/test_head_maps_contract.py holds it to this one).

Letters: L layers, H heads, Q queries, K keys.
"""

from __future__ import annotations

import numpy as np

from attention import style

MAX_NOTES = 40  # queries; beyond, the notes under the columns are in the hover only
STAGGER_FROM = 10  # queries; beyond, the notes under neighbouring columns alternate between two rows
NOTE_SIZE = 11  # px
FONT_SIZE = 12  # px: the figure's text (plotly.js's own)
TITLE_SIZE = 15  # px
SIDE_ROOM = 260  # px of a map's figure besides its cells across: the key labels, the colour bar, the margins


def map_sizes(queries: list[str], n: int, font_scale: float = 1.0, width: int | None = None) -> dict:
    """``render``'s ``sizes`` for a map whose column labels are ``queries`` (escaped), ``n`` tokens on its longer
    side: square cells and labels by the app's rule (``style.label_rule``); with ``font_scale`` > 1 (a projector)
    the cells and every text larger by that much. ``width``: the most pixels the figure may take (half of a
    projected page): the cells shrink to fit it, and the labels follow the cells seen (as Chromium draws them)."""
    cell = style.cell_size(n, span=style.GRID_SPAN * font_scale, high=style.MAX_CELL * font_scale)
    line = style.LINE_HEIGHT
    if width is not None:
        cell = max(min(cell, (width - SIDE_ROOM) / max(len(queries), 1)), 1.0)
        line = style.label_line(queries)
    labels = style.label_rule(queries, cell, cell, n, font_scale, line)
    _, top = style.title_above("", queries, labels)
    sizes = {"cell": cell, "tick": labels.size, "step": labels.step, "angle": labels.angle, "top": top}
    if font_scale != 1:
        text_sizes = (FONT_SIZE, TITLE_SIZE, NOTE_SIZE)
        sizes.update(zip(("font", "title", "note"), (round(size * font_scale) for size in text_sizes), strict=True))
        sizes["grow"] = font_scale
    return sizes


# --------------------------------------------------------------------------- the bytes


def encode_maps(weights: np.ndarray, causal: bool = False, float16_up_to: int | None = None) -> tuple[np.ndarray, dict]:
    """Every map as one compact array, and the header fields that say how to read it.

    Args:
        weights: (L, H, Q, K); ``weights[l, h, i, j]``: how much query i attends to key j; rows sum to 1.
        causal: keep only each map's lower triangle (key j <= query i), row by row: Q(Q+1)/2 numbers a map.
        float16_up_to: queries; longer maps go as uint8 (weight × 255, rounded). None: float16 always.

    Returns:
        (maps, header): maps is (L, H, Q·K) or (L, H, Q(Q+1)/2); header has ``n_layers``, ``n_heads``,
        ``n_queries``, ``n_keys``, ``causal`` and ``encoding`` ("float16" or "uint8").
    """
    n_layers, n_heads, n_q, n_k = weights.shape
    if causal:
        rows, cols = np.tril_indices(n_q)  # (i, j) with j <= i, row by row
        flat = weights[:, :, rows, cols]  # (L, H, Q(Q+1)/2)
    else:
        flat = weights.reshape(n_layers, n_heads, n_q * n_k)  # (L, H, Q·K), query-major
    if float16_up_to is None or n_q <= float16_up_to:
        maps, encoding = flat.astype(np.float16), "float16"
    else:
        maps, encoding = np.round(flat * 255).astype(np.uint8), "uint8"
    header = {
        "n_layers": n_layers,
        "n_heads": n_heads,
        "n_queries": n_q,
        "n_keys": n_k,
        "causal": causal,
        "encoding": encoding,
    }
    return maps, header


def decode_maps(header: dict, maps: np.ndarray) -> np.ndarray:
    """float64 (L, H, Q, K): the maps of ``encode_maps`` (zero above the diagonal of a causal map)."""
    n_layers, n_heads, n_q, n_k = (header[key] for key in ("n_layers", "n_heads", "n_queries", "n_keys"))
    values = maps.astype(np.float64) / (255.0 if header["encoding"] == "uint8" else 1.0)
    if not header["causal"]:
        return values.reshape(n_layers, n_heads, n_q, n_k)
    full = np.zeros((n_layers, n_heads, n_q, n_k))
    rows, cols = np.tril_indices(n_q)
    full[:, :, rows, cols] = values.reshape(n_layers, n_heads, -1)
    return full


def head_map(maps: np.ndarray, layer: int, head: int | None) -> np.ndarray:
    """float64 (Q, K): one head's map, or the average of the layer's heads when ``head`` is None."""
    weights = maps[layer].astype(np.float64)  # (H, Q, K)
    return weights.mean(axis=0) if head is None else weights[head]


# --------------------------------------------------------------------------- the figure


def title_of(data: dict, layer: int, head: int | None) -> str:
    """The figure's title: which layer and head; the marked head (``data["marked"]``) said as such."""
    words = data["words"]
    if head is None:
        return words["title_average"].format(layer=layer)
    marked = data.get("marked") == [layer, head]
    return words["title_marked" if marked else "title_head"].format(layer=layer, head=head)


def render(data: dict, weights: np.ndarray, view: dict) -> dict:
    """The figure of one map under a view, as a plain dict (``go.Figure(render(...))`` draws it).

    Args:
        data: the map's plain fields: ``queries`` and ``keys`` (axis labels, escaped), ``words`` (titles
            with {layer} and {head}, axis titles, hover words), ``sizes`` (``cell``, and the labels'
            ``tick``, ``step``, ``angle``; ``top``, the top margin; and, on a projector, ``font``, ``title``
            and ``note`` text sizes and ``grow``, how much larger than normal the text is), ``colors``
            (``weights``, a colour scale; ``notes``), ``marked`` ([layer, head] said in the title, or None), and
            optionally ``notes`` (per query: [what, how much], drawn under its column) and ``hovers`` (per query: a
            line of its cells' hover).
        weights: (Q, K); ``weights[i, j]``: how much query i attends to key j.
        view: ``layer``, ``head`` (None: the layer's average, as ``weights`` already is), ``transpose``
            (rows are queries, the conventional layout, instead of the lecture's columns-are-queries).

    Returns:
        ``{"data": [heatmap], "layout": ...}``: z is ``weights.T`` (rows: keys) in the lecture's layout,
        ``weights`` transposed; the notes stand under the columns, or beside the rows transposed.
    """
    words, sizes, colors = data["words"], data["sizes"], data["colors"]
    queries, keys = data["queries"], data["keys"]
    n_q, n_k = len(queries), len(keys)
    transpose = bool(view["transpose"])
    cell, top = sizes["cell"], sizes["top"]
    grow = sizes.get("grow", 1)  # the room for text grows with it
    width, height = int(n_q * cell + SIDE_ROOM), int(n_k * cell + 140 + top)
    hovers = data.get("hovers")
    weight = [f"{words['weight']} = %{{z:.4f}}"] + (["%{customdata}"] if hovers else [])
    axis = dict(
        type="category",
        automargin=True,
        tickfont=dict(size=sizes["tick"]),
        dtick=sizes["step"],
        ticklabeloverflow="allow",
    )
    colorbar = dict(title=dict(text=words["weight"], side="right"), thickness=14, ticklabeloverflow="allow")
    if transpose:  # rows: queries; columns: keys
        trace = dict(
            z=weights.astype(np.float32),
            x=keys,
            y=queries,
            hovertemplate=_hover(f"{words['query']}: %{{y}}", f"{words['key']}: %{{x}}", *weight),
            colorbar=dict(colorbar, thickness=12, orientation="h", y=-0.04, yanchor="top"),
        )
        if hovers:
            trace["customdata"] = [[line] * n_k for line in hovers]
        xaxis = dict(axis, side="top", title=dict(text=words["key_title"]), tickangle=-45 if n_k > 8 else 0)
        yaxis = dict(axis, autorange="reversed", title=dict(text=words["query_title"]))
        width, height = width + 140, height + 60
    else:  # the lecture's layout: columns are queries, rows keys
        trace = dict(
            z=weights.T.astype(np.float32),
            x=queries,
            y=keys,
            hovertemplate=_hover(f"{words['query']}: %{{x}}", f"{words['key']}: %{{y}}", *weight),
            colorbar=colorbar,
        )
        if hovers:
            trace["customdata"] = [list(hovers) for _ in range(n_k)]
        xaxis = dict(axis, side="top", title=dict(text=words["query_title"]), tickangle=sizes["angle"])
        yaxis = dict(axis, autorange="reversed", title=dict(text=words["key_title"]))
    trace.update(type="heatmap", zmin=0.0, zmax=1.0, colorscale=colors["weights"], xgap=1, ygap=1)
    notes = data.get("notes")
    labelled = bool(notes) and n_q <= MAX_NOTES  # with more queries, the hover alone says the notes
    stagger = labelled and not transpose and n_q > STAGGER_FROM  # narrow columns: every other note lower
    bottom, height = 10 + (110 if transpose else 40), height + 40
    right = 10 + 150 if labelled and transpose else 10
    if labelled and not transpose:
        below = (50 + 30 * stagger) * grow
        bottom, height = bottom + below, height + below
    layout = dict(
        height=height,
        width=width,
        margin=dict(l=10, r=right, t=top, b=bottom),
        plot_bgcolor="white",
        font=dict(size=sizes.get("font", FONT_SIZE)),
        # The title goes under the figure: above it, the top axis's labels and title need the room.
        title=dict(
            text=title_of(data, view["layer"], view["head"]),
            font=dict(size=sizes.get("title", TITLE_SIZE)),
            pad=dict(t=8),
            yref="container",
            y=0.01,
            yanchor="bottom",
            x=0.02,
            xanchor="left",
        ),
        xaxis=xaxis,
        yaxis=yaxis,
    )
    if labelled:
        layout["annotations"] = [
            _note(label, what, much, i, transpose, stagger, colors["notes"], sizes)
            for i, (label, (what, much)) in enumerate(zip(queries, notes, strict=True))
        ]
    return {"data": [trace], "layout": layout}


def _hover(*lines: str) -> str:
    return "<br>".join(lines) + "<extra></extra>"


def _note(label: str, what: str, much: str, i: int, transpose: bool, stagger: bool, color: str, sizes: dict) -> dict:
    """The note of query ``i`` (``label``): under its column, or beside its row transposed."""
    where = (
        dict(x=1.0, xref="paper", xanchor="left", xshift=6, y=label, yref="y", text=f"{what} {much}")
        if transpose
        else dict(
            x=label,
            xref="x",
            y=0,
            yref="paper",
            yanchor="top",
            yshift=-6 - 30 * sizes.get("grow", 1) * (stagger and i % 2),
            text=f"{what}<br>{much}",
        )
    )
    return dict(where, showarrow=False, font=dict(size=sizes.get("note", NOTE_SIZE), color=color))
