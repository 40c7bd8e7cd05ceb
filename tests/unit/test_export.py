"""Exports: images drawn by real kaleido + Chromium, and CSV/JSON that read back to the same numbers."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict

import numpy as np
import pytest
from PIL import Image

from attention import export
from attention.core import scaled_dot_product_attention
from attention.examples import LECTURE_SOURCE, LECTURE_TARGET
from attention.export import (
    CSV_COLUMNS,
    ImageExportError,
    attention_json,
    attention_table_csv,
    export_meta,
    export_view,
    figure_html,
    figure_image,
    image_export_available,
)
from attention.figures import attention_figure
from attention.options import FigureOptions, Settings
from attention.views import AttentionView, attend

CI = os.environ.get("CI") == "true"
# Without Chromium the image tests skip, except in CI, where they run and fail.
needs_images = pytest.mark.skipif(
    not image_export_available() and not CI, reason="image export needs kaleido and chromium (apt-get install chromium)"
)
HOSTILE_TOKENS = ["<script>alert(1)</script>", "<b>", "a & b", 'say "hi", then']


@pytest.fixture(scope="module")
def lecture(minilm) -> AttentionView:
    """The lecture's 4 x 4 example: this is an example -> kore wa rei desu, whole words."""
    view = attend(minilm.encode(LECTURE_SOURCE), minilm.encode(LECTURE_TARGET), Settings(merge_words=True))
    assert (len(view.query_tokens), len(view.key_tokens)) == (4, 4)
    return view


@pytest.fixture(scope="module")
def causal(minilm) -> AttentionView:
    """Self attention with the causal mask, so that scaled scores hold -inf."""
    tokens = minilm.encode("the cat sat on the mat")
    view = attend(tokens, tokens, Settings(causal=True, temperature=0.5))
    assert np.isneginf(view.result.scaled).any()
    return view


@pytest.fixture(scope="module")
def hostile() -> AttentionView:
    """Made-up vectors under token labels that are markup, quotes and commas."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(HOSTILE_TOKENS), 8))
    result = scaled_dot_product_attention(vectors, vectors, vectors)
    return AttentionView(result=result, query_tokens=HOSTILE_TOKENS, key_tokens=HOSTILE_TOKENS)


def figure_of(view: AttentionView, **options) -> object:
    return attention_figure(view.result, view.query_tokens, view.key_tokens, FigureOptions(**options))


def svg_texts(svg: bytes) -> tuple[ET.Element, list[str]]:
    root = ET.fromstring(svg)
    return root, ["".join(element.itertext()) for element in root.iter() if element.tag.endswith("}text")]


# --- CSV and JSON ----------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and tuple(rows[0]) == CSV_COLUMNS
    return rows


@pytest.mark.parametrize("name", ["lecture", "causal", "hostile"])
def test_csv_reads_back_to_the_same_numbers_and_tokens(name, request):
    view = request.getfixturevalue(name)
    rows = read_csv(attention_table_csv(view))
    n_q, n_k = view.result.weights.shape
    assert len(rows) == n_q * n_k
    for column, field in (("score", "scores"), ("scaled_score", "scaled"), ("weight", "weights")):
        numbers = np.array([float(row[column]) for row in rows]).reshape(n_q, n_k)
        assert np.array_equal(numbers, getattr(view.result, field)), column  # exact, -inf included
    assert [int(row["query_index"]) for row in rows] == [i for i in range(n_q) for _ in range(n_k)]
    assert [int(row["key_index"]) for row in rows] == [j for _ in range(n_q) for j in range(n_k)]
    assert [row["query_token"] for row in rows[::n_k]] == view.query_tokens
    assert [row["key_token"] for row in rows[:n_k]] == view.key_tokens


def test_csv_writes_masked_scores_as_minus_inf(causal):
    rows = read_csv(attention_table_csv(causal))
    masked = [row for row in rows if int(row["key_index"]) > int(row["query_index"])]
    assert masked and all(row["scaled_score"] == "-inf" and float(row["weight"]) == 0.0 for row in masked)


def strict_json(text: str) -> dict:
    def no_constants(name):
        raise AssertionError(f"JSON must not hold {name}")

    return json.loads(text, parse_constant=no_constants)


@pytest.mark.parametrize("name", ["lecture", "causal", "hostile"])
def test_json_reads_back_to_the_same_numbers_and_tokens(name, request):
    view = request.getfixturevalue(name)
    meta = export_meta({"sentence": "the cat sat on the mat"}, Settings(causal=True), "test model", "self")
    document = strict_json(attention_json(view, meta))
    assert document["query_tokens"] == view.query_tokens
    assert document["key_tokens"] == view.key_tokens
    for field in ("scores", "weights", "output"):
        assert np.array_equal(np.array(document[field], dtype=float), getattr(view.result, field)), field
    scaled = np.array([[-math.inf if x is None else x for x in row] for row in document["scaled"]])
    assert np.array_equal(scaled, view.result.scaled)
    assert (document["scale"], document["temperature"], document["d_k"]) == (
        view.result.scale,
        view.result.temperature,
        view.result.d_k,
    )
    assert document["meta"] == {
        "kind": "self",
        "sentences": {"sentence": "the cat sat on the mat"},
        "settings": asdict(Settings(causal=True)),
        "model": "test model",
    }
    assert document["meta"]["settings"]["causal"] is True and document["meta"]["settings"]["temperature"] == 1.0


def test_json_writes_masked_scores_as_null(causal):
    document = strict_json(attention_json(causal))
    nulls = np.array([[x is None for x in row] for row in document["scaled"]])
    assert np.array_equal(nulls, ~causal.result.mask)


def test_exports_of_a_view_without_attention_say_why():
    view = AttentionView(problem="Type a source sentence to see its attention.")
    for make in (attention_table_csv, attention_json):
        with pytest.raises(ValueError, match="source sentence"):
            make(view)
    with pytest.raises(ValueError, match="format"):
        export_view(view, "gif")


# --- HTML ------------------------------------------------------------------------------------------


def test_html_is_one_offline_file_without_markup_from_tokens(hostile):
    page = figure_html(figure_of(hostile))
    assert '<script src="http' not in page  # plotly.js is inside, no CDN
    assert "Plotly.newPlot" in page and len(page) > 1_000_000
    assert "<script>alert" not in page and "<b>" not in page


# --- images ----------------------------------------------------------------------------------------


@needs_images
def test_image_export_is_available_where_chromium_is():
    assert image_export_available(), "CI=true but kaleido or chromium is missing"


@needs_images
@pytest.mark.parametrize("scale", [1, 2])
def test_png_has_the_figure_size_times_scale(lecture, scale):
    fig = figure_of(lecture, query_role="source", key_role="target")
    png = figure_image(fig, "png", scale)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.size == (fig.layout.width * scale, fig.layout.height * scale)


@needs_images
def test_svg_parses_and_shows_the_tokens(lecture):
    root, texts = svg_texts(figure_image(figure_of(lecture), "svg"))
    assert root.tag.endswith("svg")
    for token in lecture.query_tokens + lecture.key_tokens:
        assert token in texts


@needs_images
def test_svg_shows_markup_in_tokens_as_text(hostile):
    svg = figure_image(figure_of(hostile), "svg")
    assert b"<script" not in svg
    root, texts = svg_texts(svg)
    assert not [element.tag for element in root.iter() if element.tag.split("}")[-1] in ("script", "b", "a")]
    # labels longer than 24 characters are shortened with an ellipsis
    assert any(text.startswith("<script>alert(1)</scrip") for text in texts)
    assert "<b>" in texts and "a & b" in texts


@needs_images
def test_pdf_starts_with_its_header(lecture):
    assert figure_image(figure_of(lecture), "pdf").startswith(b"%PDF")


@needs_images
def test_second_export_reuses_the_running_browser(lecture):
    fig = figure_of(lecture)
    figure_image(fig, "png")
    started = time.perf_counter()
    figure_image(fig, "png")
    # Starting Chromium alone takes several seconds; a reused one draws this in well under one.
    assert time.perf_counter() - started < 4


def test_bad_image_arguments_are_refused(lecture):
    fig = figure_of(lecture)
    with pytest.raises(ValueError, match="format"):
        figure_image(fig, "gif")
    for scale in (0, -1, math.nan, math.inf, 100):
        with pytest.raises(ValueError, match="scale"):
            figure_image(fig, "png", scale)


@needs_images
@pytest.mark.timeout(120)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_browser_that_does_not_start_gives_an_error_not_a_hang(lecture, tmp_path, monkeypatch):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    export.stop_image_server()
    monkeypatch.setenv("BROWSER_PATH", str(broken))
    try:
        with pytest.raises(ImageExportError, match="did not start"):
            figure_image(figure_of(lecture), "png")
    finally:
        monkeypatch.delenv("BROWSER_PATH")
        export.stop_image_server()
    assert figure_image(figure_of(lecture), "png").startswith(b"\x89PNG")  # and the next export works


class _StuckFigure:
    """Stands in for a figure whose drawing never finishes."""

    def __init__(self):
        self.release = threading.Event()

    def to_image(self, **_):
        self.release.wait(30)
        return b""


@needs_images
def test_an_export_that_never_finishes_times_out_and_later_ones_fail_fast(monkeypatch):
    monkeypatch.setattr(export, "EXPORT_TIMEOUT", 0.5)
    monkeypatch.setattr(export, "_server_stuck", False)  # restored after the test
    stuck = _StuckFigure()
    try:
        with pytest.raises(ImageExportError, match="no image after"):
            figure_image(stuck, "png")
        with pytest.raises(ImageExportError, match="restart"):
            figure_image(stuck, "png")
    finally:
        stuck.release.set()
