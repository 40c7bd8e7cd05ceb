"""Files to download: the figure as PNG, SVG, PDF or HTML, and the numbers as CSV or JSON (of one view,
or of the compare page's two views and their difference).

Pure functions, no Streamlit; the pages and ``python -m attention render`` both use them.

Images are drawn by plotly's ``Figure.to_image``, which hands the figure to kaleido 1.x,
which draws it in a headless Chromium. Starting Chromium costs seconds, so the first
image export starts kaleido's persistent server (``kaleido.start_sync_server``) and
later exports reuse its browser; the server stops when the process exits, or with
``stop_image_server``.

Numbers are written so that reading them back gives exactly the same floats
(Python's ``repr``, the shortest text that round-trips). Masked pairs (the causal
mask) have a scaled score of minus infinity: CSV writes it as ``-inf``, which
``float()`` and most CSV readers parse; JSON has no infinity, so JSON writes ``null``.

User text is safe in every format: token labels in ``attention_figure`` are already
HTML-escaped for Plotly, so an SVG shows ``<script>`` as the characters typed,
never as an element; CSV and JSON carry tokens verbatim, quoted by their writers.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import io
import json
import math
import os
import shutil
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

import numpy as np
import plotly.graph_objects as go

from attention.compare import Comparison
from attention.figures import attention_figure
from attention.i18n import TranslatedError
from attention.options import FigureOptions, Settings
from attention.views import AttentionView

IMAGE_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("csv", "json")
FORMATS = IMAGE_FORMATS + ("html",) + DATA_FORMATS
MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "json": "application/json",
}
CSV_COLUMNS = ("query_index", "query_token", "key_index", "key_token", "score", "scaled_score", "weight")
DIFFERENCE_COLUMNS = ("query_index", "query_token", "key_index", "key_token", "weight_a", "weight_b", "difference")
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
MAX_SCALE = 8
# Kaleido gives up on one image after 90 s; wait a little longer than that before
# declaring the image server stuck.
EXPORT_TIMEOUT = 150.0


class ImageExportError(TranslatedError):
    """An image could not be drawn; the message says why, for a user, in the language asked for."""


def image_export_available() -> bool:
    """Whether PNG, SVG and PDF export can work here, without starting a browser.

    True when kaleido 1.x is installed and a Chromium or Chrome is found (the
    ``BROWSER_PATH`` environment variable, which kaleido honours, or the PATH).
    A browser that is found but fails to start is reported by ``figure_image`` instead.
    """
    if importlib.util.find_spec("kaleido") is None:
        return False
    try:
        major = int(importlib.metadata.version("kaleido").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    if major < 1:
        return False
    override = os.environ.get("BROWSER_PATH")
    if override:
        return os.path.isfile(override) and os.access(override, os.X_OK)
    return any(shutil.which(name) for name in BROWSER_NAMES)


_lock = threading.Lock()
_server_stuck = False


def figure_image(fig: go.Figure, fmt: str, scale: float = 1, lang: str = "en") -> bytes:
    """Draw a figure as PNG, SVG or PDF.

    Exports run one at a time: kaleido's server hands results back through one
    shared queue, so two exports at once could swap their images.

    Args:
        fig: a Plotly figure; its layout width and height (set by
            ``attention_figure``) are the image size in CSS pixels.
        fmt: "png", "svg" or "pdf".
        scale: PNG only: pixels per CSS pixel, so a PNG is width*scale by
            height*scale pixels. Vector formats ignore it.
        lang: the language of an ImageExportError's message.

    Returns:
        The file's bytes.

    Raises:
        ValueError: an unknown format or a scale that is not a number in (0, MAX_SCALE].
        ImageExportError: kaleido or Chromium is missing, or the image could not be drawn.
    """
    global _server_stuck
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format must be one of {', '.join(IMAGE_FORMATS)}, got {fmt!r}")
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and 0 < scale <= MAX_SCALE):
        raise ValueError(f"scale must be a number above 0 and at most {MAX_SCALE}, got {scale!r}")
    if not image_export_available():
        raise ImageExportError("export.no_browser", lang)
    with _lock:
        if _server_stuck:
            raise ImageExportError("export.stuck", lang)
        server = _start_server()
        try:
            return _run_watched(lambda: fig.to_image(format=fmt, scale=scale if fmt == "png" else 1), server)
        except _ServerDied:
            _stop_server()
            raise ImageExportError("export.browser_died", lang) from None
        except TimeoutError:
            _server_stuck = True
            raise ImageExportError("export.timeout", lang, seconds=EXPORT_TIMEOUT) from None
        except Exception as error:  # kaleido's and Chromium's errors are many and undocumented
            raise ImageExportError("export.failed", lang, error=f"{type(error).__name__}: {error}") from None


def stop_image_server() -> None:
    """Stop the persistent image server, if it runs; the next image export starts it again."""
    with _lock:
        _stop_server()


def figure_html(fig: go.Figure) -> str:
    """The figure as a standalone HTML page with plotly.js inside, so it works offline.

    Token labels are escaped by ``attention_figure`` and Plotly's JSON escapes
    ``</script>``, so typed text cannot become markup or script.
    """
    return fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False})


def attention_table_csv(view: AttentionView) -> str:
    """One CSV row per (query, key) pair: indices, tokens, raw and scaled score, and weight.

    Columns are CSV_COLUMNS. Floats are written with ``repr``, so ``float()`` reads
    back exactly the numbers of the view; a masked pair's scaled score is ``-inf``
    and its weight 0.0. Tokens are written as they are (quoted where CSV needs it).

    Raises:
        ValueError: the view has no attention (``view.problem`` says why).
    """
    result = _result(view)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i, query in enumerate(view.query_tokens):
        for j, key in enumerate(view.key_tokens):
            numbers = (result.scores[i, j], result.scaled[i, j], result.weights[i, j])
            writer.writerow([i, query, j, key, *(repr(float(x)) for x in numbers)])
    return buffer.getvalue()


def attention_json(view: AttentionView, meta: Mapping[str, Any] | None = None) -> str:
    """Everything the figure shows, as one JSON object.

    Keys: ``query_tokens``, ``key_tokens``; ``scores``, ``scaled`` and ``weights``
    (n_q lists of n_k numbers, query-major like ``AttentionResult``); ``output``
    (n_q lists of d_v numbers); ``scale``, ``temperature``, ``d_k``; ``notes``;
    and ``meta`` as given (see ``export_meta``). Floats round-trip exactly;
    masked scaled scores (minus infinity) are ``null``.

    Raises:
        ValueError: the view has no attention, or ``meta`` is not JSON-serialisable.
    """
    result = _result(view)
    scaled = [[None if x == -math.inf else x for x in row] for row in result.scaled.tolist()]
    document = {
        "query_tokens": list(view.query_tokens),
        "key_tokens": list(view.key_tokens),
        "scores": result.scores.tolist(),
        "scaled": scaled,
        "weights": result.weights.tolist(),
        "output": result.output.tolist(),
        "scale": result.scale,
        "temperature": result.temperature,
        "d_k": result.d_k,
        "notes": list(view.notes),
        "meta": dict(meta or {}),
    }
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    except TypeError as error:
        raise ValueError(f"meta must be JSON-serialisable: {error}") from None


def export_meta(
    sentences: Mapping[str, str], settings: Settings, model: str, kind: str, view: AttentionView | None = None
) -> dict[str, Any]:
    """The ``meta`` of a JSON export: what produced the numbers.

    Args:
        sentences: sentence by role, e.g. {"source": ..., "target": ...} or {"sentence": ...}.
        settings: the Settings the view was computed with (``vector_layer`` None: the model's default).
        model: the model's name.
        kind: "cross" or "self" attention.
        view: the view computed; its ``layer`` (the hidden states the tokens carried, the default
            resolved) and the model's ``n_layers`` are added.
    """
    meta = {"kind": kind, "sentences": dict(sentences), "settings": asdict(settings), "model": model}
    if view is not None and view.layer is not None:
        meta.update(layer=view.layer, n_layers=view.n_layers)
    return meta


def export_view(
    view: AttentionView,
    fmt: str,
    options: FigureOptions | None = None,
    meta: Mapping[str, Any] | None = None,
    scale: float = 1,
) -> bytes:
    """A view in any of FORMATS, as the bytes of the file.

    Args:
        view: what a page shows; it must have a result.
        fmt: one of FORMATS.
        options: how to draw the figure (image and HTML formats).
        meta: what produced the numbers (JSON only).
        scale: pixels per CSS pixel (PNG only).

    An image's error message is in the figure's language, ``options.lang``.

    Raises:
        ValueError: an unknown format or a view without attention.
        ImageExportError: an image could not be drawn.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "csv":
        return attention_table_csv(view).encode("utf-8")
    if fmt == "json":
        return attention_json(view, meta).encode("utf-8")
    result = _result(view)
    fig = attention_figure(result, view.query_tokens, view.key_tokens, options)
    if fmt == "html":
        return figure_html(fig).encode("utf-8")
    return figure_image(fig, fmt, scale, options.lang if options else "en")


def comparison_metas(comparison: Comparison) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``export_meta`` of A and of B: each side's sentences, settings and model."""
    a, b = (
        export_meta(side.sentences, side.settings, model, side.kind, view)
        for side, model, view in zip(comparison.sides, comparison.models, (comparison.a, comparison.b), strict=True)
    )
    return a, b


def difference_csv(comparison: Comparison) -> str:
    """One CSV row per (query, key) pair: indices, tokens, A's weight, B's weight and B − A (DIFFERENCE_COLUMNS).

    Raises:
        ValueError: the two sides are not comparable (no difference).
    """
    a, b, difference = _difference(comparison)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DIFFERENCE_COLUMNS)
    for i, query in enumerate(comparison.a.query_tokens):
        for j, key in enumerate(comparison.a.key_tokens):
            numbers = (a[i, j], b[i, j], difference[i, j])
            writer.writerow([i, query, j, key, *(repr(float(x)) for x in numbers)])
    return buffer.getvalue()


def difference_json(comparison: Comparison, meta: Mapping[str, object] | None = None) -> str:
    """The difference as JSON: ``query_tokens``, ``key_tokens``, ``weights_a``, ``weights_b``, ``difference``
    (n_q lists of n_k numbers, query-major) and ``meta`` as given (e.g. both sides' ``export_meta``)."""
    a, b, difference = _difference(comparison)
    document = {
        "query_tokens": list(comparison.a.query_tokens),
        "key_tokens": list(comparison.a.key_tokens),
        "weights_a": a.tolist(),
        "weights_b": b.tolist(),
        "difference": difference.tolist(),
        "meta": dict(meta or {}),
    }
    return json.dumps(document, ensure_ascii=False, allow_nan=False)


def _difference(comparison: Comparison) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A's weights, B's and B − A, each (n_q, n_k)."""
    if not comparison.comparable:
        raise ValueError("A and B do not have the same tokens: there is no difference to export")
    return comparison.a.result.weights, comparison.b.result.weights, comparison.difference


def _result(view: AttentionView):
    if view.result is None:
        raise ValueError(f"nothing to export: {view.problem or 'the view has no attention'}")
    return view.result


class _ServerDied(Exception):
    """The image server's thread ended, so a queued export would wait forever."""


def _start_server() -> Callable[[], bool] | None:
    """Start kaleido's persistent server if this kaleido has one.

    Returns:
        A function telling whether the server is still alive, or None when
        there is no persistent server and each export starts its own browser.
    """
    import kaleido

    if not hasattr(kaleido, "start_sync_server"):
        return None
    # plotly passes its default request headers as kopts, which a running
    # server ignores (with a warning per export); the server's own options hold.
    warnings.filterwarnings("ignore", message="The kopts argument is ignored if using a server", category=UserWarning)
    # mathjax=False: no LaTeX in these figures, and no MathJax fetched from a CDN offline.
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    server = getattr(kaleido, "_global_server", None)

    def alive() -> bool:
        # kaleido's server thread dies if Chromium does not start; an export queued
        # for it would then wait forever, so watch the thread where kaleido exposes it.
        thread = getattr(server, "_thread", None)
        return thread is None or thread.is_alive()

    return alive


def _stop_server() -> None:
    import kaleido

    if hasattr(kaleido, "stop_sync_server"):
        kaleido.stop_sync_server(silence_warnings=True)


def _run_watched(work: Callable[[], bytes], alive: Callable[[], bool] | None) -> bytes:
    """Run ``work`` in a helper thread; give up if the server dies or EXPORT_TIMEOUT passes."""
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=run, name="attention-image-export", daemon=True).start()
    waited = 0.0
    while not done.wait(0.25):
        waited += 0.25
        if alive is not None and not alive() and not done.wait(0.5):
            raise _ServerDied()
        if waited >= EXPORT_TIMEOUT:
            raise TimeoutError()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
