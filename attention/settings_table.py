"""Every setting of the app and the command line, defined once: default, limits, name.

A setting's name is its key in the app's session, its parameter in a shared link
(``?temperature=0.5``) and, with dashes, its command-line flag (``--temperature 0.5``).
The widgets take their limits from here too, so the slider, the link parser and
the command line can never disagree.

Pure Python: ``from_query`` turns link parameters into settings (clamping or
dropping what is not valid, never raising), ``to_query`` turns settings back
into the parameters that differ from the defaults.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from attention.examples import LECTURE_SOURCE, LECTURE_TARGET_SCRIPT
from attention.i18n import LANGUAGES
from attention.models import (
    ALIGNMENT_HEAD,
    ALIGNMENT_LAYER,
    DEFAULT_LAYERS,
    DEFAULT_MODEL,
    EMBEDDED_MODELS,
    ENGLISH_MODEL,
    TRANSLATION_DIRECTIONS,
)
from attention.options import (
    ATTENTIONS,
    COMPARED_SETTINGS,
    COMPONENT_MODES,
    KINDS,
    PROJECTIONS,
    WEIGHT_SCALE_NAMES,
    FigureOptions,
    Projection,
    Settings,
)

MAX_TEXT = 100_000  # characters of one sentence taken from a link; the model reads far fewer tokens anyway
MAX_LINK_TEXT = 2_000  # URL-encoded characters of one sentence put into a link; servers refuse very long URLs
# The library's own defaults are the settings' defaults (attention.options and the model registry,
# attention.models: leaves, so that this table imports nothing that computes or draws).
_NUMBERS, _PROJECTION, _PICTURE = Settings(), Projection(), FigureOptions()


@dataclass(frozen=True)
class Field:
    """One setting.

    Attributes:
        default: its value until someone changes it.
        kind: "bool", "int", "float", "choice" or "text".
        low, high: the limits of an "int" or "float".
        step: the widget's step for a "float".
        choices: the allowed values of a "choice".
        help: the command-line help; empty for settings that only the app has.
        label: the i18n key of its control's label in the app, where one control sets it.
        explain: the i18n key of what the control does, in the interface's words (its help icon, tooltip or
            caption, and the sidebar's "What the controls do").
    """

    default: object
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple = ()
    help: str = ""
    label: str = ""
    explain: str = ""

    @property
    def flag(self) -> bool:
        """Whether the command line has this setting."""
        return bool(self.help)

    def parse(self, raw: str) -> object:
        """The value of ``raw`` as it comes in a link: whole numbers are clamped to the
        limits (layer 99 means the last layer there is), anything else invalid raises ValueError."""
        if self.kind == "bool":
            return _boolean(raw)
        if self.kind == "int" and self.default is None and raw.strip().lower() in ("", "auto"):
            return None  # a setting whose default is "the model's own choice"
        if self.kind == "int":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return int(min(max(round(value), self.low), self.high))
        if self.kind == "float":
            return self.check(float(raw))
        if self.kind == "choice":
            for option in self.choices:
                if str(option) == raw or (isinstance(option, int) and _same_number(raw, option)):
                    return option
            raise ValueError(raw)
        return raw[:MAX_TEXT]

    def check(self, value):
        """``value`` itself if it is within the limits; raises ValueError otherwise (the command line's rule)."""
        if self.kind in ("int", "float"):
            if not (math.isfinite(value) and self.low <= value <= self.high):
                raise ValueError(f"must be between {self.low:g} and {self.high:g}, got {value}")
        elif self.kind == "choice" and value not in self.choices:
            raise ValueError(f"must be one of {', '.join(map(str, self.choices))}, got {value}")
        return value


def _boolean(raw: str) -> bool:
    if raw.lower() in ("true", "1", "yes", "on"):
        return True
    if raw.lower() in ("false", "0", "no", "off"):
        return False
    raise ValueError(raw)


def _same_number(raw: str, option: int) -> bool:
    try:
        return float(raw) == option
    except ValueError:
        return False


FIELDS: dict[str, Field] = {
    # the interface
    "lang": Field(_PICTURE.lang, "choice", choices=tuple(LANGUAGES), help="language of the figure's titles and labels"),
    "present": Field(False, "bool"),
    "quiz": Field(False, "bool"),  # guess first: the weights stay hidden until revealed
    # the sentences
    "source": Field(LECTURE_SOURCE, "text"),
    "target": Field(LECTURE_TARGET_SCRIPT, "text"),
    "sentence": Field(LECTURE_SOURCE, "text"),
    "model": Field(
        DEFAULT_MODEL,
        "text",
        help="sentence-transformers model name or local folder; embedded (offline): " + ", ".join(EMBEDDED_MODELS),
    ),
    # what changes the numbers
    "show_special": Field(
        _NUMBERS.show_special,
        "bool",
        help="keep [CLS] and [SEP]; without them they take no part in the softmax",
        label="side.show_special",
        explain="side.show_special_help",
    ),
    "merge_words": Field(
        _NUMBERS.merge_words,
        "bool",
        help="whole words instead of word pieces (mean of the pieces' vectors)",
        label="side.merge",
        explain="side.merge_help",
    ),
    "scale": Field(
        _NUMBERS.scale_by_sqrt_dk,
        "bool",
        help="divide the scores by sqrt(d_k), as the transformer does",
        label="side.scale",
        explain="side.scale_caption",
    ),
    "temperature": Field(
        _NUMBERS.temperature,
        "float",
        low=0.1,
        high=10.0,
        step=0.1,
        help="divide the scaled scores by T before softmax; below 1 sharpens, above 1 flattens",
        label="side.temperature",
        explain="side.temperature_caption",
    ),
    "causal": Field(
        _NUMBERS.causal,
        "bool",
        help="self attention only: each token attends to itself and earlier tokens",
        label="side.causal",
        explain="side.causal_caption",
    ),
    "vector_layer": Field(
        _NUMBERS.vector_layer,
        "int",
        low=0,
        high=63,
        help="the token vectors are the model's hidden states after this many layers: 0 the input embeddings, "
        "the model's depth its output (default: the model's own, "
        + ", ".join(f"{layer} for {name}" for name, layer in DEFAULT_LAYERS.items())
        + ", two thirds of the depth for other models); a real head reads its own layer's input",
    ),
    "projection": Field(
        _PROJECTION.kind,
        "choice",
        choices=PROJECTIONS,
        help="identity: Q = K = V = the token embeddings (the lecture); head: the model's own head --layer/--head; "
        "random: seeded random projections to --random-dk dimensions",
    ),
    "layer": Field(_PROJECTION.layer, "int", low=0, high=63, help="the model's layer, with --projection head"),
    "head": Field(_PROJECTION.head, "int", low=0, high=63, help="the head in that layer, with --projection head"),
    "random_dk": Field(_PROJECTION.d_k, "choice", choices=(4, 8, 16, 32, 64, 128), help="d_k of --projection random"),
    "seed": Field(_PROJECTION.seed, "int", low=0, high=1_000_000, help="seed of --projection random"),
    # what changes only the picture
    "show_values": Field(_PICTURE.show_values, "bool", help="print each weight in its cell", label="side.numbers"),
    "transpose": Field(
        _PICTURE.transpose,
        "bool",
        help="rows are queries and columns keys (the lecture puts queries in columns)",
        label="side.transpose",
        explain="side.transpose_help",
    ),
    # Off: 0 is white and 1 the darkest colour, so that a colour always means the same weight.
    "fit_colors": Field(
        _PICTURE.fit_colors,
        "bool",
        help="colours from the smallest weight shown to the largest, not from 0",
        label="side.fit_colors",
        explain="side.fit_colors_help",
    ),
    "colors": Field(
        _PICTURE.colorscale,
        "choice",
        choices=WEIGHT_SCALE_NAMES,
        help="colour scale of the weights",
        label="side.colors",
        explain="side.colors_help",
    ),
    "n_components": Field(
        _PICTURE.n_components,
        "int",
        low=0,
        high=64,
        help="output-vector components drawn under the weights",
        label="side.n_components",
    ),
    "components": Field(
        _PICTURE.components,
        "choice",
        choices=tuple(COMPONENT_MODES),
        help="first: the output vector's first components; pca: projected on the values' main directions",
        label="side.components",
        explain="side.components_help",
    ),
    # where each page stands
    "step_kind": Field("cross", "choice", choices=("cross", "self")),
    "pick_query": Field(0, "int", low=0, high=511),
    "pick_key": Field(0, "int", low=0, high=511),
    # the compare page: what differs, and side B (side A is the page's sentences and the sidebar)
    "compare_kind": Field(KINDS[0], "choice", choices=KINDS),
    "compare_attention": Field(ATTENTIONS[0], "choice", choices=ATTENTIONS),
    "compare_setting": Field(COMPARED_SETTINGS[0], "choice", choices=COMPARED_SETTINGS),
    "sentence_b": Field("I put my money in the bank.", "text"),
    "target_b": Field(LECTURE_TARGET_SCRIPT, "text"),
    "temperature_b": Field(2.0, "float", low=0.1, high=10.0, step=0.1),
    "model_b": Field(ENGLISH_MODEL, "choice", choices=EMBEDDED_MODELS),
    "layer_b": Field(0, "int", low=0, high=63),
    "head_b": Field(0, "int", low=0, high=63),
    # the model heads page's rollout: through which layer (63: the last there is)
    "rollout_layer": Field(63, "int", low=0, high=63),
    "heads_layer": Field(0, "int", low=0, high=63),
    "heads_head": Field(0, "int", low=0, high=63),
    "heads_average": Field(False, "bool"),
    # the translation page: a real translator (attention/translation.py); an empty target is the model's own
    # the command line draws this page's figure with --translate DIRECTION (attention.cli), not --translate-direction
    "translate_direction": Field("en-pt", "choice", choices=tuple(TRANSLATION_DIRECTIONS)),
    "translate_source": Field("I like the red car.", "text"),
    "translate_target": Field("", "text"),
    "translate_layer": Field(ALIGNMENT_LAYER, "int", low=0, high=1, help="the translator's decoder layer"),
    "translate_head": Field(ALIGNMENT_HEAD, "int", low=0, high=7, help="the head of that layer (0: alignment)"),
    "translate_average": Field(False, "bool"),
    "translate_transpose": Field(False, "bool"),
    # the next word page: a real decoder-only language model (attention/decoder.py, attention/next_word.py);
    # the command line draws its map with --prompt TEXT (attention.cli)
    "prompt": Field("The capital of France is", "text"),
    "decoder_layer": Field(13, "int", low=0, high=29, help="the language model's layer, with --prompt (0-based)"),
    "decoder_head": Field(8, "int", low=0, high=8, help="the head of that layer, with --prompt (0-based)"),
    "decoder_average": Field(False, "bool", help="the average of the layer's heads, with --prompt"),
    "next_temperature": Field(1.0, "float", low=0.0, high=2.0, step=0.05),  # 0: greedy
    "top_k": Field(0, "int", low=0, high=200),  # 0: off
    "top_p": Field(1.0, "float", low=0.05, high=1.0, step=0.05),  # 1: off
    "next_seed": Field(0, "int", low=0, high=1_000_000),
}


# Where the settings live in the library's dataclasses (attention.options): a setting's name (its session key,
# link parameter and flag) -> the field it fills. One mapping, read both ways (``settings_from``, ``values_of``).
SETTINGS_ATTRIBUTES = {
    "show_special": "show_special",
    "merge_words": "merge_words",
    "scale": "scale_by_sqrt_dk",
    "temperature": "temperature",
    "causal": "causal",
    "vector_layer": "vector_layer",
}
PROJECTION_ATTRIBUTES = {"projection": "kind", "layer": "layer", "head": "head", "random_dk": "d_k", "seed": "seed"}
OPTIONS_ATTRIBUTES = {
    "show_values": "show_values",
    "transpose": "transpose",
    "n_components": "n_components",
    "components": "components",
    "colors": "colorscale",
    "fit_colors": "fit_colors",
    "lang": "lang",
}


def _fields(attributes: dict[str, str], values: Mapping[str, object]) -> dict[str, object]:
    return {attribute: values.get(name, FIELDS[name].default) for name, attribute in attributes.items()}


def settings_from(values: Mapping[str, object], projection: Projection | None = None) -> Settings:
    """The Settings (what changes the numbers) of ``values``, named as in FIELDS (a missing one at its default);
    ``projection`` as given, or made from the values."""
    projection = projection or Projection(**_fields(PROJECTION_ATTRIBUTES, values))
    return Settings(**_fields(SETTINGS_ATTRIBUTES, values), projection=projection)


def figure_options_from(values: Mapping[str, object], **more: object) -> FigureOptions:
    """The FigureOptions (what changes only the picture) of ``values``, named as in FIELDS; ``more`` gives the
    fields no setting has (the roles, the size)."""
    return FigureOptions(**_fields(OPTIONS_ATTRIBUTES, values), **more)


def values_of(settings: Settings, options: FigureOptions | None = None) -> dict[str, object]:
    """The settings' values under their names in FIELDS: the inverse of ``settings_from`` and
    ``figure_options_from``."""
    values = {name: getattr(settings, attribute) for name, attribute in SETTINGS_ATTRIBUTES.items()}
    values |= {name: getattr(settings.projection, attribute) for name, attribute in PROJECTION_ATTRIBUTES.items()}
    if options is not None:
        values |= {name: getattr(options, attribute) for name, attribute in OPTIONS_ATTRIBUTES.items()}
    return values


def defaults() -> dict[str, object]:
    """Every setting at its default."""
    return {key: field.default for key, field in FIELDS.items()}


def from_query(params: Mapping[str, str]) -> tuple[dict[str, object], list[str]]:
    """Settings from a link's parameters.

    Returns:
        (values, rejected): the valid settings found (unknown parameters are
        ignored) and the names of parameters whose values made no sense.
    """
    values: dict[str, object] = {}
    rejected: list[str] = []
    for key, raw in params.items():
        field = FIELDS.get(key)
        if field is None:
            continue
        try:
            values[key] = field.parse(str(raw))
        except (ValueError, OverflowError):
            rejected.append(key)
    return values, rejected


def to_query(values: Mapping[str, object]) -> dict[str, str]:
    """The link parameters for ``values``: only the settings that differ from their defaults.

    A sentence too long for a URL (over MAX_LINK_TEXT characters once encoded) is left
    out, see ``left_out``: a server answers such a link with an error instead of the page.
    """
    query = {}
    too_long = left_out(values)
    for key, field in FIELDS.items():
        value = values.get(key, field.default)
        if value != field.default and key not in too_long:
            query[key] = _link_text(value)
    return query


def _link_text(value: object) -> str:
    """A setting as it reads in a link: true/false, a float without binary noise (0.3, not 0.30000000000000004)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def left_out(values: Mapping[str, object]) -> list[str]:
    """The settings too long to travel in a link."""
    return [
        key
        for key, value in values.items()
        if key in FIELDS and isinstance(value, str) and len(quote(value)) > MAX_LINK_TEXT
    ]
