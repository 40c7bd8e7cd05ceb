"""The compare page and the model heads page's rollout in a real Chromium, kept as screenshots."""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import pytest

from attention.compare import SideB, compare, two_sides
from attention.compare_figures import comparison_data, pins, render_comparison
from attention.options import FigureOptions, Projection, Settings
from deploy.harness import SLIDE_TO
from tests.helpers import ARTIFACTS, ENGLISH, TIME_SENDS, wait_for_chart_text, watched_page

pytestmark = pytest.mark.browser


def test_compare_two_temperatures_and_their_difference(server, browser):
    with watched_page(browser, height=2700) as page:  # tall enough for A, B and their difference in one picture
        check_compare_page(server, page)


def check_compare_page(server, page):
    query = "&compare_kind=settings&compare_setting=temperature&temperature_b=0.3&sentence=the+bank+of+the+river"
    page.goto(server.url + "/Compare" + ENGLISH + query)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .heatmaplayer').length >= 3", timeout=90_000)
    wait_for_chart_text(page, ["B − A"])
    page.wait_for_timeout(800)
    page.screenshot(path=ARTIFACTS / "compare.png", full_page=True)
    assert page.errors == []


COMPARE_CHART = ".attention-compare"


def drawn_comparison(page) -> dict:
    """What the compare chart drew last: its display, the z of A's, B's and the difference's weights, and when the
    drawing was painted."""
    return page.evaluate(
        """selector => {
            const chart = document.querySelector(selector);
            const z = (plot) => plot.data[0].z.map((row) => Array.from(row));
            const [a, b, difference] = [...chart.querySelectorAll(".js-plotly-plot")].map(z);
            const painted = chart.drawTimings.at(-1).at;
            return { display: JSON.parse(chart.dataset.display), a, b, difference, painted,
                     draws: Number(chart.dataset.draws) };
        }""",
        COMPARE_CHART,
    )


def drawn_before_any_message(page, change, name: str) -> dict:
    """Make ``change`` on the compare chart; what it drew then, once it is painted (``drawn_comparison``), checking
    that the page sent the server nothing in between."""
    before = drawn_comparison(page)["draws"]
    changed_at = page.evaluate("performance.now()")
    change()
    page.wait_for_function(
        f"n => Number(document.querySelector('{COMPARE_CHART}').dataset.draws) > n", arg=before, timeout=10_000
    )
    shown = drawn_comparison(page)
    sent = page.evaluate(
        "([from, to]) => window.sentAt.filter((t) => t > from && t < to).length", [changed_at, shown["painted"]]
    )
    assert sent == 0, f"{name}: {sent} messages went to the server before the maps were drawn"
    return shown


def assert_drawn_as_python(shown: dict, data: dict) -> None:
    """A's, B's and B − A's weights as the chart drew them equal Python's figures of ``data`` for its display."""
    python = render_comparison(data, shown["display"])
    for drawn, figure in zip(
        (shown["a"], shown["b"], shown["difference"]), (*python["sides"], python["difference"]), strict=True
    ):
        np.testing.assert_allclose(np.array(drawn, dtype=float), figure["data"][0]["z"], atol=1e-9)


def test_a_display_change_on_compare_is_drawn_in_the_browser_before_any_message(server, browser, minilm):
    """Transposing, fitting the colours and the temperature redraw A, B and B − A in the browser: each is painted
    before the page sends the server anything, and each map equals Python's for the display it shows."""
    sentence = "the bank of the river"
    side_b = SideB("settings", "temperature", 0.3)
    sides = two_sides("self", {"sentence": sentence, "sentence_b": sentence}, Settings(), side_b)
    comparison = compare((minilm, minilm), sides, (minilm.encode_layers,) * 2)
    data = comparison_data(comparison, FigureOptions(), pins(side_b))
    query = (
        f"&compare_kind=settings&compare_setting=temperature&temperature_b=0.3&sentence={sentence.replace(' ', '+')}"
    )
    with watched_page(browser, height=2700) as page:
        page.add_init_script(TIME_SENDS)
        page.goto(server.url + "/Compare" + ENGLISH + query)
        page.wait_for_function(f"Number(document.querySelector('{COMPARE_CHART}')?.dataset.draws) >= 1", timeout=90_000)
        page.wait_for_timeout(1_500)  # the page's own late messages

        def control(setting: str):
            return page.locator(f'.attention-live-controls label[data-setting="{setting}"] input')

        changes = {
            "transpose": lambda: control("transpose").click(),
            "fit_colors": lambda: control("fit_colors").click(),
            "temperature": lambda: control("temperature").evaluate(SLIDE_TO, 100),
        }
        for name, change in changes.items():
            shown = drawn_before_any_message(page, change, name)
            assert_drawn_as_python(shown, data)
        assert (
            shown["display"]["transpose"] and shown["display"]["fit_colors"] and shown["display"]["temperature"] == 0.32
        )
        page.wait_for_timeout(1_500)  # the server keeps the display: the link carries it
        assert page.evaluate("t => window.sentAt.some((s) => s > t)", shown["painted"])  # told after the drawing
        assert "transpose=true" in page.url and "fit_colors=true" in page.url
        page.locator(COMPARE_CHART).screenshot(path=ARTIFACTS / "compare_live_changed.png")
        assert page.errors == []


def test_a_head_change_on_compare_is_drawn_in_the_browser_before_any_message(server, browser, e5):
    """Where B is a real head, the chart holds every head of B: moving its "B's head" and "Layer of B's head" sliders
    redraws B and B − A before the page sends the server anything, each equal to Python's map of that head; the
    link then carries the head. A Korean sentence on the default model, multilingual-e5-small."""
    sentence = "이것은 예시 문장이다"
    side_b = SideB("settings", "projection", head=Projection("head", layer=2, head=5))
    texts = {"sentence": sentence, "sentence_b": sentence}
    sides = two_sides("self", texts, Settings(), side_b)
    comparison = compare((e5, e5), sides, (e5.encode_layers,) * 2, every_head_of_b=True)
    data = comparison_data(comparison, FigureOptions(), pins(side_b))
    query = urlencode(
        {"compare_kind": "settings", "compare_setting": "projection", "layer_b": 2, "head_b": 5, "sentence": sentence}
    )
    with watched_page(browser, height=2700) as page:
        page.add_init_script(TIME_SENDS)
        page.goto(server.url + "/Compare?" + query)
        page.wait_for_function(f"Number(document.querySelector('{COMPARE_CHART}')?.dataset.draws) >= 1", timeout=90_000)
        page.wait_for_timeout(1_500)  # the page's own late messages
        # the page's own sliders give way to the chart's
        assert page.locator('[data-testid="stSlider"]').filter(has_text="B's head").count() == 0
        for setting, position, expected in (("head_b", 9, (2, 9)), ("layer_b", 4, (4, 9))):
            slider = page.locator(f'.attention-live-controls label[data-setting="{setting}"] input')
            shown = drawn_before_any_message(page, lambda: slider.evaluate(SLIDE_TO, position), setting)  # noqa: B023
            assert (shown["display"]["layer_b"], shown["display"]["head_b"]) == expected
            assert_drawn_as_python(shown, data)
            # and B is the head the server computes for that layer and head, to float32's precision
            own = SideB("settings", "projection", head=Projection("head", layer=expected[0], head=expected[1]))
            server_b = compare((e5, e5), two_sides("self", texts, Settings(), own), (e5.encode_layers,) * 2)
            np.testing.assert_allclose(np.array(shown["b"], dtype=float), server_b.b.result.weights.T, atol=1e-6)
            page.wait_for_timeout(1_500)  # the server keeps the head: the link carries it
        assert "layer_b=4" in page.url and "head_b=9" in page.url
        draws = drawn_comparison(page)["draws"]
        page.wait_for_timeout(1_000)
        assert drawn_comparison(page)["draws"] == draws  # the server's echo brings the same bytes: nothing redrawn
        page.locator(COMPARE_CHART).screenshot(path=ARTIFACTS / "compare_head_changed.png")
        assert page.errors == []


def test_rollout_on_the_model_heads_page(server, page):
    page.goto(server.url + "/Model_Heads" + ENGLISH + "&sentence=the+cat+sat+on+the+mat+because+it+was+tired")
    page.get_by_text("Through the layers: attention rollout").scroll_into_view_if_needed(timeout=120_000)
    wait_for_chart_text(page, ["Rollout through layers 0 to 5"], timeout=90_000)
    page.wait_for_timeout(800)
    page.get_by_text("Through the layers: attention rollout").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "rollout.png", full_page=False)
    assert page.errors == []


def test_script_carrying_sentences_on_compare_are_shown_literally(server, browser):
    """Markup typed into both sentences never runs in the compare chart: the sides' titles and the maps' labels
    show the characters typed, in Korean as in English."""
    a, b = "<img src=x onerror=alert(1)> 이것은 예", '"><script>alert(2)</script>'
    query = urlencode({"compare_kind": "sentences", "compare_attention": "self", "sentence": a, "sentence_b": b})
    with watched_page(browser) as page:
        page.goto(server.url + "/Compare?" + query)
        page.wait_for_function(f"Number(document.querySelector('{COMPARE_CHART}')?.dataset.draws) >= 1", timeout=90_000)
        titles = page.eval_on_selector_all(".attention-compare-title", "nodes => nodes.map((n) => n.textContent)")
        assert titles == [f"A {a}", f"B {b}"]
        labels = page.eval_on_selector_all(f"{COMPARE_CHART} .xtick text", "nodes => nodes.map((n) => n.textContent)")
        assert any("<" in label for label in labels) and "이것은" in labels, labels
        assert (
            page.evaluate("document.querySelectorAll('.attention-compare img, .attention-compare script').length") == 0
        )
        page.wait_for_timeout(500)
        assert page.errors == []  # no dialog, no script error
