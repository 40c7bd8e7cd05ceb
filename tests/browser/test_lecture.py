"""The lecture's figure as a new user first sees it, in a real Chromium: the default cross page.

No link parameters but the interface's language: the page opens on "this is an example" against
"これは例です" on the default model, and each English word's darkest key must be its translation,
on the plain 0 to 1 colour scale. On a projector (presentation mode, 1920 × 1080 and 1280 × 720)
the whole figure, grid and output strip, must be on the screen without scrolling.
The screenshots are for a person to judge as a teacher would.
"""

from __future__ import annotations

import pytest

from tests.helpers import ARTIFACTS, wait_for_ticks, watched_page

pytestmark = pytest.mark.browser

TRANSLATIONS = {"this": "これは", "is": "です", "example": "例"}
FIGURE = """() => {
    const chart = document.querySelector('.js-plotly-plot');
    const grid = chart.data[0];
    const box = selector => {
        const node = chart.querySelector(selector);
        return node ? node.getBoundingClientRect().toJSON() : null;
    };
    return {
        x: [...grid.x], y: [...grid.y], z: grid.z.map(row => Array.from(row)),
        zmin: grid.zmin, zmax: grid.zmax,
        grid: box('.xy .nsewdrag'), strip: box('.x2y2 .nsewdrag'),
        screen: window.innerHeight, scrolled: document.querySelector('[data-testid="stMain"]').scrollTop,
    };
}"""


def open_default_page(page, query: str = "") -> dict:
    """The cross page as a new user opens it, once its figure has settled."""
    page.goto(f"{page.server_url}/Cross_Attention{query}")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
    wait_for_ticks(page, "y", list(TRANSLATIONS.values()), timeout=60_000)
    page.wait_for_timeout(1000)  # the live chart draws once more after telling the server
    return page.evaluate(FIGURE)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_each_english_word_is_darkest_on_its_translation(server, browser, lang):
    with watched_page(browser, 1400, 1000) as page:
        page.server_url = server.url
        figure = open_default_page(page, "?lang=ko" if lang == "ko" else "")
        page.screenshot(path=ARTIFACTS / f"lecture_cross_{lang}.png")
        queries, keys, z = figure["x"], figure["y"], figure["z"]  # z: one row per key, one column per query
        assert queries == ["this", "is", "an", "example"] and keys == ["これは", "例", "です"]
        darkest = {q: keys[max(range(len(keys)), key=lambda k: z[k][i])] for i, q in enumerate(queries)}
        assert {word: darkest[word] for word in TRANSLATIONS} == TRANSLATIONS
        assert (figure["zmin"], figure["zmax"]) == (0, 1)  # the plain colours, never fitted by default
        assert page.errors == []


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_on_a_projector_the_whole_figure_is_on_screen(server, browser, width, height):
    with watched_page(browser, width, height) as page:
        page.server_url = server.url
        figure = open_default_page(page, "?present=true")
        page.screenshot(path=ARTIFACTS / f"lecture_present_{width}.png")
        print(f"{width}x{height}: grid {figure['grid']}, strip {figure['strip']}")  # pytest -s shows them
        assert figure["scrolled"] == 0
        assert figure["grid"]["top"] >= 0 and figure["strip"] is not None
        assert figure["strip"]["bottom"] <= figure["screen"], figure  # the last output row is on screen
        assert figure["grid"]["height"] >= 90  # three rows of cells, still large enough to read
        assert page.errors == []
