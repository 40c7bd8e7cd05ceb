"""A class-length soak through a lecture hall: many sessions for a long time, memory watched throughout.

    python -m bench.soak --processes 2 --sessions 40 --minutes 30

Starts ``deploy.lecture_hall`` (nginx in front of --processes app processes), opens --sessions sessions
through nginx (bench.hall's HallSession: the page, the health check, the websocket, as a browser does),
and lets each change its sentences with a pause of --think seconds (uniform) between changes until
--minutes have passed. Every --sample-s seconds it reads each app process's memory from
/proc/PID/smaps_rollup: RSS, PSS (shared pages divided among the processes that map them) and USS (its
private pages). It prints the memory curve, each process's growth after warm-up (the first sample once
--warm-up of the run has passed), the errors, and, after every client has left, the server's count of
active sessions (Streamlit's /_stcore/metrics): sessions that close must be freed.

Verdicts: growth < 5 % after warm-up, 0 errors, 0 sessions left.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import sys
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):  # python bench/soak.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.hall import load_through
from deploy.lecture_hall import LectureHall

MAX_GROWTH = 0.05  # of the memory after warm-up


def smaps_mib(pid: int) -> dict[str, float] | None:
    """RSS, PSS and USS (private clean + dirty) of a process in MiB, from /proc/PID/smaps_rollup."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    kib = {name: int(value) for name, value in re.findall(r"^(\w+):\s+(\d+) kB", text, re.M)}
    return {
        "rss": kib.get("Rss", 0) / 1024,
        "pss": kib.get("Pss", 0) / 1024,
        "uss": (kib.get("Private_Clean", 0) + kib.get("Private_Dirty", 0)) / 1024,
    }


def active_sessions(port: int) -> int | None:
    """The app process's count of active sessions (Streamlit's metrics endpoint), or None."""
    try:
        url = f"http://127.0.0.1:{port}/_stcore/metrics?families=active_sessions"
        with urllib.request.urlopen(url, timeout=10) as answer:
            text = answer.read().decode()
    except OSError:
        return None
    found = re.search(r"^active_sessions\s+(\d+)", text, re.M)
    return int(found.group(1)) if found else None


async def sample_memory(hall: LectureHall, every_s: float, samples: list[dict], started: float) -> None:
    """Append each app process's memory to ``samples`` every ``every_s`` seconds, until cancelled."""
    while True:
        row = {"minute": (time.perf_counter() - started) / 60}
        for server in hall.servers:
            row[server.port] = smaps_mib(server.process.pid) if server.process else None
        samples.append(row)
        await asyncio.sleep(every_s)


def growth(samples: list[dict], port: int, after_minute: float, kind: str) -> tuple[float, float, float] | None:
    """(value at warm-up, last value, growth as a fraction) of one process's ``kind`` of memory."""
    values = [(row["minute"], row[port][kind]) for row in samples if row.get(port)]
    warm = next((value for minute, value in values if minute >= after_minute), None)
    if warm is None or not values:
        return None
    last = values[-1][1]
    return warm, last, (last - warm) / warm


async def soak(args: argparse.Namespace) -> dict:
    hall = LectureHall(args.processes, log=lambda message: print(f"  hall: {message}", flush=True)).start()
    ports = [server.port for server in hall.servers]
    samples: list[dict] = []
    started = time.perf_counter()
    sampler = asyncio.create_task(sample_memory(hall, args.sample_s, samples, started))
    mean_think = sum(args.think) / 2
    changes = max(1, math.ceil(args.minutes * 60 / (mean_think + 0.3)))
    try:
        result, checks = await load_through(
            hall.url,
            args.sessions,
            changes,
            tokens=args.tokens,
            think_s=args.think,
            deadline_s=args.minutes * 60 * 1.5 + 300,
            update_timeout_s=60,
            log=lambda message: print(message, flush=True),
        )
        sampler.cancel()
        left = {}
        for _ in range(60):  # the clients have closed their websockets: wait for the server to drop them
            left = {port: active_sessions(port) for port in ports}
            if all(count == 0 for count in left.values()):
                break
            await asyncio.sleep(1)
        dead = hall.dead()
    finally:
        sampler.cancel()
        hall.stop()
    warm_minute = args.minutes * args.warm_up
    report = {
        "processes": args.processes,
        "sessions": args.sessions,
        "minutes": args.minutes,
        "think_s": list(args.think),
        "load": result.summary(),
        "stickiness": {key: value for key, value in checks.items() if key != "stickiness_problems"},
        "stickiness_problems": checks["stickiness_problems"][:10],
        "sessions_left": left,
        "dead": dead,
        "growth": {
            str(port): {kind: growth(samples, port, warm_minute, kind) for kind in ("pss", "uss", "rss")}
            for port in ports
        },
        "samples": [{"minute": round(row["minute"], 2), **{str(p): row.get(p) for p in ports}} for row in samples],
    }
    return report


def print_report(report: dict, warm_up: float) -> bool:
    ports = list(report["growth"])
    print(f"\nmemory curve (MiB per app process: PSS / USS / RSS), warm-up after {warm_up:.0%} of the run")
    print("minute  " + "  ".join(f"{'port ' + p:>24}" for p in ports))
    for row in report["samples"]:
        cells = [row.get(p) for p in ports]
        print(
            f"{row['minute']:6.1f}  "
            + "  ".join(f"{c['pss']:7.0f} /{c['uss']:7.0f} /{c['rss']:7.0f}" if c else f"{'-':>24}" for c in cells)
        )
    ok = True
    print("\ngrowth after warm-up (warm -> last):")
    for port, kinds in report["growth"].items():
        parts = []
        for kind, found in kinds.items():
            if found is None:
                parts.append(f"{kind} -")
                ok = False
                continue
            warm, last, fraction = found
            parts.append(f"{kind} {warm:.0f} -> {last:.0f} MiB ({fraction:+.1%})")
            if kind in ("pss", "uss") and fraction >= MAX_GROWTH:
                ok = False
        print(f"  port {port}: " + ", ".join(parts))
    load = report["load"]
    print(
        f"\nchanges: {load['updates_completed']} of {load['updates_expected']} planned, "
        f"p50 {load['update_ms_p50']} ms, p95 {load['update_ms_p95']} ms; errors {load['errors']}; "
        f"sessions per process {report['stickiness']['sessions_per_upstream']}"
    )
    for sample in load["error_samples"]:
        print(f"  error: {sample}")
    print(f"sessions left on the server after every client left: {report['sessions_left']}")
    print(f"processes that died: {report['dead'] or 'none'}")
    # the planned changes outrun the minutes when the server is quick: a deadline is not an error here
    real_errors = [e for e in load["error_samples"] if "deadline" not in e and "never ran" not in e]
    ok = ok and not real_errors and all(count == 0 for count in report["sessions_left"].values())
    ok = ok and not report["dead"] and not report["stickiness_problems"]
    print(f"\nverdict: {'PASS' if ok else 'FAIL'} (growth < {MAX_GROWTH:.0%} after warm-up, 0 errors, 0 sessions left)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--think", type=lambda s: tuple(float(x) for x in s.split(",")), default=(4.0, 12.0))
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--sample-s", type=float, default=30)
    parser.add_argument("--warm-up", type=float, default=0.15, help="the share of the run before the baseline")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    report = asyncio.run(soak(args))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    return 0 if print_report(report, args.warm_up) else 1


if __name__ == "__main__":
    raise SystemExit(main())
