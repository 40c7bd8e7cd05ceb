"""The translation page in a real Chromium: the map, the decoder's predictions under it, a screenshot."""

from __future__ import annotations

import pytest

from tests.helpers import ARTIFACTS, ENGLISH, tick_labels, type_sentence, wait_for_chart_text, wait_for_ticks

pytestmark = pytest.mark.browser


def test_translation_page_draws_the_translators_attention(server, page):
    page.goto(server.url + "/Translation" + ENGLISH)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=90_000)
    wait_for_ticks(page, "x", ["Eu", "gosto", "carro", "vermelho"])  # the target's pieces ask (columns)
    assert {"I", "like", "red", "car"} <= set(tick_labels(page, "y"))
    wait_for_chart_text(page, ["vermelho99%"])  # the decoder's prediction under its column (two lines: one text)
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "translation.png", full_page=True)

    type_sentence(page, "Translation (edit it to make the decoder read yours)", "Eu gosto do carro <b>azul</b>.")
    wait_for_ticks(page, "x", ["5 · <", "6 · b", "7 · >", "az", "ul"])  # teacher forced, markup shown as typed
    page.wait_for_function(  # a step where the decoder would have written something else
        "() => [...document.querySelectorAll('.js-plotly-plot text')]"
        ".some(n => n.textContent.startsWith('≠ vermelho'))",
        timeout=60_000,
    )
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "translation_teacher_forced.png", full_page=True)
    assert page.errors == []
