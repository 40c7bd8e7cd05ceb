"""The multilingual model in a real Chromium: Korean, Japanese and Chinese typed in, drawn as real word pieces."""

from __future__ import annotations

import pytest

from attention.examples import LECTURE_SOURCE, LECTURE_TARGET_SCRIPT
from tests.helpers import ARTIFACTS, type_sentence, wait_for_chart_text, wait_for_ticks

pytestmark = pytest.mark.browser
E5 = "model=multilingual-e5-small"


def glyphs_drawn(page, label: str) -> float:
    """The drawn width of one tick label, in pixels: a font without the glyphs draws nothing or boxes."""
    return page.evaluate(
        """label => {
            const node = [...document.querySelectorAll('.js-plotly-plot .xtick text, .js-plotly-plot .ytick text')]
                .find(n => n.textContent === label);
            return node ? node.getBBox().width : -1;
        }""",
        label,
    )


def test_korean_typed_on_the_self_page_shows_hangul_pieces(server, page):
    page.goto(f"{server.url}/Self_Attention?{E5}&lang=ko")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
    type_sentence(page, "문장", "이것은 예입니다")
    wait_for_ticks(page, "x", ["이것은", "예", "입니다"], timeout=60_000)
    wait_for_ticks(page, "y", ["이것은", "예", "입니다"])
    assert glyphs_drawn(page, "이것은") > 20  # three Hangul syllables, really drawn
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "self_attention_korean.png", full_page=True)
    assert page.errors == []


def test_the_lectures_pair_in_japanese_script(server, page):
    page.goto(
        f"{server.url}/Cross_Attention?{E5}&fit_colors=true&source={LECTURE_SOURCE}&target={LECTURE_TARGET_SCRIPT}"
    )
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
    wait_for_ticks(page, "y", ["これは", "例", "です"], timeout=60_000)
    wait_for_ticks(page, "x", ["this", "is", "an", "example"])
    assert glyphs_drawn(page, "これは") > 20
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "cross_attention_japanese.png", full_page=True)
    assert page.errors == []


def test_chinese_on_the_model_heads_page(server, page):
    page.goto(f"{server.url}/Model_Heads?{E5}")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
    type_sentence(page, "Sentence", "这是一个例子")
    wait_for_chart_text(page, ["这是一个", "例子"])
    page.get_by_text("over all 144 heads").wait_for(timeout=60_000)  # 12 layers × 12 heads recomputed
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "model_heads_chinese.png", full_page=True)
    assert page.errors == []
