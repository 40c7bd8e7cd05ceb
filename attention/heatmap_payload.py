"""What the browser needs to redraw an attention figure by itself: the live heatmap's payload.

The server computes the raw scores q·k once per sentence and setting that changes them. The
temperature, the √d_k scaling, transposing, numbers in cells and the colours (the display
settings, ``attention.heatmap.DISPLAY_FIELDS``) change only how those scores are turned into a
picture, so the browser does that part itself: a teacher's slider then moves the picture while it
is dragged, with no round trip to the server.

The payload is the heatmap's data (``attention.figures.heatmap_data``; its fields are listed in
``attention.heatmap``), as little-endian bytes::

    uint32          length of the header
    header          UTF-8 JSON, padded with spaces to a multiple of 8 bytes: the data's plain fields
    arrays          one after the other, as ``header["arrays"]`` lists them (name, dtype, shape, offset)

The arrays are the raw scores (float64: the browser's softmax is checked against PyTorch to
1e-6), the mask where some pairs are not allowed, and the value vectors' part that the output
strip shows. ``read_payload`` gives the data back, for ``attention.heatmap.render``.
"""

from __future__ import annotations

import json
import struct

import numpy as np

from attention.core import AttentionResult
from attention.figures import heatmap_data
from attention.heatmap import ARRAYS, DISPLAY_FIELDS
from attention.options import FigureOptions, Settings
from attention.settings_table import values_of


def display_of(settings: Settings, options: FigureOptions) -> dict[str, object]:
    """The display settings of a figure, under their names in ``attention.settings_table.FIELDS``."""
    values = values_of(settings, options)
    return {name: values[name] for name in DISPLAY_FIELDS}


def live_payload(
    result: AttentionResult, query_tokens: list[str], key_tokens: list[str], options: FigureOptions
) -> bytes:
    """Everything the browser needs to draw ``result`` under any display settings (see the module's text).

    ``options`` gives the size, the output components and the language; its display fields do not matter.
    """
    return data_payload(heatmap_data(result, query_tokens, key_tokens, options))


def data_payload(data: dict) -> bytes:
    """Heatmap data (``attention.figures.heatmap_data``) as the payload's bytes."""
    plain = {name: value for name, value in data.items() if name not in ARRAYS}
    return pack(plain, {name: data[name] for name in ARRAYS if name in data})


def read_payload(payload: bytes) -> dict:
    """The heatmap data that ``live_payload`` packed."""
    header, arrays = unpack(payload)
    del header["arrays"]
    return {**header, **arrays}


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
