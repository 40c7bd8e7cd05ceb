"""python -m bench.translation: how fast the Translation page is, in process and in a real browser.

    python -m bench.translation [--lengths 8,32,128] [--repeats 5]

Rows per source length (in the translator's pieces, ``</s>`` included):

- translate_ms: ``Translator.cross_attention`` for a new sentence (encoder, greedy decoder, every map);
- figure_ms: ``translation_figures.translation_figure`` and its JSON (before the live map, what a head change
  cost the server; now what a download of the figure costs it);
- browser_new_ms: a real ``streamlit run`` server and Chromium, from pressing Enter on a new sentence to
  the moment the map's columns are the new translation's pieces (translate and draw);
- browser_head_ms: from choosing another head (in the live map's menu), once the page has settled after the new
  sentence, to the frame painted once the map's title names it: drawn by the browser from the maps it has, with
  no round trip, timed in the page from the menu's change event (``deploy.harness.timed_in_page``);
  browser_head_wall_ms: the same by Playwright's clock, its own work of choosing the option included.

Also the memory both translators add to a process (RSS before and after loading them) and the loading
time. Medians over --repeats runs; a table on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import statistics
import sys
import time

from bench.common import log, ms_since
from deploy.harness import CHROMIUM_FLAGS, ROOT, StreamlitServer, find_chromium, rss_mb, timed_in_page

WORDS = (
    "the cat dog house tree river city school teacher student book table window garden summer winter morning "
    "evening friend family mother father child water bread coffee music street car train city market small big "
    "old new red green blue happy quiet every little long short beautiful yesterday today tomorrow"
).split()
FIGURE_COLUMN_LABELS = "() => [...document.querySelectorAll('.js-plotly-plot .xtick text')].map(n => n.textContent)"
FIGURE_TITLE = "() => (document.querySelector('.js-plotly-plot .gtitle') || {}).textContent || ''"
HEAD_MENU = ".head-map label[data-setting='head'] select"  # the live map's head (webapp/head_map_chart.js)


def sentence_of(translator, pieces: int, seed: int) -> str:
    """An English sentence of about ``pieces`` source pieces (``</s>`` included), new for every seed."""
    rng = random.Random(seed)
    words: list[str] = []
    while len(translator.tokenize(" ".join(words) or "a").tokens) < pieces:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def in_process(lengths: list[int], repeats: int) -> tuple[dict, list[dict]]:
    """Loading, memory, and the server's side of a new sentence and of a head change."""
    import os

    from attention.translation import load_translator
    from attention.translation_figures import translation_figure

    before = rss_mb(os.getpid())
    started = time.perf_counter()
    translator = load_translator("en-pt")
    load_translator("pt-en")
    loaded = {"load_ms": ms_since(started), "rss_added_mib": rss_mb(os.getpid()) - before}
    rows = []
    for length in lengths:
        translate, figure, pieces = [], [], []
        for repeat in range(repeats + 1):  # one warm-up
            text = sentence_of(translator, length, seed=1000 * length + repeat)
            started = time.perf_counter()
            run = translator.cross_attention(text)
            translate.append(ms_since(started))
            started = time.perf_counter()
            json.dumps(translation_figure(run, 1, 3).to_plotly_json(), default=lambda a: a.tolist())
            figure.append(ms_since(started))
            pieces.append(len(run.source_tokens))
        rows.append(
            {
                "length": length,
                "source_pieces": statistics.median(pieces[1:]),
                "translate_ms": statistics.median(translate[1:]),
                "figure_ms": statistics.median(figure[1:]),
            }
        )
    return loaded, rows


def in_browser(lengths: list[int], repeats: int) -> dict[int, dict]:
    """A real server and Chromium: a new sentence typed, and a head chosen, until the page shows them."""
    from playwright.sync_api import sync_playwright

    from attention.embeddings import without_word_mark
    from attention.style import axis_labels
    from attention.translation import load_translator

    translator = load_translator("en-pt")
    results: dict[int, dict] = {}
    with StreamlitServer(log_dir=ROOT / "tests" / "artifacts") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{server.url}/Translation")
        page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
        field = page.get_by_role("textbox", name="Sentence to translate", exact=True)
        for length in lengths:
            new, head, head_wall = [], [], []
            for repeat in range(repeats + 1):  # one warm-up
                text = sentence_of(translator, length, seed=7000 * length + repeat)
                pieces = [without_word_mark(piece) for piece in translator.cross_attention(text).target_tokens]
                first = html.unescape(axis_labels(pieces)[0])  # as the page labels it ("0 · o" when repeated)
                field.fill(text)
                started = time.perf_counter()
                field.press("Enter")
                page.wait_for_function(
                    f"() => ({FIGURE_COLUMN_LABELS})().includes({json.dumps(first)})", timeout=60_000
                )
                new.append(ms_since(started))
                page.wait_for_timeout(800)  # the page's own late messages settle (as bench.next_word waits)
                choice = repeat % 7 + 1  # another head each time, chosen in the live map's own menu
                page.wait_for_selector(HEAD_MENU, timeout=60_000)
                in_page, wall = timed_in_page(
                    page,
                    f"({FIGURE_TITLE})().includes('head {choice}')",
                    lambda: page.select_option(HEAD_MENU, str(choice)),  # noqa: B023 (called at once)
                    timeout_ms=60_000,
                )
                head.append(in_page)
                head_wall.append(wall)
                page.select_option(HEAD_MENU, "0")
                page.wait_for_function(f"() => ({FIGURE_TITLE})().includes('alignment')", timeout=60_000)
            results[length] = {
                "browser_new_ms": statistics.median(new[1:]),
                "browser_head_ms": statistics.median(head[1:]),
                "browser_head_wall_ms": statistics.median(head_wall[1:]),
            }
            log(f"browser {length}: {results[length]}")
        browser.close()
    return results


def measure(lengths: list[int], repeats: int, browser: bool = True) -> dict:
    """Every figure of this module, as the JSON of ``python -m bench`` keeps them under "translation"."""
    loaded, rows = in_process(lengths, repeats)
    seen = in_browser(lengths, repeats) if browser and find_chromium() else {}
    for row in rows:
        row.update(seen.get(row["length"], {}))
    return {**loaded, "rows": rows}


def print_table(result: dict) -> None:
    """The Translation page's rows as a Markdown table (after the loading time and memory)."""
    print(f"both translators: loaded in {result['load_ms']:.0f} ms, {result['rss_added_mib']:.0f} MiB added\n")
    print("| source pieces | translate | figure (server) | new sentence, browser | head change, browser |")
    print("|---:|---:|---:|---:|---:|")
    for row in result["rows"]:
        cells = [f"{row[key]:.0f} ms" if key in row else "-" for key in ("browser_new_ms", "browser_head_ms")]
        print(
            f"| {row['source_pieces']:.0f} | {row['translate_ms']:.0f} ms | {row['figure_ms']:.0f} ms | "
            + " | ".join(cells)
            + " |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.translation", description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="8,32,128", help="source lengths in pieces, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="in-process rows only")
    args = parser.parse_args(argv)
    print_table(measure([int(n) for n in args.lengths.split(",")], args.repeats, not args.no_browser))
    return 0


if __name__ == "__main__":
    sys.exit(main())
