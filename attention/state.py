"""Every setting of the app, its default, and how it travels in a shareable link.

Pure Python: ``from_query`` turns URL parameters into settings (clamping or
dropping what is not valid, never raising), ``to_query`` turns settings back
into the parameters that differ from the defaults. The pages keep these values
in ``st.session_state`` under the same keys.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from attention.embeddings import DEFAULT_MODEL
from attention.figures import COMPONENT_MODES, WEIGHT_SCALES
from attention.i18n import LANGUAGES
from attention.views import PROJECTIONS

LECTURE_SOURCE = "this is an example"
LECTURE_TARGET = "kore wa rei desu"
TEMPERATURES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
RANDOM_DKS = (4, 8, 16, 32, 64, 128)
MAX_TEXT = 100_000  # characters of one sentence taken from a link; the model reads far fewer tokens anyway
MAX_LINK_TEXT = 2_000  # URL-encoded characters of one sentence put into a link; servers refuse very long URLs


def _boolean(raw: str) -> bool:
    if raw.lower() in ("true", "1", "yes", "on"):
        return True
    if raw.lower() in ("false", "0", "no", "off"):
        return False
    raise ValueError(raw)


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(raw)
        return int(min(max(round(value), low), high))  # clamp: layer 99 means the last layer there is

    return parse


def _choice(options) -> Callable[[str], object]:
    def parse(raw: str):
        for option in options:
            if str(option) == raw:
                return option
        if isinstance(next(iter(options)), float):  # "1" for 1.0
            value = float(raw)
            if value in options:
                return value
        raise ValueError(raw)

    return parse


def _text(raw: str) -> str:
    return raw[:MAX_TEXT]


@dataclass(frozen=True)
class Field:
    """One setting: its default and how to read it from a link (raising ValueError when invalid)."""

    default: object
    parse: Callable[[str], object]


FIELDS: dict[str, Field] = {
    "lang": Field("en", _choice(tuple(LANGUAGES))),
    "present": Field(False, _boolean),
    "source": Field(LECTURE_SOURCE, _text),
    "target": Field(LECTURE_TARGET, _text),
    "sentence": Field(LECTURE_SOURCE, _text),
    "model": Field(DEFAULT_MODEL, _text),
    "show_special": Field(False, _boolean),
    "merge_words": Field(False, _boolean),
    "scale": Field(True, _boolean),
    "temperature": Field(1.0, _choice(TEMPERATURES)),
    "causal": Field(False, _boolean),
    "projection": Field("identity", _choice(tuple(PROJECTIONS))),
    "layer": Field(0, _integer(0, 63)),
    "head": Field(0, _integer(0, 63)),
    "random_dk": Field(64, _choice(RANDOM_DKS)),
    "seed": Field(0, _integer(0, 1_000_000)),
    "show_values": Field(False, _boolean),
    "transpose": Field(False, _boolean),
    "colors": Field("Blues", _choice(tuple(WEIGHT_SCALES))),
    "n_components": Field(8, _integer(0, 16)),
    "components": Field("first", _choice(COMPONENT_MODES)),
    "step_kind": Field("cross", _choice(("cross", "self"))),
    "pick_query": Field(0, _integer(0, 511)),
    "pick_key": Field(0, _integer(0, 511)),
    "heads_layer": Field(0, _integer(0, 63)),
    "heads_head": Field(0, _integer(0, 63)),
    "heads_average": Field(False, _boolean),
}


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
    for key, field in FIELDS.items():
        value = values.get(key, field.default)
        if value != field.default and key not in left_out(values):
            query[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return query


def left_out(values: Mapping[str, object]) -> list[str]:
    """The settings too long to travel in a link."""
    return [
        key
        for key, value in values.items()
        if key in FIELDS and isinstance(value, str) and len(quote(value)) > MAX_LINK_TEXT
    ]
