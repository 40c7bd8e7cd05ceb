"""python -m bench.next_word: how fast the Next Word page's language model is, in process and in a real browser.

    python -m bench.next_word [--lengths 32,128] [--repeats 5] [--no-browser]

Rows per prompt length (in the model's tokens):

- forward_ms: the floor, the bare model (``model(ids)`` under ``torch.inference_mode``, the eager attention,
  no attention maps asked for) on one thread, as the app's server runs it on two cores;
- run_ms: ``Decoder.run``: tokenizer, the forward pass with every map, the maps and predictions as numpy;
- browser_new_ms: a real ``streamlit run`` server and Chromium, from pressing Enter on a new prompt to the
  moment the page shows its next word (``bench.next_word_browser``, when the page's script provides it);
- browser_head_ms / browser_temperature_ms: a head change and a temperature change drawn in the browser.

Also: loading the model from the converted cache in a new process (``load_ms``, the whole ``load_decoder``),
the memory it adds to a process (RSS before and after), and what each of two processes forked after loading
it adds (PSS after one forward pass each: the weights are shared). Medians over --repeats runs; a table on
stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

from bench.common import log, ms_since
from deploy.harness import ROOT, pss_mb, rss_mb

WORDS = (
    "the cat dog house tree river city school teacher student book table window garden summer winter morning "
    "evening friend family mother father child water bread coffee music street car train market small big "
    "old new red green blue happy quiet every little long short beautiful yesterday today tomorrow"
).split()
LOAD_SCRIPT = """
import json, time
started = time.perf_counter()
import torch, transformers  # the app's server has imported both before it opens the Next Word page
from attention.decoder import load_decoder
imported = time.perf_counter()
decoder = load_decoder(fetch=False)
print(json.dumps({"import_ms": (imported - started) * 1000, "load_ms": (time.perf_counter() - imported) * 1000}))
"""


def prompt_of(decoder, tokens: int, seed: int) -> str:
    """An English prompt of exactly ``tokens`` tokens (each of these words is one token after a space)."""
    rng = random.Random(seed)
    words = ["The"]
    while len(decoder.tokenize(" ".join(words))[0]) < tokens:
        words.append(rng.choice(WORDS))
    while len(decoder.tokenize(" ".join(words))[0]) > tokens:
        words.pop()
    return " ".join(words)


def load_in_new_process(repeats: int) -> dict:
    """The median time of ``load_decoder`` from the cache, each in a new Python, and apart the time to import
    torch and transformers first (which the app's server has done before anyone opens the page)."""
    times = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c", LOAD_SCRIPT], cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        times.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(time[key] for time in times) for key in ("import_ms", "load_ms")}


def shared_memory(decoder, prompt: str, children: int = 2) -> list[float]:
    """The PSS (MiB) of ``children`` processes forked after the model loaded, each after one forward pass:
    what each process of a lecture hall adds, the weights being shared."""
    reads, pids = [], []
    for _ in range(children):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: one pass, say so, then wait to be measured
            os.close(read)
            decoder.run(prompt)
            os.write(write, b"1")
            time.sleep(30)
            os._exit(0)
        os.close(write)
        reads.append(read)
        pids.append(pid)
    for read in reads:
        os.read(read, 1)
    sizes = [pss_mb(pid) or 0.0 for pid in pids]
    for pid in pids:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return sizes


def in_process(lengths: list[int], repeats: int) -> tuple[dict, list[dict]]:
    """Loading, memory, the floor and the server's side of a new prompt."""
    import torch

    from attention.decoder import load_decoder

    torch.set_num_threads(1)
    loaded = load_in_new_process(max(3, repeats // 2))
    before = rss_mb(os.getpid())
    decoder = load_decoder(fetch=False)
    loaded["rss_added_mib"] = rss_mb(os.getpid()) - before
    rows = []
    for length in lengths:
        forward, run = [], []
        for repeat in range(repeats + 1):  # one warm-up
            prompt = prompt_of(decoder, length, seed=1000 * length + repeat)
            ids = torch.tensor([decoder.tokenize(prompt)[0]])
            started = time.perf_counter()
            with torch.inference_mode():
                decoder.model(ids)
            forward.append(ms_since(started))
            started = time.perf_counter()
            decoder.run(prompt)
            run.append(ms_since(started))
        rows.append(
            {"length": length, "forward_ms": statistics.median(forward[1:]), "run_ms": statistics.median(run[1:])}
        )
        log(f"next word, in process, {length} tokens: {rows[-1]}")
    loaded["forked_pss_mib"] = shared_memory(decoder, prompt_of(decoder, 32, seed=1))
    return loaded, rows


def in_browser(lengths: list[int], repeats: int) -> dict[int, dict]:
    """The page's own rows, measured in Chromium by ``bench.next_word_browser`` when it exists."""
    try:
        from bench.next_word_browser import measure_browser
    except ImportError:
        log("next word: no browser rows (bench/next_word_browser.py is missing)")
        return {}
    return measure_browser(lengths, repeats)


def measure(lengths: list[int], repeats: int, browser: bool = True) -> dict:
    """Every figure of this module, as the JSON of ``python -m bench`` keeps them under "next_word"."""
    from deploy.harness import find_chromium

    loaded, rows = in_process(lengths, repeats)
    seen = in_browser(lengths, repeats) if browser and find_chromium() else {}
    for row in rows:
        row.update(seen.get(row["length"], {}))
    return {**loaded, "rows": rows}


def print_table(result: dict) -> None:
    """The Next Word page's rows as a Markdown table (after the loading time and memory)."""
    forked = ", ".join(f"{size:.0f}" for size in result.get("forked_pss_mib", []))
    print(
        f"SmolLM2-135M-Instruct: loaded from the cache in {result['load_ms']:.0f} ms (in a new process, after "
        f"importing torch and transformers: {result['import_ms']:.0f} ms), "
        f"{result['rss_added_mib']:.0f} MiB added to a process; processes forked after it add {forked} MiB (PSS)\n"
    )
    keys = ("browser_new_ms", "browser_head_ms", "browser_temperature_ms")
    print("| tokens | forward (floor) | run | new prompt, browser | head change, browser | temperature, browser |")
    print("|---:|---:|---:|---:|---:|---:|")
    for row in result["rows"]:
        cells = [f"{row[key]:.0f} ms" if row.get(key) is not None else "-" for key in keys]
        print(f"| {row['length']} | {row['forward_ms']:.0f} ms | {row['run_ms']:.0f} ms | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.next_word", description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="32,128", help="prompt lengths in tokens, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="in-process rows only")
    args = parser.parse_args(argv)
    print_table(measure([int(n) for n in args.lengths.split(",")], args.repeats, not args.no_browser))
    return 0


if __name__ == "__main__":
    sys.exit(main())
