"""No two labels of a figure touch: the compare page's side-by-side maps at 8 and 16 tokens, in a real Chromium.

Every tick label, axis title and figure title of each chart is measured as the browser drew it: its box in its
own coordinates (``getBBox``) turned into the page's by its transform (``getScreenCTM``), so a slanted label is
the slanted rectangle it is, not the larger upright box around it. Two rectangles touch when no axis of either
separates them (the separating axis theorem). Screenshots in tests/artifacts/ are for a teacher to judge.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.helpers import ARTIFACTS, LABEL_BOXES, collisions, wait_for_chart_text, watched_page

pytestmark = pytest.mark.browser

SENTENCES = {
    8: "I put my money in the bank.",  # ▁I ▁put ▁my ▁money ▁in ▁the ▁bank .
    16: "the old keeper put my money in the bank by the river last year.",  # a lone ▁ before keeper among them
}


def open_compare(page, url: str, n: int) -> list[list[dict]]:
    """The compare page on self attention: the sentence against itself at temperature 1 and 0.3, merged off."""
    query = f"?compare_kind=settings&compare_setting=temperature&temperature_b=0.3&sentence={quote(SENTENCES[n])}"
    page.goto(url + "/Compare" + query)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .heatmaplayer').length >= 3", timeout=120_000)
    wait_for_chart_text(page, ["B − A", "money"])
    page.wait_for_timeout(1000)
    return page.evaluate(LABEL_BOXES)


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
        charts = page.evaluate(LABEL_BOXES)
        assert page.errors == []
        for chart in charts:
            assert collisions(chart) == [], collisions(chart)[:5]
