"""The live head map in a real Chromium: the Translation page's layer, head, average and transpose drawn by the
browser alone (no message to or from the server meanwhile), and the browser's renderer held to Python's.

webapp/head_maps.js's ``render`` and ``headMap`` give attention/head_maps.py's ``render`` and ``head_map`` for the
same payload: every layer, every head and the average, both layouts, English and Korean, a translation with
markup under teacher forcing, one whose notes stagger and one too long for notes.
"""

from __future__ import annotations

import base64
import json
import math
from urllib.parse import parse_qs, urlencode, urlparse

import numpy as np
import pytest

from attention import head_maps
from attention.heatmap_payload import unpack
from attention.translation import load_translator
from attention.translation_figures import payload
from deploy.harness import choose_on_head_map
from tests.helpers import ARTIFACTS, ROOT, frames, watched_page

pytestmark = pytest.mark.browser

LIBRARY = ROOT / "webapp" / "head_maps.js"
MAP = ".head-map .hm-map"


# --------------------------------------------------------------------------- the drawing contract


def plain(value):
    """A figure as JSON values: arrays (numpy's too) as lists, numpy numbers as Python's."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def differences(python, browser, path: str = "figure") -> list[str]:
    """Where the two figures differ (numbers to 1e-12 relative: z is float32 on both sides)."""
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
        same = math.isclose(python, browser, rel_tol=1e-12, abs_tol=1e-300)
        return [] if same and not isinstance(browser, bool) else [f"{path}: {python!r} != {browser!r}"]
    return [] if python == browser else [f"{path}: {python!r} != {browser!r}"]


def views(n_layers: int, n_heads: int) -> list[dict]:
    return [
        {"layer": layer, "head": head, "transpose": transpose}
        for layer in range(n_layers)
        for head in [*range(n_heads), None]
        for transpose in (False, True)
    ]


def cases() -> dict[str, bytes]:
    """Payloads of the Translation page: the lecture's sentence (English and Korean), markup under teacher
    forcing, a 14-step translation (staggered notes) and a 50-step one (no notes: the hover says them); and of the
    Model heads page (self attention: the same tokens on both axes, no notes), in Korean on a projector."""
    from attention import load_encoder
    from attention.heads import run_model
    from attention.heads_figures import payload as heads_payload

    translator = load_translator("en-pt")
    car = translator.cross_attention("I like the red car.")
    heads = run_model(load_encoder(), "그 동물은 너무 피곤해서 <b>길</b>을 건너지 않았다")
    return {
        "model heads": heads_payload(heads.attentions, heads.tokens, "ko", 1.5),
        "car": payload(car, "en"),
        "car ko": payload(car, "ko"),
        "markup": payload(translator.cross_attention("a cat", "<b>um gato</b> ▁ & co")),
        "stagger": payload(translator.cross_attention("The old teacher reads a long book to the children every day.")),
        "projector": payload(
            translator.cross_attention("The old teacher reads a long book to the children every day."), "ko", 1.5
        ),
        "long": payload(translator.cross_attention(" ".join(["the small dog runs in the garden"] * 6))),
    }


# Runs the browser's headMap and render on every case under every view
DRAW_ALL = """async ([source, cases]) => {
    const { headMap, render } = await import("data:text/javascript;base64," + source);
    const out = {};
    for (const [name, { header, values, views }] of Object.entries(cases)) {
        const model = { ...header, values: Float32Array.from(values) };
        out[name] = views.map((view) => render(header, headMap(model, view.layer, view.head), view));
    }
    return JSON.stringify(out, (key, value) => (ArrayBuffer.isView(value) ? Array.from(value) : value));
}"""


def test_the_browsers_head_map_is_pythons_for_every_head_and_layout(page):
    sent, python = {}, {}
    for name, data in cases().items():
        header, arrays = unpack(data)
        del header["arrays"]
        maps = head_maps.decode_maps(header, arrays["maps"])  # what the browser has: float16, as numbers
        shown = views(header["n_layers"], header["n_heads"])
        sent[name] = {"header": header, "values": arrays["maps"].astype(np.float32).ravel().tolist(), "views": shown}
        python[name] = [
            plain(head_maps.render(header, head_maps.head_map(maps, v["layer"], v["head"]), v)) for v in shown
        ]
    source = base64.b64encode(LIBRARY.read_bytes()).decode()
    drawn = json.loads(page.evaluate(DRAW_ALL, [source, sent]))
    for name, figures in python.items():
        n_layers, n_heads = sent[name]["header"]["n_layers"], sent[name]["header"]["n_heads"]
        assert len(drawn[name]) == len(figures) == n_layers * (n_heads + 1) * 2
        for view, want, got in zip(sent[name]["views"], figures, drawn[name], strict=True):
            wrong = differences(want, got)
            assert not wrong, (name, view, wrong[:5])
    assert "annotations" not in python["long"][0]["layout"]  # 50 steps: the notes are in the hover only
    assert python["stagger"][0]["layout"]["annotations"][1]["yshift"] == -36  # every other note lower
    assert page.errors == []


# --------------------------------------------------------------------------- the page


def drawn_map(page) -> tuple[dict, np.ndarray]:
    """The map the browser drew: its view and z (rows: keys in the lecture's layout)."""
    view, z = page.evaluate(
        "selector => { const chart = document.querySelector(selector); "
        "return [JSON.parse(chart.dataset.view), chart.data[0].z]; }",
        MAP,
    )
    return view, np.array(z, dtype=float)


def choose(page, counts: dict, setting: str, value, expected: dict) -> float:
    """Move one control of the live map; wait for the map of ``expected``; no frame meanwhile. Returns how long
    the browser took from the change to the drawn map (ms)."""
    before = dict(counts)
    choose_on_head_map(page, setting, value, expected, timeout_ms=5_000, polling=10)
    assert counts == before, (setting, value, before, counts)  # drawn with no message to or from the server
    return float(page.locator(".head-map").get_attribute("data-since-change-ms"))


def test_translation_head_layer_average_and_transpose_drawn_in_the_browser(server, browser):
    run = load_translator("en-pt").cross_attention("I like the red car.")
    with watched_page(browser, width=1400, height=2200) as page:
        counts = frames(page)
        page.goto(server.url + "/Translation")
        page.wait_for_selector(f"{MAP} .heatmaplayer", timeout=90_000)
        page.wait_for_selector(".js-plotly-plot >> nth=2", timeout=60_000)  # and both grids
        view, z = drawn_map(page)
        assert view == {"layer": 1, "head": 0, "transpose": False}
        np.testing.assert_allclose(z, run.weights[1, 0].T, atol=1e-3)  # columns: the target's queries
        page.wait_for_timeout(1_500)  # the page's own late messages
        grid = page.locator(".stPlotlyChart").first
        grid.scroll_into_view_if_needed()
        grid.screenshot(path=ARTIFACTS / "translation_cross_heads_grid.png")

        timings = []
        for setting, value, expected in (
            ("head", 3, {"layer": 1, "head": 3, "transpose": False}),
            ("layer", 0, {"layer": 0, "head": 3, "transpose": False}),
        ):
            timings.append(choose(page, counts, setting, value, expected))
            _, z = drawn_map(page)
            np.testing.assert_allclose(z, run.weights[expected["layer"], expected["head"]].T, atol=1e-3)
        print(f"head and layer changes to the drawn map: {', '.join(f'{t:.0f} ms' for t in timings)}")
        page.locator(MAP).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=ARTIFACTS / "translation_head_changed.png", full_page=True)
        assert "Cross attention, decoder layer 0, head 3" in page.locator(f"{MAP} .gtitle").text_content()

        choose(page, counts, "average", True, {"layer": 0, "head": None, "transpose": False})
        _, z = drawn_map(page)
        np.testing.assert_allclose(z, run.weights[0].mean(axis=0).T, atol=1e-3)
        choose(page, counts, "transpose", True, {"layer": 0, "head": None, "transpose": True})
        _, z = drawn_map(page)
        np.testing.assert_allclose(z, run.weights[0].mean(axis=0), atol=1e-3)  # rows: the target's queries

        # a moment later the server hears of it: the link follows
        page.wait_for_function("() => location.search.includes('translate_transpose=true')", timeout=30_000)
        query = parse_qs(urlparse(page.url).query)
        assert query["translate_layer"] == ["0"] and query["translate_average"] == ["true"]
        assert page.errors == []


def test_the_korean_page_names_the_alignment_head(server, browser):
    with watched_page(browser, width=1400, height=2200) as page:
        page.goto(server.url + "/Translation?lang=ko&translate_layer=1&translate_head=0")
        page.wait_for_selector(f"{MAP} .heatmaplayer", timeout=90_000)
        head = page.locator(".head-map label[data-setting='head'] select")
        assert head.locator("option:checked").text_content() == "0 (정렬 헤드)"
        assert page.locator(f"{MAP} .gtitle").text_content() == "크로스 어텐션, 디코더 1층, 0번 헤드: 정렬 헤드"
        assert page.errors == []


def test_model_heads_layer_head_and_average_drawn_in_the_browser(server, browser):
    """The Model heads page: the model's own map of any layer and head, or a layer's average, is drawn at once
    with no server message; a moment later the page follows (our core's map, the metric, the link)."""
    from attention import load_encoder
    from attention.heads import run_model

    sentence = "the cat sat on the mat because it was tired"
    run = run_model(load_encoder(), sentence)  # attentions: (layers, heads, n, n), a row per query
    with watched_page(browser, width=1400, height=2200) as page:
        counts = frames(page)
        page.goto(server.url + "/Model_Heads?" + urlencode({"sentence": sentence, "lang": "ko"}))
        page.wait_for_selector(f"{MAP} .heatmaplayer", timeout=90_000)
        page.wait_for_timeout(1_500)  # the page's own late messages
        view, z = drawn_map(page)
        assert view == {"layer": 0, "head": 0, "transpose": False}
        np.testing.assert_allclose(z, run.attentions[0, 0].T, atol=1e-3)  # columns: the queries
        assert not page.locator(".head-map label[data-setting='transpose']").is_visible()
        timings = [
            choose(page, counts, "layer", 8, {"layer": 8, "head": 0, "transpose": False}),
            choose(page, counts, "head", 8, {"layer": 8, "head": 8, "transpose": False}),
        ]
        _, z = drawn_map(page)
        np.testing.assert_allclose(z, run.attentions[8, 8].T, atol=1e-3)
        assert "8층, 8번 헤드" in page.locator(f"{MAP} .gtitle").text_content()
        timings.append(choose(page, counts, "average", True, {"layer": 8, "head": None, "transpose": False}))
        _, z = drawn_map(page)
        np.testing.assert_allclose(z, run.attentions[8].mean(axis=0).T, atol=1e-3)
        print(f"model heads: layer, head and average changes to the drawn map: {[round(t) for t in timings]} ms")
        # a moment later the server hears of it: the link and the rest of the page follow
        page.wait_for_function("() => location.search.includes('heads_average=true')", timeout=30_000)
        query = parse_qs(urlparse(page.url).query)
        assert query["heads_layer"] == ["8"] and query["heads_head"] == ["8"]
        page.get_by_text("8층, 헤드 평균").first.wait_for(timeout=30_000)  # the subheader of our core's map
        page.locator(MAP).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=ARTIFACTS / "model_heads_head_changed.png", full_page=True)
        assert page.errors == []
