"""Display options redraw the figure without running the model again.

One AppTest session on the cross page changes one option at a time through its widget key and
counts the model's work meanwhile: calls of Encoder.encode and forward passes of the transformer
itself (which also catches heads.run_model and any other way to the model). The real model still
runs; the counters only wrap it. A new sentence must be counted, or the counters prove nothing.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter

import pytest

from attention.embeddings import Encoder
from attention.heatmap import DISPLAY_FIELDS
from tests.helpers import CROSS, chart_spec, open_app

# (widget key, new value): options that only change the picture, then settings that change the
# numbers but not the embeddings (those are cached per text). Widgets are found by key alone, so
# the test holds whichever kind of widget sets the option.
CHANGES = [
    ("transpose", True),
    ("show_values", True),
    ("colors", "Viridis"),
    ("n_components", 3),
    ("components", "pca"),
    ("transpose", False),
    ("temperature", 2.0),
    ("scale", False),
    ("show_special", True),
    ("merge_words", True),
]


@pytest.fixture
def model_calls(monkeypatch, minilm) -> Counter:
    """Counts of ``encode`` (Encoder.encode_layers calls) and ``forward`` (forward passes of the model,
    whichever code path runs it: every pass, whole or stopped after a few layers, starts with the
    embeddings module), around the real methods."""
    calls: Counter = Counter()
    real_encode = Encoder.encode_layers

    def counted_encode(self, text, depth=None):
        calls["encode"] += 1
        return real_encode(self, text, depth)

    embeddings = type(minilm.transformer.embeddings)
    real_forward = embeddings.forward

    def counted_forward(self, *args, **kwargs):
        calls["forward"] += 1
        return real_forward(self, *args, **kwargs)

    monkeypatch.setattr(Encoder, "encode_layers", counted_encode)
    monkeypatch.setattr(embeddings, "forward", counted_forward)
    return calls


def test_display_options_do_not_run_the_model(model_calls):
    at = open_app(CROSS)

    # the counters see the model: a sentence no run has encoded before is encoded once
    model_calls.clear()
    at.get_by_key("source").set_value(f"a sentence nobody typed before {uuid.uuid4().hex[:8]}").run()
    assert not at.exception, at.exception
    assert model_calls["encode"] >= 1 and model_calls["forward"] >= 1, dict(model_calls)

    found = {}
    for key, value in CHANGES:
        before = figure_json(at)
        model_calls.clear()
        if key in DISPLAY_FIELDS:  # the live heatmap's own controls, which store the value in the session
            at.session_state[key] = value
            at.run()
        else:
            at.get_by_key(key).set_value(value).run()
        assert not at.exception, f"the cross page raised after {key}={value!r}: {at.exception}"
        assert at.session_state[key] == value, key
        assert figure_json(at) != before, f"{key}={value!r} did not change the figure"
        found[f"{key}={value!r}"] = dict(model_calls)
    assert all(not counts for counts in found.values()), f"model calls per change: {found}"

    # The layer slider: a pass stops at the default layer (Encoder.depth_for), so a layer above it runs
    # the whole model once for each sentence; after that, every layer of both sentences is cached.
    layers = {}
    for layer in (3, 5, 0, 1, 4):
        model_calls.clear()
        at.get_by_key("vector_layer_slider").set_value(layer).run()
        assert not at.exception, at.exception
        layers[layer] = dict(model_calls)
    assert layers[3] == {"encode": 2, "forward": 2}, layers
    assert all(not layers[layer] for layer in (5, 0, 1, 4)), layers


def figure_json(at) -> str:
    """The page's figure as comparable text (its arrays as lists)."""
    return json.dumps(chart_spec(at), default=lambda a: a.tolist(), sort_keys=True)
