"""The app in a real Chromium: type sentences, wait for the heatmap, read its labels, keep a screenshot."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from attention.models import ENGLISH_MODEL
from tests.helpers import (
    ARTIFACTS,
    ENGLISH,
    tick_labels,
    type_sentence,
    wait_for_chart_text,
    wait_for_ticks,
)

pytestmark = pytest.mark.browser


def test_cross_attention_redraws_for_new_sentences(server, page):
    page.goto(server.url + "/Cross_Attention" + ENGLISH)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    assert set(tick_labels(page, "x")) >= {"this", "is", "an", "example"}

    type_sentence(page, "Source sentence", "the cat sat on the mat")
    type_sentence(page, "Target sentence", "le chat <b>dort</b>")
    wait_for_ticks(page, "x", ["0 · the", "cat", "sat", "on", "4 · the", "mat"])
    wait_for_ticks(page, "y", ["le", "chat", "2 · <", "3 · b", "4 · >", "do", "##rt"])  # markup shown as typed
    page.wait_for_timeout(500)  # let the redraw settle before the picture
    page.screenshot(path=ARTIFACTS / "cross_attention.png", full_page=True)
    assert page.errors == []


def test_lecture_example_screenshot(server, page):
    page.goto(server.url + "/Cross_Attention" + ENGLISH)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    page.get_by_text("Numbers in cells").click()
    page.wait_for_selector(".js-plotly-plot .heatmaplayer text", timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "lecture_example.png", full_page=True)
    assert page.errors == []


def test_self_attention_page(server, page):
    page.goto(server.url + "/Self_Attention" + ENGLISH)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    type_sentence(page, "Sentence", "The animal didn't cross the street because it was tired")
    wait_for_ticks(page, "x", ["animal", "street", "tired"])
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "self_attention.png", full_page=True)
    assert page.errors == []


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox (scrolled to first: a click that scrolls a long page as it
    lands may open the menu while the page still moves, and it closes again)."""
    menu = page.get_by_role("combobox", name=label)
    menu.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    menu.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_step_page_takes_a_cell_apart(server, page):
    page.goto(server.url + "/Step_by_Step" + ENGLISH)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    choose(page, "Query", "2 · an")
    choose(page, "Key", "3 · rei")
    page.get_by_text("q(an) · k(rei)").wait_for(timeout=30_000)
    page.get_by_text("Weights × values for the query “an”").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "step_by_step.png", full_page=True)
    assert page.errors == []


def test_model_heads_page_for_a_twenty_word_sentence(server, page):
    sentence = (
        "the teacher wrote a long sentence on the board so that every student in class could see how attention moves"
    )
    assert len(sentence.split()) == 20
    page.goto(server.url + "/Model_Heads" + ENGLISH)
    page.get_by_text("Our recomputation agrees with the model").wait_for(timeout=60_000)
    started = time.perf_counter()
    type_sentence(page, "Sentence", sentence)
    wait_for_chart_text(page, ["teacher", "board", "moves"])
    page.get_by_text("over all 72 heads").wait_for(timeout=60_000)
    seconds = time.perf_counter() - started
    print(f"model-heads page for a 20-word sentence: {seconds:.2f} s from Enter to every chart drawn")
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "model_heads.png", full_page=True)
    assert page.errors == []


def test_a_shared_link_opens_the_same_view(server, page):
    page.goto(
        server.url
        + f"/Cross_Attention?source=the+cat+sat&target=le+chat&transpose=true&temperature=0.5&model={ENGLISH_MODEL}"
    )
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    # the fields are filled from the link (waited for: a loaded machine may draw the page before them)
    expect(page.get_by_role("textbox", name="Source sentence", exact=True)).to_have_value("the cat sat", timeout=30_000)
    expect(page.get_by_role("textbox", name="Target sentence", exact=True)).to_have_value("le chat", timeout=30_000)
    wait_for_ticks(page, "y", ["the", "cat", "sat"])  # transposed: queries are rows
    wait_for_ticks(page, "x", ["le", "chat"])
    # the URL follows every change, so the address bar is always a link to what is on screen
    type_sentence(page, "Source sentence", "a dog ran")
    page.wait_for_function("() => location.search.includes('source=a+dog+ran')", timeout=30_000)
    assert "transpose=true" in page.url and "temperature=0.5" in page.url
    assert page.errors == []


def test_the_interface_switches_to_korean(server, page):
    page.goto(server.url + "/Cross_Attention" + ENGLISH)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    page.get_by_role("radio", name="한국어").click()
    page.get_by_role("heading", name="크로스 어텐션").wait_for(timeout=30_000)
    wait_for_chart_text(page, ["쿼리: 입력"])
    page.wait_for_function("() => location.search.includes('lang=ko')", timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "cross_attention_ko.png", full_page=True)
    # the language stays when moving to another page
    page.get_by_role("link", name="셀프 어텐션").click()
    page.get_by_role("heading", name="셀프 어텐션").wait_for(timeout=30_000)
    assert page.errors == []
