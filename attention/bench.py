"""How fast the app is, against the model's own floor and against BertViz.

    python -m attention.bench --json bench.json --plot bench.png     # the full run
    python -m attention.bench --quick                                # 8 and 32 tokens, a small load test

Lengths count model positions, [CLS] and [SEP] included: a "512 token" sentence is
510 word pieces (one word each) plus [CLS] and [SEP], the most the model reads. With
the app's default settings [CLS]/[SEP] take no part, so its heatmap is 510 × 510.

What is measured, per length and mode ("cross": a source and a target sentence of
that length; "self": one sentence; "bertviz": BertViz's head view of one sentence):

- forward_ms: the floor, the bare model on the same text(s): tokenizer and
  ``model[0].auto_model(**features)`` under ``torch.inference_mode`` (both sentences
  for "cross", since an update there encodes both);
- encode_ms (Encoder.encode), attend_ms (views.attend), figure_ms
  (figures.attention_figure), json_ms (``plotly.io.to_json`` of ``fig.to_dict()``,
  which is what ``st.plotly_chart`` sends), serialise_ms (the whole
  ``st.plotly_chart`` call, run in Streamlit's bare mode: to_dict, to_json, element id)
  and figure_bytes (the JSON spec Streamlit sends, hover data included);
- server_update_ms: encode (uncached) + attend + figure + st.plotly_chart, end to end;
- browser_update_ms p50/p95: a real `streamlit run` server and Chromium, from typing
  a new sentence of the same length (the source on the cross page) to the moment the
  heatmap's x tick labels are the new tokens; display_update_ms: the same for the
  'transpose' toggle, which must not re-encode anything;
- the cold start (launching `streamlit run` to the first heatmap on the cross page),
  the server's RSS after start, after the model loads and after the load test;
- a class at once: --sessions browser sessions (one Chromium) each changing its
  sentences --changes times;
- BertViz: the forward pass with output_attentions (eager attention), head_view's HTML
  (time, bytes) and Chromium's time from opening it to its token texts drawn (its
  d3/jQuery/RequireJS come from the npm registry, cached in ~/.cache/attention-bench,
  and are served by request routing: this machine cannot reach the CDNs it names).

Medians over --repeats runs. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

from attention.loadtest import (
    PAGES,
    ROOT,
    AppSession,
    Sentence,
    Server,
    Texts,
    change_sentence,
    find_chromium,
    launch_browser,
    median,
    new_context,
    open_app_page,
    percentile,
    run_load,
    run_load_ws,
    toggle_transpose,
)

LENGTHS = [8, 32, 128, 512]
QUICK_LENGTHS = [8, 32]
MODES = ["cross", "self"]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "attention-bench"
# What BertViz's head view asks the CDNs for, and what the npm registry has of it:
# jQuery 2.0.0 was never published to npm, so 2.1.0 (the next 2.x release) stands in.
BERTVIZ_ASSETS = {
    "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js": ("requirejs@2.3.6", "package/require.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/d3/5.7.0/d3.min.js": ("d3@5.7.0", "package/dist/d3.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/2.0.0/jquery.min.js": ("jquery@2.1.0", "package/dist/jquery.min.js"),
}
# V8's String::kMaxLength on 64-bit (2**29 - 24 characters): a longer inline script never runs.
V8_MAX_STRING = 2**29 - 24
COLUMNS = [
    ("tokens", "tokens", "{:d}"),
    ("mode", "mode", "{}"),
    ("forward_ms", "fwd", "{:.1f}"),
    ("encode_ms", "encode", "{:.1f}"),
    ("attend_ms", "attend", "{:.1f}"),
    ("figure_ms", "figure", "{:.1f}"),
    ("serialise_ms", "st.chart", "{:.1f}"),
    ("server_update_ms", "update", "{:.1f}"),
    ("server_update_limit_ms", "limit", "{:.1f}"),
    ("figure_bytes", "bytes", "{:,d}"),
    ("bytes_per_cell", "B/cell", "{:.1f}"),
    ("browser_update_ms_p50", "brw p50", "{:.0f}"),
    ("browser_update_ms_p95", "brw p95", "{:.0f}"),
    ("browser_send_ms", "send", "{:.0f}"),
    ("browser_server_ms", "server", "{:.0f}"),
    ("probe_script_ms", "script", "{:.0f}"),
    ("browser_render_ms", "draw", "{:.0f}"),
    ("plotly_alone_ms", "plotly", "{:.0f}"),
    ("display_update_ms_p50", "toggle", "{:.0f}"),
    ("gc_ms", "gc", "{:.0f}"),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def quiet_streamlit() -> None:
    """Streamlit warns on every call made outside `streamlit run` (bare mode); the
    benchmark calls st.plotly_chart that way on purpose."""
    import streamlit.logger
    from streamlit import config

    config.get_option("logger.level")  # parse the config first: parsing resets the log level
    streamlit.logger.set_log_level("error")
    warnings.filterwarnings("ignore")


# --------------------------------------------------------------------------- in process


def streamlit_spec(fig) -> str:
    """The JSON that st.plotly_chart puts on the wire (streamlit/elements/plotly_chart.py):
    ``plotly.io.to_json(return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)``."""
    import plotly.io
    import plotly.tools

    return plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)


def streamlit_chart(fig) -> None:
    """The app's own st.plotly_chart call (attention/ui.py, show_attention), in bare mode."""
    import streamlit as st

    st.plotly_chart(
        fig,
        width="content",
        config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "bench"}},
    )


def measure_server_side(encoder, sentences: list[Sentence], mode: str, repeats: int) -> dict:
    """Medians of the floor and of each step of one update, over ``repeats`` runs.

    The update is what a page does for new sentences, without Streamlit's caches:
    views.compute_view with Encoder.encode (both sentences of "cross", the one of
    "self"), figures.attention_figure, and the app's st.plotly_chart call.
    """
    import gc

    import torch

    from attention.figures import FigureOptions, attention_figure
    from attention.views import Settings, compute_view

    auto_model = encoder.model[0].auto_model
    tokenizer = encoder.tokenizer
    roles = ("source", "target") if mode == "cross" else ("sentence",)
    options = FigureOptions(query_role=roles[0], key_role=roles[-1])
    texts = {role: s.text for role, s in zip(roles, sentences, strict=True)}

    def forward(text: str) -> None:
        features = tokenizer(text, return_tensors="pt")
        with torch.inference_mode():
            auto_model(**features)

    encode_ms: list[float] = []

    def timed_encode(text: str):
        started = time.perf_counter()
        embeddings = encoder.encode(text)
        encode_ms.append(ms_since(started))
        return embeddings

    keys = ("forward", "encode", "attend", "figure", "json", "chart", "update", "gc")
    times: dict[str, list[float]] = {k: [] for k in keys}
    spec_bytes = 0
    cells = 0
    for r in range(repeats + 2):  # two warm-up runs
        started = time.perf_counter()
        for s in sentences:
            forward(s.text)
        t_forward = ms_since(started)

        encode_ms.clear()
        update_started = time.perf_counter()
        view = compute_view(encoder, texts, Settings(), embed=timed_encode)
        t_view = ms_since(update_started)
        started = time.perf_counter()
        fig = attention_figure(view.result, view.query_tokens, view.key_tokens, options)
        t_figure = ms_since(started)
        started = time.perf_counter()
        streamlit_chart(fig)
        t_chart = ms_since(started)
        t_update = ms_since(update_started)

        started = time.perf_counter()
        spec = streamlit_spec(fig)
        t_json = ms_since(started)
        del fig
        started = time.perf_counter()
        gc.collect(2)  # what Streamlit does after every script run (runner.postScriptGC)
        t_gc = ms_since(started)
        if r >= 2:
            t_encode = sum(encode_ms)
            for key, value in zip(
                keys, (t_forward, t_encode, t_view - t_encode, t_figure, t_json, t_chart, t_update, t_gc), strict=True
            ):
                times[key].append(value)
        spec_bytes = len(spec.encode("utf-8"))
        cells = len(view.query_tokens) * len(view.key_tokens)
        if view.query_tokens != sentences[0].labels or len(encode_ms) != len(sentences):
            raise AssertionError("the update did not encode the sentences or shows other tokens")
    forward_ms = median(times["forward"])
    return {
        "word_pieces": sentences[0].positions - 2,
        "heatmap_cells": cells,
        "repeats": repeats,
        "forward_ms": forward_ms,
        "encode_ms": median(times["encode"]),
        "attend_ms": median(times["attend"]),
        "figure_ms": median(times["figure"]),
        "json_ms": median(times["json"]),
        "serialise_ms": median(times["chart"]),
        "server_update_ms": median(times["update"]),
        "server_update_ms_p95": percentile(times["update"], 95),
        "server_update_ms_min": min(times["update"]),
        "forward_ms_min": min(times["forward"]),
        "server_update_limit_ms": 1.5 * forward_ms + 10,
        "gc_ms": median(times["gc"]),
        "figure_bytes": spec_bytes,
        "bytes_per_cell": spec_bytes / cells,
        "_spec": spec,
    }


def load_eager_model():
    """The same model with eager attention, so it can return its attention weights."""
    from sentence_transformers import SentenceTransformer

    from attention.embeddings import default_model_path

    model = SentenceTransformer(default_model_path(), device="cpu", model_kwargs={"attn_implementation": "eager"})
    model.tokenizer.model_max_length = 512  # the model has 512 positions; its tokenizer would warn from 256
    return model


def measure_bertviz(model, sentence: Sentence, repeats: int, out_dir: Path) -> dict:
    """BertViz's head view of the model's own attentions (all layers and heads, as by default)."""
    import torch
    from bertviz import head_view

    tokenizer = model.tokenizer
    auto_model = model[0].auto_model
    forward_ms, html_ms, total_ms = [], [], []
    html = ""
    warm = 1 if sentence.positions <= 128 else 0  # one warm-up run where it is cheap
    for r in range(warm + repeats):
        started = time.perf_counter()
        features = tokenizer(sentence.text, return_tensors="pt")
        with torch.inference_mode():
            out = auto_model(**features, output_attentions=True)
        t_forward = ms_since(started)
        tokens = tokenizer.convert_ids_to_tokens(features["input_ids"][0])
        started = time.perf_counter()
        html = head_view(out.attentions, tokens, html_action="return").data
        t_html = ms_since(started)
        del out
        if r >= warm:
            forward_ms.append(t_forward)
            html_ms.append(t_html)
            total_ms.append(t_forward + t_html)
    path = out_dir / f"bertviz-{sentence.positions}.html"
    path.write_text(html, encoding="utf-8")
    n_bytes = len(html.encode("utf-8"))
    del html
    return {
        "word_pieces": sentence.positions - 2,
        "heatmap_cells": sentence.positions**2,
        "repeats": repeats,
        "forward_ms": median(forward_ms),
        "figure_ms": median(html_ms),
        "server_update_ms": median(total_ms),
        "figure_bytes": n_bytes,
        "bytes_per_cell": n_bytes / sentence.positions**2,
        "_html_path": str(path),
        "_tokens": sentence.positions,
    }


def check_display_options(texts: Texts) -> dict:
    """Count Encoder.encode calls while an AppTest session changes one option at a time
    on the cross page. Display options must cause none; the number settings none
    either (embeddings are cached per text); a new sentence exactly one."""
    from streamlit.testing.v1 import AppTest

    import attention.embeddings as embeddings_module

    calls: list[str] = []
    original = embeddings_module.Encoder.encode

    def counting(self, text):
        calls.append(text)
        return original(self, text)

    embeddings_module.Encoder.encode = counting
    counts: dict[str, int] = {}
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        at.switch_page("pages/1_Cross_Attention.py").run()
        steps = [
            ("new source sentence", lambda: at.text_input("source").set_value(texts.make(16).text), "sentence"),
            ("transpose", lambda: at.toggle("transpose").set_value(True), "display"),
            ("numbers in cells", lambda: at.toggle("show_values").set_value(True), "display"),
            ("output components", lambda: at.slider("n_components").set_value(3), "display"),
            ("PCA components", lambda: at.radio("components").set_value("pca"), "display"),
            ("colour scale", lambda: at.selectbox("colors").set_value("Viridis"), "display"),
            ("transpose back", lambda: at.toggle("transpose").set_value(False), "display"),
            ("temperature", lambda: at.select_slider("temperature").set_value(2.0), "numbers"),
            ("divide by sqrt(d_k)", lambda: at.toggle("scale").set_value(False), "numbers"),
            ("show [CLS]/[SEP]", lambda: at.toggle("show_special").set_value(True), "numbers"),
            ("merge word pieces", lambda: at.toggle("merge_words").set_value(True), "numbers"),
        ]
        kinds = {}
        for name, change, kind in steps:
            before = len(calls)
            change()
            at.run()
            if at.exception:
                raise RuntimeError(f"the cross page raised after '{name}': {at.exception}")
            counts[name] = len(calls) - before
            kinds[name] = kind
    finally:
        embeddings_module.Encoder.encode = original
    display = {k: v for k, v in counts.items() if kinds[k] == "display"}
    return {
        "encode_calls": counts,
        "display_only_encode_calls": sum(display.values()),
        "number_settings_encode_calls": sum(v for k, v in counts.items() if kinds[k] == "numbers"),
        "new_sentence_encode_calls": counts["new source sentence"],
    }


# --------------------------------------------------------------------------- browser


_PLOTLY_REACT = """async (spec) => {
    Plotly.purge('chart');
    const started = performance.now();
    const figure = JSON.parse(spec);
    await Plotly.react('chart', figure.data, figure.layout);
    return performance.now() - started;
}"""


async def plotly_alone(browser, specs: dict[int, str], repeats: int) -> dict[int, float | None]:
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
    for n, spec in specs.items():
        times = [await page.evaluate(_PLOTLY_REACT, spec) for _ in range(repeats + 1)][1:]
        found[n] = median(times)
        log(f"  plotly.js alone, {n:4d} tokens: {found[n]:.0f} ms")
    await context.close()
    return found


def bertviz_assets() -> dict[str, bytes]:
    """The CDN files BertViz's HTML loads, from the npm registry (`npm pack`), cached."""
    import subprocess

    npm_dir = CACHE / "npm"
    npm_dir.mkdir(parents=True, exist_ok=True)
    assets = {}
    for url, (spec, member) in BERTVIZ_ASSETS.items():
        name, version = spec.rsplit("@", 1)
        target = npm_dir / f"{name}-{version}-{Path(member).name}"
        if not target.exists():
            tarball = npm_dir / f"{name}-{version}.tgz"
            if not tarball.exists():
                log(f"  npm pack {spec}")
                subprocess.run(
                    ["npm", "pack", spec, "--pack-destination", str(npm_dir)],
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
            with tarfile.open(tarball) as archive:
                target.write_bytes(archive.extractfile(member).read())
        assets[url] = target.read_bytes()
    return assets


async def route_bertviz_assets(context, assets: dict[str, bytes]) -> None:
    """Serve BertViz's CDN scripts from the cache; refuse any other network request."""

    async def handle(route):
        url = route.request.url
        if url in assets:
            await route.fulfill(status=200, body=assets[url], content_type="application/javascript")
        elif url.startswith("file:"):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", handle)


_BERTVIZ_DRAWN = """(n) => {
    const svg = document.querySelector('#vis svg');
    return !!svg && svg.querySelectorAll('#left text').length === n && svg.querySelectorAll('#right text').length === n;
}"""


async def bertviz_draw(browser, assets, html_path: str, n_tokens: int, repeats: int, timeout_s: float) -> dict:
    """Open BertViz's HTML from a file (as a saved notebook output would be) and time it
    until its SVG holds every token's text on both sides."""
    times: list[float] = []
    error = None
    size = Path(html_path).stat().st_size
    too_long = size > V8_MAX_STRING
    if too_long:
        # Chromium silently skips a script longer than V8's longest string: nothing will draw.
        timeout_s = min(timeout_s, 60)
    for _ in range(repeats):
        context = await new_context(browser)
        await route_bertviz_assets(context, assets)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)[:200]))
        page.on("console", lambda m, errors=errors: errors.append(m.text[:200]) if m.type == "error" else None)
        page.on("crash", lambda errors=errors: errors.append("the tab crashed"))
        try:
            started = time.perf_counter()
            await page.goto(Path(html_path).as_uri(), wait_until="commit", timeout=timeout_s * 1000)
            await page.wait_for_function(_BERTVIZ_DRAWN, arg=n_tokens, polling="raf", timeout=timeout_s * 1000)
            times.append(ms_since(started))
            if errors:
                error = f"page errors: {errors[:2]}"
        except Exception as failure:  # a timeout or a crashed tab: BertViz could not draw it
            error = f"{type(failure).__name__}: {str(failure).splitlines()[0][:200]}"
            if errors:
                error += f"; page: {errors[:2]}"
            if too_long:
                error += (
                    f"; its script is {size / 2**20:,.0f} MiB, longer than V8's longest string "
                    f"({V8_MAX_STRING / 2**20:,.0f} MiB), so Chromium does not run it"
                )
        finally:
            try:
                await asyncio.wait_for(context.close(), timeout=60)
            except Exception:  # noqa: BLE001 (a crashed tab may not close cleanly)
                pass
        if error:
            break
    return {
        "browser_update_ms_p50": percentile(times, 50),
        "browser_update_ms_p95": percentile(times, 95),
        "browser_updates": len(times),
        "browser_error": error,
    }


PROBED = {what: f"probe_{what}_ms" for what in ("encode", "figure", "chart", "script")}


def probe_summary(server: Server, since: float, until: float) -> dict:
    """With --probe: medians of what the server itself timed between ``since`` and ``until``
    (epoch seconds): each Encoder.encode, attention_figure, st.plotly_chart and whole script run."""
    if server.probe_path is None or not until:
        return {}
    records = [r for r in server.probe_records(since) if r["end"] <= until]
    found = {key: median([r["ms"] for r in records if r["what"] == what]) for what, key in PROBED.items()}
    scripts = [r["ms"] for r in records if r["what"] == "script"]
    found["probe_script_ms_p95"] = percentile(scripts, 95)
    return found


async def single_session_updates(browser, server: Server, texts: Texts, lengths: list[int], args) -> dict:
    """One Chromium session per page: for each length, warm up with sentences of that length,
    then time ``--browser-updates`` changes of the first sentence and ``--toggles`` of 'transpose'."""
    updates: dict = {}
    for mode in MODES:
        context = await new_context(browser)
        page = await open_app_page(context, server.url, mode, timeout_ms=300_000, wire=True)
        fields = list(PAGES[mode]["fields"].items())
        for n in lengths:
            timeout_ms = 300_000 if n >= 256 else 120_000
            label, axis = fields[0]
            times, splits = [], []
            toggles = []
            window = [0.0, 0.0]
            try:
                for label_, axis_ in reversed(fields):  # warm up: every sentence of this length
                    await change_sentence(page, label_, axis_, texts.make(n), timeout_ms)
                window[0] = time.time()
                for _ in range(args.browser_updates):
                    times.append(await change_sentence(page, label, axis, texts.make(n), timeout_ms))
                    await asyncio.sleep(0.05)  # let the websocket events of this update arrive
                    splits.append(page.wire.split(*page.last_update))
                window[1] = time.time()
                if mode == "cross":
                    for i in range(args.toggles):
                        toggles.append(await toggle_transpose(page, transposed=i % 2 == 0, timeout_ms=timeout_ms))
                    if args.toggles % 2:
                        await toggle_transpose(page, transposed=False, timeout_ms=timeout_ms)
            except Exception as error:  # the page failed at this length: a finding, and the run goes on
                message = f"{type(error).__name__}: {' '.join(str(error).split())[:240]}"
                updates[(n, mode)] = {"browser_error": message}
                log(f"  {mode} {n:4d} tokens: FAILED in the browser: {message}")
                await context.close()
                context = await new_context(browser)
                page = await open_app_page(context, server.url, mode, timeout_ms=300_000, wire=True)
                continue

            def part(key, splits=splits):
                return median([s[key] for s in splits if s[key] is not None])

            parts = updates[(n, mode)] = {
                "browser_update_ms_p50": percentile(times, 50),
                "browser_update_ms_p95": percentile(times, 95),
                "browser_updates": len(times),
                "browser_send_ms": part("send_ms"),
                "browser_server_ms": part("server_ms"),
                "browser_render_ms": part("render_ms"),
                "message_bytes": part("message_bytes"),
                "display_update_ms_p50": percentile(toggles, 50),
                **probe_summary(server, *window),
            }
            log(
                f"  {mode} {n:4d} tokens: update p50 {percentile(times, 50):.0f} ms, "
                f"p95 {percentile(times, 95):.0f} ms (send {format_value(parts['browser_send_ms'], '{:.0f}')}, "
                f"server {format_value(parts['browser_server_ms'], '{:.0f}')}, "
                f"draw {format_value(parts['browser_render_ms'], '{:.0f}')})"
                + (f", transpose p50 {percentile(toggles, 50):.0f} ms" if toggles else "")
            )
        if page.app_errors:
            raise RuntimeError(f"the {mode} page had errors: {page.app_errors[:3]}")
        await context.close()
    return updates


async def live_phase(
    args, texts: Texts, lengths: list[int], bertviz_rows: list[dict], specs: dict[int, str] | None = None
) -> dict:
    """Everything against a real `streamlit run`: the cold start, the class at once, single
    sessions in Chromium; then BertViz's HTML in Chromium."""
    from contextlib import AsyncExitStack

    out: dict = {"server": {}, "updates": {}, "load": None, "bertviz": {}}
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
        server = Server(options=args.streamlit_options, probe=args.probe)
        try:
            how = "first heatmap on the cross page" if use_browser else "first chart over the websocket"
            log(f"live: cold start (streamlit run -> {how})")
            health_s = server.start()
            rss_start = server.rss_mb()
            if use_browser:
                context = await new_context(browser)
                await open_app_page(context, server.url, "cross", timeout_ms=300_000)
                cold_s = time.perf_counter() - server.launched
                await context.close()
            else:
                session = AppSession(server.url)
                await session.open(timeout_s=300)
                cold_s = time.perf_counter() - server.launched
                await session.close()
            out["server"] = {
                "cold_start_s": round(cold_s, 3),
                "cold_start_to": how,
                "health_s": round(health_s, 3),
                "rss_start_mb": rss_start,
                "rss_model_mb": server.rss_mb(),
                "streamlit_options": args.streamlit_options,
            }
            log(
                f"  cold start {cold_s:.2f} s (health after {health_s:.2f} s); RSS {rss_start:.0f} -> "
                f"{out['server']['rss_model_mb']:.0f} MiB"
            )

            if not args.no_load:
                log(
                    f"live: a class at once, {args.sessions} sessions x {args.changes} changes of "
                    f"{args.load_tokens}-token sentences ({args.load_client} clients)"
                )
                common = dict(rss_probe=server.rss_mb, deadline_s=args.load_deadline, think_s=args.think, log=log)
                load_started = time.time()
                if args.load_client == "browser":
                    result = await run_load(
                        server.url, args.sessions, args.changes, args.load_tokens, browser=browser, **common
                    )
                else:
                    result = await run_load_ws(server.url, args.sessions, args.changes, args.load_tokens, **common)
                out["load"] = {
                    "client": args.load_client,
                    "think_s": list(args.think),
                    **result.summary(),
                    **probe_summary(server, load_started, time.time()),
                }
                out["server"]["rss_after_load_mb"] = server.rss_mb()
                s = out["load"]
                log(
                    f"  {s['updates_completed']}/{s['updates_expected']} updates, {s['errors']} errors, "
                    f"p50 {format_value(s['update_ms_p50'], '{:.0f}')} ms, "
                    f"p95 {format_value(s['update_ms_p95'], '{:.0f}')} ms"
                )

            if use_browser:
                log("live: single sessions in Chromium")
                out["updates"] = await single_session_updates(browser, server, texts, lengths, args)
            out["server"]["rss_end_mb"] = server.rss_mb()
            out["server"]["rss_peak_mb"] = server.peak_rss_mb()
        finally:
            server.stop()

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


# --------------------------------------------------------------------------- report


def targets(rows: list[dict], server: dict, load: dict | None, display: dict | None, lengths: list[int]) -> list[dict]:
    found = []

    def add(name, value, limit, met, unit=""):
        found.append({"target": name, "value": value, "limit": limit, "met": met, "unit": unit})

    for row in rows:
        if row.get("error") or (row["mode"] in MODES and row.get("browser_error")):
            add(
                f"the app draws {row['tokens']} tokens ({row['mode']})",
                row.get("error") or row.get("browser_error"),
                "no error",
                False,
            )
    for row in rows:
        if row["mode"] in MODES and row.get("server_update_ms") is not None:
            add(
                f"server update <= 1.5 x forward + 10 ms ({row['mode']}, {row['tokens']} tokens)",
                row["server_update_ms"],
                row["server_update_limit_ms"],
                row["server_update_ms"] <= row["server_update_limit_ms"],
                "ms",
            )
    largest = max(lengths)
    for row in rows:
        if row["mode"] == "cross" and row["tokens"] == largest == 512 and row.get("bytes_per_cell") is not None:
            add(
                f"figure payload <= 16 bytes per heatmap cell at 512 tokens ({row['heatmap_cells']:,} cells)",
                row["bytes_per_cell"],
                16,
                row["bytes_per_cell"] <= 16,
                "B",
            )
    for row in rows:
        if row["mode"] in MODES and row.get("browser_update_ms_p50") is not None:
            limit = {32: 250, 512: 1500}.get(row["tokens"])
            if limit:
                add(
                    f"browser update p50 ({row['mode']}, {row['tokens']} tokens)",
                    row["browser_update_ms_p50"],
                    limit,
                    row["browser_update_ms_p50"] <= limit,
                    "ms",
                )
    if server.get("cold_start_s") is not None:
        add(f"cold start to {server['cold_start_to']}", server["cold_start_s"], 10, server["cold_start_s"] <= 10, "s")
    if display is not None:
        add(
            "display options recompute no embedding (Encoder.encode calls)",
            display["display_only_encode_calls"],
            0,
            display["display_only_encode_calls"] == 0 and display["new_sentence_encode_calls"] == 1,
        )
    if load is not None:
        add("load test errors", load["errors"], 0, load["errors"] == 0)
        if load["update_ms_p95"] is not None:
            add("load test update p95", load["update_ms_p95"], 2000, load["update_ms_p95"] <= 2000, "ms")
    return found


def format_value(value, fmt: str) -> str:
    if value is None:
        return "-"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def print_report(result: dict) -> None:
    rows = result["rows"]
    cells = [[format_value(row.get(key), fmt) for key, _, fmt in COLUMNS] for row in rows]
    heads = [head for _, head, _ in COLUMNS]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    print("  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True)))
    for c in cells:
        print("  ".join(v.rjust(w) for v, w in zip(c, widths, strict=True)))
    print(
        "times in ms, medians; tokens = model positions incl. [CLS]/[SEP]; fwd = bare forward of the same text(s); "
        "update = encode + attend + figure + st.chart; limit = 1.5 x fwd + 10; "
        "brw = browser, typing to redrawn heatmap, split into send (frontend), server (rerun request to chart "
        "message) and draw; script = one whole script run timed inside the server (--probe); "
        "plotly = the same figure JSON drawn by plotly.js alone in a blank page; "
        "toggle = 'transpose' in the browser; gc = one gc.collect(2), which Streamlit runs after "
        "every script run (runner.postScriptGC). bertviz rows: fwd with output_attentions, figure = head_view HTML, "
        "bytes = HTML, brw = Chromium draw."
    )
    for row in rows:
        if row.get("error"):
            print(f"{row['mode']} {row['tokens']} tokens failed in process: {row['error']}")
        if row.get("browser_error"):
            print(f"{row['mode']} {row['tokens']} tokens failed in the browser: {row['browser_error']}")
    server = result.get("server") or {}
    if server:
        print(
            "server{o}: cold start {cs} s to {to} (health {h} s); RSS start {a} MiB, model loaded {b} MiB, "
            "after load test {c} MiB, end {d} MiB, peak {e} MiB".format(
                o=f" with {server['streamlit_options']}" if server.get("streamlit_options") else "",
                cs=server.get("cold_start_s"),
                to=server.get("cold_start_to"),
                h=server.get("health_s"),
                **{
                    k: format_value(server.get(v), "{:.0f}")
                    for k, v in zip(
                        "abcde",
                        ("rss_start_mb", "rss_model_mb", "rss_after_load_mb", "rss_end_mb", "rss_peak_mb"),
                        strict=True,
                    )
                },
            )
        )
    load = result.get("load")
    if load:
        print(
            f"load ({load['client']} clients): {load['sessions']} sessions x {load['changes_per_session']} "
            f"changes ({load['tokens']} tokens): {load['updates_completed']}/{load['updates_expected']} updates, "
            f"{load['errors']} errors, p50 {format_value(load['update_ms_p50'], '{:.0f}')} ms, "
            f"p95 {format_value(load['update_ms_p95'], '{:.0f}')} ms, "
            f"max {format_value(load['update_ms_max'], '{:.0f}')} ms, server RSS peak "
            f"{format_value(load['server_rss_peak_during_mb'], '{:.0f}')} MiB"
        )
        for sample in load["error_samples"]:
            print(f"  error: {sample}")
    display = result.get("display_options")
    if display:
        print(
            "Encoder.encode calls per change on the cross page: "
            + ", ".join(f"{k} {v}" for k, v in display["encode_calls"].items())
        )
    print("targets:")
    for t in result["targets"]:
        value = t["value"]
        shown = f"{value:.1f}" if isinstance(value, float) else str(value)
        limit = f"{t['limit']:.1f}" if isinstance(t["limit"], float) else str(t["limit"])
        print(
            f"  [{'met   ' if t['met'] else 'MISSED'}] {t['target']}: {shown} {t['unit']} (limit {limit} {t['unit']})"
        )
    print(
        f"benchmark took {result['run_s']:.0f} s; load average at start {result['machine']['loadavg_start']}, "
        f"at end {result['machine']['loadavg_end']}"
    )


def save_plot(result: dict, path: str) -> None:
    import plotly.graph_objects as go

    rows = result["rows"]
    fig = go.Figure()
    series = [
        ("cross", "forward_ms", "bare forward, 2 sentences (floor)", "dot"),
        ("cross", "server_update_ms", "server update, cross", "solid"),
        ("self", "server_update_ms", "server update, self", "solid"),
        ("cross", "browser_update_ms_p50", "browser update p50, cross", "dash"),
        ("self", "browser_update_ms_p50", "browser update p50, self", "dash"),
        ("bertviz", "server_update_ms", "BertViz forward + HTML", "solid"),
        ("bertviz", "browser_update_ms_p50", "BertViz browser draw", "dash"),
    ]
    for mode, key, name, dash in series:
        points = [(r["tokens"], r[key]) for r in rows if r["mode"] == mode and r.get(key) is not None]
        if points:
            fig.add_trace(
                go.Scatter(
                    x=[p[0] for p in points],
                    y=[p[1] for p in points],
                    name=name,
                    mode="lines+markers",
                    line=dict(dash=dash),
                )
            )
    for row in rows:
        if row["mode"] == "bertviz" and row.get("browser_error"):
            fig.add_annotation(
                x=math.log10(row["tokens"]),
                y=math.log10(row["server_update_ms"] or 1000),
                text="BertViz: Chromium<br>draws nothing",
                showarrow=True,
                ay=40,
            )
    load = (result.get("machine") or {}).get("loadavg_start")
    fig.add_annotation(
        text=f"load average at start {load}; {os.cpu_count()} CPUs",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.2,
        showarrow=False,
        font=dict(size=10),
    )
    fig.update_xaxes(
        type="log",
        title="sentence length (model positions incl. [CLS]/[SEP])",
        tickvals=sorted({r["tokens"] for r in rows}),
    )
    fig.update_yaxes(type="log", title="milliseconds (median / p50)")
    fig.update_layout(
        title="Attention app: time against sentence length", width=900, height=560, template="plotly_white"
    )
    fig.write_image(path)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m attention.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 and 32 tokens, few repeats, a small load test")
    parser.add_argument("--lengths", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 8,32,128,512")
    parser.add_argument("--repeats", type=int, help="in-process repeats per length (default 20, quick 5)")
    parser.add_argument("--browser-updates", type=int, help="browser updates per length and page (default 12)")
    parser.add_argument("--toggles", type=int, help="'transpose' toggles per length (default 4)")
    parser.add_argument("--bertviz-draws", type=int, help="BertViz draws per length up to 128 (default 3)")
    parser.add_argument("--bertviz-timeout", type=float, default=300, help="seconds before a BertViz draw fails")
    parser.add_argument("--sessions", type=int, help="load test: concurrent sessions (default 30, quick 5)")
    parser.add_argument("--changes", type=int, help="load test: changes per session (default 10, quick 3)")
    parser.add_argument("--load-tokens", type=int, default=32, help="load test sentence length (default 32)")
    parser.add_argument(
        "--think",
        type=lambda s: tuple(float(x) for x in s.split(",")),
        default=(0.3, 1.5),
        metavar="MIN,MAX",
        help="load test: seconds each session pauses between changes, uniformly drawn (default 0.3,1.5)",
    )
    parser.add_argument("--load-deadline", type=float, default=900, help="load test stops after this many seconds")
    parser.add_argument(
        "--load-client",
        choices=["ws", "browser"],
        default="ws",
        help="load test sessions: Streamlit websocket clients (default; cheap, so the server is what is measured) "
        "or Chromium pages (one browser, a context each; on 2 cores the pages compete with the server)",
    )
    parser.add_argument(
        "--streamlit-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="passed to `streamlit run` as --KEY VALUE, e.g. runner.postScriptGC=false (repeatable)",
    )
    parser.add_argument(
        "--probe",
        action="store_true",
        help="time encode, figure, st.plotly_chart and whole script runs inside the server (wrappers installed "
        "by the launcher; the app is unchanged): probe_* columns in the JSON",
    )
    parser.add_argument("--no-browser", action="store_true", help="no Chromium: no browser timings, no BertViz draw")
    parser.add_argument("--no-bertviz", action="store_true")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--no-display-check", action="store_true", help="skip the AppTest encode-count check")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--plot", metavar="PATH", help="PNG of time against length")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "lengths": QUICK_LENGTHS if quick else LENGTHS,
        "repeats": 5 if quick else 20,
        "browser_updates": 3 if quick else 12,
        "toggles": 2 if quick else 4,
        "bertviz_draws": 1 if quick else 3,
        "sessions": 5 if quick else 30,
        "changes": 3 if quick else 10,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.no_browser and args.load_client == "browser":
        args.no_load = True
    try:
        args.streamlit_options = dict(option.split("=", 1) for option in args.streamlit_option)
    except ValueError:
        parser.error("--streamlit-option takes KEY=VALUE")
    for n in args.lengths:
        if not 3 <= n <= 512:
            parser.error(f"lengths must be between 3 and 512 model positions, got {n}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    quiet_streamlit()
    import torch

    from attention.embeddings import load_encoder

    machine = {
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    log(f"loading the model (load average {machine['loadavg_start']})")
    encoder = load_encoder()
    texts = Texts(encoder.tokenizer, seed=0)
    log("warming up (a few updates at every length)")
    for n in args.lengths:
        try:
            measure_server_side(encoder, [texts.make(n)], "self", repeats=1)
        except Exception:  # noqa: BLE001 (the measured run below reports it)
            pass
    rows: list[dict] = []
    for n in args.lengths:
        for mode in MODES:
            sentences = [texts.make(n), texts.make(n)] if mode == "cross" else [texts.make(n)]
            repeats = args.repeats
            log(f"in process: {mode} {n} tokens, {repeats} repeats")
            try:
                row = {"tokens": n, "mode": mode, **measure_server_side(encoder, sentences, mode, repeats)}
            except Exception as error:  # the app failed on this input: a finding, and the run goes on
                message = " ".join(str(error).split())[:240]
                row = {"tokens": n, "mode": mode, "error": f"{type(error).__name__}: {message}"}
                rows.append(row)
                log(f"  FAILED: {row['error']}")
                continue
            rows.append(row)
            log(
                f"  forward {row['forward_ms']:.1f} ms, update {row['server_update_ms']:.1f} ms, "
                f"{row['figure_bytes']:,} bytes"
            )

    bertviz_rows: list[dict] = []
    if not args.no_bertviz:
        try:
            import bertviz  # noqa: F401
        except ImportError:
            log("bertviz is not installed (pip install -r requirements-dev.txt); skipping BertViz")
        else:
            model = load_eager_model()
            CACHE.mkdir(parents=True, exist_ok=True)
            out_dir = Path(tempfile.mkdtemp(prefix="bertviz-html-", dir=CACHE))
            for n in args.lengths:
                repeats = min(args.repeats, 5) if n <= 32 else (3 if n <= 128 else 1)
                log(f"in process: BertViz head view, {n} tokens, {repeats} repeats")
                row = {"tokens": n, "mode": "bertviz", **measure_bertviz(model, texts.make(n), repeats, out_dir)}
                bertviz_rows.append(row)
                log(
                    f"  forward {row['forward_ms']:.1f} ms, HTML {row['figure_ms']:.1f} ms, "
                    f"{row['figure_bytes']:,} bytes"
                )
            del model

    display = None
    if not args.no_display_check:
        log("AppTest: Encoder.encode calls per option change on the cross page")
        display = check_display_options(texts)
        log(f"  {display['encode_calls']}")

    browser: dict = {"server": {}, "updates": {}, "load": None, "bertviz": {}}
    if not (args.no_browser and args.no_load):
        specs = {row["tokens"]: row["_spec"] for row in rows if row["mode"] == "cross" and "_spec" in row}
        browser = asyncio.run(live_phase(args, texts, args.lengths, bertviz_rows, specs))
    for row in rows:
        row.pop("_spec", None)
        row.update(browser["updates"].get((row["tokens"], row["mode"]), {}))
        if row["mode"] == "cross":
            row["plotly_alone_ms"] = browser.get("plotly", {}).get(row["tokens"])
    for row in bertviz_rows:
        row.update(browser["bertviz"].get(row["_tokens"], {}))
        Path(row.pop("_html_path")).unlink(missing_ok=True)
        row.pop("_tokens")
    if bertviz_rows:
        Path(out_dir).rmdir()
    keys = {key for row in rows + bertviz_rows for key in row}
    keys |= {
        "browser_update_ms_p50",
        "browser_update_ms_p95",
        "browser_updates",
        "display_update_ms_p50",
        "browser_error",
        "browser_send_ms",
        "browser_server_ms",
        "browser_render_ms",
        "message_bytes",
        "serialise_ms",
        "json_ms",
        "encode_ms",
        "attend_ms",
        "server_update_limit_ms",
        "server_update_ms_p95",
        "plotly_alone_ms",
        "error",
        *PROBED.values(),
        "probe_script_ms_p95",
    }
    all_rows = sorted(rows + bertviz_rows, key=lambda r: (r["tokens"], ["cross", "self", "bertviz"].index(r["mode"])))
    all_rows = [
        {key: row.get(key) for key in ["tokens", "mode", *sorted(keys - {"tokens", "mode"})]} for row in all_rows
    ]
    machine["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result = {
        "machine": machine,
        "settings": {k: v for k, v in vars(args).items() if k not in ("json", "plot", "streamlit_option")},
        "rows": all_rows,
        "server": browser["server"],
        "load": browser["load"],
        "display_options": display,
    }
    result["targets"] = targets(all_rows, browser["server"], browser["load"], display, args.lengths)
    result["run_s"] = round(time.perf_counter() - started, 1)
    print_report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        log(f"wrote {args.json}")
    if args.plot:
        save_plot(result, args.plot)
        log(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
