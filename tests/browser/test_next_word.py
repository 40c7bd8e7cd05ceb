"""The Next Word page in a real Chromium: the causal map in the lecture's layout, the next-token bars, and
layer, head and temperature redrawn by the browser alone (no message to or from the server meanwhile).

The browser's rule for the bars (``nextTokenDistribution`` in webapp/next_word_chart.js) is held to
Python's ``next_token_distribution`` for every combination of temperature, top-k and top-p tried here.
"""

from __future__ import annotations

import base64
import itertools
import json
from urllib.parse import parse_qs, quote, urlparse

import numpy as np
import pytest

from attention.decoder import next_token_distribution
from attention.next_word import DEFAULT_PROMPT, EXAMPLES
from tests.helpers import ARTIFACTS, ROOT, frames, watched_page

pytestmark = pytest.mark.browser

SCRIPT = ROOT / "webapp" / "next_word_chart.js"
MAP = ".next-word .nw-map"
BARS = ".next-word .nw-bars"


def open_page(page, query: str) -> None:
    page.goto(f"{page.server_url}/Next_Word?{query}")
    page.wait_for_selector(f"{MAP} .heatmaplayer", timeout=120_000)
    page.wait_for_function(f"() => document.querySelector('{BARS}').dataset.bars", timeout=30_000)


def drawn_map(page) -> tuple[dict, np.ndarray]:
    """The map the browser drew: its (layer, head) and z (keys × queries; NaN where the cell is masked)."""
    view, z = page.evaluate(
        """selector => {
            const chart = document.querySelector(selector);
            return [JSON.parse(chart.dataset.view), chart.data[0].z];
        }""",
        MAP,
    )
    return view, np.array([[np.nan if v is None else v for v in row] for row in z], dtype=float)


def bars(page) -> list:
    return json.loads(page.locator(BARS).get_attribute("data-bars"))


def check_map(z: np.ndarray, weights: np.ndarray) -> None:
    """z is weights.T in the lecture's layout: columns are queries and sum to 1, nothing after the diagonal."""
    t = len(weights)
    assert z.shape == (t, t)
    keys, queries = np.indices((t, t))
    assert np.isnan(z[keys > queries]).all()  # a key after its query: masked, not a zero
    assert not np.isnan(z[keys <= queries]).any()
    np.testing.assert_allclose(np.nansum(z, axis=0), 1.0, atol=3e-3)  # float16 in transit
    np.testing.assert_allclose(np.nan_to_num(z), weights.T, atol=1e-3)


@pytest.fixture
def nw_page(server, browser):
    with watched_page(browser, width=1400, height=2400) as page:  # tall: a screenshot shows the whole page
        page.server_url = server.url
        yield page


def test_the_map_the_bars_and_a_head_chosen_in_the_browser(nw_page, decoder):
    page = nw_page
    prompt = EXAMPLES["pronoun"].prompt
    run = decoder.run(prompt)
    open_page(page, f"prompt={quote(prompt)}&decoder_layer=13&decoder_head=8")
    view, z = drawn_map(page)
    assert view == {"layer": 13, "head": 8}  # the link's head
    check_map(z, run.weights[13, 8])
    it, animal = run.tokens.index(" it"), run.tokens.index(" animal")
    assert z[animal, it] == pytest.approx(0.75, abs=0.01)  # column "it", row "animal"
    ticks = page.eval_on_selector_all(f"{MAP} .xtick text", "nodes => nodes.map(n => n.textContent)")
    assert [t.strip() for t in ticks] == [t.strip() for t in run.tokens]
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "next_word_pronoun.png", full_page=True)

    counts = frames(page)  # the socket is already open: reload to watch it from the start
    page.reload()
    page.wait_for_selector(f"{MAP} .heatmaplayer", timeout=60_000)
    page.wait_for_timeout(1_500)  # the page's own late messages
    for layer, head in ((18, 8), (18, 6)):  # one control at a time: a layer, then a head
        before = dict(counts)
        name, value = ("decoder_layer", layer) if head == 8 else ("decoder_head", head)
        page.select_option(f".next-word label[data-setting='{name}'] select", str(value))
        page.wait_for_function(
            f"() => document.querySelector('{MAP}').dataset.view === JSON.stringify({{layer: {layer}, head: {head}}})",
            timeout=5_000,
            polling=10,
        )
        assert counts == before, (before, counts)  # drawn with no message to or from the server
        since = float(page.locator(".next-word").get_attribute("data-since-change-ms"))
        print(f"layer/head change to the drawn map: {since:.0f} ms")
        _, z = drawn_map(page)
        check_map(z, run.weights[layer, head])
    # a moment later the server hears of it: the link follows
    page.wait_for_function("() => location.search.includes('decoder_layer=18')", timeout=30_000)
    query = parse_qs(urlparse(page.url).query)
    assert query["decoder_head"] == ["6"]
    assert "key/value head 2" in page.locator(".next-word .nw-kv").inner_text()

    # a click on a cell names the heads that look there
    page.select_option(".next-word label[data-setting='decoder_layer'] select", "13")
    page.select_option(".next-word label[data-setting='decoder_head'] select", "8")
    page.wait_for_function(
        f"() => document.querySelector('{MAP}').dataset.view === JSON.stringify({{layer: 13, head: 8}})"
    )
    page.evaluate(
        """([selector, it, animal]) => {
            const chart = document.querySelector(selector);
            chart.emit("plotly_click", { points: [{ curveNumber: 0, x: it, y: animal, z: 0.75 }] });
        }""",
        [MAP, it, animal],
    )
    look = json.loads(page.locator(".next-word .nw-look-list").get_attribute("data-look"))
    assert look["heads"][0][:2] == [13, 8] and len(look["heads"]) == 5
    assert page.errors == []


def test_new_prompt_timing_and_bars_follow_the_temperature_without_the_server(nw_page, decoder):
    page = nw_page
    counts = frames(page)
    open_page(page, "")
    assert bars(page)[0][0] == "␣Paris" and bars(page)[0][1] == pytest.approx(0.773, abs=1e-3)
    assert "77.3%" in page.locator(BARS).inner_text()
    assert page.get_by_text("with probability 77.3%").count() == 1
    logits = decoder.run(DEFAULT_PROMPT).logits
    page.wait_for_timeout(1_500)
    for temperature, top_k, top_p in ((0.5, 0, 1.0), (1.7, 0, 1.0), (1.0, 3, 1.0), (1.2, 0, 0.6), (0, 0, 1.0)):
        before = dict(counts)
        draws = int(page.locator(BARS).get_attribute("data-draws"))
        page.evaluate(
            """([t, k, p]) => {
                const root = document.querySelector(".next-word");
                const set = (name, value, event) => {
                    const input = root.querySelector(`label[data-setting="${name}"] input`);
                    input.value = value;
                    input.dispatchEvent(new Event(event, { bubbles: true }));
                };
                set("top_k", k, "change");
                set("top_p", p, "input");
                set("next_temperature", t, "input");
            }""",
            [temperature, top_k, top_p],
        )
        page.wait_for_function(
            f"n => Number(document.querySelector('{BARS}').dataset.draws) >= n + 1 && "
            f"JSON.parse(document.querySelector('{BARS}').dataset.view).next_temperature === {temperature}",
            arg=draws,
            timeout=5_000,
        )
        assert counts == before  # reshaped in the browser
        expected = next_token_distribution(logits, temperature, top_k or None, top_p if top_p < 1 else None)
        best = np.argsort(-expected, kind="stable")[:10]
        shown = bars(page)
        want = [p for p in expected[best] if p > 0]
        np.testing.assert_allclose([p for _, p in shown], want, rtol=1e-9)
    page.wait_for_function("() => location.search.includes('next_temperature=0')", timeout=30_000)

    # a new 32-token prompt, typed: from the server's bytes to the painted map
    field = page.get_by_role("textbox", name="Prompt", exact=True)
    prompt = " ".join(["one two three four five six seven eight"] * 4)
    field.fill(prompt)
    field.press("Enter")
    page.wait_for_function(f"() => document.querySelector('{MAP}').data[0].z.length === 32", timeout=60_000)
    since = page.locator(".next-word").get_attribute("data-since-data-ms")
    print(f"new 32-token prompt: bytes received to map drawn {since} ms")
    assert page.errors == []


def test_the_browsers_bars_rule_is_pythons(nw_page, decoder):
    page = nw_page
    page.goto("about:blank")
    logits = decoder.run("The best way to learn is").logits
    settings = list(itertools.product((0.0, 0.3, 1.0, 1.9), (0, 1, 50), (1.0, 0.9, 0.05)))
    source = base64.b64encode(SCRIPT.read_bytes()).decode()
    got = page.evaluate(
        """async ([source, logits, settings]) => {
            const { nextTokenDistribution } = await import("data:text/javascript;base64," + source);
            const scores = Float32Array.from(logits);
            const drawn = ([t, k, p]) => nextTokenDistribution(scores, t, k || null, p < 1 ? p : null);
            return settings.map((setting) => Array.from(drawn(setting)));
        }""",
        [source, logits.tolist(), settings],
    )
    for (temperature, top_k, top_p), browser in zip(settings, got, strict=True):
        python = next_token_distribution(logits, temperature, top_k or None, top_p if top_p < 1 else None)
        browser = np.array(browser)
        assert np.array_equal(browser > 0, python > 0), (temperature, top_k, top_p)
        np.testing.assert_allclose(browser, python, rtol=1e-9, atol=1e-15)


def test_korean_interface_and_presentation(server, browser):
    with watched_page(browser, width=1920, height=1080) as page:
        page.server_url = server.url
        open_page(page, "lang=ko&present=true")
        assert "다음 토큰" in page.locator(".next-word").inner_text()
        sizes = page.eval_on_selector_all(
            f"{MAP} .xtick text", "nodes => nodes.map(n => parseFloat(getComputedStyle(n).fontSize))"
        )
        assert min(sizes) >= 20
        box = page.locator(MAP).bounding_box()
        assert box["y"] + box["height"] <= 1080 + 5  # the map stands on the first screen
        page.wait_for_timeout(500)
        page.screenshot(path=ARTIFACTS / "next_word_korean_present.png")
        assert page.errors == []
    with watched_page(browser, width=1400, height=2400) as page:  # tall: the screenshot shows the whole chart
        page.server_url = server.url
        open_page(page, "lang=ko&prompt=" + quote("안녕하세요, 저는 학생입니다"))
        page.wait_for_timeout(500)
        page.screenshot(path=ARTIFACTS / "next_word_korean_prompt.png", full_page=True)
        assert page.errors == []
