"""What the browser needs to redraw an attention figure by itself: the live heatmap's payload.

The server computes the raw scores q·k once per sentence and setting that changes them. The
temperature, the √d_k scaling, transposing, numbers in cells and the colours change only how
those scores are turned into a picture, so the browser does that part itself: a teacher's
slider then moves the picture while it is dragged, with no round trip to the server.

Payload, little-endian bytes::

    uint32          length of the header
    header          UTF-8 JSON, padded with spaces to a multiple of 8 bytes
    arrays          one after the other, as ``header["arrays"]`` lists them (name, dtype, shape, offset)

The header holds both layouts (the lecture's and the transposed one) as Plotly figures
without their cell values, the colour scales and the words of hovers and colour bars.
The arrays are the raw scores (float64: the browser's softmax is checked against PyTorch
to 1e-6), the mask where some pairs are not allowed, and the value vectors' part that the
output strip shows, so that each output is ``weights @ basis``.

``figure_from_payload`` is the same drawing in Python; tests use it to read a live page.
"""

from __future__ import annotations

import json
import struct
from dataclasses import replace

import numpy as np

from attention.core import AttentionResult, attention_weights
from attention.figures import (
    TEMPERATURE_NOTE,
    WEIGHT_SCALES,
    FigureOptions,
    attention_figure_spec,
    colorscale,
    output_basis,
    scale_description,
    weight_range,
)
from attention.i18n import text
from attention.views import Settings

# The settings the browser applies by itself; every other change goes through the server.
DISPLAY_FIELDS = ("temperature", "scale", "transpose", "show_values", "colors", "fit_colors")
# Placeholders that the browser replaces with what it computes: the colour bar's range, the hover's scaling.
LOW, HIGH, SCALING = 1111.0, 2222.0, "{scaling}"


def display_of(settings: Settings, options: FigureOptions) -> dict[str, object]:
    """The display settings of a figure, under their names in ``attention.settings.FIELDS``."""
    return {
        "temperature": settings.temperature,
        "scale": settings.scale_by_sqrt_dk,
        "transpose": options.transpose,
        "show_values": options.show_values,
        "colors": options.colorscale,
        "fit_colors": options.fit_colors,
    }


def live_payload(
    result: AttentionResult, query_tokens: list[str], key_tokens: list[str], options: FigureOptions
) -> bytes:
    """Everything the browser needs to draw ``result`` under any display settings (see the module's text).

    ``options`` gives the size, the output components and the language; its display fields do not matter.
    """
    scaling = scale_description(
        bool(np.isclose(result.scale, 1 / np.sqrt(result.d_k))), result.temperature, options.lang
    )
    figures = {}
    for name, transpose in (("lecture", False), ("transposed", True)):
        plain = replace(options, transpose=transpose, show_values=False, fit_colors=False)
        figure = attention_figure_spec(result, query_tokens, key_tokens, plain)
        for trace in figure["data"]:
            for key in ("z", "customdata", "zmin", "zmax", "texttemplate"):
                trace.pop(key, None)
        grid = figure["data"][0]
        grid["hovertemplate"] = grid["hovertemplate"].replace(scaling, SCALING)
        figures[name] = figure
    basis = output_basis(result, options.n_components, options.components) if options.n_components > 0 else None
    arrays = {"scores": result.scores.astype(np.float64)}  # (n_q, n_k)
    if not result.mask.all():
        arrays["allowed"] = result.mask.astype(np.uint8)  # (n_q, n_k)
    if basis is not None:
        arrays["basis"] = basis.astype(np.float64)  # (n_k, m)
    header = {
        "n_q": len(query_tokens),
        "n_k": len(key_tokens),
        "d_k": result.d_k,
        "lang": options.lang,
        "figures": figures,
        "colorscales": {name: colorscale(colors) for name, colors in WEIGHT_SCALES.items()},
        "text": {
            "weight_fitted": text("fig.weight_fitted", options.lang, low=LOW, high=HIGH),
            "low": f"{LOW:.2f}",
            "high": f"{HIGH:.2f}",
            "scaling": SCALING,
            "scale_sqrt": scale_description(True, 1.0, options.lang),
            "scale_other": scale_description(False, 1.0, options.lang),
            "temperature": TEMPERATURE_NOTE,
        },
    }
    return pack(header, arrays)


def pack(header: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """The header and the arrays as one byte string (the format in the module's text)."""
    offset, listed, blobs = 0, [], []
    for name, array in arrays.items():
        blob = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        listed.append({"name": name, "dtype": array.dtype.name, "shape": list(array.shape), "offset": offset})
        blobs.append(blob + b"\0" * (-len(blob) % 8))  # keep every array 8-byte aligned
        offset += len(blobs[-1])
    encoded = json.dumps({**header, "arrays": listed}, ensure_ascii=False, separators=(",", ":")).encode()
    encoded += b" " * (-(len(encoded) + 4) % 8)
    return struct.pack("<I", len(encoded)) + encoded + b"".join(blobs)


def unpack(payload: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and the arrays of a payload made by ``pack``."""
    (length,) = struct.unpack_from("<I", payload)
    header = json.loads(payload[4 : 4 + length])
    start = 4 + length
    arrays = {}
    for item in header["arrays"]:
        dtype = np.dtype(item["dtype"]).newbyteorder("<")
        count = int(np.prod(item["shape"]))
        arrays[item["name"]] = np.frombuffer(payload, dtype, count, start + item["offset"]).reshape(item["shape"])
    return header, arrays


def figure_from_payload(payload: bytes, display: dict[str, object]) -> dict:
    """The Plotly figure the browser draws from ``payload`` under ``display``, made in Python.

    It mirrors the browser's drawing step by step; the browser's own result is checked in a
    browser test against PyTorch's ``scaled_dot_product_attention``.
    """
    header, arrays = unpack(payload)
    scores = arrays["scores"]
    allowed = arrays["allowed"].astype(bool) if "allowed" in arrays else np.ones(scores.shape, bool)
    scale = 1 / np.sqrt(header["d_k"]) if display["scale"] else 1.0
    weights = attention_weights(scores, allowed, scale, float(display["temperature"]))  # (n_q, n_k)
    scaled = np.where(allowed, scores * scale / float(display["temperature"]), -np.inf)  # (n_q, n_k)
    figure = json.loads(json.dumps(header["figures"]["transposed" if display["transpose"] else "lecture"]))
    grid = figure["data"][0]
    flip = (lambda a: a) if display["transpose"] else (lambda a: np.swapaxes(a, 0, 1))
    grid["z"] = flip(weights)
    grid["customdata"] = flip(np.stack([scores, scaled], axis=-1))
    low, high = weight_range(weights, allowed, bool(display["fit_colors"]))
    grid["zmin"], grid["zmax"] = low, high if high > low else low + 1e-9
    grid["colorscale"] = header["colorscales"][display["colors"]]
    if display["fit_colors"]:
        title = header["text"]["weight_fitted"].replace(header["text"]["low"], f"{low:.2f}")
        grid["colorbar"]["title"]["text"] = title.replace(header["text"]["high"], f"{high:.2f}")
    scaling = scale_description(bool(display["scale"]), float(display["temperature"]), header["lang"])
    grid["hovertemplate"] = grid["hovertemplate"].replace(header["text"]["scaling"], scaling)
    if display["show_values"]:
        grid["texttemplate"] = "%{z:.2f}"
    if "basis" in arrays:
        outputs = weights @ arrays["basis"]  # (n_q, n_k) @ (n_k, m) -> (n_q, m)
        limit = float(np.abs(outputs).max()) or 1.0
        strip = figure["data"][1]
        strip["z"] = outputs if display["transpose"] else outputs.T
        strip["zmin"], strip["zmax"] = -limit, limit
    return figure
