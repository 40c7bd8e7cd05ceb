"""The look every figure shares: the palette, cell and text sizes, axes, colour bars and hover text.

Every figure builder (attention, steps, heads, compare, quiz, rollout, translation) takes its
colours and sizes from here, so that a rule such as "the lecture's output vectors are purple"
or "labels are 16 px while a sentence has at most 20 tokens" is written once.
Plain Python and plotly's colour lists: no figure is built here.
"""

from __future__ import annotations

import html
from collections import Counter

import numpy as np
from plotly.colors import diverging, sequential

# --- the palette -------------------------------------------------------------------------------

PURPLE = "#6a3d9a"  # the lecture's output vectors; a positive part, a chosen cell
ORANGE = "#e08214"  # a negative part, beside PURPLE
LIGHT_BLUE = "#9ecae1"  # the cells not chosen, beside PURPLE
LINE = "#333"  # thin separating lines
BACKGROUND = "white"
# Weights: a single-hue sequential scale, light (low) to dark (high), as in the lecture.
WEIGHT_COLORS = sequential.Blues
# Perceptually uniform scales that stay readable with colour-blindness and in grey.
WEIGHT_SCALES = {"Blues": sequential.Blues, "Cividis": sequential.Cividis, "Viridis": sequential.Viridis[::-1]}
# Signed values (output components): white at 0, purple (the lecture's colour) positive, orange negative.
OUTPUT_COLORS = diverging.PuOr
# Differences B − A: blue where B gives less weight, white at 0, red where it gives more.
DIFFERENCE_COLORS = diverging.RdBu[::-1]


def colorscale(colors: list[str]) -> list[list]:
    """A list of colours as plotly.js reads a colour scale: ``[[0, first], ..., [1, last]]``."""
    return [[i / (len(colors) - 1), color] for i, color in enumerate(colors)]


# --- sizes -------------------------------------------------------------------------------------

SHORT = 20  # tokens: up to this many on a side, labels and text are large
LABELLED = 64  # tokens: up to this many, every token is labelled; beyond, every k-th
MIN_CELL = 1.25  # px: a 512-token sentence still draws, as a 640-pixel square
MAX_CELL = 48
GRID_SPAN = 520  # px: the side a grid of square cells aims at
GAPS_UP_TO = 128  # tokens: beyond, cells have no white gap between them
TITLE_SIZE = 15  # a figure's own title


def tick_size(n: int, font_scale: float = 1.0) -> int:
    """The tick labels' size for a grid with ``n`` tokens on its longer side."""
    return round((16 if n <= SHORT else 11) * font_scale)


def font_size(n: int, font_scale: float = 1.0) -> int:
    """The figure's text size for a grid with ``n`` tokens on its longer side."""
    return round((14 if n <= SHORT else 11) * font_scale)


def cell_size(n: int, span: float = GRID_SPAN, low: float = MIN_CELL, high: float = MAX_CELL) -> float:
    """Pixels per cell of a grid with ``n`` cells on its longer side: ``span / n``, kept within [low, high]."""
    return float(np.clip(span / max(n, 1), low, high))


def tick_step(n: int) -> int:
    """Label every token while they fit, and every k-th one when there are too many to read."""
    return int(np.ceil(n / LABELLED))


def gaps(n: int) -> dict[str, int]:
    """A white pixel between cells while they are large enough to keep their colour around it; none for
    long sentences, whose cells are a few pixels wide (plotly.js also draws a gapless heatmap much faster)."""
    gap = 1 if n <= GAPS_UP_TO else 0
    return dict(xgap=gap, ygap=gap)


def tick_angle(labels: list[str], cell: float, size: int) -> int:
    """Slant the column labels when the longest would not fit in its column."""
    widest = max((len(html.unescape(label)) for label in labels), default=0) * size * 0.6
    return -45 if widest > cell else 0


# --- words on a figure ------------------------------------------------------------------------

MAX_LABEL_CHARS = 24


def escaped(words: str) -> str:
    """Text shown literally: Plotly reads ``<b>``, ``<br>`` and ``<a>`` as markup."""
    return html.escape(words, quote=False)


def axis_labels(tokens: list[str]) -> list[str]:
    """Tick labels that show each token literally and keep repeated tokens apart.

    A token that occurs more than once gets its position in front (``2 · the``).
    Labels are escaped because Plotly reads ``<b>``, ``<br>`` and ``<a>`` in
    labels as markup; escaped, they appear as the characters the user typed.
    """
    short = [t if len(t) <= MAX_LABEL_CHARS else t[: MAX_LABEL_CHARS - 1] + "…" for t in tokens]
    counts = Counter(short)
    labels = [f"{i} · {t}" if counts[t] > 1 else t for i, t in enumerate(short)]
    return [escaped(label) for label in labels]


def hover(*lines: str) -> str:
    """A hover template of these lines, without plotly's trace name box."""
    return "<br>".join(lines) + "<extra></extra>"


# Labels always have room here (automargin, or the live chart's measured margins), so plotly.js need not
# check each one against the figure's edge: that check measures every label again for each label drawn.
LABELS_FIT = "allow"  # plotly's ticklabeloverflow


def colorbar(title: str, thickness: int = 14, **placement) -> dict:
    """A colour bar with its title along its right side."""
    return dict(title=dict(text=title, side="right"), thickness=thickness, ticklabeloverflow=LABELS_FIT, **placement)


def category_axis(n: int, size: int, **more) -> dict:
    """An axis of token labels (every ``tick_step(n)``-th), sized ``size``, that makes room for them."""
    return dict(
        type="category",
        automargin=True,
        tickfont=dict(size=size),
        dtick=tick_step(n),
        ticklabeloverflow=LABELS_FIT,
        **more,
    )


def layout(height: float, width: float | None = None, **more) -> dict:
    """The layout every figure starts from: white plot, thin margins, its size in pixels."""
    base = dict(height=int(height), margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor=BACKGROUND)
    if width is not None:
        base["width"] = int(width)
    return {**base, **more}
