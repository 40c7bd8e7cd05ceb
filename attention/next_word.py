"""What the Next Word page draws, sends and exports: the decoder's causal self attention, pure functions.

The page's map is the lecture's layout turned to a language model: columns are queries (the token that
asks), rows are keys (the tokens it may read), so the map of a head is ``weights[l, h].T``. A decoder
reads only the past: the cells where the key comes after its query are masked, drawn hatched, never
as zeros. Under each column stands what the model predicts after that token (the purple strip of the
lecture, here a word and its probability).

The browser redraws the map, the next-token bars and the small multiples by itself
(webapp/next_word_chart.js): ``payload`` sends every head's map once per prompt, with the logits of
the next token, so that layer, head, temperature, top-k and top-p change the picture without a round
trip. ``map_figure`` is the same map drawn in Python, for the downloads and the command line.

Letters: L layers (30), H query heads (9), T tokens of the prompt, V the vocabulary (49,152).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import partial

import numpy as np
import plotly.graph_objects as go

from attention import style
from attention.decoder import DECODER_MODEL, MAX_PROMPT_TOKENS, DecoderRun
from attention.head_maps import decode_maps, encode_maps
from attention.heatmap_payload import pack
from attention.i18n import text
from attention.rollout import DEFAULT_RESIDUAL, attention_rollout

DEFAULT_PROMPT = "The capital of France is"
N_BARS = 10  # next tokens drawn as bars
N_TOP = 20  # next tokens whose text goes to the browser: temperature keeps the order, top-k and top-p only cut
FLOAT16_UP_TO = 128  # tokens; longer prompts send each weight as one byte (uint8, steps of 1/255)
MAX_PREDICTION_LABELS = 40  # tokens; beyond, the predictions are in the hover only
STAGGER_FROM = 12  # tokens; beyond, the predictions under neighbouring columns alternate between two rows
NAMED_HOVER_UP_TO = 64  # tokens; a longer map's hover (in the downloaded files) gives positions, not tokens
MAX_WHOLE_TOKENS = 4  # "Add the next word" adds up to this many tokens to finish a character cut in bytes
PREDICTION_COLOR = style.PURPLE
MASK_COLOR = "#bdbdbd"  # the hatch of the masked cells: grey, never a weight's colour
CSV_COLUMNS = ("query_index", "query_token", "key_index", "key_token", "weight", "masked")
# Hangul, kana and CJK ideographs: text this English-first model reads as byte pieces
CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class NextWordRun:
    """One prompt read by the decoder: what the page shows, as plain arrays (a cache can keep it).

    Attributes:
        text: the prompt the model read (cut to its last MAX_PROMPT_TOKENS tokens).
        tokens: each token's text (``DecoderRun.tokens``).
        weights: float32 (L, H, T, T); ``weights[l, h, i, j]``: how much query i attends to key j; rows
            sum to 1, zero where j > i.
        logits: float32 (V,), the scores of the token after the last one.
        top: the N_TOP most likely next tokens by logit, as (id, text).
        predictions: for each position, the most likely next token and its probability.
        n_total, dropped: tokens of the whole prompt, and how many were cut off its start.
        kv_heads: the key/value head each query head shares (grouped-query attention).
    """

    text: str
    tokens: list[str]
    weights: np.ndarray
    logits: np.ndarray
    top: list[tuple[int, str]]
    predictions: list[tuple[str, float]]
    n_total: int
    dropped: int
    kv_heads: tuple[int, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        """(L, H, T)."""
        return self.weights.shape[:3]


def summarise(run: DecoderRun) -> NextWordRun:
    """The parts of a ``DecoderRun`` the page needs, without the model's vocabulary (which holds the model)."""
    order = np.argsort(-run.logits, kind="stable")[:N_TOP]
    return NextWordRun(
        text=run.text,
        tokens=list(run.tokens),
        weights=run.weights,
        logits=run.logits.astype(np.float32),
        top=[(int(i), run.vocabulary(int(i))) for i in order],
        predictions=list(run.predictions),
        n_total=run.n_total,
        dropped=run.dropped,
        kv_heads=tuple(run.kv_heads),
    )


def probabilities(run: NextWordRun) -> np.ndarray:
    """float64 (V,): the next token's probabilities at temperature 1."""
    logits = run.logits.astype(np.float64)
    e = np.exp(logits - logits.max())
    return e / e.sum()


def most_likely(run: NextWordRun) -> tuple[str, float]:
    """The most likely next token and its probability at temperature 1."""
    token_id, token = run.top[0]
    return token, float(probabilities(run)[token_id])


def has_cjk(prompt: str) -> bool:
    """Whether the prompt has Hangul, kana or CJK characters (which this model reads in byte pieces)."""
    return bool(CJK.search(prompt))


BYTES = re.compile(r"(<0x[0-9A-F]{2}>)+")  # a token that is only part of a character (Decoder.token_text)


def short(token: str) -> str:
    """A prediction under a narrow column: a part of a character (``<0xEC><0x97>``) as one �."""
    return BYTES.sub("\ufffd", visible(token))


def visible(token: str, space: bool = False) -> str:
    """A token as a label: a newline ↵, a tab ⇥, and with ``space`` a leading space ␣ (``" Paris"``:
    ``␣Paris``), so that the bars show that the space belongs to the token."""
    shown = token.replace("\r", "").replace("\n", "↵").replace("\t", "⇥")
    if space and shown.startswith(" "):
        shown = "␣" + shown[1:]
    return shown or "␣"


# --------------------------------------------------------------------------- the maps


def head_map(run: NextWordRun, layer: int, head: int | None) -> np.ndarray:
    """One head's causal map, or the average of the layer's heads when ``head`` is None.

    Returns:
        float64 (T, T); ``[i, j]`` is how much query i attends to key j; rows sum to 1, zero where j > i.
    """
    weights = run.weights[layer].astype(np.float64)  # (H, T, T)
    return weights.mean(axis=0) if head is None else weights[head]


def rollout_map(run: NextWordRun) -> np.ndarray:
    """float64 (T, T): attention rollout through all the layers (``attention.rollout``); still causal."""
    return attention_rollout(run.weights, residual=DEFAULT_RESIDUAL)[-1]


def heads_at(run: NextWordRun, query: int, key: int, n: int = 5) -> list[tuple[int, int, float]]:
    """The ``n`` heads, of all L × H, that put the most weight on ``key`` from ``query``: (layer, head, weight)."""
    at = run.weights[:, :, query, key]  # (L, H)
    best = np.argsort(-at.ravel(), kind="stable")[:n]
    return [(int(b // at.shape[1]), int(b % at.shape[1]), float(at.ravel()[b])) for b in best]


def shared_heads(kv_heads: tuple[int, ...], head: int) -> list[int]:
    """The query heads that use the same key/value head as ``head`` (itself included)."""
    return [h for h, kv in enumerate(kv_heads) if kv == kv_heads[head]]


# --------------------------------------------------------------------------- examples that teach


def _pronoun(run: NextWordRun) -> float:
    it, animal = run.tokens.index(" it"), run.tokens.index(" animal")
    return float(run.weights[13, 8, it, animal])


def _induction(run: NextWordRun) -> float:
    """Layer 18, head 6: each token of the repeat, on the token after its first occurrence."""
    half = len(run.tokens) // 2
    return float(np.mean([run.weights[18, 6, i, i - half + 1] for i in range(half, 2 * half)]))


def _previous(run: NextWordRun) -> float:
    """Layer 11, head 1: each token on the token just before it."""
    return float(np.mean([run.weights[11, 1, i, i - 1] for i in range(1, len(run.tokens))]))


def _sink(run: NextWordRun) -> float:
    """Every head of every layer: the weight on the first token, from the 4th token on."""
    return float(run.weights[:, :, 3:, 0].mean())


def _capital(run: NextWordRun) -> float:
    return most_likely(run)[1] if most_likely(run)[0] == " Paris" else 0.0


@dataclass(frozen=True)
class Example:
    """A prompt that shows something, and where to look: the head (None: the layer's average) and how
    much of what it shows, measured by ``claim`` (its label says at least ``at_least``)."""

    prompt: str
    layer: int
    head: int | None
    label: str  # the i18n key of its line in the menu
    claim: object  # NextWordRun -> float
    at_least: float


INDUCTION_LIST = "apple river seven cloud pencil orange tiger window"
EXAMPLES = {
    "capital": Example(DEFAULT_PROMPT, 23, 4, "next_word.example.capital", _capital, 0.7),
    "pronoun": Example(
        "The animal didn't cross the street because it was too tired",
        13,
        8,
        "next_word.example.pronoun",
        _pronoun,
        0.7,
    ),
    "induction": Example(f"{INDUCTION_LIST} {INDUCTION_LIST}", 18, 6, "next_word.example.induction", _induction, 0.7),
    "previous": Example(
        "one two three four five six seven eight nine ten eleven twelve",
        11,
        1,
        "next_word.example.previous",
        _previous,
        0.8,
    ),
    "sink": Example(
        "Once upon a time there was a little girl who lived in a village near the forest",
        18,
        8,
        "next_word.example.sink",
        _sink,
        0.5,
    ),
}


EXAMPLE_LABELS = {name: example.label for name, example in EXAMPLES.items()}  # the menu's lines, by example
# What the fetch's progress bar says at each of attention.decoder.STAGES
FETCH_STAGES = {
    "download": "next_word.fetch.download",
    "check": "next_word.fetch.check",
    "convert": "next_word.fetch.convert",
}


# --------------------------------------------------------------------------- words and sizes


def _words(lang: str) -> dict[str, str]:
    """The figure's and the controls' words in ``lang`` (templates keep their {fields} for the browser)."""
    word = partial(text, lang=lang)
    return {
        "map_heading": word("next_word.map_heading"),
        "query": word("next_word.fig.query"),
        "key": word("next_word.fig.key"),
        "query_title": word("next_word.fig.query_title"),
        "key_title": word("next_word.fig.key_title"),
        "weight": word("next_word.fig.weight"),
        "masked": word("next_word.fig.masked"),
        "title_head": word("next_word.fig.title_head"),
        "title_average": word("next_word.fig.title_average"),
        "predicted": word("next_word.fig.predicted"),
        "layer": word("next_word.control.layer"),
        "head": word("next_word.control.head"),
        "average": word("next_word.control.average"),
        "temperature": word("next_word.control.temperature"),
        "greedy": word("next_word.control.greedy"),
        "top_k": word("next_word.control.top_k"),
        "top_p": word("next_word.control.top_p"),
        "off": word("next_word.control.off"),
        "bars_title": word("next_word.bars.title"),
        "bars_note": word("next_word.bars.note"),
        "probability": word("next_word.bars.probability"),
        "kv_line": word("next_word.kv_line"),
        "last_title": word("next_word.last.title"),
        "last_caption": word("next_word.last.caption"),
        "look_title": word("next_word.look.title"),
        "look_hint": word("next_word.look.hint"),
        "look_cell": word("next_word.look.cell"),
        "look_row": word("next_word.look.row"),
        "encoding_uint8": word("next_word.encoding_uint8"),
    }


def _sizes(n: int, font_scale: float) -> dict[str, float]:
    """Cell, label and text sizes of a T-token map (labels at least 20 px on a projector while every
    token is labelled)."""
    tick = style.tick_size(n, font_scale)
    if font_scale > 1 and n <= MAX_PREDICTION_LABELS:
        tick = max(tick, 20)
    cell = style.cell_size(n, span=style.GRID_SPAN * font_scale, high=style.MAX_CELL * font_scale)
    return {
        "cell": cell,
        "tick": tick,
        "font": style.font_size(n, font_scale),
        "step": style.tick_step(n),
        "gap": style.gaps(n)["xgap"],
        "prediction": round(max(11, tick - 2)) if n <= 20 else round(11 * font_scale),
    }


def _labels(tokens: list[str]) -> list[str]:
    return style.axis_labels([visible(t) for t in tokens])


# --------------------------------------------------------------------------- the browser's data


def payload(run: NextWordRun, lang: str = "en", font_scale: float = 1.0) -> bytes:
    """Everything the browser needs to draw the map of any head, the small multiples, "which heads look
    here" and the next-token bars under any temperature, top-k and top-p, as ``attention.heatmap_payload.pack`` bytes.

    Arrays:
        logits  float32 (V,): every score of the next token, so that the bars are exact in the browser.
        maps    (L, H, T(T+1)/2): each map's lower triangle (key j <= query i), row by row: float16 up
                to FLOAT16_UP_TO tokens, beyond that uint8 (weight × 255, rounded).
    """
    n_layers, n_heads, t = run.shape
    # each map's lower triangle, row by row: (L, H, T(T+1)/2), read by webapp/head_maps.js (shared machinery)
    maps, shape = encode_maps(run.weights, causal=True, float16_up_to=FLOAT16_UP_TO)
    encoding = shape["encoding"]
    header = {
        "n_layers": n_layers,
        "n_heads": n_heads,
        "n_tokens": t,
        "encoding": encoding,
        **shape,  # n_queries, n_keys, causal: how head_maps.js reads the maps
        "tokens": _labels(run.tokens),
        "predictions": [[style.escaped(short(p)), float(q)] for p, q in run.predictions],
        "top_ids": [i for i, _ in run.top],
        "top_tokens": [style.escaped(visible(token, space=True)) for _, token in run.top],
        "kv_heads": list(run.kv_heads),
        "n_bars": N_BARS,
        "words": _words(lang),
        "sizes": _sizes(t, font_scale),
        "colors": {"weights": style.colorscale(style.WEIGHT_COLORS), "purple": PREDICTION_COLOR, "mask": MASK_COLOR},
    }
    return pack(header, {"logits": run.logits.astype(np.float32), "maps": maps})


def unpack_maps(header: dict, maps: np.ndarray) -> np.ndarray:
    """The (L, H, T, T) maps of a payload's ``maps`` array (its inverse, for tests and tools)."""
    return decode_maps(header, maps)


# --------------------------------------------------------------------------- the figure in Python


def map_title(layer: int, head: int | None, lang: str = "en") -> str:
    if head is None:
        return text("next_word.fig.title_average", lang, layer=layer)
    return text("next_word.fig.title_head", lang, layer=layer, head=head)


def mask_outline(t: int) -> tuple[list[float], list[float]]:
    """The masked cells of a T × T map in the lecture's layout (rows: keys below their query's diagonal)
    as one polygon, in the map's cell coordinates: x the query's column, y the key's row."""
    xs, ys = [-0.5, -0.5], [t - 0.5, 0.5]
    for i in range(t - 1):
        xs += [i + 0.5, i + 0.5]
        ys += [i + 0.5, i + 1.5]
    return xs + [-0.5], ys + [t - 0.5]


def map_figure(
    run: NextWordRun,
    layer: int,
    head: int | None,
    lang: str = "en",
    font_scale: float = 1.0,
    weights: np.ndarray | None = None,
    title: str | None = None,
) -> go.Figure:
    """The causal map of (layer, head) in the lecture's layout, the model's prediction under each column.

    Args:
        run: from ``summarise``.
        layer, head: 0-based; ``head`` None for the layer's average.
        lang: the language of titles and hover text.
        font_scale: larger text on a projector.
        weights: another (T, T) causal map to draw instead (the rollout), with its ``title``.

    Returns:
        A figure whose first trace is the heatmap: z is the map transposed (z[key, query]), NaN where the
        key comes after the query; the second trace hatches those cells, with its own legend line.
    """
    word = partial(text, lang=lang)
    weights = head_map(run, layer, head) if weights is None else weights
    t = len(run.tokens)
    sizes = _sizes(t, font_scale)
    labels = _labels(run.tokens)
    keys, queries = np.indices((t, t))
    z = np.where(keys <= queries, weights.T, np.nan)  # (T keys, T queries), masked cells empty
    ticks = list(range(0, t, int(sizes["step"])))
    predictions = [
        word("next_word.fig.predicted", token=style.escaped(visible(p)), probability=f"{q:.0%}")
        for p, q in run.predictions
    ]
    named = t <= NAMED_HOVER_UP_TO  # longer maps say the positions in their hover (a file of labels per cell is large)
    grid = go.Heatmap(
        z=z.astype(np.float32),
        x=list(range(t)),
        y=list(range(t)),
        zmin=0.0,
        zmax=1.0,
        colorscale=style.WEIGHT_COLORS,
        xgap=sizes["gap"],
        ygap=sizes["gap"],
        customdata=[[[labels[q], labels[k], predictions[q]] for q in range(t)] for k in range(t)] if named else None,
        hovertemplate=style.hover(
            f"{word('next_word.fig.query')}: %{{customdata[0]}}" if named else f"{word('next_word.fig.query')}: %{{x}}",
            f"{word('next_word.fig.key')}: %{{customdata[1]}}" if named else f"{word('next_word.fig.key')}: %{{y}}",
            f"{word('next_word.fig.weight')} = %{{z:.3f}}",
            "%{customdata[2]}" if named else "",
        ),
        hoverongaps=False,
        colorbar=style.colorbar(word("next_word.fig.weight"), len=0.6, y=1.0, yanchor="top"),
        name=word("next_word.fig.weight"),
        showlegend=False,
    )
    xs, ys = mask_outline(t)
    mask = go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor="rgba(0,0,0,0)",
        fillpattern=dict(shape="/", fgcolor=MASK_COLOR, bgcolor="#f4f4f4", size=8, solidity=0.3),
        line=dict(width=0),
        hoverinfo="skip",
        name=word("next_word.fig.masked"),
        showlegend=True,
    )
    cell = sizes["cell"]
    labelled = t <= MAX_PREDICTION_LABELS
    stagger = labelled and (t > STAGGER_FROM or cell < 44 * font_scale)  # as the browser's map does
    below = (60 + 34 * stagger) * font_scale if labelled else 10
    axis = dict(tickfont=dict(size=sizes["tick"]), automargin=True, showgrid=False, zeroline=False)
    column_angle = style.tick_angle(labels, cell, int(sizes["tick"]))
    annotations = []
    if labelled:
        for i, (p, q) in enumerate(run.predictions):
            annotations.append(
                dict(
                    x=i,
                    xref="x",
                    y=0,
                    yref="paper",
                    yanchor="top",
                    yshift=-6 - 34 * font_scale * (stagger and i % 2),
                    text=f"{style.escaped(short(p))}<br>{q:.0%}",
                    showarrow=False,
                    font=dict(size=sizes["prediction"], color=PREDICTION_COLOR),
                )
            )
    figure = go.Figure(
        data=[grid, mask],
        layout=style.layout(
            t * cell + 200 + below,
            t * cell + 300,
            font=dict(size=sizes["font"]),
            title=dict(
                text=style.escaped(title or map_title(layer, head, lang)),
                font=dict(size=round(style.TITLE_SIZE * font_scale)),
                yref="container",
                y=0.01,
                yanchor="bottom",
                x=0.02,
                xanchor="left",
            ),
            margin=dict(l=10, r=10, t=10, b=40 + below),
            xaxis=dict(
                axis,
                side="top",
                tickvals=ticks,
                ticktext=[labels[i] for i in ticks],
                tickangle=column_angle,
                range=[-0.5, t - 0.5],
                title=dict(text=word("next_word.fig.query_title")),
            ),
            yaxis=dict(
                axis,
                tickvals=ticks,
                ticktext=[labels[i] for i in ticks],
                range=[t - 0.5, -0.5],
                title=dict(text=word("next_word.fig.key_title")),
            ),
            legend=dict(x=1.02, xanchor="left", y=0.0, yanchor="bottom", font=dict(size=sizes["font"])),
            annotations=annotations,
        ),
    )
    return figure


def rollout_figure(run: NextWordRun, lang: str = "en", font_scale: float = 1.0) -> go.Figure:
    """The rollout through every layer, drawn as the causal map is."""
    n_layers = run.shape[0]
    title = text("next_word.rollout.fig_title", lang, n_layers=n_layers)
    return map_figure(run, n_layers - 1, None, lang, font_scale, weights=rollout_map(run), title=title)


# --------------------------------------------------------------------------- exports


def map_csv(run: NextWordRun, layer: int, head: int | None) -> str:
    """One CSV row per (query, key) pair of the map of (layer, head), columns CSV_COLUMNS; a masked pair
    (key after query) has weight 0.0 and masked 1. Floats round-trip (``repr``)."""
    weights = head_map(run, layer, head)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i, query in enumerate(run.tokens):
        for j, key in enumerate(run.tokens):
            writer.writerow([i, query, j, key, repr(float(weights[i, j])), int(j > i)])
    return buffer.getvalue()


def map_json(run: NextWordRun, layer: int, head: int | None, sampling: dict | None = None) -> str:
    """The map of (layer, head) and what goes with it, as one JSON object.

    Keys: ``model``, ``prompt``, ``tokens``, ``n_total``, ``dropped``; ``layer``, ``head`` (null: the
    layer's average) and ``kv_head``; ``weights`` (T lists of T numbers, query-major: row i is query i,
    zero where j > i); ``predictions`` (per token: the next token it predicts and its probability);
    ``next_tokens`` (the N_BARS most likely at temperature 1) and ``sampling`` as given.
    """
    weights = head_map(run, layer, head)
    chances = probabilities(run)
    document = {
        "model": DECODER_MODEL,
        "prompt": run.text,
        "tokens": list(run.tokens),
        "n_total": run.n_total,
        "dropped": run.dropped,
        "layer": layer,
        "head": head,
        "kv_head": None if head is None else run.kv_heads[head],
        "weights": weights.tolist(),
        "predictions": [{"token": p, "probability": float(q)} for p, q in run.predictions],
        "next_tokens": [{"token": token, "probability": float(chances[i])} for i, token in run.top[:N_BARS]],
        "sampling": dict(sampling or {}),
        "max_prompt_tokens": MAX_PROMPT_TOKENS,
    }
    return json.dumps(document, ensure_ascii=False, allow_nan=False)


# --------------------------------------------------------------------------- writing the next word


def next_words(
    decoder,
    prompt: str,
    temperature: float = 0.0,
    top_k: int | None = None,
    top_p: float | None = None,
    seed: int | None = None,
) -> str:
    """The text of the next token the model writes after ``prompt`` (greedy at temperature 0, else drawn with
    ``seed``); when that token is only part of a character (Hangul, kana: three bytes, often cut), the
    next tokens too, up to MAX_WHOLE_TOKENS, until the text is whole. "" when the model would end here."""
    ids = decoder.generate_ids(prompt, MAX_WHOLE_TOKENS, temperature, top_k or None, top_p, seed)
    for n in range(1, len(ids) + 1):
        written = decoder.tokens_text(ids[:n])  # a character cut in its bytes reads as \ufffd
        if "\ufffd" not in written:
            return written
    return decoder.tokens_text(ids)
