"""The Next Word page in a real server and Chromium, for ``bench.next_word``.

- browser_new_ms: from pressing Enter on a new prompt to the moment the map has its columns (drawn);
- browser_head_ms: from choosing another head in the page's own menu to the frame painted with that head's map
  (no server), timed in the page from the menu's change event (``deploy.harness.timed_in_page``);
  browser_head_wall_ms: the same by Playwright's clock, its own work of choosing the option included;
- browser_temperature_ms: from a move of the temperature slider to the bars redrawn (no server).
"""

from __future__ import annotations

import json
import statistics
import time

from bench.common import log, ms_since
from deploy.harness import CHROMIUM_FLAGS, ROOT, StreamlitServer, find_chromium, timed_in_page

MAP = ".next-word .nw-map"
BARS = ".next-word .nw-bars"
HEAD_MENU = ".next-word label[data-setting='decoder_head'] select"
# The map's column labels as drawn (its x values may be positions, the same for two prompts of one length).
LABELS = "selector => JSON.stringify([...document.querySelectorAll(selector + ' .xtick text')].map(n => n.textContent))"


def measure_browser(lengths: list[int], repeats: int) -> dict[int, dict]:
    from playwright.sync_api import sync_playwright

    from attention.decoder import load_decoder
    from bench.next_word import prompt_of

    decoder = load_decoder(fetch=False)
    results: dict[int, dict] = {}
    with StreamlitServer(log_dir=ROOT / "tests" / "artifacts") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{server.url}/Next_Word")
        page.wait_for_selector(f"{MAP} .heatmaplayer", timeout=300_000)
        field = page.get_by_role("textbox", name="Prompt", exact=True)
        for length in lengths:
            new, head, head_wall, temperature = [], [], [], []
            for repeat in range(repeats + 1):  # one warm-up
                prompt = prompt_of(decoder, length, seed=9000 * length + repeat)
                field.fill(prompt)
                before = page.evaluate(LABELS, MAP)
                started = time.perf_counter()
                field.press("Enter")
                page.wait_for_function(
                    f"""([n, before]) => {{
                        const trace = document.querySelector('{MAP}')?.data?.[0];
                        return trace && trace.z.length === n && ({LABELS})('{MAP}') !== before;
                    }}""",
                    arg=[length, before],
                    timeout=120_000,
                    polling="raf",
                )
                new.append(ms_since(started))
                page.wait_for_timeout(800)  # the page's own late messages settle
                choice = repeat % 8 + 1  # another head each time, in the layer shown
                layer = page.evaluate(f"JSON.parse(document.querySelector('{MAP}').dataset.view).layer")
                expected = json.dumps({"layer": layer, "head": choice}).replace(" ", "")
                in_page, wall = timed_in_page(
                    page,
                    f"document.querySelector('{MAP}').dataset.view.replace(/ /g, '') === {json.dumps(expected)}",
                    lambda: page.select_option(HEAD_MENU, str(choice)),  # noqa: B023 (called at once)
                )
                head.append(in_page)
                head_wall.append(wall)
                draws = int(page.locator(BARS).get_attribute("data-draws"))
                now = page.evaluate(
                    "Number(document.querySelector('.next-word label[data-setting=\"next_temperature\"] input').value)"
                )
                value = next(t for t in (0.5, 0.7, 0.9, 1.3) if abs(t - now) > 1e-6)  # a move, never the same value
                started = time.perf_counter()
                page.evaluate(
                    """t => {
                        const input = document.querySelector('.next-word label[data-setting="next_temperature"] input');
                        input.value = t;
                        input.dispatchEvent(new Event("input", { bubbles: true }));
                    }""",
                    value,
                )
                page.wait_for_function(
                    f"n => Number(document.querySelector('{BARS}').dataset.draws) > n",
                    arg=draws,
                    timeout=30_000,
                    polling="raf",
                )
                temperature.append(ms_since(started))
                page.select_option(HEAD_MENU, "0")
            results[length] = {
                "browser_new_ms": statistics.median(new[1:]),
                "browser_head_ms": statistics.median(head[1:]),
                "browser_head_wall_ms": statistics.median(head_wall[1:]),
                "browser_temperature_ms": statistics.median(temperature[1:]),
            }
            log(f"next word, browser, {length} tokens: {results[length]}")
        browser.close()
    return results
