"""The look every figure shares: the palette, cell and text sizes, axes, colour bars and hover text.

Every figure builder (attention, steps, heads, compare, quiz, rollout, translation) takes its
colours and sizes from here, so that a rule such as "the lecture's output vectors are purple"
or "labels are 16 px while a sentence has at most 20 tokens" is written once.
Plain Python and plotly's colour lists: no figure is built here.
"""

from __future__ import annotations

import html
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np
from plotly.colors import diverging, sequential

from attention.i18n import text

# --- the palette -------------------------------------------------------------------------------
#
# The colour story, told once (the captions say it in the interface's words, i18n "fig.output_colors"):
# - a weight (0 to 1) is blue, light to dark: darker is a higher weight, as in the lecture;
# - a signed number (an output, value, query or key vector's component, a score, a part of a dot
#   product) is purple above zero and orange below, white at zero. The lecture draws its output
#   vectors purple; they are signed, so here they are purple-to-orange. Purple means "above zero"
#   and nothing else;
# - a cell someone chose (the key picked on the step-by-step page, a guess in "Guess first") is the
#   darkest weight blue: "this one gets the most weight";
# - a difference between two maps (B − A, the compare page) is red where B gives more, blue less.

PURPLE = "#6a3d9a"  # above zero (the lecture's output vectors)
ORANGE = "#e08214"  # below zero, beside PURPLE
LIGHT_BLUE = "#9ecae1"  # the cells not chosen, beside CHOSEN
CHOSEN = "#08306b"  # a chosen cell: the darkest colour of WEIGHT_COLORS
LINE = "#333"  # thin separating lines
BACKGROUND = "white"
# Weights: a single-hue sequential scale, light (low) to dark (high), as in the lecture.
WEIGHT_COLORS = sequential.Blues
# Perceptually uniform scales that stay readable with colour-blindness and in grey.
WEIGHT_SCALES = {"Blues": sequential.Blues, "Cividis": sequential.Cividis, "Viridis": sequential.Viridis[::-1]}
# Signed values (output components): white at 0, purple (the lecture's colour) positive, orange negative.
OUTPUT_COLORS = diverging.PuOr
SIGNED_COLORS = OUTPUT_COLORS  # every signed number: scores, query, key and value vectors, outputs
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


# --- the label rule: size, angle and step of the tick labels, from the cells' size ------------------

MIN_TICK = 9  # px (times font_scale): labels are never smaller; below, only every step-th one is labelled
SHRINK = 0.75  # of the normal size: a label may shrink this far before it turns upright (-90°)
LINE_HEIGHT = 1.25  # of the font size: the height a line of labels takes (Chromium measures 1.19, CJK included)
GAP = 0.4  # of the font size: between two labels side by side
NARROW, WIDE = 0.7, 1.05  # of the font size: a Latin letter's width at most (DejaVu's), a CJK (wide) character's
SLANT = 0.7071  # sin 45°: slanted labels stand this many cells' widths apart, measured across them


@dataclass(frozen=True)
class Labels:
    """How a grid's tick labels are drawn: ``size`` px, columns' labels turned ``angle`` degrees, every ``step``-th."""

    size: int
    angle: int
    step: int


def label_width(label: str, size: float) -> float:
    """About how many pixels ``label`` (escaped, as on an axis) takes at ``size`` px: wide characters (CJK)
    about a font size each, others at most NARROW of it."""
    chars = html.unescape(label)
    return size * sum(WIDE if unicodedata.east_asian_width(c) in "WF" else NARROW for c in chars)


def label_rule(
    columns: list[str], cell_w: float, cell_h: float, n: int, font_scale: float = 1.0, line: float = LINE_HEIGHT
) -> Labels:
    """The labels of a grid whose cells are ``cell_w`` × ``cell_h`` px, ``n`` tokens on its longer side,
    ``columns`` the column labels: no two labels touch, on either axis.

    A row's label needs LINE_HEIGHT font sizes of height; a column's label lies flat while the widest fits its column,
    slants (-45°) while columns stand LINE_HEIGHT font sizes apart across the slant, else stands upright (-90°) while
    they are LINE_HEIGHT apart. The largest size wins, flat or slanted down to SHRINK of normal before upright; where
    even MIN_TICK does not fit, only every step-th token is labelled (always from ``tick_step(n)`` up). ``line``
    replaces LINE_HEIGHT where the labels' own boxes must keep apart (see ``label_line``).
    """
    normal, smallest = tick_size(n, font_scale), max(round(MIN_TICK * font_scale), 1)
    sizes = range(normal, smallest - 1, -1)
    readable = [s for s in sizes if s >= SHRINK * normal]
    tries = [(s, a) for s in readable for a in (0, -45)] + [(s, -90) for s in sizes]
    tries += [(s, a) for s in sizes if s not in readable for a in (0, -45)]
    for step in range(tick_step(n), max(n, 1) + 1):
        for size, angle in tries:
            if cell_h * step >= line * size and fits(columns[::step], cell_w * step, size, angle, line):
                return Labels(size, angle, step)
    return Labels(smallest, -90, max(n, 1))


def fits(columns: list[str], across: float, size: int, angle: int, line: float = LINE_HEIGHT) -> bool:
    """Whether column labels of ``size`` px, ``across`` px apart, turned ``angle`` degrees (0, -45 or -90), keep
    apart: flat, the widest with a GAP fits; slanted or upright, lines stand LINE_HEIGHT font sizes apart."""
    if angle == 0:
        return max((label_width(c, size) for c in columns), default=0) + GAP * size <= across
    return (SLANT if angle == -45 else 1.0) * across >= line * size


def label_line(labels: list[str]) -> float:
    """The height of a line of these labels' boxes as Chromium draws them, in font sizes, with a pixel or two to
    spare: Korean, Japanese and Chinese come from the CJK fallback font, whose boxes are taller (1.43 against 1.27).
    The live charts' rule (webapp/live_chart.js, lineHeight) uses the same figures."""
    wide = any(unicodedata.east_asian_width(c) in "WF" for label in labels for c in html.unescape(label))
    return 1.5 if wide else 1.3


def column_angle(columns: list[str], across: float, size: int) -> int:
    """The first of flat, slanted and upright at which these column labels keep apart (upright if none)."""
    return next((angle for angle in (0, -45) if fits(columns, across, size, angle)), -90)


def tick_angle(labels: list[str], cell: float, size: int) -> int:
    """Slant the column labels when the longest would not fit in its column."""
    widest = max((label_width(label, size) for label in labels), default=0)
    return -45 if widest > cell else 0


# --- words on a figure ------------------------------------------------------------------------

MAX_LABEL_CHARS = 24


def escaped(words: str) -> str:
    """Text shown literally: Plotly reads ``<b>``, ``<br>`` and ``<a>`` as markup."""
    return html.escape(words, quote=False)


WORD_START = "▁"  # SentencePiece's word-start mark: a piece of its own where the next piece has no marked form


def axis_labels(tokens: list[str], lang: str = "en") -> list[str]:
    """Tick labels that show each token literally and keep repeated tokens apart.

    A token that occurs more than once gets its position in front (``2 · the``).
    Labels are escaped because Plotly reads ``<b>``, ``<br>`` and ``<a>`` in
    labels as markup; escaped, they appear as the characters the user typed.
    A lone ``▁`` (SentencePiece's word-start mark, a piece of its own before ``猫``) says what it is,
    in ``lang``: ``▁ (word start)``.
    """
    tokens = [text("fig.word.word_start", lang) if t == WORD_START else t for t in tokens]
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
    """A colour bar with its title along its right side, its numbers with two decimals (0.00 to 1.00): a bar whose
    length changes keeps its width, so the live heatmap can foretell its margins (webapp/live_chart.js)."""
    bar = dict(title=dict(text=title, side="right"), thickness=thickness, ticklabeloverflow=LABELS_FIT)
    return {**bar, "tickformat": ".2f", **placement}


def category_axis(n: int, size: int, step: int | None = None, **more) -> dict:
    """An axis of token labels (every ``step``-th, by default ``tick_step(n)``), sized ``size``, that makes room
    for them."""
    return dict(
        type="category",
        automargin=True,
        tickfont=dict(size=size),
        dtick=step or tick_step(n),
        ticklabeloverflow=LABELS_FIT,
        **more,
    )


def label_depth(labels: list[str], rule: Labels) -> float:
    """About how far (px) column labels drawn by ``rule`` reach from their axis, as ``label_width`` reckons."""
    widest = max((label_width(label, rule.size) for label in labels[:: rule.step]), default=0)
    return {0: LINE_HEIGHT * rule.size, -45: SLANT * (widest + rule.size)}.get(rule.angle, widest)


def title_above(words: str, labels: list[str], rule: Labels) -> tuple[dict, int]:
    """A figure's title at the top of the figure, and the top margin that keeps it clear of the top axis's labels
    (``labels`` drawn by ``rule``) and that axis's title: (the layout's title, its margin ``t``). plotly.js keeps
    the larger of what it needs and this margin, so it is reckoned generously (``label_width``)."""
    title = dict(text=escaped(words), font=dict(size=TITLE_SIZE), yref="container", y=1, yanchor="top", pad=dict(t=8))
    axis_title = 1.4 * (rule.size + 1) + 10
    return title, int(8 + 1.4 * TITLE_SIZE + 12 + axis_title + label_depth(labels, rule) + 8)


def layout(height: float, width: float | None = None, **more) -> dict:
    """The layout every figure starts from: white plot, thin margins, its size in pixels."""
    base = dict(height=int(height), margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor=BACKGROUND)
    if width is not None:
        base["width"] = int(width)
    return {**base, **more}
