"""In process, without a server: the model's floor and each step of one update, as a page does it."""

from __future__ import annotations

import time
import warnings

from bench.common import median, ms_since, percentile
from bench.texts import Sentence


def quiet_streamlit() -> None:
    """Streamlit warns on every call made outside `streamlit run` (bare mode); the
    benchmark mounts the live heatmap that way on purpose."""
    import streamlit.logger
    from streamlit import config

    config.get_option("logger.level")  # parse the config first: parsing resets the log level
    streamlit.logger.set_log_level("error")
    warnings.filterwarnings("ignore")


def streamlit_spec(fig) -> str:
    """The JSON that st.plotly_chart puts on the wire (streamlit/elements/plotly_chart.py):
    ``plotly.io.to_json(return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)``."""
    import plotly.io
    import plotly.tools

    return plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)


def live_chart(data: bytes) -> None:
    """The app's own mounting of the live heatmap (webapp/live_chart.py), in bare mode."""
    from webapp import live_chart

    live_chart._component(key=live_chart.KEY, data=data)


def measure_server_side(encoder, sentences: list[Sentence], mode: str, repeats: int) -> dict:
    """Medians of the floor and of each step of one update, over ``repeats`` runs.

    The update is what a page does for new sentences, without Streamlit's caches:
    views.compute_view with Encoder.encode (both sentences of "cross", the one of
    "self"), the live heatmap's payload (attention.heatmap_payload.live_payload: both layouts and the
    raw scores) and the app's mounting of the live heatmap. ``figure_bytes`` is what that
    sends; ``_spec`` is the figure st.plotly_chart would have sent, for plotly.js alone.
    """
    import gc

    import torch

    from attention.figures import attention_figure
    from attention.heatmap_payload import display_of, live_payload
    from attention.options import FigureOptions, Settings
    from attention.views import compute_view
    from webapp.live_chart import data_of

    transformer = encoder.transformer
    tokenizer = encoder.tokenizer
    roles = ("source", "target") if mode == "cross" else ("sentence",)
    options = FigureOptions(query_role=roles[0], key_role=roles[-1])
    texts = {role: s.text for role, s in zip(roles, sentences, strict=True)}

    def forward(text: str) -> None:
        features = tokenizer(text, return_tensors="pt")
        with torch.inference_mode():
            transformer(**features)

    encode_ms: list[float] = []

    def timed_encode(text: str, depth: int | None = None):
        started = time.perf_counter()
        embeddings = encoder.encode_layers(text, depth)
        encode_ms.append(ms_since(started))
        return embeddings

    keys = ("forward", "encode", "attend", "figure", "json", "chart", "update", "gc")
    times: dict[str, list[float]] = {k: [] for k in keys}
    spec_bytes = 0
    cells = 0
    for r in range(repeats + 2):  # two warm-up runs
        started = time.perf_counter()
        for s in sentences:
            forward(s.text)
        t_forward = ms_since(started)

        encode_ms.clear()
        update_started = time.perf_counter()
        view = compute_view(encoder, texts, Settings(), encode=timed_encode)
        t_view = ms_since(update_started)
        started = time.perf_counter()
        payload = live_payload(view.result, view.query_tokens, view.key_tokens, options)
        t_figure = ms_since(started)
        started = time.perf_counter()
        sent = data_of(display_of(Settings(), options), {"config": {}}, payload)
        live_chart(sent)
        t_chart = ms_since(started)
        t_update = ms_since(update_started)

        started = time.perf_counter()
        fig = attention_figure(view.result, view.query_tokens, view.key_tokens, options)
        spec = streamlit_spec(fig)
        t_json = ms_since(started)
        del fig
        started = time.perf_counter()
        gc.collect(2)  # what Streamlit does after every script run (runner.postScriptGC)
        t_gc = ms_since(started)
        if r >= 2:
            t_encode = sum(encode_ms)
            for key, value in zip(
                keys, (t_forward, t_encode, t_view - t_encode, t_figure, t_json, t_chart, t_update, t_gc), strict=True
            ):
                times[key].append(value)
        spec_bytes = len(sent)
        cells = len(view.query_tokens) * len(view.key_tokens)
        if view.query_tokens != sentences[0].labels or len(encode_ms) != len(sentences):
            raise AssertionError("the update did not encode the sentences or shows other tokens")
    forward_ms = median(times["forward"])
    return {
        "word_pieces": sentences[0].positions - 2,
        "heatmap_cells": cells,
        "repeats": repeats,
        "forward_ms": forward_ms,
        "encode_ms": median(times["encode"]),
        "attend_ms": median(times["attend"]),
        "figure_ms": median(times["figure"]),
        "json_ms": median(times["json"]),
        "serialise_ms": median(times["chart"]),
        "server_update_ms": median(times["update"]),
        "server_update_ms_p95": percentile(times["update"], 95),
        "server_update_ms_min": min(times["update"]),
        "forward_ms_min": min(times["forward"]),
        "server_update_limit_ms": 1.5 * forward_ms + 10,
        "gc_ms": median(times["gc"]),
        "figure_bytes": spec_bytes,
        "bytes_per_cell": spec_bytes / cells,
        "_spec": spec,
    }
