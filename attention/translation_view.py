"""What the translation page draws and exports, from a ``translation.CrossAttention``: pure functions.

The figure is the lecture's layout turned to a translator's roles: columns are queries, and in a
translator the queries are the **target** pieces the decoder writes; rows are keys, the **source**
pieces. Under each column stands what the decoder predicted at that step and with what probability.
"""

from __future__ import annotations

import csv
import html
import io
import json
from functools import partial

import numpy as np
import plotly.graph_objects as go

from attention.embeddings import without_word_mark
from attention.figures import axis_labels, weights_figure
from attention.i18n import text
from attention.translation import ALIGNMENT_HEAD, ALIGNMENT_LAYER, CrossAttention

MAX_PREDICTION_LABELS = 40  # target steps; beyond, the predictions are in the hover only
STAGGER_FROM = 10  # target steps; beyond, the labels under neighbouring columns alternate between two rows
PREDICTION_COLOR = "#6a3d9a"  # the purple of the output strips
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
    targets, sources = axis_labels(target_pieces), axis_labels(source_pieces)
    query_title, key_title = word("translate.axis_target"), word("translate.axis_source")
    predictions = [  # what the decoder predicted at each step, for the hover of every cell of that step
        word(
            "translate.hover_prediction",
            predicted=html.escape(top_pieces[t], quote=False),
            top=run.top_probabilities[t],
            token=html.escape(target_pieces[t], quote=False),
            probability=run.probabilities[t],
        )
        for t in range(len(targets))
    ]
    hover = f"<br>{word('fig.weight')} = %{{z:.4f}}<br>%{{customdata}}<extra></extra>"
    if transpose:  # rows: target steps (queries); columns: source pieces (keys)
        fig.update_traces(
            z=weights.astype(np.float32),
            x=sources,
            y=targets,
            customdata=[[p] * len(sources) for p in predictions],
            hovertemplate=f"{word('fig.word.query')}: %{{y}}<br>{word('fig.word.key')}: %{{x}}{hover}",
            colorbar=dict(orientation="h", y=-0.04, yanchor="top", thickness=12),
        )
        fig.update_xaxes(title_text=key_title, tickangle=-45 if len(sources) > 8 else 0)
        fig.update_yaxes(title_text=query_title)
        fig.update_layout(width=fig.layout.width + 140, height=fig.layout.height + 60)
    else:  # the lecture's layout: columns are the target steps (queries), rows the source pieces (keys)
        fig.update_traces(
            customdata=[predictions] * len(sources),
            hovertemplate=f"{word('fig.word.query')}: %{{x}}<br>{word('fig.word.key')}: %{{y}}{hover}",
        )
        fig.update_xaxes(title_text=query_title)
        fig.update_yaxes(title_text=key_title)
    # The title goes under the figure: above it, the top axis's labels and title need the room.
    fig.update_layout(title=dict(yref="container", y=0.01, yanchor="bottom", x=0.02, xanchor="left"))
    fig.update_layout(margin=dict(b=fig.layout.margin.b + (110 if transpose else 40)))
    fig.update_layout(height=fig.layout.height + 40)
    if len(targets) > MAX_PREDICTION_LABELS:
        return fig  # too many steps to label under each; the hover still says them
    stagger = not transpose and len(targets) > STAGGER_FROM  # narrow columns: every other label one row lower
    notes = []  # added in one go: plotly.py checks a figure's whole layout at every add_annotation
    for step, label in enumerate(targets):
        differs = run.top_tokens[step] != run.target_tokens[step]
        note = f"{'≠ ' if differs else ''}{html.escape(top_pieces[step], quote=False)}"
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
        notes.append(dict(where, showarrow=False, font=dict(size=11, color=PREDICTION_COLOR)))
    below = 50 + 30 * stagger
    room = dict(r=fig.layout.margin.r + 150) if transpose else dict(b=fig.layout.margin.b + below)
    fig.update_layout(annotations=notes, margin=room, height=fig.layout.height + (0 if transpose else below))
    return fig


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
