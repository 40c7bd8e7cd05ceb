"""Two attention maps side by side, and where they have the same tokens, their difference B − A.

Side A is what the page's controls say; side B differs from it in one thing only:
the sentence, one setting, or the model. Both maps are drawn with the same layout
and the same colour range, so that the same colour means the same weight. Only when
both have exactly the same query and key tokens do their cells stand for the same
pairs, and only then is there a difference map:

    difference = B.weights − A.weights      # (n_q, n_k) − (n_q, n_k) -> (n_q, n_k)

Also here: the plain head average of one layer, which the model heads page sets
beside the attention rollout through the same layers.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import plotly.graph_objects as go
from plotly.colors import diverging

from attention.embeddings import EncodedText, Encoder
from attention.export import MIME_TYPES, export_meta, export_view
from attention.figures import FigureOptions, attention_figure, axis_labels
from attention.heads import layer_head_count
from attention.i18n import text
from attention.options import ATTENTIONS, COMPARED_SETTINGS, KINDS
from attention.views import AttentionView, Projection, Settings, attention_kind, compute_view

# Negative (B gives less weight) blue, 0 white, positive (B gives more) red.
DIFFERENCE_COLORS = diverging.RdBu[::-1]
# The compare page's "bank" button: one word, two meanings, under self attention.
BANK_EXAMPLE = {
    "compare_kind": "sentences",
    "compare_attention": "self",
    "sentence": "I sat on the bank of the river.",
    "sentence_b": "I put my money in the bank.",
}
DIFFERENCE_COLUMNS = ("query_index", "query_token", "key_index", "key_token", "weight_a", "weight_b", "difference")

Encode = Callable[[str], EncodedText]  # text -> every layer's hidden states (the app's cached one)


@dataclass(frozen=True)
class Side:
    """What one side computes: its sentences by role and its settings.

    Attributes:
        sentences: ``{"sentence": ...}`` (self attention) or ``{"source": ..., "target": ...}``.
        settings: what changes the numbers.
    """

    sentences: dict[str, str]
    settings: Settings

    @property
    def kind(self) -> str:
        """ "self" or "cross" attention."""
        return attention_kind(self.sentences)


@dataclass(frozen=True)
class Comparison:
    """Two views and, when their cells mean the same pairs of tokens, their difference.

    Attributes:
        a, b: the two views (either may carry a ``problem`` instead of a result).
        sides: what each side computed.
        models: the name of the model of each side.
        comparable: both have results with the same query tokens and the same key tokens.
        difference: (n_q, n_k) ``b.result.weights − a.result.weights`` when comparable, else None.
    """

    a: AttentionView
    b: AttentionView
    sides: tuple[Side, Side]
    models: tuple[str, str]
    comparable: bool
    difference: np.ndarray | None


def settings_choices(attention: str) -> list[str]:
    """The settings that can differ between A and B: the causal mask only under self attention."""
    return [setting for setting in COMPARED_SETTINGS if attention == "self" or setting != "causal"]


def sentence_fields(attention: str, kind: str) -> list[tuple[str, str]]:
    """The sentence fields the compare page shows: (setting key, label key), in order.

    Self attention reads ``sentence`` (and ``sentence_b`` when the sentences differ);
    cross attention reads ``source`` and ``target`` (and ``target_b``: the same source
    against a second target).
    """
    two = kind == "sentences"
    if attention == "cross":
        return [("source", "input.source"), ("target", "compare.target_a" if two else "input.target")] + (
            [("target_b", "compare.target_b")] if two else []
        )
    return [("sentence", "compare.sentence_a" if two else "input.sentence")] + (
        [("sentence_b", "compare.sentence_b")] if two else []
    )


def two_sides(
    kind: str,
    attention: str,
    texts: Mapping[str, str],
    base: Settings,
    setting: str = "scale",
    temperature_b: float = 2.0,
    head_b: Projection | None = None,
) -> tuple[Side, Side]:
    """What A and B compute: A as the controls say, B differing in one thing.

    Args:
        kind: one of KINDS. "sentences": B has ``sentence_b`` (or ``target_b``); "settings":
            B differs in ``setting``; "models": both sides are the same here (the model differs).
        attention: "self" or "cross".
        texts: the sentences by setting key (``sentence``, ``sentence_b``, ``source``, ``target``, ``target_b``).
        base: the settings of the controls.
        setting: one of COMPARED_SETTINGS, for kind "settings". "scale": A scaled, B not;
            "temperature": A at ``base.temperature``, B at ``temperature_b``; "causal": A without
            the mask, B with it; "projection": A the identity, B the head ``head_b``.
        temperature_b: B's temperature.
        head_b: B's projection for "projection" (layer 0, head 0 by default).
    """
    if kind not in KINDS or attention not in ATTENTIONS:
        raise ValueError(f"kind must be one of {KINDS} and attention one of {ATTENTIONS}, got {kind!r}, {attention!r}")
    if attention == "cross":
        first = {"source": texts["source"], "target": texts["target"]}
        second = {"source": texts["source"], "target": texts["target_b"]}
        base = replace(base, causal=False)  # a causal mask needs the same tokens on both axes
    else:
        first, second = {"sentence": texts["sentence"]}, {"sentence": texts["sentence_b"]}
    if kind == "sentences":
        return Side(first, base), Side(second, base)
    if kind == "models":
        return Side(first, base), Side(first, base)
    pairs = {
        "scale": (replace(base, scale_by_sqrt_dk=True), replace(base, scale_by_sqrt_dk=False)),
        "temperature": (base, replace(base, temperature=temperature_b)),
        "causal": (replace(base, causal=False), replace(base, causal=attention == "self")),
        "projection": (
            replace(base, projection=Projection()),
            replace(base, projection=head_b or Projection("head")),
        ),
    }
    if setting not in pairs:
        raise ValueError(f"setting must be one of {COMPARED_SETTINGS}, got {setting!r}")
    settings_a, settings_b = pairs[setting]
    return Side(first, settings_a), Side(first, settings_b)


def fit_to_model(settings: Settings, encoder: Encoder) -> Settings:
    """``settings`` with a head projection's layer and head brought within ``encoder``'s (the last one
    where they are too large): side B's model may have fewer layers than side A's."""
    projection = settings.projection
    if projection.kind != "head":
        return settings
    n_layers, n_heads = layer_head_count(encoder)
    fitted = replace(projection, layer=min(projection.layer, n_layers - 1), head=min(projection.head, n_heads - 1))
    return replace(settings, projection=fitted)


def compare(
    encoders: tuple[Encoder, Encoder], sides: tuple[Side, Side], sources: tuple[Encode, Encode], lang: str = "en"
) -> Comparison:
    """Compute both sides with ``compute_view`` and, where they have the same tokens, their difference.

    Args:
        encoders: the model of A and of B (the same one unless the models are compared).
        sides: what A and B compute (see ``two_sides``).
        sources: for each side, the ``encode`` function of ``compute_view`` (the app's cached one).
        lang: the language of messages and notes.
    """
    sides = tuple(
        replace(side, settings=fit_to_model(side.settings, encoder))
        for encoder, side in zip(encoders, sides, strict=True)
    )
    a, b = (
        compute_view(encoder, side.sentences, side.settings, source, lang=lang)
        for encoder, side, source in zip(encoders, sides, sources, strict=True)
    )
    comparable = (
        a.result is not None
        and b.result is not None
        and a.result.weights.shape == b.result.weights.shape
        and list(a.query_tokens) == list(b.query_tokens)
        and list(a.key_tokens) == list(b.key_tokens)
    )
    difference = b.result.weights - a.result.weights if comparable else None  # (n_q, n_k) - (n_q, n_k) -> (n_q, n_k)
    return Comparison(a, b, sides, (encoders[0].name, encoders[1].name), comparable, difference)


def description(kind: str, setting: str, comparison: Comparison, lang: str = "en") -> str:
    """One sentence saying what differs between A and B."""
    if kind == "models":
        return text("compare.what.models", lang, a=comparison.models[0], b=comparison.models[1])
    if kind == "sentences":
        return text("compare.what.sentences", lang)
    a, b = (side.settings for side in comparison.sides)
    return text(
        f"compare.what.{setting}",
        lang,
        a=a.temperature,
        b=b.temperature,
        layer=b.projection.layer,
        head=b.projection.head,
    )


def not_comparable_note(comparison: Comparison, lang: str = "en") -> str | None:
    """Why there is no difference map (the two sides' token counts), or None when there is one or a side has no map."""
    a, b = comparison.a, comparison.b
    if comparison.comparable or a.result is None or b.result is None:
        return None
    same_shape = a.result.weights.shape == b.result.weights.shape
    return text(
        "compare.not_comparable",
        lang,
        a_q=len(a.query_tokens),
        a_k=len(a.key_tokens),
        b_q=len(b.query_tokens),
        b_k=len(b.key_tokens),
        differ=text("compare.tokens_differ", lang) if same_shape else "",
    )


def largest_change(comparison: Comparison) -> float:
    """The largest |B − A| over all cells (0 when not comparable)."""
    return float(np.abs(comparison.difference).max()) if comparison.comparable else 0.0


def shared_range(views: list[AttentionView], fit: bool = False) -> tuple[float, float]:
    """One colour range for every view: 0 to 1, or with ``fit`` the smallest unmasked weight to the largest.

    Views without a result are skipped; with none at all the range is (0, 1).
    """
    results = [view.result for view in views if view.result is not None]
    if not results or not fit:
        return 0.0, 1.0
    high = max(float(result.weights.max()) for result in results)
    low = min(float(result.weights[result.mask].min()) for result in results)
    return low, high


def side_figures(comparison: Comparison, options: FigureOptions) -> tuple[go.Figure | None, go.Figure | None]:
    """``attention_figure`` of A and of B (None for a side without a result), in the same layout
    (``options``) and on the same colour range, said on the colour bars."""
    views = (comparison.a, comparison.b)
    low, high = shared_range(list(views), options.fit_colors)
    title = text("fig.weight_fitted", options.lang, low=low, high=high) if options.fit_colors else None
    figures = []
    for view in views:
        if view.result is None:
            figures.append(None)
            continue
        figure = attention_figure(view.result, view.query_tokens, view.key_tokens, options)
        figure.data[0].update(zmin=low, zmax=high if high > low else low + 1e-9)
        if title:
            figure.data[0].colorbar.title.text = title
        figures.append(figure)
    return figures[0], figures[1]


def difference_figure(
    difference: np.ndarray, query_tokens: list[str], key_tokens: list[str], lang: str = "en", transpose: bool = False
) -> go.Figure:
    """The difference B − A as a heatmap on a diverging scale: white at 0, red where B gives more weight.

    Args:
        difference: (n_q, n_k), ``B.weights − A.weights``.
        query_tokens, key_tokens: one label per row and per column of ``difference``.
        lang: the language of titles and hover text.
        transpose: rows are queries (as ``attention_figure`` with ``transpose``); by default
            columns are queries, as in the lecture.

    Returns:
        One heatmap trace whose z is ``difference.T`` (or ``difference`` transposed), on a
        symmetric range around 0 (zmid = 0) so that equal changes up and down look equally strong.
    """
    n_q, n_k = difference.shape
    if len(query_tokens) != n_q or len(key_tokens) != n_k:
        raise ValueError(
            f"the difference has {n_q} queries and {n_k} keys, but {len(query_tokens)} query tokens "
            f"and {len(key_tokens)} key tokens were given"
        )
    word = partial(text, lang=lang)
    q_labels, k_labels = axis_labels(query_tokens), axis_labels(key_tokens)
    limit = max(float(np.abs(difference).max()), 1e-9)
    values = difference.astype(np.float32)  # (n_q, n_k)
    z, x, y = (values, k_labels, q_labels) if transpose else (values.T, q_labels, k_labels)
    query_axis, key_axis = ("y", "x") if transpose else ("x", "y")
    n = max(n_q, n_k)
    cell = float(np.clip(520 / n, 1.25, 48))  # pixels per cell, as the attention figures
    tick_size = 16 if n <= 20 else 11
    step = int(np.ceil(n / 64))  # every token while they fit, else every step-th
    axis = dict(type="category", automargin=True, tickfont_size=tick_size, dtick=step)
    colorbar_title = html.escape(word("compare.fig.colorbar"), quote=False)
    return go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            zmin=-limit,
            zmax=limit,
            zmid=0.0,
            colorscale=DIFFERENCE_COLORS,
            xgap=1,
            ygap=1,
            colorbar=dict(title=dict(text=colorbar_title, side="right"), thickness=14),
            hovertemplate=f"{word('fig.word.query')}: %{{{query_axis}}}<br>{word('fig.word.key')}: %{{{key_axis}}}"
            f"<br>{colorbar_title} = %{{z:+.4f}}<extra></extra>",
            name=colorbar_title,
        ),
        layout=dict(
            title=dict(text=html.escape(word("compare.fig.title"), quote=False), font_size=15, y=0.98, yanchor="top"),
            xaxis=dict(axis, side="top", title_text=word(f"fig.word.{'key' if transpose else 'query'}")),
            yaxis=dict(axis, autorange="reversed", title_text=word(f"fig.word.{'query' if transpose else 'key'}")),
            height=int((n_q if transpose else n_k) * cell + 240),
            width=int((n_k if transpose else n_q) * cell + 260),
            margin=dict(l=10, r=10, t=100, b=10),  # the title above the query axis, not on it
            plot_bgcolor="white",
        ),
    )


def difference_csv(comparison: Comparison) -> str:
    """One CSV row per (query, key) pair: indices, tokens, A's weight, B's weight and B − A (DIFFERENCE_COLUMNS).

    Raises:
        ValueError: the two sides are not comparable (no difference).
    """
    a, b, difference = _difference(comparison)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DIFFERENCE_COLUMNS)
    for i, query in enumerate(comparison.a.query_tokens):
        for j, key in enumerate(comparison.a.key_tokens):
            numbers = (a[i, j], b[i, j], difference[i, j])
            writer.writerow([i, query, j, key, *(repr(float(x)) for x in numbers)])
    return buffer.getvalue()


def difference_json(comparison: Comparison, meta: Mapping[str, object] | None = None) -> str:
    """The difference as JSON: ``query_tokens``, ``key_tokens``, ``weights_a``, ``weights_b``, ``difference``
    (n_q lists of n_k numbers, query-major) and ``meta`` as given (e.g. both sides' ``export_meta``)."""
    a, b, difference = _difference(comparison)
    document = {
        "query_tokens": list(comparison.a.query_tokens),
        "key_tokens": list(comparison.a.key_tokens),
        "weights_a": a.tolist(),
        "weights_b": b.tolist(),
        "difference": difference.tolist(),
        "meta": dict(meta or {}),
    }
    return json.dumps(document, ensure_ascii=False, allow_nan=False)


def _difference(comparison: Comparison) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not comparison.comparable:
        raise ValueError("A and B do not have the same tokens: there is no difference to export")
    return comparison.a.result.weights, comparison.b.result.weights, comparison.difference


@dataclass(frozen=True)
class Download:
    """One file the compare page offers: its button's label, its name, its type and how to make it."""

    label: str
    file_name: str
    mime: str
    data: Callable[[], bytes]


def downloads(comparison: Comparison, stem: str) -> list[Download]:
    """CSV and JSON of A and of B (``attention.export``; the JSON meta names each side's model and
    settings) and, when comparable, of the difference (its meta holds both sides')."""
    metas = [
        export_meta(side.sentences, side.settings, model, side.kind, view)
        for side, model, view in zip(comparison.sides, comparison.models, (comparison.a, comparison.b), strict=True)
    ]
    files = []
    for name, view, meta in (("A", comparison.a, metas[0]), ("B", comparison.b, metas[1])):
        if view.result is not None:
            files += [
                Download(
                    f"{name} · {fmt.upper()}",
                    f"{stem}_{name}.{fmt}",
                    MIME_TYPES[fmt],
                    partial(export_view, view, fmt, meta=meta),
                )
                for fmt in ("csv", "json")
            ]
    if comparison.comparable:
        both = {"a": metas[0], "b": metas[1]}
        files += [
            Download(
                "B − A · CSV", f"{stem}_B-A.csv", MIME_TYPES["csv"], lambda: difference_csv(comparison).encode("utf-8")
            ),
            Download(
                "B − A · JSON",
                f"{stem}_B-A.json",
                MIME_TYPES["json"],
                lambda: difference_json(comparison, both).encode("utf-8"),
            ),
        ]
    return files
