"""python -m bench.heads: how fast the Model heads page answers a change of layer, head or average, in a real
browser.

    python -m bench.heads [--lengths 32,128] [--repeats 5]

Rows per sentence length (in the default model's tokens, [CLS] and [SEP] included):

- payload_kib: the bytes of every layer's and head's map the page sends once (``heads_figures.payload``);
- browser_head_ms, browser_layer_ms, browser_average_ms: a real ``streamlit run`` server and Chromium, from
  choosing another head, layer or the layer's average in the live map's own controls to the frame painted once
  the map is drawn for it (``data-view`` of the map, set after ``Plotly.react``), timed in the page from the
  control's change event (``deploy.harness.timed_in_page``): the browser's drawing alone, with no round trip;
- browser_wall_ms: the same changes by Playwright's clock, which adds its own work of finding and moving the
  control (all kinds of change together).

Medians over --repeats changes after one warm-up; a table on stdout, progress on stderr.
"""

from __future__ import annotations

import statistics
import sys
from urllib.parse import urlencode

from bench.common import log, page_main, page_rows, page_table
from deploy.harness import (
    CHROMIUM_FLAGS,
    HEAD_MAP,
    ROOT,
    StreamlitServer,
    find_chromium,
    head_map_shows,
    move_on_head_map,
    timed_in_page,
)

WORDS = (
    "the teacher reads a long story to the children in the quiet classroom while rain falls on the old school "
    "and every student listens because the story is about a small dog that crosses the river"
).split()
MAP = HEAD_MAP


def sentence_of(tokens: int) -> str:
    """A sentence of about ``tokens`` tokens of the default model (its words are mostly one piece each)."""
    words = (WORDS * (tokens // len(WORDS) + 1))[: max(tokens - 2, 1)]
    return " ".join(words)


def payload_kib(lengths: list[int]) -> dict[int, dict]:
    """The size of the page's payload and the real token count at each length."""
    from attention import load_encoder
    from attention.heads import run_model
    from attention.heads_figures import payload

    encoder = load_encoder()
    found = {}
    for length in lengths:
        run = run_model(encoder, sentence_of(length))
        found[length] = {"tokens": len(run.tokens), "payload_kib": len(payload(run.attentions, run.tokens)) / 1024}
    return found


def in_browser(lengths: list[int], repeats: int) -> dict[int, dict]:
    """Each length's page once, then head, layer and average changes timed until the map is drawn."""
    from playwright.sync_api import sync_playwright

    results: dict[int, dict] = {}
    with StreamlitServer(log_dir=ROOT / "tests" / "artifacts") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})

        def change(setting: str, value, expected: dict) -> float:
            in_page, wall = timed_in_page(
                page, head_map_shows(expected), lambda: move_on_head_map(page, setting, value)
            )
            walls.append(wall)
            return in_page

        for length in lengths:
            page.goto(f"{server.url}/Model_Heads?" + urlencode({"sentence": sentence_of(length)}))
            page.wait_for_selector(f"{MAP} .heatmaplayer", timeout=120_000)
            page.wait_for_timeout(1_500)  # the page's own late messages
            heads, layers, averages, walls = [], [], [], []
            layer = 0
            for repeat in range(repeats + 1):  # one warm-up
                head = repeat % 11 + 1
                heads.append(change("head", head, {"layer": layer, "head": head, "transpose": False}))
                layer = (layer + 5) % 12
                layers.append(change("layer", layer, {"layer": layer, "head": head, "transpose": False}))
                averages.append(change("average", True, {"layer": layer, "head": None, "transpose": False}))
                change("average", False, {"layer": layer, "head": head, "transpose": False})
            results[length] = {
                "browser_head_ms": statistics.median(heads[1:]),
                "browser_layer_ms": statistics.median(layers[1:]),
                "browser_average_ms": statistics.median(averages[1:]),
                "browser_wall_ms": statistics.median(walls[4:]),  # Playwright's clock, the warm-up's 4 left out
            }
            log(f"model heads, browser {length}: {results[length]}")
        browser.close()
    return results


def measure(lengths: list[int], repeats: int, browser: bool = True) -> dict:
    """Every figure of this module, as the JSON of ``python -m bench`` keeps them under "heads"."""
    seen = in_browser(lengths, repeats) if browser and find_chromium() else {}
    return page_rows(payload_kib(lengths), seen, lengths)


COLUMNS = {
    "browser_head_ms": "head change, browser",
    "browser_layer_ms": "layer change, browser",
    "browser_average_ms": "average, browser",
    "browser_wall_ms": "any change, Playwright's clock",
}


def table_lines(result: dict) -> list[str]:
    """The page's rows as a Markdown table."""
    return page_table(result, "payload (every head)", COLUMNS)


def main(argv: list[str] | None = None) -> int:
    return page_main(argv, "python -m bench.heads", __doc__, measure, table_lines)


if __name__ == "__main__":
    sys.exit(main())
