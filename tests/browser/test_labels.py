"""No two labels of a figure touch: the compare page's side-by-side maps at 8 and 16 tokens, in a real Chromium.

Every tick label, axis title and figure title of each chart is measured as the browser drew it: its box in its
own coordinates (``getBBox``) turned into the page's by its transform (``getScreenCTM``), so a slanted label is
the slanted rectangle it is, not the larger upright box around it. Two rectangles touch when no axis of either
separates them (the separating axis theorem). Screenshots in tests/artifacts/ are for a teacher to judge.
"""

from __future__ import annotations

from urllib.parse import quote

import numpy as np
import pytest

from tests.helpers import ARTIFACTS, wait_for_chart_text, watched_page

pytestmark = pytest.mark.browser

SENTENCES = {
    8: "I put my money in the bank.",  # ▁I ▁put ▁my ▁money ▁in ▁the ▁bank .
    16: "the old keeper put my money in the bank by the river last year.",  # a lone ▁ before keeper among them
}
TOUCHING = 0.5  # px: rectangles that overlap by less are anti-aliasing, not a collision

# The corners of every text of each chart, in the page's pixels, with what it is.
BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(chart => {
    const texts = chart.querySelectorAll(
        '.xtick text, .ytick text, .x2tick text, .y2tick text, .g-xtitle text, .g-ytitle text, '
        + '.g-x2title text, .g-y2title text, .g-gtitle text');
    return [...texts].filter(t => t.textContent && t.getBBox().width > 0).map(t => {
        const box = t.getBBox(), m = t.getScreenCTM();
        const corner = (x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
        const kind = t.closest('[class$="tick"]')?.getAttribute('class') || t.parentNode.getAttribute('class');
        return {text: t.textContent, kind, corners: [corner(box.x, box.y), corner(box.x + box.width, box.y),
            corner(box.x + box.width, box.y + box.height), corner(box.x, box.y + box.height)]};
    });
})"""


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How far two convex quadrilaterals (4 × 2 corners) overlap along their best separating axis (<= 0: apart)."""
    depth = np.inf
    for shape in (a, b):
        for edge in np.diff(np.vstack([shape, shape[:1]]), axis=0):
            normal = np.array([-edge[1], edge[0]]) / (np.hypot(*edge) or 1)
            pa, pb = a @ normal, b @ normal
            depth = min(depth, min(pa.max(), pb.max()) - max(pa.min(), pb.min()))
    return float(depth)


def collisions(chart: list[dict]) -> list[tuple[str, str, float]]:
    """The pairs of texts of one chart that overlap by more than TOUCHING, with how much."""
    found = []
    for i, one in enumerate(chart):
        for other in chart[i + 1 :]:
            depth = overlap(np.array(one["corners"]), np.array(other["corners"]))
            if depth > TOUCHING:
                found.append((one["text"], other["text"], round(depth, 1)))
    return found


def open_compare(page, url: str, n: int) -> list[list[dict]]:
    """The compare page on self attention: the sentence against itself at temperature 1 and 0.3, merged off."""
    query = f"?compare_kind=settings&compare_setting=temperature&temperature_b=0.3&sentence={quote(SENTENCES[n])}"
    page.goto(url + "/Compare" + query)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .heatmaplayer').length >= 3", timeout=120_000)
    wait_for_chart_text(page, ["B − A", "money"])
    page.wait_for_timeout(1000)
    return page.evaluate(BOXES)


@pytest.mark.parametrize("n", sorted(SENTENCES))
def test_no_two_labels_touch_on_the_compare_page(server, browser, n):
    with watched_page(browser, 1400, 2400) as page:
        charts = open_compare(page, server.url, n)
        page.screenshot(path=ARTIFACTS / f"labels_compare_{n}.png", full_page=True)
        assert len(charts) >= 3 and page.errors == []
        for chart in charts:
            ticks = [t for t in chart if t["kind"] in ("xtick", "ytick")]
            assert len({t["text"] for t in ticks if t["kind"] == "xtick"}) == n  # every token labelled
            print(n, [(t["text"], t["kind"]) for t in chart][:3], f"{len(chart)} texts")
            assert collisions(chart) == [], collisions(chart)[:5]


def test_the_merged_lecture_pair_on_the_cross_page(server, browser):
    """The lecture's pair with whole words, for a teacher's slide: これは 例 です, nothing crowded."""
    with watched_page(browser, 1400, 1000) as page:
        page.goto(server.url + "/Cross_Attention?merge_words=true")
        page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
        wait_for_chart_text(page, ["これは", "例", "です", "example"])
        page.wait_for_timeout(1000)
        page.screenshot(path=ARTIFACTS / "labels_cross_merged.png")
        charts = page.evaluate(BOXES)
        assert page.errors == []
        for chart in charts:
            assert collisions(chart) == [], collisions(chart)[:5]
