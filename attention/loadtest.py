"""Driving the real app for the benchmark and the load test: exact-length sentences,
a `streamlit run` server on loopback, and Chromium pages that change a sentence and
wait for the redrawn heatmap.

Shared by ``python -m attention.bench`` and ``tests/test_load.py``. Nothing here is
used by the app itself. Playwright is imported only inside the browser functions.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The flags of tests/browser.py, plus three that keep Chromium from slowing down
# pages it considers in the background (30 pages share one browser in the load test).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
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


def find_chromium() -> str | None:
    """Debian's chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# --------------------------------------------------------------------------- sentences


@dataclass(frozen=True)
class Sentence:
    """A text and the labels the app puts on its axis (default settings: no [CLS]/[SEP], word pieces)."""

    text: str
    words: list[str]
    labels: list[str]

    @property
    def positions(self) -> int:
        """Model positions, [CLS] and [SEP] included."""
        return len(self.words) + 2


def load_tokenizer():
    """The embedded model's own tokenizer (no weights loaded)."""
    from transformers import AutoTokenizer

    from attention.embeddings import default_model_path

    tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    tokenizer.model_max_length = 512  # the model's positions (its config says 256, sentence-transformers' cut)
    return tokenizer


class Texts:
    """Sentences that tokenize to exactly ``n`` model positions, [CLS] and [SEP] included
    (so ``n - 2`` word pieces), each made of words that are one word piece each and that
    no earlier sentence from this generator used at the same place. Every sentence is new,
    so the app cannot answer it from its embedding cache, and its tick labels differ from
    the previous figure's."""

    def __init__(self, tokenizer=None, seed: int = 0):
        self.tokenizer = tokenizer if tokenizer is not None else load_tokenizer()
        vocab = sorted(self.tokenizer.get_vocab().items(), key=lambda item: item[1])
        pool = [w for w, _ in vocab if w.isascii() and w.isalpha() and w.islower() and 3 <= len(w) <= 10]
        random.Random(seed).shuffle(pool)
        self.pool = pool
        self.cursor = (seed * 1009) % len(pool)

    def make(self, n: int) -> Sentence:
        """A new sentence of exactly ``n`` positions ([CLS] + n-2 word pieces + [SEP])."""
        from attention.figures import axis_labels

        k = n - 2
        if not 1 <= k <= len(self.pool):
            raise ValueError(f"cannot make a sentence of {n} positions")
        words = [self.pool[(self.cursor + i) % len(self.pool)] for i in range(k)]
        self.cursor = (self.cursor + k) % len(self.pool)
        text = " ".join(words)
        ids = self.tokenizer(text, add_special_tokens=True)["input_ids"]
        if len(ids) != n:
            raise AssertionError(f"a text of {k} words tokenized to {len(ids)} positions, expected {n}")
        return Sentence(text=text, words=words, labels=axis_labels(words))


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int, field_name: str = "VmRSS") -> float | None:
    """Resident memory of a process in MiB from /proc/PID/status (VmRSS now, VmHWM peak)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# `streamlit run` with timers around the steps of an update, for --probe: each call of
# Encoder.encode, attention_figure, st.plotly_chart and each whole script run appends one
# JSON line to the file named by ATTENTION_BENCH_PROBE. The app is not changed; the
# functions are wrapped before the pages import them.
_PROBED_STREAMLIT = """
import functools, json, os, sys, threading, time

_log = open(os.environ["ATTENTION_BENCH_PROBE"], "a", buffering=1)


def _timed(owner, name, label):
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            record = {"what": label, "ms": (time.perf_counter() - started) * 1000, "end": time.time()}
            _log.write(json.dumps(record) + "\\n")

    setattr(owner, name, wrapper)


import attention.embeddings, attention.figures
import streamlit
import streamlit.runtime.scriptrunner.script_runner as script_runner

_timed(attention.embeddings.Encoder, "encode", "encode")
_timed(attention.figures, "attention_figure", "figure")
_timed(streamlit, "plotly_chart", "chart")  # st.plotly_chart, as the pages call it
_timed(script_runner.ScriptRunner, "_run_script", "script")
from streamlit.web.cli import main

sys.argv = ["streamlit", *sys.argv[1:]]
sys.exit(main())
"""


class Server:
    """`python -m streamlit run app.py` on a free loopback port; ``launched`` is the
    perf_counter time of the launch, for the cold start."""

    def __init__(
        self,
        root: Path = ROOT,
        log_dir: Path | None = None,
        options: dict[str, str] | None = None,
        probe: bool = False,
    ):
        self.root = Path(root)
        self.options = dict(options or {})  # extra `streamlit run` options, e.g. {"runner.postScriptGC": "false"}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_dir = Path(log_dir or Path(tempfile.gettempdir()) / "attention-bench")
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"streamlit-{self.port}.log"
        self.probe_path = log_dir / f"probe-{self.port}.jsonl" if probe else None
        self.process: subprocess.Popen | None = None
        self.launched = 0.0
        self.ready = 0.0

    def start(self, timeout: float = 180) -> float:
        """Launch and wait until /_stcore/health answers; returns the seconds that took."""
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.launched = time.perf_counter()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        launcher = ["-m", "streamlit"]
        if self.probe_path is not None:
            self.probe_path.write_text("")
            env["ATTENTION_BENCH_PROBE"] = str(self.probe_path)
            launcher = ["-c", _PROBED_STREAMLIT]
        self.process = subprocess.Popen(
            [
                sys.executable,
                *launcher,
                "run",
                "app.py",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                *(part for key, value in self.options.items() for part in (f"--{key}", str(value))),
            ],
            cwd=self.root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        self.ready = time.perf_counter()
                        return self.ready - self.launched
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"streamlit did not answer within {timeout} s; see {self.log_path}")

    def rss_mb(self) -> float | None:
        return rss_mb(self.process.pid) if self.process else None

    def probe_records(self, since: float = 0.0) -> list[dict]:
        """The probe's timings (``what``: encode, figure, chart, script; ``ms``) that ended after ``since``
        (epoch seconds)."""
        if self.probe_path is None or not self.probe_path.exists():
            return []
        records = [json.loads(line) for line in self.probe_path.read_text().splitlines() if line.strip()]
        return [r for r in records if r["end"] >= since]

    def peak_rss_mb(self) -> float | None:
        return rss_mb(self.process.pid, "VmHWM") if self.process else None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()
        self.process = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- browser

# Waiting in the page, not by polling: a MutationObserver checks the condition after
# every change to the DOM and resolves as soon as it holds. (Polling on every animation
# frame in 30 pages at once costs more CPU than the server has on 2 cores.)
_WAIT_FOR = """([kind, arg, timeout]) => new Promise((resolve, reject) => {
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
        // the x axis title starts with this prefix ("query" or "key")
        xtitle: (prefix) => {
            const title = document.querySelector('.js-plotly-plot .g-xtitle text');
            return !!title && title.textContent.startsWith(prefix);
        },
    };
    // a Streamlit exception on the page ends the wait at once: the figure will not come
    const failed = () => {
        const shown = document.querySelector('[data-testid="stException"]');
        return shown ? `the page shows an exception: ${shown.textContent.slice(0, 300)}` : null;
    };
    const holds = () => conditions[kind](arg);
    if (holds()) { resolve(performance.now()); return; }
    const observer = new MutationObserver(() => {
        const failure = failed();
        if (failure) { observer.disconnect(); clearTimeout(timer); reject(new Error(failure)); }
        else if (holds()) { observer.disconnect(); clearTimeout(timer); resolve(performance.now()); }
    });
    observer.observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
    const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error(`no ${kind} after ${timeout} ms`));
    }, timeout);
})"""
# The labels of the drawn heatmap (Plotly keeps the figure on its div).
_TRACE_LABELS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    const trace = plot && plot.data && plot.data[0];
    return trace ? {x: [...trace.x], y: [...trace.y]} : null;
}"""


async def wait_in_page(page, kind: str, arg, timeout_ms: float) -> None:
    """Until the page's condition ``kind`` ("ticks" or "xtitle") holds for ``arg``."""
    await page.evaluate(_WAIT_FOR, [kind, arg, timeout_ms])


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
        from streamlit.proto.BackMsg_pb2 import BackMsg

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
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        now = time.perf_counter()
        if isinstance(payload, bytes):
            message = ForwardMsg()
            try:
                message.ParseFromString(payload)
            except Exception:  # noqa: BLE001
                return
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                if message.delta.new_element.WhichOneof("type") == "plotly_chart":
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


async def open_app_page(context, url: str, mode: str, timeout_ms: float = 120_000, wire: bool = False):
    """A new page on the mode's app page, once its first heatmap is drawn; with ``wire``,
    ``page.wire`` is a WireClock on its websocket."""
    page = await context.new_page()
    page.app_errors = watch_errors(page)
    page.wire = WireClock(page) if wire else None
    page.last_update = (0.0, 0.0)
    await page.goto(url + PAGES[mode]["path"], timeout=timeout_ms)
    await page.wait_for_selector(HEATMAP, timeout=timeout_ms)
    return page


async def change_sentence(page, label: str, axis: str, sentence: Sentence, timeout_ms: float = 60_000) -> float:
    """Type ``sentence`` into the field called ``label``, press Enter and wait until the
    heatmap's ``axis`` tick labels are the new tokens. Returns the milliseconds from
    the start of typing to the redrawn heatmap."""
    field_ = page.get_by_role("textbox", name=label, exact=True)
    started = time.perf_counter()
    await field_.fill(sentence.text)
    await field_.press("Enter")
    await wait_in_page(page, "ticks", [axis, sentence.labels[0], sentence.labels], timeout_ms)
    drawn = time.perf_counter()
    page.last_update = (started, drawn)
    return (drawn - started) * 1000


async def toggle_transpose(page, transposed: bool, timeout_ms: float = 60_000) -> float:
    """Click the 'transpose' toggle and wait until the x axis shows the other role.
    Returns milliseconds. A display option only: the server must not re-encode."""
    started = time.perf_counter()
    await page.get_by_text("Rows are queries (transpose)", exact=True).click()
    await wait_in_page(page, "xtitle", "key" if transposed else "query", timeout_ms)
    drawn = time.perf_counter()
    page.last_update = (started, drawn)
    return (drawn - started) * 1000


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
    return await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)


# --------------------------------------------------------------------------- load test


@dataclass
class LoadResult:
    """What a load test saw: one entry per completed change, and every error."""

    sessions: int
    changes: int
    tokens: int
    update_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    completed: int = 0
    attempted: int = 0
    opened: int = 0
    open_s: float = 0.0
    run_s: float = 0.0
    rss_peak_mb: float | None = None

    def summary(self) -> dict:
        return {
            "sessions": self.sessions,
            "changes_per_session": self.changes,
            "tokens": self.tokens,
            "updates_completed": self.completed,
            "updates_expected": self.sessions * self.changes,
            "errors": len(self.errors),
            "error_samples": self.errors[:10],
            "update_ms_p50": percentile(self.update_ms, 50),
            "update_ms_p95": percentile(self.update_ms, 95),
            "update_ms_max": max(self.update_ms) if self.update_ms else None,
            "sessions_opened": self.opened,
            "open_s": round(self.open_s, 2),
            "run_s": round(self.run_s, 2),
            "server_rss_peak_during_mb": self.rss_peak_mb,
        }


async def run_load(
    url: str,
    sessions: int,
    changes: int,
    tokens: int = 32,
    *,
    executable: str | None = None,
    browser=None,
    think_s: tuple[float, float] = (0.3, 1.5),
    open_concurrency: int = 4,
    update_timeout_s: float = 60,
    deadline_s: float = 900,
    rss_probe=None,
    seed: int = 1,
    log=print,
) -> LoadResult:
    """``sessions`` browser sessions (one Chromium, one context each) on the cross-attention
    page; once all are open they start together, and each changes its sentences
    ``changes`` times with new text of ``tokens`` positions, alternately the source
    (checked on the x axis) and the target (y axis), with a random pause between
    changes. After every change the session checks that the heatmap's labels are
    exactly its own new tokens. Uses ``browser`` when given, else launches Chromium.
    Stops by itself after ``deadline_s``; whatever did not finish by then counts as errors."""
    from playwright.async_api import async_playwright

    result = LoadResult(sessions=sessions, changes=changes, tokens=tokens)
    tokenizer = load_tokenizer()
    # one generator per session, each with its own shuffle of the words: no two sessions type the same text
    texts = [Texts(tokenizer, seed=seed * 1000 + s) for s in range(sessions)]
    fields = list(PAGES["cross"]["fields"].items())
    started = time.perf_counter()
    peak = [0.0]

    async def probe() -> None:
        while rss_probe is not None:
            value = rss_probe()
            if value:
                peak[0] = max(peak[0], value)
            await asyncio.sleep(0.5)

    async with async_playwright() as playwright:
        own_browser = browser is None
        if own_browser:
            browser = await launch_browser(playwright, executable)
        probe_task = asyncio.create_task(probe())
        gate = asyncio.Semaphore(open_concurrency)
        go = asyncio.Event()
        pages: list = [None] * sessions

        contexts: list = []

        async def open_one(s: int) -> None:
            async with gate:
                context = await new_context(browser)
                contexts.append(context)
                pages[s] = await open_app_page(context, url, "cross")

        async def session(s: int) -> None:
            page = pages[s]
            rng = random.Random(seed * 7919 + s)
            current = {"x": None, "y": None}
            await go.wait()
            await asyncio.sleep(rng.uniform(0, 0.2))
            for i in range(changes):
                label, axis = fields[i % len(fields)]
                sentence = texts[s].make(tokens)
                result.attempted += 1
                try:
                    ms = await change_sentence(page, label, axis, sentence, timeout_ms=update_timeout_s * 1000)
                except Exception as error:  # a timeout or a closed page: an error, and the session goes on
                    result.errors.append(f"session {s} change {i}: {type(error).__name__}: {str(error)[:160]}")
                    continue
                current[axis] = sentence.labels
                drawn = await trace_labels(page)
                wrong = [a for a in ("x", "y") if current[a] is not None and (drawn or {}).get(a) != current[a]]
                if wrong:
                    result.errors.append(f"session {s} change {i}: the {'/'.join(wrong)} labels are not its own tokens")
                elif await shows_exception(page):
                    result.errors.append(f"session {s} change {i}: the page shows an exception")
                else:
                    result.update_ms.append(ms)
                    result.completed += 1
                await asyncio.sleep(rng.uniform(*think_s))

        async def whole() -> None:
            opened = await asyncio.gather(*(open_one(s) for s in range(sessions)), return_exceptions=True)
            for s, outcome in enumerate(opened):
                if isinstance(outcome, BaseException):
                    result.errors.append(f"session {s} did not open: {type(outcome).__name__}: {str(outcome)[:160]}")
            result.opened = sum(page is not None for page in pages)
            result.open_s = time.perf_counter() - started
            log(f"  load: {result.opened}/{sessions} sessions open after {result.open_s:.1f} s; changing sentences")
            go.set()
            await asyncio.gather(*(session(s) for s in range(sessions) if pages[s] is not None))

        run_started = time.perf_counter()
        try:
            await asyncio.wait_for(whole(), timeout=deadline_s)
        except TimeoutError:
            result.errors.append(f"the load test hit its {deadline_s:.0f} s deadline")
        result.run_s = time.perf_counter() - run_started
        missing = sessions * changes - result.attempted
        if missing > 0:
            result.errors.append(f"{missing} changes never ran (sessions that did not open or the deadline)")
        for s, page in enumerate(pages):
            if page is not None:
                for error in page.app_errors:
                    result.errors.append(f"session {s}: {error}")
        rss_probe = None
        probe_task.cancel()
        for context in contexts:
            await context.close()
        if own_browser:
            await browser.close()
    result.rss_peak_mb = peak[0] or None
    return result


# --------------------------------------------------------------------------- websocket sessions


class AppSession:
    """One session of the app over Streamlit's own websocket protocol: the messages the
    browser's frontend sends (a rerun request carrying the widgets' values) and receives
    (the page's elements, the chart's JSON among them), without drawing anything. Thirty
    of these cost the load generator almost nothing, so on a small machine the server is
    what gets measured, as when a class uses it from thirty laptops."""

    def __init__(self, url: str, page_name: str = "Cross_Attention"):
        self.url = url
        self.page_name = page_name
        self.websocket = None
        self.inputs: dict[str, str] = {}  # text field label -> widget id
        self.values: dict[str, str] = {}  # widget id -> its text
        self.chart: dict | None = None
        self.errors: list[str] = []

    async def open(self, timeout_s: float = 120) -> None:
        """Connect and run the page once, as a browser opening it does."""
        from websockets.asyncio.client import connect

        self.websocket = await connect(
            self.url.replace("http://", "ws://", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            origin=self.url,
            max_size=None,
            open_timeout=timeout_s,
            ping_interval=None,
        )
        await self._rerun({})
        await self._until_finished(timeout_s)
        if self.chart is None:
            raise RuntimeError(f"the {self.page_name} page sent no chart")

    async def change(self, label: str, text: str, timeout_s: float = 60) -> float:
        """Type ``text`` into the field ``label``; returns the milliseconds until the new chart arrived."""
        widget_id = self.inputs[label]
        self.chart = None
        started = time.perf_counter()
        await self._rerun({**self.values, widget_id: text})
        arrived = await self._until_finished(timeout_s)
        if arrived is None:
            raise RuntimeError("the server finished the run without sending a chart")
        return (arrived - started) * 1000

    def labels(self) -> dict[str, list[str]]:
        """The x and y labels of the heatmap the server sent last."""
        trace = (self.chart or {}).get("data", [{}])[0]
        return {"x": list(trace.get("x", [])), "y": list(trace.get("y", []))}

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()

    async def _rerun(self, widgets: dict[str, str]) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = ""
        rerun.page_name = self.page_name
        for widget_id, value in widgets.items():
            state = rerun.widget_states.widgets.add()
            state.id = widget_id
            state.string_value = value
        await self.websocket.send(message.SerializeToString())

    async def _until_finished(self, timeout_s: float) -> float | None:
        """Read messages until the script run ends; returns when the chart arrived (or None)."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        arrived = None
        async with asyncio.timeout(timeout_s):
            while True:
                message = ForwardMsg()
                message.ParseFromString(await self.websocket.recv())
                kind = message.WhichOneof("type")
                if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    element = message.delta.new_element
                    which = element.WhichOneof("type")
                    if which == "plotly_chart":
                        arrived = time.perf_counter()
                        self.chart = json.loads(element.plotly_chart.spec)
                    elif which == "text_input":
                        field_ = element.text_input
                        self.inputs[field_.label] = field_.id
                        self.values[field_.id] = field_.value if field_.HasField("value") else field_.default
                    elif which == "exception":
                        self.errors.append(f"the page shows an exception: {element.exception.message[:160]}")
                elif kind == "script_finished":
                    if message.script_finished == message.FINISHED_WITH_COMPILE_ERROR:
                        self.errors.append("the page did not compile")
                    if message.script_finished != message.FINISHED_EARLY_FOR_RERUN:
                        return arrived


async def run_load_ws(
    url: str,
    sessions: int,
    changes: int,
    tokens: int = 32,
    *,
    think_s: tuple[float, float] = (0.3, 1.5),
    open_concurrency: int = 4,
    update_timeout_s: float = 60,
    deadline_s: float = 900,
    rss_probe=None,
    seed: int = 1,
    log=print,
) -> LoadResult:
    """The same class as ``run_load``, over the websocket protocol instead of Chromium:
    ``sessions`` sessions open the cross page, then all change their sentences ``changes``
    times (source and target in turn, each a new text of ``tokens`` positions) with a
    random pause between changes; each checks that the chart the server sent carries
    exactly its own tokens. The time is from sending the change to receiving the chart
    (the browser's drawing, on the student's own machine, comes on top)."""
    result = LoadResult(sessions=sessions, changes=changes, tokens=tokens)
    tokenizer = load_tokenizer()
    texts = [Texts(tokenizer, seed=seed * 1000 + s) for s in range(sessions)]
    fields = list(PAGES["cross"]["fields"].items())
    clients = [AppSession(url) for _ in range(sessions)]
    opened = [False] * sessions
    gate = asyncio.Semaphore(open_concurrency)
    go = asyncio.Event()
    peak = [0.0]
    started = time.perf_counter()

    async def probe() -> None:
        while True:
            value = rss_probe() if rss_probe else None
            if value:
                peak[0] = max(peak[0], value)
            await asyncio.sleep(0.5)

    async def open_one(s: int) -> None:
        async with gate:
            await clients[s].open()
            opened[s] = True

    async def session(s: int) -> None:
        client = clients[s]
        rng = random.Random(seed * 7919 + s)
        current: dict[str, list[str] | None] = {"x": None, "y": None}
        await go.wait()
        await asyncio.sleep(rng.uniform(0, 0.2))
        for i in range(changes):
            label, axis = fields[i % len(fields)]
            sentence = texts[s].make(tokens)
            result.attempted += 1
            try:
                ms = await client.change(label, sentence.text, update_timeout_s)
            except Exception as error:  # a timeout or a closed connection: an error, and the session goes on
                result.errors.append(f"session {s} change {i}: {type(error).__name__}: {str(error)[:160]}")
                continue
            client.values[client.inputs[label]] = sentence.text
            current[axis] = sentence.labels
            drawn = client.labels()
            wrong = [a for a in ("x", "y") if current[a] is not None and drawn[a] != current[a]]
            if wrong:
                result.errors.append(f"session {s} change {i}: the {'/'.join(wrong)} labels are not its own tokens")
            else:
                result.update_ms.append(ms)
                result.completed += 1
            await asyncio.sleep(rng.uniform(*think_s))

    async def whole() -> None:
        outcomes = await asyncio.gather(*(open_one(s) for s in range(sessions)), return_exceptions=True)
        for s, outcome in enumerate(outcomes):
            if isinstance(outcome, BaseException):
                result.errors.append(f"session {s} did not open: {type(outcome).__name__}: {str(outcome)[:160]}")
        result.opened = sum(opened)
        result.open_s = time.perf_counter() - started
        log(f"  load: {result.opened}/{sessions} sessions open after {result.open_s:.1f} s; changing sentences")
        go.set()
        await asyncio.gather(*(session(s) for s in range(sessions) if opened[s]))

    probe_task = asyncio.create_task(probe())
    run_started = time.perf_counter()
    try:
        await asyncio.wait_for(whole(), timeout=deadline_s)
    except TimeoutError:
        result.errors.append(f"the load test hit its {deadline_s:.0f} s deadline")
    finally:
        result.run_s = time.perf_counter() - run_started
        probe_task.cancel()
        for client in clients:
            result.errors.extend(f"session {clients.index(client)}: {e}" for e in client.errors)
            try:
                await asyncio.wait_for(client.close(), timeout=10)
            except Exception:  # noqa: BLE001 (closing is best effort)
                pass
    missing = sessions * changes - result.attempted
    if missing > 0:
        result.errors.append(f"{missing} changes never ran (sessions that did not open or the deadline)")
    result.rss_peak_mb = peak[0] or None
    return result
