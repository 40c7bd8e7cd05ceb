"""The heatmap's two renderers draw the same figure from the same data.

attention/heatmap.py's ``render`` draws for exports, the command line and the tests; webapp/attention_figure.js's
``render`` draws the live heatmap in the browser. For every combination of the six display settings
(4 switches × 3 colour scales × two temperatures), with a causal mask or none, with the output strip or
without, the browser's figure (run in one Chromium page) equals Python's, numbers to 1e-9.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import time

import numpy as np
import pytest

from attention.core import causal_mask, scaled_dot_product_attention
from attention.figures import heatmap_data
from attention.heatmap import ARRAYS, DISPLAY_FIELDS, render
from attention.options import FigureOptions, Settings
from attention.style import WEIGHT_SCALES
from tests.helpers import ROOT

pytestmark = pytest.mark.browser

RENDERER = ROOT / "webapp" / "attention_figure.js"
SWITCHES = ("scale", "transpose", "show_values", "fit_colors")


def displays() -> list[dict]:
    """Every combination of the display settings: the switches, the colour scales, temperature 1 and 0.5."""
    combos = itertools.product(*[(False, True)] * len(SWITCHES), WEIGHT_SCALES, (1.0, 0.5))
    shown = [
        dict(zip(SWITCHES, switches, strict=True), colors=colors, temperature=t) for *switches, colors, t in combos
    ]
    assert all(set(display) == set(DISPLAY_FIELDS) for display in shown)
    return shown


def cases() -> dict[str, dict]:
    """Heatmap data: cross attention with the first components, self attention with a causal mask and
    projected components, no output strip, and even weights (fitted colours then meet the zmax guard
    and a colour bar range of 0.125, a tie in rounding to two decimals)."""
    rng = np.random.default_rng(17)
    q, k, v = rng.normal(size=(4, 10)), rng.normal(size=(6, 10)), rng.normal(size=(6, 12))
    x = rng.normal(size=(5, 8))
    cross = scaled_dot_product_attention(q, k, v)
    causal = scaled_dot_product_attention(x, x, x, mask=causal_mask(5))
    even = scaled_dot_product_attention(np.zeros((3, 4)), rng.normal(size=(8, 4)), rng.normal(size=(8, 5)))
    words = ["the", "<b>bank", "the", "river", "##s", "a" * 30]
    roles = dict(query_role="source", key_role="<i>target</i>")
    return {
        "cross": heatmap_data(cross, words[:4], words, FigureOptions(**roles)),
        "causal": heatmap_data(
            causal, words[:5], words[:5], FigureOptions(components="pca", n_components=3, lang="ko")
        ),
        "no strip": heatmap_data(
            cross, words[:4], words, FigureOptions(n_components=0, target_width=900, fill_width=True)
        ),
        "even": heatmap_data(even, list("abc"), list("abcdefgh"), FigureOptions(font_scale=1.5)),
    }


def plain(value):
    """A figure as JSON values: arrays as lists, infinities as the strings JSON.stringify is told to write."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(item) for item in value]
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return str(float(value)).replace("inf", "Infinity").replace("nan", "NaN")
    return value.item() if isinstance(value, np.generic) else value


def differences(python, browser, path: str = "figure") -> list[str]:
    """Where the two figures differ (numbers to 1e-9 relative)."""
    if isinstance(python, dict) and isinstance(browser, dict):
        if set(python) != set(browser):
            return [f"{path}: keys {sorted(set(python) ^ set(browser))}"]
        return [d for key in python for d in differences(python[key], browser[key], f"{path}.{key}")]
    if isinstance(python, list) and isinstance(browser, list):
        if len(python) != len(browser):
            return [f"{path}: {len(python)} items != {len(browser)}"]
        return [
            d for i, pair in enumerate(zip(python, browser, strict=True)) for d in differences(*pair, f"{path}[{i}]")
        ]
    numbers = (int, float)
    if isinstance(python, numbers) and isinstance(browser, numbers) and not isinstance(python, bool):
        same = math.isclose(python, browser, rel_tol=1e-9, abs_tol=1e-300)
        return [] if same and not isinstance(browser, bool) else [f"{path}: {python!r} != {browser!r}"]
    return [] if python == browser else [f"{path}: {python!r} != {browser!r}"]


# Runs the browser's renderer on every case under every display; typed arrays become lists and
# infinities strings, as ``plain`` writes Python's figure.
DRAW_ALL = """async ([source, cases, displays]) => {
    const { render } = await import("data:text/javascript;base64," + source);
    const arrays = { scores: Float64Array, allowed: Uint8Array, basis: Float64Array };
    const out = {};
    for (const [name, data] of Object.entries(cases)) {
        for (const [field, Type] of Object.entries(arrays)) if (data[field]) data[field] = Type.from(data[field]);
        out[name] = displays.map((display) => render(data, display));
    }
    return JSON.stringify(out, (key, value) =>
        ArrayBuffer.isView(value) ? Array.from(value)
        : typeof value === "number" && !Number.isFinite(value) ? String(value)
        : value);
}"""


def test_the_browsers_figure_is_pythons_for_every_display_setting(page):
    shown, data = displays(), cases()
    sent = {
        name: {key: value.ravel().tolist() if key in ARRAYS else value for key, value in case.items()}
        for name, case in data.items()
    }
    source = base64.b64encode(RENDERER.read_bytes()).decode()
    started = time.perf_counter()
    drawn = json.loads(page.evaluate(DRAW_ALL, [source, sent, shown]))
    print(f"{sum(map(len, drawn.values()))} figures drawn in the browser in {time.perf_counter() - started:.2f} s")
    for name, case in data.items():
        for display, figure in zip(shown, drawn[name], strict=True):
            wrong = differences(plain(render(case, display)), figure)
            assert not wrong, (name, display, wrong[:5])
    assert page.errors == []


def test_the_cases_cover_what_the_rules_depend_on():
    data = cases()
    assert "allowed" in data["causal"] and "allowed" not in data["cross"]
    assert "basis" not in data["no strip"] and "basis" in data["cross"]
    even = render(data["even"], {**displays()[0], "fit_colors": True})["data"][0]
    assert even["zmax"] == even["zmin"] + 1e-9 and "0.12–0.12" in even["colorbar"]["title"]["text"]


# --------------------------------------------------------------------------- the compare chart

COMPARE_RENDERER = ROOT / "webapp" / "compare_figure.js"


def comparison_cases() -> dict[str, dict]:
    """The compare page's data: two temperatures of one cross attention (B pinned to its own; a difference), √d_k
    on and off (both pinned) of a self attention with the mask on B only, in Korean, and sides that cannot be
    compared: one without a map, and two of different sizes."""
    from attention.compare_figures import difference_data

    rng = np.random.default_rng(23)
    q, k, v = rng.normal(size=(4, 10)), rng.normal(size=(6, 10)), rng.normal(size=(6, 12))
    x = rng.normal(size=(5, 8))
    cross = scaled_dot_product_attention(q, k, v)
    free, masked = scaled_dot_product_attention(x, x, x), scaled_dot_product_attention(x, x, x, mask=causal_mask(5))
    words = ["the", "<b>bank", "the", "river", "##s", "a" * 30]
    korean = ["이것은", "예", "이다", "<i>", "."]
    cross_data = heatmap_data(cross, words[:4], words, FigureOptions(target_width=700))
    options = FigureOptions(components="pca", n_components=3, lang="ko", target_width=700)
    return {
        "temperatures": {
            "sides": [cross_data, cross_data],
            "pinned": [{}, {"temperature": 0.5}],
            "difference": difference_data(words[:4], words),
        },
        "scale and mask": {
            "sides": [heatmap_data(free, korean, korean, options), heatmap_data(masked, korean, korean, options)],
            "pinned": [{"scale": True}, {"scale": False}],
            "difference": difference_data(korean, korean, "ko"),
        },
        "one side": {"sides": [cross_data, None], "pinned": [{}, {}], "difference": None},
        "every head": every_head_case(rng, korean, options),
        "two sizes": {
            "sides": [cross_data, heatmap_data(masked, korean, korean, options)],
            "pinned": [{}, {}],
            "difference": None,
        },
    }


def every_head_case(rng, words: list[str], options: FigureOptions) -> dict:
    """The identity (A) against a real head (B) whose data holds every head's numbers, 2 layers × 3 heads: the
    display's ``layer_b`` and ``head_b`` pick the one drawn (``displays_of`` varies them)."""
    from attention.compare import Comparison, Side
    from attention.compare_figures import comparison_data
    from attention.views import AttentionView

    x = rng.normal(size=(5, 8))
    heads = [[scaled_dot_product_attention(*rng.normal(size=(3, 5, 4))) for _ in range(3)] for _ in range(2)]
    identity = AttentionView(result=scaled_dot_product_attention(x, x, x), query_tokens=words, key_tokens=words)
    b = AttentionView(result=heads[1][2], query_tokens=words, key_tokens=words)
    side = Side({"sentence": " ".join(words)}, Settings())
    difference = b.result.weights - identity.result.weights
    comparison = Comparison(identity, b, (side, side), ("m", "m"), True, difference, heads)
    return comparison_data(comparison, options)


def displays_of(name: str) -> list[dict]:
    """``displays()``, and for the case holding every head, each with one of its heads."""
    if name != "every head":
        return displays()
    return [{**display, "layer_b": i % 2, "head_b": i % 3} for i, display in enumerate(displays())]


DRAW_COMPARISONS = """async ([source, cases, displays]) => {
    const { renderComparison } = await import("data:text/javascript;base64," + source);
    const arrays = {
        scores: Float64Array, allowed: Uint8Array, basis: Float64Array,
        every_scores: Float32Array, every_basis: Float32Array,
    };
    const out = {};
    for (const [name, data] of Object.entries(cases)) {
        for (const side of data.sides.filter(Boolean))
            for (const [field, Type] of Object.entries(arrays)) if (side[field]) side[field] = Type.from(side[field]);
        out[name] = displays[name].map((display) => renderComparison(data, display));
    }
    return JSON.stringify(out, (key, value) =>
        ArrayBuffer.isView(value) ? Array.from(value)
        : typeof value === "number" && !Number.isFinite(value) ? String(value)
        : value);
}"""


def test_the_browsers_comparison_is_pythons_for_every_display_setting(page):
    from attention.compare_figures import EVERY_HEAD, render_comparison

    data = comparison_cases()
    shown = {name: displays_of(name) for name in data}
    numbers = (*ARRAYS, *EVERY_HEAD)
    sent = {
        name: {
            **case,
            "sides": [
                side and {key: value.ravel().tolist() if key in numbers else value for key, value in side.items()}
                for side in case["sides"]
            ],
        }
        for name, case in data.items()
    }
    source = base64.b64encode(RENDERER.read_bytes() + b"\n" + COMPARE_RENDERER.read_bytes()).decode()
    drawn = json.loads(page.evaluate(DRAW_COMPARISONS, [source, sent, shown]))
    for name, case in data.items():
        for display, figures in zip(shown[name], drawn[name], strict=True):
            wrong = differences(plain(render_comparison(case, display)), figures)
            assert not wrong, (name, display, wrong[:5])
    assert page.errors == []


def test_the_comparison_cases_cover_what_the_rules_depend_on():
    from attention.compare_figures import render_comparison

    data = comparison_cases()
    display = {**displays()[0], "fit_colors": True, "temperature": 1.0}
    both = render_comparison(data["temperatures"], display)
    a, b = (figure["data"][0] for figure in both["sides"])
    assert (a["zmin"], a["zmax"]) == (b["zmin"], b["zmax"])  # one colour range, fitted to both
    assert b["zmax"] > float(np.max(a["z"]))  # B, sharper at temperature 0.5, sets the top
    assert both["difference"] is not None and render_comparison(data["one side"], display)["difference"] is None
    assert "allowed" in data["scale and mask"]["sides"][1] and "allowed" not in data["scale and mask"]["sides"][0]
    every = data["every head"]
    assert every["sides"][1]["every_scores"].shape == (2, 3, 5, 5) and "scores" not in every["sides"][1]
    drawn = [render_comparison(every, shown)["sides"][1]["data"][0]["z"] for shown in displays_of("every head")[:6]]
    assert len({np.asarray(z).tobytes() for z in drawn}) == 6  # each head its own map
