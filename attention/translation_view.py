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

from attention import style
from attention.embeddings import without_word_mark
from attention.figures import weights_figure
from attention.i18n import text
from attention.translation import ALIGNMENT_HEAD, ALIGNMENT_LAYER, CrossAttention

MAX_PREDICTION_LABELS = 40  # target steps; beyond, the predictions are in the hover only
STAGGER_FROM = 10  # target steps; beyond, the labels under neighbouring columns alternate between two rows
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


def map_title(layer: int, head: int | None, lang: str = "en") -> str:
    """The figure's title: which layer and head, the alignment head said as such."""
    if head is None:
        return text("translate.fig_average", lang, layer=layer)
    key = "translate.fig_alignment" if is_alignment_head(layer, head) else "translate.fig_head"
    return text(key, lang, layer=layer, head=head)


def translation_figure(
    run: CrossAttention, layer: int, head: int | None, transpose: bool = False, lang: str = "en"
) -> go.Figure:
    """The cross-attention map of (layer, head), with the decoder's prediction at every step.

    Args:
        run: from ``Translator.cross_attention``.
        layer: 0 or 1, the decoder layer.
        head: 0 to 7, or None for the layer's average over heads.
        transpose: rows are the target queries and columns the source keys (the conventional
            layout) instead of the lecture's columns-are-queries.
        lang: the language of titles, axes and hover text.

    Returns:
        A Plotly figure whose heatmap has the target pieces on one axis and the source pieces on the
        other, and one annotation per target step (up to MAX_PREDICTION_LABELS steps; every cell's hover
        says it too): the piece the decoder rated highest there and its probability, marked ≠ where it
        is not the piece in the translation (under teacher forcing).
    """
    word = partial(text, lang=lang)
    weights = head_map(run, layer, head)  # (T, S)
    # pieces as every axis of the app shows them: without SentencePiece's word-start mark
    target_pieces = [without_word_mark(piece) for piece in run.target_tokens]
    source_pieces = [without_word_mark(piece) for piece in run.source_tokens]
    top_pieces = [without_word_mark(piece) for piece in run.top_tokens]
    fig = weights_figure(weights, target_pieces, source_pieces, map_title(layer, head, lang), lang)
    targets, sources = style.axis_labels(target_pieces), style.axis_labels(source_pieces)
    query_title, key_title = word("translate.axis_target"), word("translate.axis_source")
    predictions = [  # what the decoder predicted at each step, for the hover of every cell of that step
        word(
            "translate.hover_prediction",
            predicted=style.escaped(top_pieces[t]),
            top=run.top_probabilities[t],
            token=style.escaped(target_pieces[t]),
            probability=run.probabilities[t],
        )
        for t in range(len(targets))
    ]
    weight = (f"{word('fig.weight')} = %{{z:.4f}}", "%{customdata}")
    query, key = word("fig.word.query"), word("fig.word.key")
    width, height, margin = fig.layout.width, fig.layout.height, fig.layout.margin
    if transpose:  # rows: target steps (queries); columns: source pieces (keys)
        trace = dict(
            z=weights.astype(np.float32),
            x=sources,
            y=targets,
            customdata=[[p] * len(sources) for p in predictions],
            hovertemplate=style.hover(f"{query}: %{{y}}", f"{key}: %{{x}}", *weight),
            colorbar=dict(orientation="h", y=-0.04, yanchor="top", thickness=12),
        )
        axes = dict(
            xaxis=dict(title_text=key_title, tickangle=-45 if len(sources) > 8 else 0),
            yaxis=dict(title_text=query_title),
        )
        width, height = width + 140, height + 60
    else:  # the lecture's layout: columns are the target steps (queries), rows the source pieces (keys)
        trace = dict(
            customdata=[predictions] * len(sources),
            hovertemplate=style.hover(f"{query}: %{{x}}", f"{key}: %{{y}}", *weight),
        )
        axes = dict(xaxis=dict(title_text=query_title), yaxis=dict(title_text=key_title))
    bottom = margin.b + (110 if transpose else 40)
    height += 40
    # The title goes under the figure: above it, the top axis's labels and title need the room.
    title = dict(yref="container", y=0.01, yanchor="bottom", x=0.02, xanchor="left")
    labelled = len(targets) <= MAX_PREDICTION_LABELS  # with more steps, the hover alone says the predictions
    stagger = labelled and not transpose and len(targets) > STAGGER_FROM  # narrow columns: every other label lower
    right = margin.r + 150 if labelled and transpose else margin.r
    if labelled and not transpose:
        below = 50 + 30 * stagger
        bottom, height = bottom + below, height + below
    layout = dict(axes, title=title, width=width, height=height, margin=dict(r=right, b=bottom))
    if labelled:
        layout["annotations"] = [
            _prediction_note(run, step, label, top_pieces[step], transpose, stagger)
            for step, label in enumerate(targets)
        ]
    fig.update(data=[trace], layout=layout)  # one update of the bare map: plotly.py checks the whole figure each time
    return fig


def _prediction_note(run: CrossAttention, step: int, label: str, piece: str, transpose: bool, stagger: bool) -> dict:
    """The annotation under column ``label`` (or beside its row, transposed): the piece the decoder rated highest
    at ``step`` and its probability, marked ≠ where it is not the piece in the translation."""
    differs = run.top_tokens[step] != run.target_tokens[step]
    note = f"{'≠ ' if differs else ''}{style.escaped(piece)}"
    top = f"{run.top_probabilities[step]:.0%}"
    where = (
        dict(x=1.0, xref="paper", xanchor="left", xshift=6, y=label, yref="y", text=f"{note} {top}")
        if transpose
        else dict(
            x=label,
            xref="x",
            y=0,
            yref="paper",
            yanchor="top",
            yshift=-6 - 30 * (stagger and step % 2),
            text=f"{note}<br>{top}",
        )
    )
    return dict(where, showarrow=False, font=dict(size=11, color=PREDICTION_COLOR))


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
