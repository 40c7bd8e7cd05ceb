"""A class at once against one `streamlit run`: sessions that each change their sentences and check
that the heatmap shows exactly their own new tokens, as Chromium pages (``run_load``) or as bare
Streamlit websocket clients (``run_load_ws``, each a deploy.harness.AppSession).

Used by ``python -m bench`` and ``tests/load/test_load.py``.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from bench.browser import (
    PAGES,
    change_sentence,
    launch_browser,
    new_context,
    open_app_page,
    shows_exception,
    trace_labels,
)
from bench.common import percentile
from bench.texts import Texts, load_tokenizer
from deploy.harness import AppSession


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

    def own_labels(self, s: int, i: int, expected: dict, drawn: dict | None) -> bool:
        """Whether session ``s``'s chart after change ``i`` carries its own tokens on each axis; an error if not."""
        wrong = [a for a in ("x", "y") if expected[a] is not None and (drawn or {}).get(a) != expected[a]]
        if wrong:
            self.errors.append(f"session {s} change {i}: the {'/'.join(wrong)} labels are not its own tokens")
        return not wrong

    def count(self, ms: float) -> None:
        """One change answered correctly, in ``ms``."""
        self.update_ms.append(ms)
        self.completed += 1

    def opened_now(self, outcomes: list, opened: int, started: float, log) -> None:
        """Note the sessions that did not open, and how many did how fast."""
        for s, outcome in enumerate(outcomes):
            if isinstance(outcome, BaseException):
                self.errors.append(f"session {s} did not open: {type(outcome).__name__}: {str(outcome)[:160]}")
        self.opened = opened
        self.open_s = time.perf_counter() - started
        log(f"  load: {self.opened}/{self.sessions} sessions open after {self.open_s:.1f} s; changing sentences")

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


def session_texts(model: str | None, sessions: int, seed: int) -> list[Texts]:
    """One sentence generator per session, each with its own shuffle of the words: no two sessions type
    the same text. ``model``'s tokenizer counts the positions (None: the app's default)."""
    tokenizer = load_tokenizer(model)
    return [Texts(tokenizer, seed=seed * 1000 + s) for s in range(sessions)]


async def sample_peak(rss_probe, peak: list[float]) -> None:
    """Keep ``peak[0]`` at the largest of ``rss_probe()`` (MiB, or None) every half second, until cancelled."""
    while True:
        value = rss_probe() if rss_probe else None
        if value:
            peak[0] = max(peak[0], value)
        await asyncio.sleep(0.5)


async def run_by_deadline(whole, deadline_s: float, result: LoadResult) -> None:
    """Await ``whole`` for at most ``deadline_s``; note a missed deadline, and the run's time."""
    run_started = time.perf_counter()
    try:
        await asyncio.wait_for(whole, timeout=deadline_s)
    except TimeoutError:
        result.errors.append(f"the load test hit its {deadline_s:.0f} s deadline")
    finally:
        result.run_s = time.perf_counter() - run_started


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
    model: str | None = None,
) -> LoadResult:
    """``sessions`` browser sessions (one Chromium, one context each) on the cross-attention
    page; once all are open they start together, and each changes its sentences
    ``changes`` times with new text of ``tokens`` positions, alternately the source
    (checked on the x axis) and the target (y axis), with a random pause between
    changes. After every change the session checks that the heatmap's labels are
    exactly its own new tokens. Uses ``browser`` when given, else launches Chromium.
    ``model`` opens the pages with ``?model=NAME`` (None: the app's default) and makes the
    sentences with that model's tokenizer.
    Stops by itself after ``deadline_s``; whatever did not finish by then counts as errors."""
    from playwright.async_api import async_playwright

    result = LoadResult(sessions=sessions, changes=changes, tokens=tokens)
    texts = session_texts(model, sessions, seed)
    fields = list(PAGES["cross"]["fields"].items())
    started = time.perf_counter()
    peak = [0.0]

    async with async_playwright() as playwright:
        own_browser = browser is None
        if own_browser:
            browser = await launch_browser(playwright, executable)
        probe_task = asyncio.create_task(sample_peak(rss_probe, peak))
        gate = asyncio.Semaphore(open_concurrency)
        go = asyncio.Event()
        pages: list = [None] * sessions

        contexts: list = []

        async def open_one(s: int) -> None:
            async with gate:
                context = await new_context(browser)
                contexts.append(context)
                pages[s] = await open_app_page(context, url, "cross", model=model)

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
                if result.own_labels(s, i, current, await trace_labels(page)):
                    if await shows_exception(page):
                        result.errors.append(f"session {s} change {i}: the page shows an exception")
                    else:
                        result.count(ms)
                await asyncio.sleep(rng.uniform(*think_s))

        async def whole() -> None:
            opened = await asyncio.gather(*(open_one(s) for s in range(sessions)), return_exceptions=True)
            result.opened_now(opened, sum(page is not None for page in pages), started, log)
            go.set()
            await asyncio.gather(*(session(s) for s in range(sessions) if pages[s] is not None))

        await run_by_deadline(whole(), deadline_s, result)
        missing = sessions * changes - result.attempted
        if missing > 0:
            result.errors.append(f"{missing} changes never ran (sessions that did not open or the deadline)")
        for s, page in enumerate(pages):
            if page is not None:
                for error in page.app_errors:
                    result.errors.append(f"session {s}: {error}")
        probe_task.cancel()
        for context in contexts:
            await context.close()
        if own_browser:
            await browser.close()
    result.rss_peak_mb = peak[0] or None
    return result


# --------------------------------------------------------------------------- websocket sessions


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
    model: str | None = None,
    client=AppSession,
) -> LoadResult:
    """The same class as ``run_load``, over the websocket protocol instead of Chromium:
    ``sessions`` sessions open the cross page, then all change their sentences ``changes``
    times (source and target in turn, each a new text of ``tokens`` positions) with a
    random pause between changes; each checks that the chart the server sent carries
    exactly its own tokens. The time is from sending the change to receiving the chart
    (the browser's drawing, on the student's own machine, comes on top). ``model`` as in ``run_load``;
    ``client`` makes each session (an AppSession, or a subclass such as bench.hall's, through nginx)."""
    result = LoadResult(sessions=sessions, changes=changes, tokens=tokens)
    # every sentence made before the clock starts: the tokenizer's check of each one's length costs the
    # load generator, on the server's own cores, about 7 ms a change
    planned = [[t.make(tokens) for _ in range(changes)] for t in session_texts(model, sessions, seed)]
    fields = list(PAGES["cross"]["fields"].items())
    clients = [client(url, model=model) for _ in range(sessions)]
    opened = [False] * sessions
    gate = asyncio.Semaphore(open_concurrency)
    go = asyncio.Event()
    peak = [0.0]
    started = time.perf_counter()

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
            sentence = planned[s][i]
            result.attempted += 1
            try:
                ms = await client.change(label, sentence.text, update_timeout_s)
            except Exception as error:  # a timeout or a closed connection: an error, and the session goes on
                result.errors.append(f"session {s} change {i}: {type(error).__name__}: {str(error)[:160]}")
                continue
            client.values[client.inputs[label]] = sentence.text
            current[axis] = sentence.labels
            if result.own_labels(s, i, current, client.labels()):
                result.count(ms)
            await asyncio.sleep(rng.uniform(*think_s))

    async def whole() -> None:
        outcomes = await asyncio.gather(*(open_one(s) for s in range(sessions)), return_exceptions=True)
        result.opened_now(outcomes, sum(opened), started, log)
        go.set()
        await asyncio.gather(*(session(s) for s in range(sessions) if opened[s]))

    probe_task = asyncio.create_task(sample_peak(rss_probe, peak))
    try:
        await run_by_deadline(whole(), deadline_s, result)
    finally:
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
