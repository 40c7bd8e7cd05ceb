"""Figures are inspected as data: trace types, shapes, tick labels, which axis sums to 1."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest

from attention import FigureOptions, attention_figure, scaled_dot_product_attention, style
from attention.export import figure_image, image_export_available
from attention.figures import PAGE_SIDE_ROOM, TOP_ROOM, output_components, split_heads_figure
from attention.heads import multi_head_attention, run_model
from attention.heatmap import STRIP_GAP
from attention.style import axis_labels


@pytest.fixture
def result():
    rng = np.random.default_rng(3)
    q, k = rng.normal(size=(4, 10)), rng.normal(size=(6, 10))
    return scaled_dot_product_attention(q, k, rng.normal(size=(6, 12)))


QUERIES = ["this", "is", "an", "example"]
KEYS = ["ko", "##re", "wa", "rei", "des", "##u"]


def test_lecture_layout(result):
    fig = attention_figure(result, QUERIES, KEYS, FigureOptions(query_role="source", key_role="target"))
    assert isinstance(fig, go.Figure)
    heat, strip = fig.data
    assert heat.type == "heatmap" and strip.type == "heatmap"
    z = np.asarray(heat.z)
    assert z.shape == (6, 4)  # one row per key, one column per query
    np.testing.assert_allclose(z.sum(axis=0), 1.0, rtol=1e-6)  # each column sums to 1
    assert list(heat.x) == QUERIES and list(heat.y) == KEYS
    assert np.asarray(strip.z).shape == (8, 4)  # 8 output components under the 4 query columns
    assert list(strip.x) == QUERIES
    assert fig.layout.xaxis.title.text == "query: source"
    assert fig.layout.yaxis.title.text == "key/value: target"
    assert fig.layout.yaxis.autorange == "reversed"  # first key at the top
    colors = [c[1] for c in heat.colorscale]
    assert colors[0] != colors[-1] and heat.zmin == 0


def test_hover_carries_raw_and_scaled_scores(result):
    heat = attention_figure(result, QUERIES, KEYS).data[0]
    custom = np.asarray(heat.customdata)
    assert custom.shape == (6, 4, 2) and custom.dtype == np.float32
    np.testing.assert_allclose(custom[..., 0], result.scores.T, rtol=1e-6)
    np.testing.assert_allclose(custom[..., 1], result.scaled.T, rtol=1e-6)
    for words in ("query: %{x}", "key: %{y}", "customdata[0]", "customdata[1]", "weight"):
        assert words in heat.hovertemplate


def test_transpose_puts_queries_in_rows(result):
    fig = attention_figure(result, QUERIES, KEYS, FigureOptions(transpose=True))
    heat, strip = fig.data
    z = np.asarray(heat.z)
    assert z.shape == (4, 6)
    np.testing.assert_allclose(z.sum(axis=1), 1.0, rtol=1e-6)  # each row sums to 1
    assert list(heat.y) == QUERIES and list(strip.y) == QUERIES
    assert np.asarray(strip.z).shape == (4, 8)
    assert fig.layout.yaxis.title.text == "query: query"


def test_numbers_in_cells(result):
    assert attention_figure(result, QUERIES, KEYS).data[0].texttemplate is None
    assert attention_figure(result, QUERIES, KEYS, FigureOptions(show_values=True)).data[0].texttemplate == "%{z:.2f}"


def test_repeated_tokens_stay_apart_and_markup_is_literal():
    assert axis_labels(["the", "cat", "the"]) == ["0 · the", "cat", "2 · the"]
    assert axis_labels(["<b>", "<br>", '<a href="javascript:1">']) == [
        "&lt;b&gt;",
        "&lt;br&gt;",
        '&lt;a href="javascript:1"&gt;',
    ]
    long = axis_labels(["x" * 5000])[0]
    assert len(long) == 24 and long.endswith("…")


def test_no_output_strip_when_zero_components(result):
    fig = attention_figure(result, QUERIES, KEYS, FigureOptions(n_components=0))
    assert len(fig.data) == 1


def test_pca_components_capture_the_outputs(result):
    projected, names = output_components(result, 8, "pca")
    assert names[0] == "PC1" and projected.shape == (4, 6)  # at most n_k directions
    # outputs lie in the span of the values, so all directions together rebuild them exactly
    center = result.values.mean(axis=0)
    _, _, vt = np.linalg.svd(result.values - center, full_matrices=False)
    np.testing.assert_allclose(projected @ vt[:6] + center, result.output, atol=1e-10)
    first, names = output_components(result, 3, "first")
    np.testing.assert_array_equal(first, result.output[:, :3])
    assert names == ["v1", "v2", "v3"]


def test_token_count_mismatch_names_both_numbers(result):
    with pytest.raises(ValueError, match="4 queries and 6 keys, but 3 query tokens"):
        attention_figure(result, QUERIES[:3], KEYS)


def test_long_axes_are_thinned():
    rng = np.random.default_rng(0)
    big = scaled_dot_product_attention(rng.normal(size=(300, 8)), rng.normal(size=(300, 8)), rng.normal(size=(300, 8)))
    fig = attention_figure(big, [f"t{i}" for i in range(300)], [f"t{i}" for i in range(300)])
    # a label every 5th token at least (once exactly 5: 8.7 px apart for 11 px labels, which overlapped)
    assert fig.layout.xaxis.dtick == fig.layout.yaxis.dtick >= 5
    assert labels_stand_apart(fig, cell=520 / 300)


@pytest.mark.parametrize("transpose", [False, True])
def test_512_tokens_keep_a_visible_output_strip(transpose):
    rng = np.random.default_rng(1)
    big = scaled_dot_product_attention(rng.normal(size=(510, 8)), rng.normal(size=(510, 8)), rng.normal(size=(510, 8)))
    labels = [f"t{i}" for i in range(510)]
    fig = attention_figure(big, labels, labels, FigureOptions(transpose=transpose))
    axis = fig.layout.xaxis2 if transpose else fig.layout.yaxis2
    low, high = axis.domain
    assert 0 <= low < high <= 1 and high - low >= 0.05


# --- sizes: a file's, a page's, a projector's

PROJECTOR = dict(font_scale=1.5, target_width=1760, target_height=960, fill_width=True)
LAPTOP = dict(target_width=940, target_height=760)


def square_attention(n: int, seed: int = 2):
    rng = np.random.default_rng(seed)
    return scaled_dot_product_attention(*(rng.normal(size=(n, 8)) for _ in range(3)))


def grid_cells(fig: go.Figure, n_cols: float, n_rows: float, font_scale: float = 1.0) -> tuple[float, float]:
    """Pixels per cell of the weights: the figure's size less its room for labels, times the weights' domains."""
    x0, x1 = fig.layout.xaxis.domain or (0, 1)
    y0, y1 = fig.layout.yaxis.domain or (0, 1)
    width, height = fig.layout.width - PAGE_SIDE_ROOM * font_scale, fig.layout.height - TOP_ROOM * font_scale
    return width * (x1 - x0) / n_cols, height * (y1 - y0) / n_rows


def labels_stand_apart(fig: go.Figure, cell: float | None = None, font_scale: float = 1.0) -> bool:
    """Rows of labels (every dtick-th) a label's line apart (``style.LINE_HEIGHT`` font sizes): they do not touch.
    (The cells are planned before the gap between the weights and the strip, STRIP_GAP of the height, is taken.)"""
    n = len(fig.data[0].y)
    cell = cell or min(grid_cells(fig, len(fig.data[0].x), n, font_scale)) / (1 - STRIP_GAP)
    return fig.layout.yaxis.dtick * cell >= style.LINE_HEIGHT * fig.layout.yaxis.tickfont.size


def test_a_file_keeps_its_size_from_the_number_of_tokens(result):
    fig = attention_figure(result, QUERIES, KEYS)
    assert (fig.layout.width, fig.layout.height) == (4 * 48 + 300, int(6 * 48 + 8 * 0.6 * 48 + 220))


@pytest.mark.parametrize("transpose", [False, True])
def test_a_projector_figure_fills_the_target_width(result, transpose):
    fig = attention_figure(result, QUERIES, KEYS, FigureOptions(transpose=transpose, **PROJECTOR))
    assert fig.layout.width == 1760 and fig.layout.height <= 960
    assert fig.layout.xaxis.tickfont.size >= 24 and fig.layout.yaxis.tickfont.size >= 24


@pytest.mark.parametrize("n", [2, 12, 20])
def test_projected_labels_stay_24_pixels_up_to_20_tokens(n):
    labels = [f"token{i}" for i in range(n)]
    fig = attention_figure(square_attention(n), labels, labels, FigureOptions(**PROJECTOR))
    tick = fig.layout.yaxis.tickfont.size
    assert tick >= 24 and fig.layout.xaxis.tickfont.size >= 24
    _, row = grid_cells(fig, n, n, font_scale=1.5)
    assert row >= tick  # rows at least as high as their labels: the figure grows taller instead
    assert fig.layout.width == 1760


@pytest.mark.parametrize("n", [4, 20, 100])
def test_page_figures_keep_square_ish_cells_within_the_page(n):
    labels = [f"t{i}" for i in range(n)]
    fig = attention_figure(square_attention(n), labels, labels, FigureOptions(**LAPTOP))
    assert fig.layout.width <= 940 and fig.layout.height <= 760
    width, height = grid_cells(fig, n, n)
    assert 0.8 <= width / height <= 1.6


@pytest.mark.parametrize("options", [FigureOptions(**LAPTOP), FigureOptions(**PROJECTOR), FigureOptions()])
def test_512_tokens_still_draw_at_every_size(options):
    labels = [f"t{i}" for i in range(512)]
    fig = attention_figure(square_attention(512), labels, labels, options)
    assert np.asarray(fig.data[0].z).shape == (512, 512)
    assert 500 <= fig.layout.width <= 1760 and 500 <= fig.layout.height <= 1200  # tiny cells, a screenful
    # a label every 8th token or more, not a black smear (once exactly 8: 10 px apart for 11 px labels)
    cell = style.cell_size(512) * options.font_scale if options.target_width is None else None
    assert fig.layout.xaxis.dtick >= 8 and labels_stand_apart(fig, cell, options.font_scale)


@pytest.mark.parametrize("options", [FigureOptions(**LAPTOP), FigureOptions(**PROJECTOR)])
def test_page_sizes_depend_on_counts_not_on_the_tokens(result, options):
    plain = attention_figure(result, QUERIES, KEYS, options).layout
    long = attention_figure(result, ["x" * 30] * 4, ["<b>y</b>"] * 6, options).layout
    assert (plain.width, plain.height) == (long.width, long.height)


# --- one layer's heads split and concatenated (the Model heads page): each head's map above its block

SPLIT_SENTENCE = "the cat sat on the mat because it was tired"
SPLIT_LAYER = 5


@pytest.fixture(scope="module")
def split_layer(e5):
    """Layer SPLIT_LAYER of the default model (multilingual-e5-small) recomputed by our core over SPLIT_SENTENCE:
    (tokens, every head's weights and the concatenated output, d_head)."""
    run = run_model(e5, SPLIT_SENTENCE)
    layer = multi_head_attention(e5, SPLIT_LAYER, run.hidden_states[SPLIT_LAYER])
    n_heads = layer.weights.shape[0]
    return run.tokens, layer, layer.output.shape[1] // n_heads


def split_figure(split_layer, **more) -> go.Figure:
    tokens, layer, d_head = split_layer
    return split_heads_figure(layer.weights, layer.output, tokens, d_head, **more)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_split_heads_figure_draws_every_heads_map_and_the_output_as_they_are(split_layer, lang):
    tokens, layer, d_head = split_layer
    fig = split_figure(split_layer, lang=lang)
    *maps, output = fig.data
    assert (len(maps), d_head) == (12, 32) and all(trace.type == "heatmap" for trace in fig.data)
    assert (
        {(t.xaxis, t.yaxis) for t in maps} == {("x2", "y2")}
        and output.xaxis in (None, "x")
        and output.yaxis in (None, "y")
    )
    for h, trace in enumerate(maps):
        np.testing.assert_allclose(np.asarray(trace.z), layer.weights[h].T, rtol=1e-6)  # columns are queries
        assert (trace.zmin, trace.zmax) == (0, 1) and trace.showscale == (h == 0)
    np.testing.assert_allclose(np.asarray(output.z), layer.output, rtol=1e-6)
    assert list(output.y) == axis_labels(tokens, lang)
    assert output.zmin == -output.zmax  # white at zero
    assert [c[1] for c in output.colorscale] == list(style.OUTPUT_COLORS)
    assert [c[1] for c in maps[0].colorscale] == list(style.WEIGHT_COLORS)
    head, query = ("헤드", "쿼리") if lang == "ko" else ("head", "query")
    assert f"{head} 3" in maps[3].hovertemplate and query in maps[3].hovertemplate
    assert fig.layout.xaxis2.title.text == head


def test_each_heads_map_spans_exactly_its_block_of_components(split_layer):
    """In data: head h's map covers components h*d_head - 0.5 to (h + 1)*d_head - 0.5, on an axis that matches the
    output's, over the same width of the figure (domains), so in pixels too at any width."""
    _, layer, d_head = split_layer
    fig = split_figure(split_layer)
    *maps, _ = fig.data
    for h, trace in enumerate(maps):
        n_q = np.asarray(trace.z).shape[1]
        left, right = trace.x0 - trace.dx / 2, trace.x0 + (n_q - 0.5) * trace.dx
        assert left == pytest.approx(h * d_head - 0.5) and right == pytest.approx((h + 1) * d_head - 0.5)
    assert fig.layout.xaxis2.matches == "x" and tuple(fig.layout.xaxis.range) == (-0.5, 12 * d_head - 0.5)
    assert tuple(fig.layout.xaxis.domain) == (0, 1) and tuple(fig.layout.xaxis2.domain or (0, 1)) == (0, 1)
    low, high = fig.layout.yaxis.domain
    assert 0 <= low < high < fig.layout.yaxis2.domain[0] < fig.layout.yaxis2.domain[1] <= 1  # maps above the output


def drawn_spans(svg: bytes) -> dict[str, list[tuple[float, float]]]:
    """Each subplot's heatmap images in a figure's SVG as (left, right) pixels of the figure, by subplot (xy, x2y2)."""
    g, image = "{http://www.w3.org/2000/svg}g", "{http://www.w3.org/2000/svg}image"
    spans = {}
    for plot in ET.fromstring(svg).iter(g):
        if plot.get("class") in ("xy", "x2y2") and plot.get("transform"):
            shift = float(re.match(r"translate\(([-\d.]+)", plot.get("transform")).group(1))
            left = [(shift + float(i.get("x")), float(i.get("width"))) for i in plot.iter(image)]
            spans[plot.get("class")] = [(x, x + width) for x, width in left]
    return spans


@pytest.mark.skipif(
    not image_export_available() and os.environ.get("CI") != "true",
    reason="image export needs kaleido and chromium (apt-get install chromium)",
)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_drawn_heads_stand_within_a_pixel_of_their_blocks(split_layer, lang):
    """Drawn by Chromium (kaleido's SVG): head h's map starts and ends within a pixel of where head h's d_head
    columns of the output start and end."""
    _, _, d_head = split_layer
    spans = drawn_spans(figure_image(split_figure(split_layer, lang=lang, selected_head=3), "svg"))
    ((left, right),) = spans["xy"]  # the output, 12 * d_head columns
    block = (right - left) / 12
    assert len(spans["x2y2"]) == 12 and block > 30  # a block is about 45 px wide
    for h, (map_left, map_right) in enumerate(spans["x2y2"]):
        assert abs(map_left - (left + h * block)) <= 1 and abs(map_right - (left + (h + 1) * block)) <= 1, h


def test_the_chosen_heads_column_is_outlined(split_layer):
    _, _, d_head = split_layer
    outlined = [s for s in split_figure(split_layer, selected_head=7).layout.shapes if s.type == "rect"]
    assert [(s.x0, s.x1, s.y0, s.y1) for s in outlined] == [(7 * d_head - 0.5, 8 * d_head - 0.5, 0, 1)]
    assert outlined[0].line.color == style.PURPLE
    assert not [s for s in split_figure(split_layer).layout.shapes if s.type == "rect"]  # the heads' average


def test_split_heads_figure_names_both_numbers_when_shapes_disagree(split_layer):
    tokens, layer, _ = split_layer
    with pytest.raises(ValueError, match="12 heads of 16 components make 192 output columns"):
        split_heads_figure(layer.weights, layer.output, tokens, 16)
