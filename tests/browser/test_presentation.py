"""Presentation mode in a real Chromium at a projector's sizes: the figure fills the page, labels stay large.

The screenshots are for a person to judge as a teacher would, from the back of a room.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.helpers import ARTIFACTS, ENGLISH, watched_page

pytestmark = pytest.mark.browser

TWENTY = "the quick brown fox jumps over the lazy dog while the cat sleeps on a warm mat near the door"
SIZES = """() => {
    const box = node => node && node.getBoundingClientRect();
    const main = box(document.querySelector('[data-testid="stMainBlockContainer"]'));
    const style = getComputedStyle(document.querySelector('[data-testid="stMainBlockContainer"]'));
    const grid = box(document.querySelector('.js-plotly-plot .xy .nsewdrag'));
    const strip = box(document.querySelector('.js-plotly-plot .x2y2 .nsewdrag'));
    const heights = axis => [...document.querySelectorAll(`.js-plotly-plot .${axis}tick text`)]
        .map(node => node.getBoundingClientRect().height);
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    return {
        main: main.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
        chart: box(document.querySelector('.js-plotly-plot .main-svg')).width,
        drawn: Math.max(grid.right, strip ? strip.right : 0) - grid.left,
        x: heights('x'), y: heights('y'),
        sidebar: sidebar ? box(sidebar).width : 0,
    };
}"""


def open_figure(page, url: str) -> dict:
    """Go to ``url``, wait for the heatmap to settle, and measure the page and the figure in pixels."""
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
    page.wait_for_timeout(1000)  # let the chart take its width
    return page.evaluate(SIZES)


@pytest.mark.parametrize(("width", "height", "share"), [(1920, 1080, 0.8), (1280, 720, 0.7)])
def test_the_projected_cross_figure_fills_the_page(server, browser, width, height, share):
    """The grid and its strip take ``share`` of the main area; labels and colour bars keep the same room
    at any width, so a smaller screen leaves the grid a smaller share."""
    with watched_page(browser, width, height) as page:
        sizes = open_figure(page, server.url + "/Cross_Attention" + ENGLISH + "&present=true")
        page.screenshot(path=ARTIFACTS / f"present_{width}.png")
        print(f"{width}x{height}: {sizes}")  # pytest -s shows the measurements
        assert sizes["sidebar"] < 50  # folded away
        assert sizes["chart"] >= 0.99 * sizes["main"]
        assert sizes["drawn"] >= share * sizes["main"], sizes
        assert min(sizes["x"] + sizes["y"]) >= 24 - 0.01, sizes  # sub-pixel rounding of the measured boxes
        assert page.errors == []


def test_twenty_projected_tokens_have_24_pixel_labels(server, browser):
    with watched_page(browser, 1920, 1080) as page:
        sizes = open_figure(page, server.url + "/Self_Attention" + ENGLISH + "&present=true&sentence=" + quote(TWENTY))
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "present_20_tokens.png")
        print(f"20 tokens: {sizes}")
        assert len(sizes["x"]) == 20 and len(sizes["y"]) == 20
        assert min(sizes["x"] + sizes["y"]) >= 24 - 0.01, sizes  # sub-pixel rounding of the measured boxes
        assert sizes["drawn"] >= 0.8 * sizes["main"], sizes
        assert page.errors == []


def test_a_normal_page_keeps_its_look(server, browser):
    with watched_page(browser, 1400, 900) as page:
        sizes = open_figure(page, server.url + "/Self_Attention" + ENGLISH + "&sentence=" + quote(TWENTY))
        page.screenshot(path=ARTIFACTS / "normal_1400.png")
        print(f"normal 1400: {sizes}")
        assert sizes["sidebar"] > 200  # open
        assert sizes["chart"] <= sizes["main"] + 1
        assert 14 <= min(sizes["y"]) < 24  # normal labels, not a projector's
        assert page.errors == []
