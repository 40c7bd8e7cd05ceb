"""Compare side by side: what the two sides compute, and their difference B − A.

Side A is what the page's controls say; side B (a ``SideB``) differs from it in one thing only:
the sentence, one setting, or the model. Both sides are computed by ``compute_view``. Only when
both have exactly the same query and key tokens do their cells stand for the same pairs, and only
then is there a difference:

    difference = B.weights − A.weights      # (n_q, n_k) − (n_q, n_k) -> (n_q, n_k)

The sentences that say what differs are here too; the figures are drawn by ``attention.compare_figures``,
the files written by ``attention.export`` and the download buttons made by ``webapp.downloads``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from attention.core import AttentionResult
from attention.embeddings import EncodedText, Encoder
from attention.heads import layer_head_count
from attention.i18n import COMPARE_SETTING_WHAT, text
from attention.options import ATTENTIONS, COMPARED_SETTINGS, KINDS, Projection, Settings
from attention.views import AttentionView, attention_kind, compute_view

# The compare page's "bank" button: one word, two meanings, under self attention. The two sentences have as
# many tokens (9), so the two maps are drawn the same size; through a real head
# (layer 11, head 8 of multilingual-e5-small) "bank" looks at "river" in A (0.75) and at "money" in B (0.47),
# the key it attends to most in each (tests/app/test_compare.py). With Q = K = V both maps were nearly
# diagonal (bank -> bank 0.83 and 0.79): they showed one word, not two meanings. There is no difference map:
# where the sentences differ, a cell stands for two different pairs of words.
BANK_EXAMPLE = {
    "compare_kind": "sentences",
    "compare_attention": "self",
    "sentence": "They walked along the bank of the river.",
    "sentence_b": "They saved their money at the bank.",
    "model": "multilingual-e5-small",
    "projection": "head",
    "layer": 11,
    "head": 8,
}

Encode = Callable[[str, int | None], EncodedText]  # (text, depth) -> hidden states (the app's cached one)
# (B's model, B's side) -> B through every head, [layer][head] (``every_head``, or the app's cached one)
EveryHead = Callable[[Encoder, "Side"], list[list[AttentionResult]]]
# The most scores (layers × heads × queries × keys) of B's every head sent for the browser to switch heads by itself:
# 4 bytes a score (2.4 MB at most), and the output strip's part of the values besides (a quarter more at 32 tokens:
# 736 KiB in all on multilingual-e5-small, whose 144 heads fit up to 64 tokens). Past it the page's own sliders pick
# B's head, through the server.
EVERY_HEAD_CELLS = 600_000


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
class SideB:
    """How side B differs from side A (the page's controls): in its sentence, one setting, or its model.

    Attributes:
        kind: one of KINDS. "sentences": B reads ``sentence_b`` (or ``target_b``); "settings": B differs
            in ``setting``; "models": B is read by ``encoder``.
        setting: one of COMPARED_SETTINGS, for kind "settings". "scale": A scaled, B not; "temperature":
            A at the controls' temperature, B at ``temperature``; "causal": A without the mask, B with it;
            "projection": A the identity, B the head ``head``.
        temperature: B's temperature, for "temperature".
        head: B's projection, for "projection" (layer 0, head 0 when None).
        encoder: B's model, for kind "models" (None: A's model).
    """

    kind: str
    setting: str = "scale"
    temperature: float = 2.0
    head: Projection | None = None
    encoder: Encoder | None = None

    def encoders(self, a: Encoder) -> tuple[Encoder, Encoder]:
        """The model of A (``a``, the controls') and of B: the same one unless B brings its own."""
        return a, self.encoder or a


@dataclass(frozen=True)
class Comparison:
    """Two views and, when their cells mean the same pairs of tokens, their difference.

    Attributes:
        a, b: the two views (either may carry a ``problem`` instead of a result).
        sides: what each side computed.
        models: the name of the model of each side.
        comparable: both have results with the same query tokens and the same key tokens.
        difference: (n_q, n_k) ``b.result.weights − a.result.weights`` when comparable, else None.
        heads_b: B computed through every head of its model, ``heads_b[layer][head]`` (``every_head``), when B
            is a real head and the page asked for them all; else None.
    """

    a: AttentionView
    b: AttentionView
    sides: tuple[Side, Side]
    models: tuple[str, str]
    comparable: bool
    difference: np.ndarray | None
    heads_b: list[list[AttentionResult]] | None = None


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


def two_sides(attention: str, texts: Mapping[str, str], base: Settings, b: SideB) -> tuple[Side, Side]:
    """What A and B compute: A as the controls say, B differing from it as ``b`` says.

    Args:
        attention: "self" or "cross".
        texts: the sentences by setting key (``sentence``, ``sentence_b``, ``source``, ``target``, ``target_b``).
        base: the settings of the controls.
        b: how B differs (for kind "models" both sides compute the same here: only the model differs).
    """
    if b.kind not in KINDS or attention not in ATTENTIONS:
        raise ValueError(
            f"kind must be one of {KINDS} and attention one of {ATTENTIONS}, got {b.kind!r}, {attention!r}"
        )
    if attention == "cross":
        first = {"source": texts["source"], "target": texts["target"]}
        second = {"source": texts["source"], "target": texts["target_b"]}
        base = replace(base, causal=False)  # a causal mask needs the same tokens on both axes
    else:
        first, second = {"sentence": texts["sentence"]}, {"sentence": texts["sentence_b"]}
    if b.kind == "sentences":
        return Side(first, base), Side(second, base)
    if b.kind == "models":
        return Side(first, base), Side(first, base)
    pairs = {
        "scale": (replace(base, scale_by_sqrt_dk=True), replace(base, scale_by_sqrt_dk=False)),
        "temperature": (base, replace(base, temperature=b.temperature)),
        "causal": (replace(base, causal=False), replace(base, causal=attention == "self")),
        "projection": (
            replace(base, projection=Projection()),
            replace(base, projection=b.head or Projection("head")),
        ),
    }
    if b.setting not in pairs:
        raise ValueError(f"setting must be one of {COMPARED_SETTINGS}, got {b.setting!r}")
    settings_a, settings_b = pairs[b.setting]
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
    encoders: tuple[Encoder, Encoder],
    sides: tuple[Side, Side],
    sources: tuple[Encode, Encode],
    lang: str = "en",
    every_head_of_b: bool | EveryHead = False,
) -> Comparison:
    """Compute both sides with ``compute_view`` and, where they have the same tokens, their difference.

    Args:
        encoders: the model of A and of B (the same one unless the models are compared).
        sides: what A and B compute (see ``two_sides``).
        sources: for each side, the ``encode`` function of ``compute_view`` (the app's cached one).
        lang: the language of messages and notes.
        every_head_of_b: where B is a real head whose every head fits EVERY_HEAD_CELLS, B through every head too
            (``Comparison.heads_b``): True computes them here (``every_head``); a function of B's model and side
            gives them (the app's cached one).
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
    heads_b = None
    if every_head_of_b and sends_every_head(encoders[1], sides[1], b):
        heads_b = (
            every_head(encoders[1], sides[1], sources[1], lang)
            if every_head_of_b is True
            else every_head_of_b(encoders[1], sides[1])
        )
    return Comparison(a, b, sides, (encoders[0].name, encoders[1].name), comparable, difference, heads_b)


def sends_every_head(encoder: Encoder, side: Side, view: AttentionView) -> bool:
    """Whether B (``side``, computed as ``view``) is a real head with a result whose every head holds at most
    EVERY_HEAD_CELLS scores: then the browser can be sent them all."""
    if side.settings.projection.kind != "head" or view.result is None:
        return False
    n_layers, n_heads = layer_head_count(encoder)
    return n_layers * n_heads * view.result.scores.size <= EVERY_HEAD_CELLS


def every_head(encoder: Encoder, side: Side, source: Encode, lang: str = "en") -> list[list[AttentionResult]]:
    """``side`` computed through each head of ``encoder``, ``[layer][head]``, with ``compute_view`` as for one head:
    so that the browser can show any head at once. The side's own head does not matter."""

    def through(layer: int, head: int) -> AttentionResult:
        settings = replace(side.settings, projection=Projection("head", layer, head))
        return compute_view(encoder, side.sentences, settings, source, lang).result

    n_layers, n_heads = layer_head_count(encoder)
    return [[through(layer, head) for head in range(n_heads)] for layer in range(n_layers)]


def description(b: SideB, comparison: Comparison, lang: str = "en") -> str:
    """One sentence saying what differs between A and B."""
    if b.kind == "models":
        return text("compare.what.models", lang, a=comparison.models[0], b=comparison.models[1])
    if b.kind == "sentences":
        return text("compare.what.sentences", lang)
    settings_a, settings_b = (side.settings for side in comparison.sides)
    return text(
        COMPARE_SETTING_WHAT[b.setting],
        lang,
        a=settings_a.temperature,
        b=settings_b.temperature,
        layer=settings_b.projection.layer,
        head=settings_b.projection.head,
    )


def not_comparable_note(comparison: Comparison, lang: str = "en") -> str | None:
    """Why there is no difference map (the two sides' token counts, and whether the tokens themselves
    differ), or None when there is one or a side has no map."""
    a, b = comparison.a, comparison.b
    if comparison.comparable or a.result is None or b.result is None:
        return None
    same_shape = a.result.weights.shape == b.result.weights.shape
    return text(
        "compare.not_comparable_tokens" if same_shape else "compare.not_comparable_sizes",
        lang,
        a_q=len(a.query_tokens),
        a_k=len(a.key_tokens),
        b_q=len(b.query_tokens),
        b_k=len(b.key_tokens),
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
