"""What the app's live components receive from the server, in one format for all of them: a JSON head (the view
or display settings, and the chrome: labels, theme, Plotly config) and the page's payload bytes after it.

    4 bytes: the head's length (little-endian); the head, UTF-8 JSON; the payload (``attention.heatmap_payload.pack``)

The browser's side reads it with ``readJson`` (webapp/component_start.js, at the start of every bundle).
"""

from __future__ import annotations

import hashlib
import json
import struct


def component_data(head: dict, payload: bytes) -> bytes:
    """The bytes a component receives: ``head`` as JSON, then ``payload``."""
    encoded = json.dumps(head, ensure_ascii=False).encode()
    return struct.pack("<I", len(encoded)) + encoded + payload


def read_component_data(data: bytes) -> tuple[dict, bytes]:
    """The two parts of ``component_data``'s bytes: the head and the payload."""
    (length,) = struct.unpack_from("<I", data)
    return json.loads(data[4 : 4 + length]), bytes(data[4 + length :])


def payload_id(payload: bytes) -> str:
    """A short name of ``payload`` (its hash) for the chrome, so that the browser unpacks new bytes only."""
    return hashlib.blake2b(payload, digest_size=12).hexdigest()
