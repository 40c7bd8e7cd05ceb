"""Helpers every test file imports: the app under AppTest, Plotly figures as numpy, and Chromium.

A test file imports from here and from the packages it tests, never from another test file.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from attention.compare_figures import read_comparison_payload, render_comparison
from attention.examples import LECTURE_TARGET
from attention.heatmap import DISPLAY_FIELDS, render
from attention.heatmap_payload import read_payload, unpack
from attention.models import ENGLISH_MODEL
from webapp.compare_chart import KEY as COMPARE_KEY
from webapp.component_data import read_component_data
from webapp.live_chart import KEY as LIVE_KEY

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots and server logs, kept for a person to look at
HOME = "pages/0_Home.py"
CROSS = "pages/1_Cross_Attention.py"
SELF = "pages/2_Self_Attention.py"
STEPS = "pages/3_Step_by_Step.py"
HEADS = "pages/4_Model_Heads.py"
TEXT_FIELDS = ("source", "target", "sentence")
# Browser tests that check the English model's word pieces open their pages with these link parameters
# (the lecture's romaji target: the English model cannot read the default target's Japanese script).
ENGLISH = f"?model={ENGLISH_MODEL}&target={quote(LECTURE_TARGET)}"


# --- the app, headless -------------------------------------------------------------------------


def open_app(
    page: str | None = None, query: dict[str, str] | None = None, model: str | None = ENGLISH_MODEL
) -> AppTest:
    """Open the app as a user does: the home page (with ``query`` as the link's parameters), then ``page``.

    Most page tests check the small English model's word pieces (``ko ##re``), so the link names it and,
    since that model cannot read Japanese script, the lecture's romaji target (``kore wa rei desu``);
    ``model=None`` opens the app on its defaults, the multilingual model and ``これは例です``.
    """
    at = AppTest.from_file(APP, default_timeout=180)
    english = {"model": model, "target": LECTURE_TARGET} if model == ENGLISH_MODEL else {"model": model}
    query = {**english, **(query or {})} if model else dict(query or {})
    if query:
        at.query_params.update(query)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


# The Model heads page's layer, head and average: the controls of its live map, in the browser (AppTest sets them
# in the session, as the map's controls do)
HEAD_MAP_SETTINGS = ("heads_layer", "heads_head", "heads_average")


def set_widgets(at: AppTest, **values) -> AppTest:
    """Set widgets by key (text fields, toggles, sliders, select boxes) and run the page once.

    The live heatmap's own controls (``DISPLAY_FIELDS``) are in the browser, where AppTest cannot
    reach; on a page that has the live heatmap they are set in the session, as its controls do."""
    for key, value in values.items():
        if (key in DISPLAY_FIELDS and live_charts(at)) or key in HEAD_MAP_SETTINGS:
            at.session_state[key] = value
        elif key == "model":  # a select box that takes typed names; AppTest can only pick listed ones
            box = next(w for w in at.selectbox if w.key == "model")
            if value not in box.options:
                box.options.append(value)
            box.set_value(value)
        elif key in TEXT_FIELDS:
            at.text_input(key).set_value(value)
        elif isinstance(value, bool):
            at.toggle(key).set_value(value)
        else:
            widget = next(
                w
                for kind in ("slider", "select_slider", "selectbox", "radio")
                for w in getattr(at, kind)
                if w.key == key
            )
            widget.set_value(value)
    at.run()
    assert not at.exception, at.exception
    return at


def run(page: str, **values) -> AppTest:
    """``page`` opened as a user does, with ``values`` set in its widgets."""
    at = open_app(page)
    return set_widgets(at, **values) if values else at


def live_chart_parts(element) -> tuple[dict, bytes]:
    """The live heatmap's frame: (its display settings and chrome, the payload of ``attention.heatmap_payload``)."""
    return read_component_data(element.proto.bytes)


def live_charts(at: AppTest) -> list:
    """The page's live heatmaps (not the empty one in the sidebar that only preloads plotly.js)."""
    return [element for element in at.get("bidi_component") if element.key == LIVE_KEY]


def compare_charts(at: AppTest) -> list:
    """The page's live compare charts."""
    return [element for element in at.get("bidi_component") if element.key == COMPARE_KEY]


def charts(at: AppTest) -> list[dict]:
    """Every figure on an AppTest page, each with its Plotly ``config``: the live heatmap (drawn from its data
    by ``attention.heatmap.render``, whose figure the browser's renderer matches) first, then the live compare
    chart's (A, B and B − A, drawn by ``attention.compare_figures.render_comparison``), then the Plotly charts
    in order."""
    figures = []
    for element in live_charts(at):
        head, payload = live_chart_parts(element)
        figures.append({**render(read_payload(payload), head["display"]), "config": head["chrome"]["config"]})
    for element in compare_charts(at):
        head, payload = live_chart_parts(element)
        drawn = render_comparison(read_comparison_payload(payload), head["display"])
        shown = [*drawn["sides"], drawn["difference"]]
        figures += [
            {**figure, "config": config}
            for figure, config in zip(shown, head["chrome"]["configs"], strict=True)
            if figure
        ]
    for chart in at.get("plotly_chart"):
        figures.append({**json.loads(chart.proto.spec), "config": json.loads(chart.proto.config)})
    return figures


def charts_json(at: AppTest) -> list[str]:
    """The text every figure on the page sends to the browser (for checks that no user text is read as markup)."""
    texts = []
    for element in live_charts(at):
        head, payload = live_chart_parts(element)
        texts.append(json.dumps(head, ensure_ascii=False) + json.dumps(unpack(payload)[0], ensure_ascii=False))
    for element in compare_charts(at):
        head, payload = live_chart_parts(element)
        data = read_comparison_payload(payload)
        sides = [{k: v for k, v in side.items() if not isinstance(v, np.ndarray)} for side in data["sides"] if side]
        texts.append(json.dumps([head, data["difference"], sides], ensure_ascii=False))
    return texts + [chart.proto.spec + chart.proto.config for chart in at.get("plotly_chart")]


def chart_spec(at: AppTest, index: int = 0) -> dict:
    """The figure of a chart on an AppTest page (the first by default), as in ``charts``."""
    figures = charts(at)
    assert figures, "the page shows no chart"
    return figures[index]


def decode_array(value) -> np.ndarray:
    """A Plotly figure field as numpy: Plotly 7 sends numpy arrays as typed arrays
    ({"dtype", "bdata", "shape"}) and plain lists as lists."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            array = array.reshape([int(s) for s in str(shape).split(",")])
        return array
    return np.asarray(value, dtype=float)


def heatmap(at: AppTest) -> tuple[dict, np.ndarray]:
    """The first chart's heatmap trace and its z as numpy."""
    trace = chart_spec(at)["data"][0]
    return trace, decode_array(trace["z"])


def messages(at: AppTest) -> list[str]:
    """The page's info, warning and error messages."""
    return [str(m.value) for kind in (at.info, at.warning, at.error) for m in kind]


def page_text(at: AppTest) -> str:
    """Everything the page shows as text, the charts' JSON included."""
    parts = [
        str(e.value)
        for kind in ("title", "markdown", "caption", "info", "warning", "error", "exception")
        for e in getattr(at, kind)
    ]
    parts += charts_json(at)
    return "\n".join(parts)


# --- Chromium ----------------------------------------------------------------------------------


def chromium_path() -> str:
    """Debian's chromium; skips the test where it is missing, except in CI where that is a failure."""
    from deploy.harness import find_chromium

    path = find_chromium()
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed, and CI must run the browser tests (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")


# Each message the page sends to the server, timed on the page's clock (performance.now), before the app starts.
TIME_SENDS = """
window.sentAt = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (...message) {
    window.sentAt.push(performance.now());
    return send.apply(this, message);
};
"""


@contextmanager
def watched_page(browser, width: int = 1400, height: int = 1500) -> Iterator:
    """A new Chromium page whose script errors and dialogs are collected in ``page.errors``."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    try:
        yield page
    finally:
        context.close()


def frames(page) -> dict[str, int]:
    """Counts of websocket frames sent and received by the page from now on, kept up to date (a change drawn
    in the browser alone leaves them as they were)."""
    counts = {"sent": 0, "received": 0}

    def watch(socket) -> None:
        socket.on("framesent", lambda _: counts.__setitem__("sent", counts["sent"] + 1))
        socket.on("framereceived", lambda _: counts.__setitem__("received", counts["received"] + 1))

    page.on("websocket", watch)
    return counts


def tick_labels(page, axis: str) -> list[str]:
    """The tick labels of the first chart's ``axis`` ("x" or "y") as the browser drew them."""
    return page.eval_on_selector_all(f".js-plotly-plot .{axis}tick text", "nodes => nodes.map(n => n.textContent)")


def type_sentence(page, label: str, text: str) -> None:
    """Type ``text`` into the text field labelled ``label`` and press Enter."""
    field = page.get_by_role("textbox", name=label, exact=True)
    field.fill(text)
    field.press("Enter")


def wait_for_ticks(page, axis: str, expected: list[str], timeout: float = 30_000) -> None:
    """Wait until every one of ``expected`` is a tick label on ``axis``."""
    page.wait_for_function(
        """([axis, expected]) => {
            const ticks = [...document.querySelectorAll(`.js-plotly-plot .${axis}tick text`)].map(n => n.textContent);
            return expected.every(t => ticks.includes(t));
        }""",
        arg=[axis, expected],
        timeout=timeout,
    )


def wait_for_chart_text(page, expected: list[str], timeout: float = 60_000) -> None:
    """Wait until every one of ``expected`` is a text element in some Plotly chart."""
    page.wait_for_function(
        """expected => {
            const texts = new Set([...document.querySelectorAll('.js-plotly-plot text')].map(n => n.textContent));
            return expected.every(t => texts.has(t));
        }""",
        arg=expected,
        timeout=timeout,
    )


def choose_model(at: AppTest, name: str) -> AppTest:
    """Type ``name`` into the sidebar's model box and run the page once."""
    return set_widgets(at, model=name)


def type_model(page, name: str, label: str = "Model") -> None:
    """Type ``name`` into the sidebar's model box in Chromium and press Enter, which picks the offered "Add: name"."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(name)
    box.press("Enter")


# --- labels as the browser drew them -------------------------------------------------------------

TOUCHING = 0.5  # px: label boxes that overlap by less are anti-aliasing, not a collision

# The corners of every text of each chart, in the page's pixels, with what it is: its box in its own coordinates
# (``getBBox``) turned into the page's by its transform (``getScreenCTM``), so a slanted label is the slanted
# rectangle it is, not the larger upright box around it; ``height`` is the box's height along its own lines.
LABEL_BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(chart => {
    const texts = chart.querySelectorAll(
        '.xtick text, .ytick text, .x2tick text, .y2tick text, .g-xtitle text, .g-ytitle text, '
        + '.g-x2title text, .g-y2title text, .g-gtitle text');
    return [...texts].filter(t => t.textContent && t.getBBox().width > 0).map(t => {
        const box = t.getBBox(), m = t.getScreenCTM();
        const corner = (x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
        const kind = t.closest('[class$="tick"]')?.getAttribute('class') || t.parentNode.getAttribute('class');
        return {text: t.textContent, kind, height: box.height * Math.hypot(m.c, m.d),
            corners: [corner(box.x, box.y), corner(box.x + box.width, box.y),
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
    """The pairs of texts of one chart (from LABEL_BOXES) that overlap by more than TOUCHING, with how much."""
    found = []
    for i, one in enumerate(chart):
        for other in chart[i + 1 :]:
            depth = overlap(np.array(one["corners"]), np.array(other["corners"]))
            if depth > TOUCHING:
                found.append((one["text"], other["text"], round(depth, 1)))
    return found
