"""Guess first in a real Chromium: the page holds no weight until Reveal, a click on a cell is a guess."""

from __future__ import annotations

import re

import numpy as np
import pytest

from attention.i18n import text
from attention.quiz import score_guesses
from tests.helpers import ARTIFACTS

pytestmark = pytest.mark.browser

GRID = "document.querySelector('.js-plotly-plot')"


def grid_size(page) -> tuple[int, int]:
    """(n_q, n_k) of the blank grid: its points go query by query, x is the query in the lecture's layout."""
    n_points, n_q = page.evaluate(f"() => [{GRID}.data[0].x.length, new Set({GRID}.data[0].x).size]")
    return n_q, n_points // n_q


def click_point(page, index: int) -> None:
    """Click the centre of the grid's square number ``index`` as a user does (the mouse, not the element)."""
    box = page.locator(".js-plotly-plot .scatterlayer .point").nth(index).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def weights_of_revealed(page, n_q: int, n_k: int) -> np.ndarray:
    """The revealed heatmap's weights, (n_q, n_k): its z is (n_k, n_q) in the lecture's layout."""
    rows = page.evaluate(f"() => Array.from({GRID}._fullData[0].z, row => Array.from(row))")  # decoded
    z = np.array(rows, dtype=float)
    assert z.shape == (n_k, n_q)
    return z.T


def test_guess_click_by_click_then_reveal(server, page):
    page.goto(server.url + "/Cross_Attention?quiz=true")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=120_000)
    page.get_by_text(text("quiz.progress", guessed=0, n=grid_size(page)[0])).wait_for(timeout=30_000)
    n_q, n_k = grid_size(page)
    html, data = page.content(), page.evaluate(f"() => JSON.stringify({GRID}.data)")
    assert page.evaluate(f"() => {GRID}.data.every(trace => trace.type === 'scatter' && !('z' in trace))")
    assert not page.locator('[data-testid="stDownloadButton"]').count()  # no downloads before the reveal

    guesses = {q: (q + 1) % n_k for q in range(n_q)}
    for q, k in guesses.items():
        click_point(page, q * n_k + k)
        page.get_by_text(text("quiz.progress", guessed=q + 1, n=n_q)).wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    html += page.content()
    data += page.evaluate(f"() => JSON.stringify({GRID}.data)")
    page.screenshot(path=ARTIFACTS / "quiz_guess.png", full_page=True)

    page.get_by_role("button", name=text("quiz.reveal")).click()
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    weights = weights_of_revealed(page, n_q, n_k)
    score = score_guesses(weights, guesses)
    expected = text("quiz.score", hits=score.n_hits, guessed=n_q, share=100 * score.mean_weight, even=100 / n_k)
    page.get_by_text(expected).wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "quiz_reveal.png", full_page=True)

    # Not one weight was in the page before the reveal, written any usual way. (The page's CSS has short
    # decimals of its own, like 0.25rem: short forms are looked for in the figure's data only.)
    for w in weights.ravel():
        for written in {f"{w:.4f}", f"{w:.6f}", repr(float(w)), repr(float(np.float32(w)))}:
            assert written not in html + data, written
        for written in (f"{w:.2f}", f"{w:.3f}"):
            assert not re.search(rf"(?<![\d.]){re.escape(written)}(?!\d)", data), written
    assert page.errors == []
