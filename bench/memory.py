"""Memory of N app processes: what each one holds alone and what they share.

    python -m bench.memory --processes 1,2,4
    python -m bench.memory --processes 1,2,4 --root /tmp/main-checkout --label before

Starts app processes one after another (deploy.harness.StreamlitServer, each on its own port, as the
lecture hall runs them), warms each by opening the cross page once over the websocket (the model
loads and runs one forward pass, as deploy.lecture_hall's warm-up does) plus a few changes of the
sentence, and when 1, 2, 4 ... of them are up and warm reads /proc/PID/smaps_rollup of every one:

- Rss: resident pages, shared ones counted in full in every process;
- Pss: shared pages divided among the processes that map them (sums to the real total);
- USS: Private_Clean + Private_Dirty, what this process alone holds (freed if it exits);
- Shared: Shared_Clean + Shared_Dirty, pages another process maps too;
- weights: the resident pages of the model's weights file (model.safetensors), from /proc/PID/smaps.

The marginal cost of a process is the growth of the summed Pss per added process. ``--root`` runs
app.py from another checkout (a ``git worktree`` of main, for the before/after comparison).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import log
from deploy.harness import ROOT, AppSession, StreamlitServer, free_port, wait_for_health

FIELDS = ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Shared_Clean", "Shared_Dirty")
WEIGHTS_FILE = "model.safetensors"
CHANGES = ("The cat sat on the mat because it was warm.", "이것은 예 입니다. これは 例 です。")


def smaps_rollup(pid: int) -> dict[str, float]:
    """The process's memory in MiB: Rss, Pss, USS, Shared (see the module docstring)."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].rstrip(":") in FIELDS:
            kb[parts[0].rstrip(":")] = int(parts[1])
    return {
        "rss": kb["Rss"] / 1024,
        "pss": kb["Pss"] / 1024,
        "uss": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024,
        "shared": (kb["Shared_Clean"] + kb["Shared_Dirty"]) / 1024,
    }


def mapped_mib(pid: int, name: str = WEIGHTS_FILE) -> dict[str, float]:
    """Resident and private-dirty MiB of the mappings of files called ``name`` (the weights)."""
    rss = dirty = 0
    inside = False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and not head[0].endswith(":"):
            inside = len(head) >= 6 and head[-1].endswith("/" + name)
        elif inside and head[0] == "Rss:":
            rss += int(head[1])
        elif inside and head[0] == "Private_Dirty:":
            dirty += int(head[1])
    return {"weights_rss": rss / 1024, "weights_dirty": dirty / 1024}


def warm(url: str, timeout_s: float = 300) -> None:
    """Open the cross page once (the model loads, one forward pass), then change the target sentence."""

    async def once() -> None:
        session = AppSession(url)
        try:
            await session.open(timeout_s)
            label = next(iter(session.inputs))
            for sentence in CHANGES:
                await session.change(label, sentence, timeout_s)
        finally:
            await session.close()

    asyncio.run(once())


def process_row(n: int, name, pid: int) -> dict:
    return {"processes": n, "process": name, "pid": pid, **smaps_rollup(pid), **mapped_mib(pid)}


def measure_forked(counts: list[int], log_dir: Path) -> list[dict]:
    """For each count, a fresh ``python -m deploy.preload`` with that many children; the parent is a row too."""
    rows = []
    for n in counts:
        ports = [free_port() for _ in range(n)]
        with open(log_dir / f"preload-{n}.log", "w") as out:
            parent = subprocess.Popen(
                [sys.executable, "-m", "deploy.preload", "--ports", ",".join(map(str, ports))],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"},
            )
            try:
                for port in ports:
                    url = f"http://127.0.0.1:{port}"
                    if not wait_for_health(url, parent, 300):
                        raise RuntimeError(f"deploy.preload did not answer on {port}; see {out.name}")
                    warm(url)
                log(f"{n} forked process{'es' if n > 1 else ''} warm (parent {parent.pid})")
                children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
                rows.append(process_row(n, "parent", parent.pid))
                rows += [process_row(n, i, int(pid)) for i, pid in enumerate(children, 1)]
            finally:
                parent.terminate()
                parent.wait(timeout=30)
    return rows


def measure(counts: list[int], root: Path | None, log_dir: Path) -> list[dict]:
    """Start max(counts) processes one by one; at each count, every process's memory."""
    rows, servers = [], []
    try:
        for n in range(1, max(counts) + 1):
            server = StreamlitServer(log_dir, root=root, env={"TOKENIZERS_PARALLELISM": "false"})
            servers.append(server)
            warm(server.url)
            log(f"process {n} warm (pid {server.process.pid})")
            if n in counts:
                rows += [process_row(n, i, s.process.pid) for i, s in enumerate(servers, 1)]
    finally:
        for server in servers:
            server.stop()
    return rows


def table(rows: list[dict], label: str) -> str:
    """One block per process count, then the totals and the marginal cost of each added process."""
    lines = []
    totals = {}
    for n in sorted({r["processes"] for r in rows}):
        group = [r for r in rows if r["processes"] == n]
        lines.append(f"\n{label}: {n} process{'es' if n > 1 else ''} (MiB)")
        lines.append(f"{'process':>8} {'Rss':>7} {'Pss':>7} {'USS':>7} {'Shared':>7} {'weights':>8}")
        for r in group:
            lines.append(
                f"{str(r['process']):>8} {r['rss']:7.0f} {r['pss']:7.0f} {r['uss']:7.0f} {r['shared']:7.0f} "
                f"{r['weights_rss']:8.0f}"
            )
        totals[n] = {key: sum(r[key] for r in group) for key in ("rss", "pss", "uss")}
        lines.append(f"{'sum':>8} {totals[n]['rss']:7.0f} {totals[n]['pss']:7.0f} {totals[n]['uss']:7.0f}")
    lines.append(f"\n{label}: summed Pss and the cost of each added process (MiB)")
    lines.append(f"{'processes':>10} {'sum Pss':>8} {'sum USS':>8} {'added Pss/process':>18}")
    previous = None
    for n, total in totals.items():
        added = "" if previous is None else f"{(total['pss'] - totals[previous]['pss']) / (n - previous):18.0f}"
        lines.append(f"{n:>10} {total['pss']:8.0f} {total['uss']:8.0f} {added:>18}")
        previous = n
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2,4", help="process counts to measure at, e.g. 1,2,4")
    parser.add_argument("--root", type=Path, help="run app.py from this checkout (default: this one)")
    parser.add_argument("--label", default="this checkout", help="the name of the run in the table")
    parser.add_argument("--fork", action="store_true", help="fork the processes from one that loaded the model")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    counts = sorted({int(n) for n in args.processes.split(",")})
    log_dir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    rows = measure_forked(counts, log_dir) if args.fork else measure(counts, args.root, log_dir)
    print(table(rows, args.label))
    print("\nload average: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))
    if args.json:
        args.json.write_text(json.dumps({"label": args.label, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
