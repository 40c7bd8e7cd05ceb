"""The choices of the library and their defaults, as plain data: what may be asked, not how it is done.

A leaf: the settings table (``attention.settings_table``), the widgets and the command line read their
choices here without importing the code that computes or draws (views, compare, figures, plotly, torch).
The modules that act on a choice import it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from attention.i18n import COMPONENT_WORDS, text

# How Q, K and V are made (labels: side.proj.<kind>): identity, Q = K = V = the token vectors (the lecture);
# head, a real head's learned W_Q, W_K, W_V on the hidden states entering its layer; random, seeded projections.
PROJECTIONS = ("identity", "head", "random")
# Which part of the output vectors a figure draws (the words: attention.i18n.COMPONENT_WORDS).
COMPONENT_MODES = ("first", "pca")
# The weights' colour scales (attention.style.WEIGHT_SCALES holds their colours).
WEIGHT_SCALE_NAMES = ("Blues", "Cividis", "Viridis")
# The compare page
KINDS = ("sentences", "settings", "models")  # what differs between A and B; labels: compare.kind.<kind>
ATTENTIONS = ("self", "cross")  # labels: compare.attention.<kind>
COMPARED_SETTINGS = ("scale", "temperature", "causal", "projection")  # labels: compare.setting.<setting>


@dataclass(frozen=True)
class Projection:
    """How queries, keys and values are made from the tokens' vectors.

    Attributes:
        kind: "identity", "head" or "random" (see PROJECTIONS).
        layer, head: which of the model's heads, for kind "head".
        d_k: the projected length, for kind "random".
        seed: the random generator's seed, for kind "random".
    """

    kind: str = "identity"
    layer: int = 0
    head: int = 0
    d_k: int = 64
    seed: int = 0


@dataclass(frozen=True)
class Settings:
    """What changes the numbers (display-only choices live in FigureOptions).

    Attributes:
        show_special: keep [CLS]/[SEP]; when False they are left out of the
            softmax, not only out of the picture.
        merge_words: whole words (mean of their pieces' vectors) instead of word pieces.
        scale_by_sqrt_dk: divide the scores by sqrt(d_k), as in the transformer.
        temperature: divide the scaled scores by this before softmax.
        causal: each query may attend only to itself and earlier keys (self attention).
        projection: how Q, K and V are made from the token vectors.
        vector_layer: the token vectors are the model's hidden states after this many layers
            (0: the input embeddings; the model's depth: its output); None: the model's
            default layer (``Encoder.default_layer``). A real head reads its own layer's input instead.
    """

    show_special: bool = False
    merge_words: bool = False
    scale_by_sqrt_dk: bool = True
    temperature: float = 1.0
    causal: bool = False
    projection: Projection = field(default_factory=Projection)
    vector_layer: int | None = None


@dataclass(frozen=True)
class FigureOptions:
    """How to draw an attention figure; none of these change the numbers.

    Attributes:
        query_role: names the query axis, e.g. "source".
        key_role: names the key/value axis, e.g. "target".
        show_values: print each weight in its cell (two decimals), for screenshots.
        transpose: rows are queries and columns keys (the conventional layout)
            instead of the lecture's columns-are-queries.
        n_components: how many components of each output vector to draw (0 for none).
        components: "first" (the first components as they are) or "pca".
        colorscale: the weights' scale, one of WEIGHT_SCALE_NAMES.
        fit_colors: the colours run from the smallest weight shown to the largest (said on
            the colour bar) instead of from 0, for nearly even weights.
        font_scale: text size relative to normal (e.g. 1.5 for a projector).
        lang: the language of axis titles and colour bars ("en" or "ko").
        target_width: the width in pixels the figure is drawn for (e.g. the page's main
            area); None sizes it from the number of tokens alone, as for a file.
        target_height: the most height in pixels it may take (e.g. the screen's); None: no limit.
        fill_width: the grid and its output strip take the whole target width, cells as wide as
            that makes them, and rows at least high enough for their labels (a projector);
            otherwise cells stay square-ish and the figure is as wide as such cells that fit make it.
    """

    query_role: str = "query"
    key_role: str = "key"
    show_values: bool = False
    transpose: bool = False
    n_components: int = 8
    components: str = "first"
    colorscale: str = "Blues"
    fit_colors: bool = False
    font_scale: float = 1.0
    lang: str = "en"
    target_width: int | None = None
    target_height: int | None = None
    fill_width: bool = False

    def describe_components(self, n: int, d: int) -> str:
        """Which part of the output vectors is drawn, in words (for hovers and captions)."""
        return text(COMPONENT_WORDS[self.components], self.lang, n=n, d=d)
