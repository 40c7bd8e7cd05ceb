"""Chromium pages on the running app (Playwright's async API, imported by the caller): open a page,
change a sentence or a display option and wait for the redrawn heatmap, and split the time by what
the page's websocket carried."""

from __future__ import annotations

import asyncio
import time

from bench.texts import Sentence
from deploy.harness import CHROMIUM_FLAGS, SLIDE_TO, find_chromium, model_query
from webapp.streamlit_internals import protocol_messages

# Three flags on top of the shared ones keep Chromium from slowing down pages it considers
# in the background (30 pages share one browser in the load test).
LOAD_CHROMIUM_FLAGS = [
    *CHROMIUM_FLAGS,
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
VIEWPORT = {"width": 1400, "height": 1200}
# What each page calls its sentence fields and which axis shows their tokens (the
# lecture's layout: queries along x, keys along y).
PAGES = {
    "cross": {"path": "/Cross_Attention", "fields": {"Source sentence": "x", "Target sentence": "y"}},
    "self": {"path": "/Self_Attention", "fields": {"Sentence": "x"}},
}
HEATMAP = ".js-plotly-plot .heatmaplayer"

# The live heatmap (webapp/live_chart.js) counts its drawings in its chart's data-draws and keeps the latest
# ones' timings in the chart's drawTimings: when the frame after it was painted (``at``), how long its
# arithmetic (computeMs), plotly.js (plotMs) and the paint (paintMs) took and, for a change of its own
# controls or new data, since the control's event (sinceChangeMs) or the data's arrival (sinceDataMs).
_LIVE_DRAWS = "Number(document.querySelector('.attention-live-chart')?.dataset.draws || 0)"
# The page's clock now, on a page with the live heatmap (else null): a drawing logged later is the next one.
_LIVE_NOW = "document.querySelector('.attention-live-chart') ? performance.now() : null"
# The last drawing's log entry, with sinceEnterMs (from the Enter key noted below) added.
_LAST_DRAW = """() => {
    const d = document.querySelector(".attention-live-chart")?.drawTimings || [];
    const last = d[d.length - 1];
    if (!last) return null;
    return {...last, sinceEnterMs: window.benchEnterAt ? last.at - window.benchEnterAt : null};
}"""
# Notes when Enter was pressed in a text field, before Streamlit's own handler sees it.
_NOTE_ENTER = """document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.isTrusted) window.benchEnterAt = performance.now();
}, true);"""  # the key itself, not the Enter the live heatmap hands on to Streamlit's field once it has drawn
_SLIDER = '.attention-live-controls label[data-setting="temperature"] input'


# Waiting in the page in short slices. Each page.evaluate waits at most WAIT_SLICE_MS for its condition
# (a MutationObserver checks it after every change to the DOM and resolves as soon as it holds; polling
# on every animation frame in 30 pages at once costs more CPU than the server has on 2 cores), then
# answers null and Python asks again until the whole timeout has passed. No promise outlives its slice:
# one long-lived promise per wait failed on a slow machine with Playwright's "Resulting promise was
# garbage collected" (V8 collected it while the page re-rendered), and a slice that fails so, or whose
# page context went away, is simply asked again. The pending waits are also kept on ``window``.
WAIT_SLICE_MS = 2_000
_WAIT_FOR = """([kind, arg, slice]) => new Promise((resolve, reject) => {
    const conditions = {
        // every tick label on the axis belongs to the expected figure and the first expected
        // label is among them: the new heatmap is drawn (long sentences show every k-th label;
        // the first one always shows)
        ticks: ([axis, first, expected]) => {
            const ticks = [...document.querySelectorAll(`.js-plotly-plot .${axis}tick text`)].map(n => n.textContent);
            if (!ticks.length || !ticks.includes(first)) return false;
            const allowed = new Set(expected);
            return ticks.every(t => allowed.has(t));
        },
        // the title over the grid starts with this prefix ("query" or "key"): the x axis title, or on
        // the live heatmap the highest annotation (it writes the axis titles as annotations)
        xtitle: (prefix) => {
            const plot = document.querySelector('.js-plotly-plot');
            const texts = plot ? [...plot.querySelectorAll('.g-xtitle text, .annotation-text')] : [];
            const top = (node) => node.getBoundingClientRect().top;
            const title = texts.filter(n => n.textContent).sort((a, b) => top(a) - top(b))[0];
            return !!title && title.textContent.startsWith(prefix);
        },
        // the live heatmap logged a drawing painted after this moment (performance.now() in the page);
        // a time, not a count, so that a chart mounted anew (its count starts at 0) still answers
        drawn: (since) => {
            const d = document.querySelector(".attention-live-chart")?.drawTimings || [];
            return d.length > 0 && d[d.length - 1].at > since;
        },
    };
    // a Streamlit exception on the page ends the wait at once: the figure will not come
    const failed = () => {
        const shown = document.querySelector('[data-testid="stException"]');
        return shown ? `the page shows an exception: ${shown.textContent.slice(0, 300)}` : null;
    };
    const holds = () => conditions[kind](arg);
    if (holds()) { resolve(performance.now()); return; }
    const waits = (window.benchWaits = window.benchWaits || new Set());
    const wait = {};
    const end = (settle, value) => {
        observer.disconnect();
        clearTimeout(wait.timer);
        waits.delete(wait);
        settle(value);
    };
    const observer = new MutationObserver(() => {
        const failure = failed();
        if (failure) end(reject, new Error(failure));
        else if (holds()) end(resolve, performance.now());
    });
    observer.observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
    wait.timer = setTimeout(() => end(resolve, holds() ? performance.now() : null), slice);
    wait.observer = observer;
    waits.add(wait);
})"""
# What a slice that should simply be asked again fails with.
_RETRY_ERRORS = ("Resulting promise was garbage collected", "Execution context was destroyed")
# The labels of the drawn heatmap (Plotly keeps the figure on its div).
_TRACE_LABELS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    const trace = plot && plot.data && plot.data[0];
    return trace ? {x: [...trace.x], y: [...trace.y]} : null;
}"""


async def wait_in_page(page, kind: str, arg, timeout_ms: float) -> None:
    """Until the page's condition ``kind`` ("ticks", "xtitle" or "drawn") holds for ``arg``, asked in
    slices of at most WAIT_SLICE_MS; TimeoutError after ``timeout_ms``."""
    from playwright.async_api import Error as PlaywrightError

    deadline = time.perf_counter() + timeout_ms / 1000
    while True:
        remaining_ms = (deadline - time.perf_counter()) * 1000
        try:
            done = await page.evaluate(_WAIT_FOR, [kind, arg, max(1, min(WAIT_SLICE_MS, remaining_ms))])
        except PlaywrightError as error:
            if not any(text in str(error) for text in _RETRY_ERRORS):
                raise
            done = None
        if done is not None:
            return
        if time.perf_counter() >= deadline:
            raise TimeoutError(f"no {kind} after {timeout_ms:.0f} ms")


def watch_errors(page) -> list[str]:
    """Collect the page's uncaught errors and dialogs into a list kept on the page."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), asyncio.ensure_future(dialog.dismiss()))
    )
    return errors


class WireClock:
    """When the page's websocket carried what: the rerun request going out, the chart
    element and the end of the script run coming back. Splits a browser update into
    the frontend sending it, the server computing it and the browser drawing it."""

    def __init__(self, page):
        self.events: list[tuple[float, str]] = []
        page.on("websocket", self._attach)

    def _attach(self, websocket) -> None:
        if "_stcore/stream" in websocket.url:
            websocket.on("framesent", self._sent)
            websocket.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        BackMsg, _ = protocol_messages()

        now = time.perf_counter()
        if isinstance(payload, bytes):
            message = BackMsg()
            try:
                message.ParseFromString(payload)
            except Exception:  # noqa: BLE001 (not a BackMsg: not ours to time)
                return
            if message.WhichOneof("type") == "rerun_script":
                self.events.append((now, "rerun"))

    def _received(self, payload) -> None:
        _, ForwardMsg = protocol_messages()

        now = time.perf_counter()
        if isinstance(payload, bytes):
            message = ForwardMsg()
            try:
                message.ParseFromString(payload)
            except Exception:  # noqa: BLE001
                return
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                if element.WhichOneof("type") == "plotly_chart" or element.bidi_component.bytes:
                    self.events.append((now, "chart"))
                    self.events.append((now, f"bytes:{len(payload)}"))
            elif kind == "script_finished":
                self.events.append((now, "finished"))

    def split(self, started: float, drawn: float) -> dict[str, float | None]:
        """Milliseconds from typing to the rerun request (send_ms), from it to the chart
        arriving (server_ms) and from that to the drawn heatmap (render_ms), for the
        update that began at ``started`` and was drawn at ``drawn``."""
        window = [(t, kind) for t, kind in self.events if started <= t <= drawn]
        reruns = [t for t, kind in window if kind == "rerun"]
        charts = [t for t, kind in window if kind == "chart"]
        sizes = [int(kind.split(":")[1]) for _, kind in window if kind.startswith("bytes:")]
        if not reruns or not charts:
            return {"send_ms": None, "server_ms": None, "render_ms": None, "message_bytes": None}
        chart = charts[-1]
        rerun = max((t for t in reruns if t <= chart), default=reruns[0])
        return {
            "send_ms": (reruns[0] - started) * 1000,
            "server_ms": (chart - rerun) * 1000,
            "render_ms": (drawn - chart) * 1000,
            "message_bytes": sizes[-1] if sizes else None,
        }


async def open_app_page(
    context, url: str, mode: str, timeout_ms: float = 120_000, wire: bool = False, model: str | None = None
):
    """A new page on the mode's app page, once its first heatmap is drawn; with ``wire``,
    ``page.wire`` is a WireClock on its websocket. ``model`` opens it with ``?model=NAME``
    (None: the app's default model)."""
    page = await context.new_page()
    await page.add_init_script(_NOTE_ENTER)
    page.app_errors = watch_errors(page)
    page.wire = WireClock(page) if wire else None
    page.last_update = (0.0, 0.0)
    await page.goto(url + PAGES[mode]["path"] + model_query(model), timeout=timeout_ms)
    await page.wait_for_selector(HEATMAP, timeout=timeout_ms)
    return page


async def change_sentence(page, label: str, axis: str, sentence: Sentence, timeout_ms: float = 60_000) -> float:
    """Type ``sentence`` into the field called ``label``, press Enter and wait until the
    heatmap's ``axis`` tick labels are the new tokens. Returns the milliseconds from the
    Enter key to the first frame painted with the new heatmap, timed in the page (the live
    heatmap notes when it painted); ``page.last_wall_ms`` is the same seen from Playwright,
    from the start of typing, its own messages to and from Chromium included, and
    ``page.last_draw`` the live heatmap's log entry of that drawing (None without it)."""
    field_ = page.get_by_role("textbox", name=label, exact=True)
    await field_.fill(sentence.text)
    since = await page.evaluate(_LIVE_NOW)
    started = time.perf_counter()
    await field_.press("Enter")
    await wait_in_page(page, "ticks", [axis, sentence.labels[0], sentence.labels], timeout_ms)
    drawn = time.perf_counter()
    page.last_update = (started, drawn)
    page.last_wall_ms = (drawn - started) * 1000
    return await _in_page_ms(page, since, "sinceEnterMs", page.last_wall_ms, timeout_ms)


async def _in_page_ms(page, since: float | None, field: str, wall_ms: float, timeout_ms: float) -> float:
    """On a page with the live heatmap (``since`` is its clock before the change), ``field`` of the first
    drawing logged after ``since`` (its log entry is written once the frame is painted, a moment after the
    ticks show), kept in ``page.last_draw``; else ``wall_ms``."""
    page.last_draw = None
    if since is None:
        return wall_ms
    await wait_in_page(page, "drawn", since, timeout_ms)
    page.last_draw = await page.evaluate(_LAST_DRAW)
    value = page.last_draw.get(field)
    return value if value is not None else wall_ms


async def toggle_transpose(page, transposed: bool, timeout_ms: float = 60_000) -> float:
    """Click the 'transpose' box and wait until the x axis shows the other role. Returns the
    milliseconds from the click's event to the first frame painted with the new heatmap, timed
    in the page (Playwright's own round trips excluded). A display option only: the server
    must not re-encode."""
    since = await page.evaluate(_LIVE_NOW)
    started = time.perf_counter()
    # the live heatmap's own box (the sidebar's "What the controls do" names it too)
    await page.locator(".attention-live-controls").get_by_text("Rows are queries (transpose)", exact=True).click()
    await wait_in_page(page, "xtitle", "key" if transposed else "query", timeout_ms)
    drawn = time.perf_counter()
    page.last_update = (started, drawn)
    return await _in_page_ms(page, since, "sinceChangeMs", (drawn - started) * 1000, timeout_ms)


async def move_temperature(page, position: int, timeout_ms: float = 60_000) -> float:
    """Move the live heatmap's temperature slider to ``position`` (0..400) as a drag ends ('input',
    then 'change') and wait for the heatmap drawn with it. Returns the milliseconds from the
    slider's event to the first frame painted with it, timed in the page."""
    since = await page.evaluate("performance.now()")
    started = time.perf_counter()
    await page.locator(_SLIDER).evaluate(SLIDE_TO, position)
    await wait_in_page(page, "drawn", since, timeout_ms)
    drawn = time.perf_counter()
    page.last_update = (started, drawn)
    return await _in_page_ms(page, since, "sinceChangeMs", (drawn - started) * 1000, timeout_ms)


async def drag_temperature(page, moves: int = 60) -> float:
    """Drag the temperature slider with the mouse across half its length in ``moves`` steps, as fast as
    the mouse events go; returns the heatmaps drawn per second while the button was down."""
    box = await page.locator(_SLIDER).bounding_box()
    y = box["y"] + box["height"] / 2
    await page.mouse.move(box["x"] + box["width"] * 0.25, y)
    await page.mouse.down()
    before = await page.evaluate(_LIVE_DRAWS)
    started = time.perf_counter()
    for step in range(1, moves + 1):
        await page.mouse.move(box["x"] + box["width"] * (0.25 + 0.5 * step / moves), y)
        await asyncio.sleep(0.01)
    drawn = await page.evaluate(_LIVE_DRAWS) - before
    seconds = time.perf_counter() - started
    await page.mouse.up()
    return drawn / seconds


async def trace_labels(page) -> dict | None:
    return await page.evaluate(_TRACE_LABELS)


async def shows_exception(page) -> bool:
    return await page.locator('[data-testid="stException"]').count() > 0


async def new_context(browser):
    return await browser.new_context(viewport=VIEWPORT, device_scale_factor=1)


async def launch_browser(playwright, executable: str | None = None):
    executable = executable or find_chromium()
    if not executable:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    return await playwright.chromium.launch(executable_path=executable, args=LOAD_CHROMIUM_FLAGS)
