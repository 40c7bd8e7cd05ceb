"""Small helpers every part of the benchmark uses: progress on stderr, timers, percentiles."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "attention-bench"
"""BertViz's scripts from npm and its HTML pages while they are measured."""


def log(message: str) -> None:
    """Progress, on stderr (the report goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


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


def format_value(value, fmt: str) -> str:
    if value is None:
        return "-"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


# --- the pages whose rows are a payload and browser changes (bench/heads.py, bench/compare.py) -----------------


def page_rows(payload_rows: dict[int, dict], browser_rows: dict[int, dict], lengths: list[int]) -> dict:
    """A page's figures as ``python -m bench``'s JSON keeps them: one row per length, the payload's and the
    browser's figures together."""
    return {"rows": [{"length": length, **payload_rows[length], **browser_rows.get(length, {})} for length in lengths]}


def page_table(result: dict, payload: str, columns: dict[str, str]) -> list[str]:
    """A page's rows as a Markdown table: the tokens, the payload (KiB, headed ``payload``), then one column of
    milliseconds per figure (``columns``: key -> heading; "-" where it was not measured)."""
    lines = [
        f"| tokens | {payload} | " + " | ".join(columns.values()) + " |",
        "|---:|---:|" + "---:|" * len(columns),
    ]
    for row in result["rows"]:
        cells = [f"{row[key]:,.0f} ms" if row.get(key) is not None else "-" for key in columns]
        lines.append(f"| {row['tokens']} | {row['payload_kib']:,.0f} KiB | " + " | ".join(cells) + " |")
    return lines


def page_main(argv: list[str] | None, prog: str, doc: str, measure, table_lines) -> int:
    """The command line of such a page's benchmark: --lengths, --repeats, --no-browser; its table on stdout."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    parser.add_argument("--lengths", default="32,128", help="sentence lengths in tokens, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="the payload's size only")
    args = parser.parse_args(argv)
    result = measure([int(n) for n in args.lengths.split(",")], args.repeats, browser=not args.no_browser)
    print("\n".join(table_lines(result)))
    return 0
