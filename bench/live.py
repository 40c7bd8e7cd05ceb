"""Everything against a real `streamlit run`: the cold start, the class at once, single sessions in
Chromium with the time split by what the websocket carried, plotly.js alone, BertViz's page."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from bench.browser import (
    PAGES,
    change_sentence,
    drag_temperature,
    launch_browser,
    move_temperature,
    new_context,
    open_app_page,
    toggle_transpose,
)
from bench.common import format_value, log, median, percentile
from bench.headview import bertviz_assets, bertviz_draw
from bench.loadtest import run_load, run_load_ws
from bench.texts import Texts
from deploy.harness import AppSession, StreamlitServer, find_chromium

MODES = ["cross", "self"]
LOG_DIR = Path(tempfile.gettempdir()) / "attention-bench"


_PLOTLY_REACT = """async (spec) => {
    Plotly.purge('chart');
    const started = performance.now();
    const figure = JSON.parse(spec);
    await Plotly.react('chart', figure.data, figure.layout);
    return performance.now() - started;
}"""


async def plotly_alone(browser, specs: dict[tuple[str, int], str], repeats: int) -> dict[tuple[str, int], float | None]:
    """Chromium drawing the app's figure JSON with nothing else on the page: JSON.parse and
    Plotly.react with the plotly.js of the plotly package (Streamlit bundles its own copy).
    What the figure itself costs the browser, apart from Streamlit's frontend."""
    import plotly

    script = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    context = await new_context(browser)
    page = await context.new_page()
    await page.set_content("<html><body><div id='chart'></div></body></html>")
    await page.add_script_tag(content=script)
    found = {}
    for (model, n), spec in specs.items():
        times = [await page.evaluate(_PLOTLY_REACT, spec) for _ in range(repeats + 1)][1:]
        found[(model, n)] = median(times)
        log(f"  plotly.js alone, {model}, {n:4d} tokens: {found[(model, n)]:.0f} ms")
    await context.close()
    return found


COLD_STARTS = 3  # fresh servers per model: the cold start is their median (one start varies by a second here)

# `streamlit run` with timers around the steps of an update, for --probe: each call of Encoder.encode_layers
# (the model's forward pass, tokenizer included), heads.run_model, views.attend, views.compute_view (encode
# and attend), live.live_payload, attention_figure, st.plotly_chart and each whole script run (a fragment's too)
# appends one JSON line to the file named by ATTENTION_BENCH_PROBE. The app is not changed; the
# functions are wrapped before the pages import them.
PROBE_WRAPPER = """
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


import attention.embeddings, attention.figures, attention.heads
import streamlit
from webapp.streamlit_internals import script_runner_class

import attention.heatmap_payload, attention.views

_timed(attention.embeddings.Encoder, "encode_layers", "encode")  # Encoder.encode calls it
_timed(attention.heads, "run_model", "run_model")
_timed(attention.views, "attend", "attend")
_timed(attention.views, "compute_view", "view")
_timed(attention.heatmap_payload, "live_payload", "payload")
_timed(attention.figures, "attention_figure", "figure")
_timed(streamlit, "plotly_chart", "chart")  # st.plotly_chart, as the pages call it
_timed(script_runner_class(), "_run_script", "script")
from streamlit.web.cli import main

sys.argv = ["streamlit", *sys.argv[1:]]
sys.exit(main())
"""
PROBED = {what: f"probe_{what}_ms" for what in ("encode", "attend", "view", "payload", "figure", "chart", "script")}
MODEL_CALLS = ("encode", "run_model")


class Probe:
    """The file the probed server writes its timings to, and what it holds."""

    def __init__(self, log_dir: Path = LOG_DIR):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.path = log_dir / f"probe-{os.getpid()}-{time.time_ns()}.jsonl"
        self.path.write_text("")
        self.env = {"ATTENTION_BENCH_PROBE": str(self.path)}

    def records(self, since: float = 0.0, until: float = float("inf")) -> list[dict]:
        """The timings (``what``: encode, run_model, figure, chart, script; ``ms``) that ended between
        ``since`` and ``until`` (epoch seconds)."""
        if not self.path.exists():
            return []
        records = [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
        return [r for r in records if since <= r["end"] <= until]

    def model_calls(self, since: float, until: float) -> int:
        """How often the server ran the model (Encoder.encode_layers or heads.run_model) in that time."""
        return sum(r["what"] in MODEL_CALLS for r in self.records(since, until))


def probe_summary(probe: Probe | None, since: float, until: float) -> dict:
    """With --probe: medians of what the server itself timed between ``since`` and ``until``
    (epoch seconds): each of PROBED's calls and whole script runs."""
    if probe is None or not until:
        return {}
    records = probe.records(since, until)
    found = {key: median([r["ms"] for r in records if r["what"] == what]) for what, key in PROBED.items()}
    scripts = [r["ms"] for r in records if r["what"] == "script"]
    found["probe_script_ms_p95"] = percentile(scripts, 95)
    return found


async def single_session_updates(
    browser, server: StreamlitServer, probe: Probe | None, texts: Texts, lengths: list[int], args, model: str
) -> dict:
    """One Chromium session per page, opened with ``?model=MODEL``: for each length, warm up with
    sentences of that length, then time ``--browser-updates`` changes of the first sentence and
    ``--toggles`` of 'transpose'. With ``probe``, also count the model calls the server made during
    the toggles (there should be none). Keys: (model, length, mode)."""
    updates: dict = {}
    for mode in MODES:
        context = await new_context(browser)
        page = await open_app_page(context, server.url, mode, timeout_ms=300_000, wire=True, model=model)
        fields = list(PAGES[mode]["fields"].items())
        for n in lengths:
            timeout_ms = 300_000 if n >= 256 else 120_000
            label, axis = fields[0]
            times, splits = [], []
            toggles, temperatures, drags, walls, draws = [], [], [], [], []
            window = [0.0, 0.0]
            toggle_window = [0.0, 0.0]
            try:
                for label_, axis_ in reversed(fields):  # warm up: every sentence of this length
                    await change_sentence(page, label_, axis_, texts.make(n), timeout_ms)
                window[0] = time.time()
                for _ in range(args.browser_updates):
                    times.append(await change_sentence(page, label, axis, texts.make(n), timeout_ms))
                    walls.append(page.last_wall_ms)
                    if page.last_draw:
                        draws.append(page.last_draw)
                    await asyncio.sleep(0.05)  # let the websocket events of this update arrive
                    splits.append(page.wire.split(*page.last_update))
                window[1] = time.time()
                if mode == "cross":
                    toggle_window[0] = time.time()
                    for i in range(args.toggles):
                        toggles.append(await toggle_transpose(page, transposed=i % 2 == 0, timeout_ms=timeout_ms))
                    if args.toggles % 2:
                        await toggle_transpose(page, transposed=False, timeout_ms=timeout_ms)
                    for i in range(args.toggles):  # 0.55 and 1.8 in turn
                        temperatures.append(await move_temperature(page, 150 if i % 2 else 250, timeout_ms))
                    await move_temperature(page, 200, timeout_ms)  # back to 1
                    toggle_window[1] = time.time()
                    for _ in range(3):
                        drags.append(await drag_temperature(page))
                        await asyncio.sleep(1.0)  # the server's rerun after the drag
                    await move_temperature(page, 200, timeout_ms)
            except Exception as error:  # the page failed at this length: a finding, and the run goes on
                message = f"{type(error).__name__}: {' '.join(str(error).split())[:240]}"
                updates[(model, n, mode)] = {"browser_error": message}
                log(f"  {mode} {n:4d} tokens: FAILED in the browser: {message}")
                await context.close()
                context = await new_context(browser)
                page = await open_app_page(context, server.url, mode, timeout_ms=300_000, wire=True, model=model)
                continue

            def part(key, splits=splits):
                return median([s[key] for s in splits if s[key] is not None])

            def drawing(key, draws=draws):
                return median([d[key] for d in draws if d.get(key) is not None])

            parts = updates[(model, n, mode)] = {
                "browser_update_ms_p50": percentile(times, 50),
                "browser_update_ms_p95": percentile(times, 95),
                "browser_wall_ms_p50": percentile(walls, 50),
                "browser_component_ms": drawing("sinceDataMs"),
                "browser_ahead": sum(d.get("askMs") is not None for d in draws),
                "browser_ask_ms": drawing("askMs"),
                "browser_ask_server_ms": drawing("askServerMs"),
                "draw_compute_ms": drawing("computeMs"),
                "draw_layout_ms": drawing("layoutMs"),
                "draw_plot_ms": drawing("plotMs"),
                "draw_paint_ms": drawing("paintMs"),
                "browser_updates": len(times),
                "browser_send_ms": part("send_ms"),
                "browser_server_ms": part("server_ms"),
                "browser_render_ms": part("render_ms"),
                "message_bytes": part("message_bytes"),
                "display_update_ms_p50": percentile(toggles, 50),
                "temperature_update_ms_p50": percentile(temperatures, 50),
                "drag_fps": median(drags),
                "display_model_calls": probe.model_calls(*toggle_window) if probe and toggle_window[1] else None,
                **probe_summary(probe, *window),
            }
            log(
                f"  {mode} {n:4d} tokens: update p50 {percentile(times, 50):.0f} ms, "
                f"p95 {percentile(times, 95):.0f} ms (send {format_value(parts['browser_send_ms'], '{:.0f}')}, "
                f"server {format_value(parts['browser_server_ms'], '{:.0f}')}, "
                f"draw {format_value(parts['browser_render_ms'], '{:.0f}')})"
                + (f", transpose p50 {percentile(toggles, 50):.0f} ms" if toggles else "")
                + (f", temperature p50 {percentile(temperatures, 50):.0f} ms" if temperatures else "")
                + (f", drag {median(drags):.0f} frames/s" if drags else "")
            )
        if page.app_errors:
            raise RuntimeError(f"the {mode} page had errors: {page.app_errors[:3]}")
        await context.close()
    return updates


async def live_phase(
    args,
    texts: dict[str, Texts],
    lengths: list[int],
    bertviz_rows: list[dict],
    specs: dict[tuple[str, int], str] | None = None,
) -> dict:
    """Everything against a real `streamlit run`, one fresh server per model (``texts`` maps each
    model to its sentence generator, in the order of --models): the cold start with ``?model=NAME``,
    the class at once (on --load-model only), single sessions in Chromium; then plotly.js alone and
    BertViz's HTML in Chromium. ``out["server"]`` and ``out["updates"]`` are keyed by model."""
    from contextlib import AsyncExitStack

    out: dict = {"server": {}, "updates": {}, "load": None, "bertviz": {}, "plotly": {}}
    use_browser = not args.no_browser
    async with AsyncExitStack() as stack:
        browser = None
        if use_browser:
            from playwright.async_api import async_playwright

            executable = find_chromium()
            if not executable:
                raise RuntimeError("chromium is not installed (apt-get install chromium); run with --no-browser")
            playwright = await stack.enter_async_context(async_playwright())
            browser = await launch_browser(playwright, executable)
        probe = Probe() if args.probe else None
        for model, model_texts in texts.items():
            out["server"][model] = await _one_server(args, browser, probe, model, model_texts, lengths, out)

        if use_browser and specs:
            log("live: the app's figure in Chromium with plotly.js alone")
            out["plotly"] = await plotly_alone(browser, specs, repeats=min(args.browser_updates, 5))
        if use_browser and bertviz_rows:
            log("live: BertViz head view in Chromium")
            assets = bertviz_assets()
            for row in bertviz_rows:
                n = row["_tokens"]
                repeats = args.bertviz_draws if n <= 128 else 1
                result = await bertviz_draw(browser, assets, row["_html_path"], n, repeats, args.bertviz_timeout)
                out["bertviz"][n] = result
                log(
                    f"  bertviz {n:4d} tokens: draw p50 "
                    + (f"{result['browser_update_ms_p50']:.0f} ms" if result["browser_update_ms_p50"] else "-")
                    + (f" ({result['browser_error']})" if result["browser_error"] else "")
                )
        if browser is not None:
            await browser.close()
    return out


async def _one_server(args, browser, probe, model: str, texts: Texts, lengths: list[int], out: dict) -> dict:
    """A fresh `streamlit run` for ``model``: its cold start (launch to the first heatmap of the cross page
    opened with ``?model=MODEL``; the multilingual model's conversion is cached by then), the load test if
    ``model`` is --load-model, the single sessions (into ``out["updates"]``, the load into ``out["load"]``)
    and its RSS. Returns the server's figures."""
    use_browser = browser is not None
    how = "first heatmap on the cross page" if use_browser else "first chart over the websocket"
    log(f"live, {model}: cold start (streamlit run -> {how}, ?model={model}), {COLD_STARTS} fresh servers")

    def launch() -> StreamlitServer:
        os.sync()  # an earlier phase's files (BertViz's HTML, 829 MiB at 512 tokens) written out first, not meanwhile
        return StreamlitServer(
            LOG_DIR,
            options=args.streamlit_options,
            env=probe.env if probe else None,
            wrapper=PROBE_WRAPPER if probe else None,
        )

    async def first_figure(server: StreamlitServer) -> float:
        if use_browser:
            context = await new_context(browser)
            await open_app_page(context, server.url, "cross", timeout_ms=300_000, model=model)
            cold = time.perf_counter() - server.started
            await context.close()
        else:
            session = AppSession(server.url, model=model)
            await session.open(timeout_s=300)
            cold = time.perf_counter() - server.started
            await session.close()
        return cold

    starts = []
    for _ in range(COLD_STARTS - 1):  # the last one's server goes on to the rest of the phase
        earlier = launch()
        try:
            starts.append(await first_figure(earlier))
        finally:
            earlier.stop()
    server = launch()
    try:
        health_s = server.health_s
        rss_start = server.rss_mb()
        starts.append(await first_figure(server))
        cold_s = median(starts)
        found = {
            "model": model,
            "cold_start_s": round(cold_s, 3),
            "cold_starts_s": [round(s, 3) for s in starts],
            "cold_start_to": how,
            "health_s": round(health_s, 3),
            "rss_start_mb": rss_start,
            "rss_model_mb": server.rss_mb(),
            "streamlit_options": args.streamlit_options,
        }
        log(
            f"  cold start {cold_s:.2f} s, median of {', '.join(f'{x:.2f}' for x in starts)} (health after "
            f"{health_s:.2f} s); RSS {rss_start:.0f} -> "
            f"{found['rss_model_mb']:.0f} MiB"
        )

        if not args.no_load and model == args.load_model:
            log(
                f"live, {model}: a class at once, {args.sessions} sessions x {args.changes} changes of "
                f"{args.load_tokens}-token sentences ({args.load_client} clients)"
            )
            common = dict(
                rss_probe=server.rss_mb, deadline_s=args.load_deadline, think_s=args.think, log=log, model=model
            )
            load_started = time.time()
            if args.load_client == "browser":
                result = await run_load(
                    server.url, args.sessions, args.changes, args.load_tokens, browser=browser, **common
                )
            else:
                result = await run_load_ws(server.url, args.sessions, args.changes, args.load_tokens, **common)
            out["load"] = {
                "model": model,
                "client": args.load_client,
                "think_s": list(args.think),
                **result.summary(),
                **probe_summary(probe, load_started, time.time()),
            }
            found["rss_after_load_mb"] = server.rss_mb()
            s = out["load"]
            log(
                f"  {s['updates_completed']}/{s['updates_expected']} updates, {s['errors']} errors, "
                f"p50 {format_value(s['update_ms_p50'], '{:.0f}')} ms, "
                f"p95 {format_value(s['update_ms_p95'], '{:.0f}')} ms"
            )

        if use_browser:
            log(f"live, {model}: single sessions in Chromium")
            out["updates"].update(await single_session_updates(browser, server, probe, texts, lengths, args, model))
        found["rss_end_mb"] = server.rss_mb()
        found["rss_peak_mb"] = server.peak_rss_mb()
    finally:
        server.stop()
    return found
