"""The live heatmap in Chromium: the browser's own softmax against PyTorch, and its controls.

The cross and self pages send the raw scores once; the temperature, √d_k, transpose, numbers and
colours are applied in the browser (webapp/attention_figure.js, in webapp/live_chart.js's component).
The Python core stays the reference: the weights the browser drew are read back from the chart and
compared with PyTorch's ``scaled_dot_product_attention`` on the same queries and keys, to 1e-6.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlparse

import numpy as np
import pytest
import torch

from attention.examples import LECTURE_SOURCE, LECTURE_TARGET
from attention.options import Projection, Settings
from attention.views import compute_view
from deploy.harness import SLIDE_TO
from tests.helpers import ARTIFACTS, ENGLISH, TIME_SENDS, watched_page

pytestmark = pytest.mark.browser

CHART = ".attention-live-chart"


def titles(page) -> dict[str, str]:
    """The live heatmap's axis titles by where they stand against the weights' grid ("top", "left",
    "top right", "left below"); none of them may touch a tick label."""
    found = page.evaluate(
        """(chart) => {
            const box = (node) => node.getBoundingClientRect();
            const grid = box(document.querySelector(`${chart} .nsewdrag[data-subplot="xy"]`));
            const labels = [...document.querySelectorAll(`${chart} .xtick text, ${chart} .ytick text,`
                + ` ${chart} .x2tick text, ${chart} .y2tick text`)].map(box);
            return [...document.querySelectorAll(`${chart} .annotation-text`)].map((node) => {
                const b = box(node);
                const touching = labels.filter(
                    (l) => l.left < b.right && b.left < l.right && l.top < b.bottom && b.top < l.bottom);
                const where = b.bottom <= grid.top ? (b.left >= grid.right ? "top right" : "top")
                    : b.right <= grid.left ? (b.top >= grid.bottom ? "left below" : "left") : "inside";
                return [where, node.textContent, touching.length];
            });
        }""",
        CHART,
    )
    assert [touching for *_, touching in found] == [0] * len(found), found
    return {where: text for where, text, _ in found}


def open_live(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(f"{CHART} .heatmaplayer", timeout=60_000)


def control(page, setting: str):
    return page.locator(f'.attention-live-controls label[data-setting="{setting}"]')


def drawn(page) -> dict:
    """What the live chart drew last: its display settings, the weights' z and hover data, the outputs' z."""
    return page.evaluate(
        """selector => {
            const chart = document.querySelector(selector);
            const rows = (z) => z.map((row) => Array.from(row));
            return {
                display: JSON.parse(chart.dataset.display),
                z: rows(chart.data[0].z),
                customdata: chart.data[0].customdata,
                outputs: chart.data[1] ? rows(chart.data[1].z) : null,
                draws: Number(chart.dataset.draws),
            };
        }""",
        CHART,
    )


def set_slider(page, position: int) -> None:
    """Move the temperature slider to ``position`` (0..400) as a drag ends: 'input', then 'change'."""
    before = drawn(page)["draws"]
    control(page, "temperature").locator("input").evaluate(SLIDE_TO, position)
    page.wait_for_function(
        f"n => Number(document.querySelector('{CHART}').dataset.draws) > n", arg=before, timeout=10_000
    )


def settle(page) -> None:
    """Wait for the drawing under way, and for the server's rerun after a change."""
    page.wait_for_timeout(1_500)


def reference(q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: float, causal: bool = False):
    """PyTorch's weights and outputs for the same queries, keys and values (float64)."""
    q_, k_, v_ = (torch.tensor(a, dtype=torch.float64) for a in (q, k, v))
    mask = torch.ones(len(q), len(k), dtype=torch.bool)
    if causal:
        mask = torch.tril(mask)
    eye = torch.eye(len(k), dtype=torch.float64)  # values = identity gives the weights themselves
    weights = torch.nn.functional.scaled_dot_product_attention(q_, k_, eye, attn_mask=mask, scale=scale)
    outputs = torch.nn.functional.scaled_dot_product_attention(q_, k_, v_, attn_mask=mask, scale=scale)
    return weights.numpy(), outputs.numpy()


def check_against_pytorch(page, result, causal: bool = False) -> float:
    """The drawn weights (lecture layout: columns are queries) and output strip equal PyTorch's; returns the error."""
    shown = drawn(page)
    display = shown["display"]
    scale = (1 / np.sqrt(result.d_k) if display["scale"] else 1.0) / display["temperature"]
    weights, outputs = reference(result.queries, result.keys, result.values, scale, causal)
    z = np.array(shown["z"])
    drawn_weights = z if display["transpose"] else z.T
    error = float(np.abs(drawn_weights - weights).max())
    assert error < 1e-6, (display, error)
    strip = np.array(shown["outputs"])
    strip = strip if display["transpose"] else strip.T  # (n_q, m): the first m components
    assert np.abs(strip - outputs[:, : strip.shape[1]]).max() < 1e-6
    hover = np.array(shown["customdata"], dtype=float)  # [raw, scaled] per cell
    raw = hover[..., 0] if display["transpose"] else hover[..., 0].T
    np.testing.assert_allclose(raw, result.scores, rtol=1e-12, atol=1e-9)
    return error


def test_the_browsers_softmax_equals_pytorch_at_every_temperature(server, page, minilm):
    open_live(page, server.url + "/Cross_Attention" + ENGLISH)
    # the lecture's layout: the queries along the top, the keys down the side, the output strip below
    assert titles(page) == {"top": "query: source", "left": "key/value: target", "left below": "output"}
    sentences = {"source": LECTURE_SOURCE, "target": LECTURE_TARGET}
    result = compute_view(minilm, sentences, Settings()).result
    errors = {}
    for position, temperature in ((0, 0.1), (100, 0.32), (200, 1.0), (330, 4.5), (400, 10.0)):
        set_slider(page, position)
        assert drawn(page)["display"]["temperature"] == temperature
        errors[temperature] = check_against_pytorch(page, result)
    control(page, "scale").locator("input").click()  # √d_k off: the raw scores go to softmax
    page.wait_for_function(f"JSON.parse(document.querySelector('{CHART}').dataset.display).scale === false")
    errors["no √d_k"] = check_against_pytorch(page, result)
    control(page, "transpose").locator("input").click()
    page.wait_for_function(f"JSON.parse(document.querySelector('{CHART}').dataset.display).transpose === true")
    errors["transposed"] = check_against_pytorch(page, result)
    assert titles(page) == {"top": "key/value: target", "left": "query: source", "top right": "output"}
    print("largest difference from PyTorch per setting:", errors)
    settle(page)
    query = parse_qs(urlparse(page.url).query)
    assert float(query["temperature"][0]) == 10 and query["scale"] == ["false"] and query["transpose"] == ["true"]
    assert page.errors == []


def test_a_causal_mask_and_a_real_head_in_the_browser_equal_pytorch(server, page, minilm):
    sentence = "the animal did not cross the street because it was tired"
    link = f"{ENGLISH}&sentence={sentence.replace(' ', '+')}&causal=true&projection=head&layer=2&head=7"
    open_live(page, server.url + "/Self_Attention" + link)
    settings = Settings(causal=True, projection=Projection("head", layer=2, head=7))
    result = compute_view(minilm, {"sentence": sentence}, settings).result
    check_against_pytorch(page, result, causal=True)
    set_slider(page, 60)  # 0.2: sharper, and still no weight above the diagonal
    check_against_pytorch(page, result, causal=True)
    assert page.errors == []


def test_dragging_the_temperature_redraws_while_it_moves(server, page):
    open_live(page, server.url + "/Self_Attention" + ENGLISH)
    slider = control(page, "temperature").locator("input")
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    before = drawn(page)["draws"]
    seen = set()
    for step in range(1, 13):
        page.mouse.move(box["x"] + box["width"] * (0.5 - step / 30), y)
        page.wait_for_timeout(60)
        seen.add(drawn(page)["display"]["temperature"])
    during = drawn(page)["draws"] - before
    page.mouse.up()
    assert during >= 6 and len(seen) >= 6, (during, sorted(seen))  # redrawn while the button was down
    settle(page)
    final = drawn(page)["display"]["temperature"]
    assert final < 1 and control(page, "temperature").locator("output").inner_text() == f"{final:.2f}"
    assert parse_qs(urlparse(page.url).query)["temperature"] == [str(final)]  # kept by the server, for the link
    assert page.errors == []


def test_a_link_sets_the_live_controls_and_an_example_changes_them(server, page):
    open_live(page, server.url + "/Cross_Attention" + ENGLISH + "&temperature=0.5&transpose=true&fit_colors=true")
    shown = drawn(page)["display"]
    assert (shown["temperature"], shown["transpose"], shown["fit_colors"]) == (0.5, True, True)
    assert control(page, "transpose").locator("input").is_checked()
    assert control(page, "temperature").locator("output").inner_text() == "0.50"
    # an example shows its claim on the plain colours: the server's change reaches the browser's controls
    page.get_by_role("combobox", name="Examples").click()
    page.get_by_role("option").filter(has_text="これは例です").first.click()
    page.wait_for_function(f"JSON.parse(document.querySelector('{CHART}').dataset.display).fit_colors === false")
    assert not control(page, "fit_colors").locator("input").is_checked()
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "live_cross_japanese.png", full_page=True)
    assert page.errors == []


def test_the_live_controls_speak_korean(server, page):
    open_live(page, server.url + "/Self_Attention?lang=ko&sentence=" + "나는 학교에 간다")
    labels = [control(page, name).inner_text() for name in ("temperature", "scale", "transpose", "show_values")]
    assert labels[0].startswith("온도") and "√d_k로 나누기" in labels[1] and "전치" in labels[2] and "숫자" in labels[3]
    control(page, "show_values").locator("input").click()
    page.wait_for_selector(f"{CHART} .heatmaplayer text", timeout=10_000)
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "live_self_korean.png", full_page=True)
    assert json.loads(page.locator(CHART).get_attribute("data-display"))["show_values"] is True
    assert page.errors == []


def test_the_live_chart_keeps_no_globals_and_is_purged_when_it_leaves(server, page):
    open_live(page, server.url + "/Self_Attention" + ENGLISH)
    set_slider(page, 100)
    timings = page.evaluate(f"document.querySelector('{CHART}').drawTimings")
    assert timings and {"computeMs", "plotMs", "sinceChangeMs"} <= set(timings[-1])
    # plotly.js's private state that live_chart.js relies on (its plotlyPrivate) is where it was written for
    assert page.evaluate(f"document.querySelector('{CHART}').dataset.plotlyPrivate") == ""
    assert page.evaluate("Object.keys(window).filter((name) => name.startsWith('attention'))") == []
    page.evaluate(f"window.leftChart = document.querySelector('{CHART}')")  # the test's own handle on it
    page.get_by_role("link", name="Home").click()  # another page: Streamlit unmounts the component
    page.wait_for_function(f"!document.querySelector('{CHART}')", timeout=30_000)
    # Plotly.purge took plotly.js's state off the element (its data, layout and listeners)
    assert page.evaluate("window.leftChart.data === undefined && !window.leftChart.isConnected")
    assert page.errors == []


def _headings_sent(page) -> list[str]:
    """Collect the text of every heading the server sends this page (its title is one), in a list kept up to date."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    sent: list[str] = []

    def received(payload) -> None:
        if not isinstance(payload, bytes):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") == "delta" and message.delta.new_element.WhichOneof("type") == "heading":
            sent.append(message.delta.new_element.heading.body)

    page.on("websocket", lambda socket: socket.on("framereceived", received))
    return sent


def test_a_new_sentence_reruns_only_the_fragment_and_the_link_follows(server, page):
    headings = _headings_sent(page)
    open_live(page, server.url + "/Cross_Attention" + ENGLISH)
    assert "Cross attention" in headings  # the whole page's run sent the title
    headings.clear()
    field = page.get_by_role("textbox", name="Source sentence", exact=True)
    field.fill("a dog ran")
    field.press("Enter")
    page.wait_for_function("() => location.search.includes('source=a+dog+ran')", timeout=30_000)
    share = page.locator('[data-testid="stSidebar"] [data-testid="stExpander"]').filter(has_text="Link to this view")
    share.get_by_text("Link to this view").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stCode"]')]
            .some(code => code.textContent.includes('source=a+dog+ran'))""",
        timeout=30_000,
    )
    page.wait_for_timeout(500)  # any late message of the run
    assert headings == []  # the fragment alone ran: the title was not sent again
    assert page.locator('[data-testid="stSidebar"] [data-testid="stCode"]').count() == 1  # one link box
    # the quiz switch is in the fragment too, but changes more than a sentence: the whole page runs
    page.get_by_text("Guess first", exact=True).click()
    page.wait_for_function("() => location.search.includes('quiz=true')", timeout=30_000)
    page.wait_for_timeout(500)
    assert "Cross attention" in headings
    assert page.errors == []


def test_a_new_sentence_is_drawn_in_place_and_the_camera_names_the_file_after_it(server, page):
    """The camera button's file name follows the sentences, and that alone must not make plotly.js draw
    the figure from scratch (a changed config did: newPlot, then react, for every new sentence)."""
    from webapp.page_figures import file_name

    open_live(page, server.url + "/Cross_Attention" + ENGLISH)
    first_trace = f"() => document.querySelector('{CHART}')._fullData[0].uid"
    before = page.evaluate(first_trace)
    field = page.get_by_role("textbox", name="Source sentence", exact=True)
    field.fill("a dog ran")
    field.press("Enter")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{CHART} .xtick text')].some(t => t.textContent === 'dog')",
        timeout=30_000,
    )
    assert page.evaluate(first_trace) == before  # the same trace, updated: not a new plot
    page.wait_for_function("() => location.search.includes('source=a+dog+ran')", timeout=30_000)
    target = parse_qs(urlparse(page.url).query)["target"][0]
    with page.expect_download(timeout=30_000) as download:
        page.locator(f"{CHART} .modebar-btn[data-title*='Download plot']").click()
    assert download.value.suggested_filename == file_name(f"a dog ran_{target}") + ".png"
    assert page.errors == []


def test_a_new_sentence_is_drawn_before_its_rerun_which_then_draws_nothing_more(server, browser, e5):
    """Enter in a sentence field: the chart asks the app's route for the new sentence (webapp/new_sentence.py) and
    draws its answer before the page sends the server anything; that drawing is PyTorch's attention for the new
    sentence. Only then does Streamlit's field get the Enter: its rerun puts the sentence in the link and brings
    the same bytes, which draw nothing again."""
    target = "이것은 예시 문장이다"
    with watched_page(browser) as page:
        page.add_init_script(TIME_SENDS)
        open_live(page, server.url + f"/Cross_Attention?model={e5.name}&target={quote(LECTURE_TARGET)}")
        page.wait_for_timeout(1_000)  # the page's own late messages
        before = drawn(page)["draws"]
        field = page.get_by_role("textbox", name="Target sentence", exact=True)
        field.fill(target)
        entered_at = page.evaluate("performance.now()")
        field.press("Enter")
        page.wait_for_function(f"n => Number(document.querySelector('{CHART}').dataset.draws) > n", arg=before)
        timing = page.evaluate(f"() => document.querySelector('{CHART}').drawTimings.at(-1)")
        assert timing["askMs"] is not None, timing  # drawn from the route's answer
        sent = page.evaluate(
            "([from, to]) => window.sentAt.filter((t) => t > from && t < to).length", [entered_at, timing["at"]]
        )
        assert sent == 0, f"{sent} messages went to the server before the new sentence was drawn"
        view = compute_view(e5, {"source": LECTURE_SOURCE, "target": target}, Settings())
        check_against_pytorch(page, view.result)
        ticks = [t.text_content() for t in page.locator(f"{CHART} .ytick text").all()]
        assert sorted(ticks) == sorted(view.key_tokens)  # the keys: the new sentence's words, in Hangul
        page.wait_for_function(
            "(target) => new URLSearchParams(location.search).get('target') === target", arg=target, timeout=30_000
        )
        page.wait_for_timeout(1_000)  # the rerun's chart message has come
        assert drawn(page)["draws"] == before + 1  # its bytes were those drawn already
        page.screenshot(path=ARTIFACTS / "new_sentence_ahead.png", full_page=True)
        assert page.errors == []


def test_a_blank_sentence_is_left_to_the_rerun_which_says_why(server, page):
    """The route answers no drawing for a blank sentence: the Enter goes on to Streamlit at once, and the page's
    rerun shows its message where the figure was."""
    open_live(page, server.url + "/Cross_Attention" + ENGLISH)
    field = page.get_by_role("textbox", name="Source sentence", exact=True)
    field.fill("   ")
    field.press("Enter")
    page.get_by_text("Type a source sentence", exact=False).wait_for(timeout=30_000)
    assert page.locator(CHART).count() == 0
    assert page.errors == []


def test_new_labels_move_the_margins_without_a_second_drawing_of_the_colour_bars(server, page):
    """plotly.js draws the colour bars at its record of the last margins and draws them again when the new
    ones differ; the live chart writes the new margins into that record first. So, for sentences whose labels
    need other margins, the record before a drawing must already be what plotly.js then lays out."""
    open_live(page, server.url + "/Cross_Attention" + ENGLISH)
    page.evaluate(
        """(selector) => {
            const chart = document.querySelector(selector);
            const react = window.Plotly.react;
            window.marginsSeen = [];
            window.Plotly.react = async (...args) => {
                const before = { ...chart._fullLayout._size };
                const result = await react(...args);
                window.marginsSeen.push([before, { ...chart._fullLayout._size }]);
                return result;
            };
        }""",
        CHART,
    )
    field = page.get_by_role("textbox", name="Target sentence", exact=True)
    for count, target in enumerate(["a", "an extraordinarily lengthy word", "ok"], start=1):
        field.fill(target)
        field.press("Enter")
        page.wait_for_function(f"() => window.marginsSeen.length >= {count}", timeout=30_000)
        settle(page)
    seen = page.evaluate("() => window.marginsSeen")
    assert len(seen) >= 3
    assert len({after["l"] for _, after in seen}) >= 2  # the labels did move the left margin
    for before, after in seen:
        assert before == after
    assert page.errors == []
