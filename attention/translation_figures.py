"""What the translation page draws and exports, from a ``translation.CrossAttention``: pure functions.

The figure is the lecture's layout turned to a translator's roles: columns are queries, and in a
translator the queries are the **target** pieces the decoder writes; rows are keys, the **source**
pieces. Under each column stands what the decoder predicted at that step and with what probability.
"""

from __future__ import annotations

import csv
import io
import json
from functools import partial

import numpy as np
import plotly.graph_objects as go

from attention import head_maps, style
from attention.embeddings import without_word_mark
from attention.heatmap_payload import pack
from attention.i18n import text
from attention.translation import ALIGNMENT_HEAD, ALIGNMENT_LAYER, CrossAttention

MAX_PREDICTION_LABELS = head_maps.MAX_NOTES  # target steps; beyond, the predictions are in the hover only
PREDICTION_COLOR = style.PURPLE  # the purple of the output strips
CSV_COLUMNS = (
    "target_index",
    "target_token",
    "source_index",
    "source_token",
    "weight",
    "predicted_token",
    "predicted_probability",
    "target_token_probability",
)


def head_map(run: CrossAttention, layer: int, head: int | None) -> np.ndarray:
    """One head's cross-attention map, or the average of the layer's heads when ``head`` is None.

    Returns:
        float64 (T, S); ``[t, s]`` is how much target step t attends to source piece s; rows sum to 1.
    """
    weights = run.weights[layer].astype(np.float64)  # (h, T, S)
    return weights.mean(axis=0) if head is None else weights[head]  # (T, S)


def is_alignment_head(layer: int, head: int | None) -> bool:
    """Whether (layer, head) is the head Marian trained to align words."""
    return layer == ALIGNMENT_LAYER and head == ALIGNMENT_HEAD


def map_data(run: CrossAttention, lang: str = "en", font_scale: float = 1.0) -> dict:
    """The plain fields of the run's map, for ``attention.head_maps.render`` in Python and in the browser.

    Queries are the target pieces (the decoder asks), keys the source pieces; the note under each query's
    column is the piece the decoder rated highest at that step and its probability, marked ≠ where it is not
    the piece in the translation (under teacher forcing); every cell's hover says it too. ``font_scale`` > 1
    (a projector) makes the cells and every text larger by that much.
    """
    word = partial(text, lang=lang)
    # pieces as every axis of the app shows them: without SentencePiece's word-start mark
    target_pieces = [without_word_mark(piece) for piece in run.target_tokens]
    source_pieces = [without_word_mark(piece) for piece in run.source_tokens]
    top_pieces = [without_word_mark(piece) for piece in run.top_tokens]
    targets, sources = style.axis_labels(target_pieces, lang), style.axis_labels(source_pieces, lang)
    sizes = head_maps.map_sizes(targets, max(len(targets), len(sources)), font_scale)
    hovers = [  # what the decoder predicted at each step, for the hover of every cell of that step
        word(
            "translate.hover_prediction",
            predicted=style.escaped(top_pieces[t]),
            top=run.top_probabilities[t],
            token=style.escaped(target_pieces[t]),
            probability=run.probabilities[t],
        )
        for t in range(len(targets))
    ]
    notes = [
        [f"{'≠ ' if run.top_tokens[t] != run.target_tokens[t] else ''}{style.escaped(top_pieces[t])}", f"{p:.0%}"]
        for t, p in enumerate(run.top_probabilities)
    ]
    return {
        "queries": targets,
        "keys": sources,
        "notes": notes,
        "hovers": hovers,
        "marked": [ALIGNMENT_LAYER, ALIGNMENT_HEAD],
        "words": {
            "title_head": style.escaped(word("translate.fig_head")),
            "title_marked": style.escaped(word("translate.fig_alignment")),
            "title_average": style.escaped(word("translate.fig_average")),
            "query_title": word("translate.axis_target"),
            "key_title": word("translate.axis_source"),
            "query": word("fig.word.query"),
            "key": word("fig.word.key"),
            "weight": word("fig.weight"),
        },
        "sizes": sizes,
        "colors": {"weights": style.colorscale(style.WEIGHT_COLORS), "notes": PREDICTION_COLOR},
    }


def translation_figure(
    run: CrossAttention,
    layer: int,
    head: int | None,
    transpose: bool = False,
    lang: str = "en",
    font_scale: float = 1.0,
) -> go.Figure:
    """The cross-attention map of (layer, head), with the decoder's prediction at every step.

    Args:
        run: from ``Translator.cross_attention``.
        layer: 0 or 1, the decoder layer.
        head: 0 to 7, or None for the layer's average over heads.
        transpose: rows are the target queries and columns the source keys (the conventional
            layout) instead of the lecture's columns-are-queries.
        lang: the language of titles, axes and hover text.
        font_scale: larger cells and text, on a projector.

    Returns:
        A Plotly figure whose heatmap has the target pieces on one axis and the source pieces on the
        other, and one annotation per target step (up to MAX_PREDICTION_LABELS steps; every cell's hover
        says it too): the piece the decoder rated highest there and its probability, marked ≠ where it
        is not the piece in the translation (under teacher forcing). The browser draws the same figure
        from ``payload`` (``attention.head_maps.render``).
    """
    view = {"layer": layer, "head": head, "transpose": transpose}
    return go.Figure(head_maps.render(map_data(run, lang, font_scale), head_map(run, layer, head), view))


def payload(run: CrossAttention, lang: str = "en", font_scale: float = 1.0) -> bytes:
    """Every head's map of both decoder layers (float16) and ``map_data``, as ``attention.heatmap_payload.pack`` bytes:
    the browser draws any layer, head, average and layout from them (webapp/head_maps.js)."""
    maps, header = head_maps.encode_maps(run.weights)  # (2, 8, T·S)
    return pack({**map_data(run, lang, font_scale), **header}, {"maps": maps})


def translation_csv(run: CrossAttention, layer: int, head: int | None) -> str:
    """One CSV row per (target piece, source piece) of the map of (layer, head), columns CSV_COLUMNS.

    Floats are written with ``repr`` (read back exactly); tokens as they are, quoted where CSV needs it.
    """
    weights = head_map(run, layer, head)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t, target in enumerate(run.target_tokens):
        step = (run.top_tokens[t], repr(float(run.top_probabilities[t])), repr(float(run.probabilities[t])))
        for s, source in enumerate(run.source_tokens):
            writer.writerow([t, target, s, source, repr(float(weights[t, s])), *step])
    return buffer.getvalue()


def translation_json(run: CrossAttention, layer: int, head: int | None) -> str:
    """The run as one JSON object: texts, pieces, predictions, the map shown and every head's map.

    Keys: ``direction``, ``source``, ``translation``, ``teacher_forced``, ``source_tokens``,
    ``target_tokens``; ``predictions`` (per target step: the piece there, its probability, the top
    piece and its probability); ``layer`` and ``head`` (null: the average) of ``weights`` (T lists of
    S numbers); ``all_heads`` (2 × 8 × T × S) and ``alignment_head`` ([layer, head]);
    ``source_kept``, ``source_dropped``, ``source_unknown`` and ``finished``.
    """
    document = {
        "direction": run.direction,
        "source": run.source,
        "translation": run.translation,
        "teacher_forced": run.teacher_forced,
        "source_tokens": list(run.source_tokens),
        "target_tokens": list(run.target_tokens),
        "predictions": [
            {
                "token": token,
                "probability": float(run.probabilities[t]),
                "top_token": run.top_tokens[t],
                "top_probability": float(run.top_probabilities[t]),
            }
            for t, token in enumerate(run.target_tokens)
        ],
        "layer": layer,
        "head": head,
        "weights": head_map(run, layer, head).tolist(),
        "all_heads": run.weights.astype(np.float64).tolist(),
        "alignment_head": [ALIGNMENT_LAYER, ALIGNMENT_HEAD],
        "source_kept": run.source_kept,
        "source_dropped": run.source_dropped,
        "source_unknown": run.source_unknown,
        "finished": run.finished,
    }
    return json.dumps(document, ensure_ascii=False, allow_nan=False)
