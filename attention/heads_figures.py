"""The Model heads page's live map: the model's own attention, every layer and head sent once, any of them drawn
in the browser (``attention.head_maps``'s machinery, as the Translation page's cross attention).

Data in, figures and bytes out: the tokens and the maps of ``attention.heads.run_model`` (``attentions``, L × H ×
n × n, a row per query), the language and the text size. Queries are columns, as in the lecture.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import plotly.graph_objects as go

from attention import head_maps, style
from attention.heatmap_payload import pack
from attention.i18n import text


def map_data(tokens: list[str], lang: str = "en", font_scale: float = 1.0, width: int | None = None) -> dict:
    """The plain fields of the maps of a sentence of ``tokens`` (self attention: the same tokens on both axes),
    for ``attention.head_maps.render`` in Python and in the browser; ``width``, the most pixels the map may take."""
    word = partial(text, lang=lang)
    labels = style.axis_labels(tokens, lang)
    role = word("role.sentence")
    return {
        "queries": labels,
        "keys": labels,
        "marked": None,
        "words": {
            "title_head": style.escaped(word("heads.map_title")),
            "title_marked": style.escaped(word("heads.map_title")),
            "title_average": style.escaped(word("heads.map_title_average")),
            "query_title": word("fig.query", role=role),
            "key_title": word("fig.key", role=role),
            "query": word("fig.word.query"),
            "key": word("fig.word.key"),
            "weight": word("fig.weight"),
        },
        "sizes": head_maps.map_sizes(labels, len(labels), font_scale, width),
        "colors": {"weights": style.colorscale(style.WEIGHT_COLORS), "notes": style.PURPLE},
    }


def payload(
    attentions: np.ndarray, tokens: list[str], lang: str = "en", font_scale: float = 1.0, width: int | None = None
) -> bytes:
    """Every head's map of every layer (``attentions``: L × H × n × n, float16 on the way) and ``map_data``, as
    ``attention.heatmap_payload.pack`` bytes: the browser draws any layer, head, average and layout from them."""
    maps, header = head_maps.encode_maps(attentions)
    return pack({**map_data(tokens, lang, font_scale, width), **header}, {"maps": maps})


def model_map_figure(
    attentions: np.ndarray,
    tokens: list[str],
    layer: int,
    head: int | None,
    transpose: bool = False,
    lang: str = "en",
    font_scale: float = 1.0,
) -> go.Figure:
    """The model's own map of (``layer``, ``head``), or its layer's average over heads (``head`` None): the
    figure the browser draws from ``payload`` for that view (for downloads, and where plotly.js is not served)."""
    weights = attentions[layer].mean(axis=0) if head is None else attentions[layer, head]  # (n, n)
    view = {"layer": layer, "head": head, "transpose": transpose}
    return go.Figure(head_maps.render(map_data(tokens, lang, font_scale), weights, view))
