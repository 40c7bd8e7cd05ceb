"""python -m bench.compare: how fast the Compare page answers a display change, in a real browser.

    python -m bench.compare [--lengths 32,128] [--repeats 5]

Rows per sentence length (in the default model's tokens, [CLS] and [SEP] included), the page comparing two
temperatures of one sentence (so that there are three maps: A, B and B − A):

- payload_kib: the bytes of both sides' scores and the difference's labels (``compare_figures.comparison_payload``);
- browser_transpose_ms, browser_fit_ms, browser_temperature_ms: a real ``streamlit run`` server and Chromium, from
  the click on "transpose" or "fit the colours", or a move of the temperature slider, in the compare chart's own
  controls to the first frame painted with all three maps redrawn (the chart's own timing, ``sinceChangeMs``):
  the browser's drawing alone, with no round trip.

And the page comparing the identity (A) with a real head (B), where the chart holds every head's scores of B
(``attention.compare.every_head``; up to ``EVERY_HEAD_CELLS`` of them, else "-"):

- head_payload_kib: that page's payload;
- browser_head_ms, browser_layer_ms: from a move of the chart's "B's head" or "Layer of B's head" slider to the first
  frame painted with B and B − A redrawn, with no round trip.

Medians over --repeats changes after one warm-up; a table on stdout, progress on stderr.
"""

from __future__ import annotations

import statistics
import sys
from urllib.parse import urlencode

from bench.common import log, page_main, page_rows, page_table
from bench.heads import sentence_of
from deploy.harness import CHROMIUM_FLAGS, ROOT, SLIDE_TO, StreamlitServer, find_chromium

CHART = ".attention-compare"
CONTROL = ".attention-live-controls label[data-setting='{}'] input"
QUERY = {"compare_kind": "settings", "compare_attention": "self", "compare_setting": "temperature"}
QUERY["temperature_b"] = 0.5
HEAD_QUERY = {**QUERY, "compare_setting": "projection", "layer_b": 6, "head_b": 0}


def payload_kib(lengths: list[int]) -> dict[int, dict]:
    """The size of the page's payload and the real token count at each length."""
    from attention import load_encoder
    from attention.compare import SideB, compare, two_sides
    from attention.compare_figures import comparison_data, comparison_payload, pins
    from attention.options import FigureOptions, Projection, Settings

    encoder = load_encoder()
    head = Projection("head", layer=HEAD_QUERY["layer_b"], head=HEAD_QUERY["head_b"])
    side_b = SideB("settings", "temperature", QUERY["temperature_b"])
    head_b = SideB("settings", "projection", head=head)
    found = {}
    for length in lengths:
        sentence = sentence_of(length)
        sizes = []
        for b in (side_b, head_b):
            sides = two_sides("self", {"sentence": sentence, "sentence_b": sentence}, Settings(), b)
            comparison = compare((encoder, encoder), sides, (encoder.encode_layers,) * 2, every_head_of_b=True)
            sizes.append(len(comparison_payload(comparison_data(comparison, FigureOptions(), pins(b)))) / 1024)
        found[length] = {
            "tokens": len(comparison.a.query_tokens),
            "payload_kib": sizes[0],
            "head_payload_kib": sizes[1],
        }
    return found


def in_browser(lengths: list[int], repeats: int) -> dict[int, dict]:
    """Each length's page once, then transpose, fitted colours and temperature changes timed until painted."""
    from playwright.sync_api import sync_playwright

    results: dict[int, dict] = {}
    with StreamlitServer(log_dir=ROOT / "tests" / "artifacts") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})

        def change(setting: str, position: int | None = None) -> float:
            """Click a box (or move the slider to ``position``); the ms from the event to the painted maps."""
            before = page.evaluate(f"Number(document.querySelector('{CHART}').dataset.draws)")
            control = page.locator(CONTROL.format(setting))
            if position is None:
                control.click()
            else:
                control.evaluate(SLIDE_TO, position)
            page.wait_for_function(
                f"n => Number(document.querySelector('{CHART}').dataset.draws) > n", arg=before, timeout=30_000
            )
            page.wait_for_timeout(300)  # the server's rerun after the change (it keeps the display) is not timed
            return page.evaluate(f"document.querySelector('{CHART}').drawTimings.at(-1).sinceChangeMs")

        for length in lengths:
            page.goto(f"{server.url}/Compare?" + urlencode({**QUERY, "sentence": sentence_of(length)}))
            page.wait_for_function(f"Number(document.querySelector('{CHART}')?.dataset.draws) >= 1", timeout=120_000)
            page.wait_for_timeout(1_500)  # the page's own late messages
            transposes, fits, temperatures = [], [], []
            for repeat in range(repeats + 1):  # one warm-up
                transposes.append(change("transpose"))
                fits.append(change("fit_colors"))
                temperatures.append(change("temperature", 150 if repeat % 2 else 250))
            results[length] = {
                "browser_transpose_ms": statistics.median(transposes[1:]),
                "browser_fit_ms": statistics.median(fits[1:]),
                "browser_temperature_ms": statistics.median(temperatures[1:]),
            }
            page.goto(f"{server.url}/Compare?" + urlencode({**HEAD_QUERY, "sentence": sentence_of(length)}))
            page.wait_for_function(f"Number(document.querySelector('{CHART}')?.dataset.draws) >= 1", timeout=120_000)
            page.wait_for_timeout(1_500)
            if page.locator(CONTROL.format("head_b")).count():  # B holds every head: the chart switches them
                heads, layers = [], []
                for repeat in range(repeats + 1):
                    heads.append(change("head_b", 1 + repeat % 2))
                    layers.append(change("layer_b", 4 + repeat % 2))
                results[length]["browser_head_ms"] = statistics.median(heads[1:])
                results[length]["browser_layer_ms"] = statistics.median(layers[1:])
            log(f"compare, browser {length}: {results[length]}")
        browser.close()
    return results


def measure(lengths: list[int], repeats: int, browser: bool = True) -> dict:
    """Every figure of this module, as the JSON of ``python -m bench`` keeps them under "compare"."""
    seen = in_browser(lengths, repeats) if browser and find_chromium() else {}
    return page_rows(payload_kib(lengths), seen, lengths)


COLUMNS = {
    "browser_transpose_ms": "transpose, browser",
    "browser_fit_ms": "fit colours, browser",
    "browser_temperature_ms": "temperature, browser",
}
HEAD_COLUMNS = {"browser_head_ms": "B's head, browser", "browser_layer_ms": "B's layer, browser"}


def table_lines(result: dict) -> list[str]:
    """The page's rows as Markdown tables: two temperatures, then (in a run that measured it) the identity and a
    real head."""
    rows = result["rows"]
    lines = page_table(result, "payload (both sides)", COLUMNS)
    if all("head_payload_kib" in row for row in rows):
        heads = {"rows": [{**row, "payload_kib": row["head_payload_kib"]} for row in rows]}
        lines += ["", *page_table(heads, "payload (B's every head)", HEAD_COLUMNS)]
    return lines


def main(argv: list[str] | None = None) -> int:
    return page_main(argv, "python -m bench.compare", __doc__, measure, table_lines)


if __name__ == "__main__":
    sys.exit(main())
