"""The compare page and the model heads page's rollout in a real Chromium, kept as screenshots."""

from __future__ import annotations

import pytest

from tests.helpers import ARTIFACTS, ENGLISH, wait_for_chart_text, watched_page

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


def test_rollout_on_the_model_heads_page(server, page):
    page.goto(server.url + "/Model_Heads" + ENGLISH + "&sentence=the+cat+sat+on+the+mat+because+it+was+tired")
    page.get_by_text("Through the layers: attention rollout").scroll_into_view_if_needed(timeout=120_000)
    wait_for_chart_text(page, ["Rollout through layers 0 to 5"], timeout=90_000)
    page.wait_for_timeout(800)
    page.get_by_text("Through the layers: attention rollout").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "rollout.png", full_page=False)
    assert page.errors == []
