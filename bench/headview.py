"""BertViz's head view, for comparison: its forward pass and HTML in process, and Chromium drawing
that HTML (its d3, jQuery and RequireJS come from the npm registry, cached, served by request routing:
this machine cannot reach the CDNs the HTML names)."""

from __future__ import annotations

import asyncio
import subprocess
import tarfile
import time
from pathlib import Path

from bench.browser import new_context
from bench.common import CACHE, log, median, ms_since, percentile
from bench.texts import Sentence

# What BertViz's head view asks the CDNs for, and what the npm registry has of it:
# jQuery 2.0.0 was never published to npm, so 2.1.0 (the next 2.x release) stands in.
BERTVIZ_ASSETS = {
    "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js": ("requirejs@2.3.6", "package/require.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/d3/5.7.0/d3.min.js": ("d3@5.7.0", "package/dist/d3.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/2.0.0/jquery.min.js": ("jquery@2.1.0", "package/dist/jquery.min.js"),
}
# V8's String::kMaxLength on 64-bit (2**29 - 24 characters): a longer inline script never runs.
V8_MAX_STRING = 2**29 - 24


def load_eager_model():
    """The same model with eager attention, so it can return its attention weights."""
    from sentence_transformers import SentenceTransformer

    from attention.models import english_model_path

    model = SentenceTransformer(english_model_path(), device="cpu", model_kwargs={"attn_implementation": "eager"})
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


def bertviz_assets() -> dict[str, bytes]:
    """The CDN files BertViz's HTML loads, from the npm registry (`npm pack`), cached."""

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
