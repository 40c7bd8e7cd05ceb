"""The load test through nginx: a lecture hall (deploy/lecture_hall.py) of --processes app processes,
and sessions that each open the app the way a browser does through the proxy.

    python -m bench.hall                                  # 2 processes, 60 sessions x 10 changes
    python -m bench.hall --sweep 20,40,60,80 --json hall.json   # the capacity table

Each session, as a browser: GET the page (nginx seats it on the next process in turn and names that
process in a ``hall_seat`` cookie), GET /_stcore/health and /_stcore/host-config (Streamlit sets its
``_streamlit_xsrf`` cookie), then the websocket /_stcore/stream with both cookies, the XSRF token in
its subprotocol and the page's Origin. Then it changes its sentences like bench.loadtest.run_load_ws's
sessions. At the end each session uploads a small file to /_stcore/upload_file/SESSION_ID/..., which
Streamlit accepts only in the process that holds the session (elsewhere: 400 "Invalid session_id")
and only with the XSRF token (without it: 403). nginx's ``X-Upstream`` header names the process
behind every response; a session is sticky when its page, health check, host config, websocket
handshake and upload all name one.
Every session starts as a fresh browser, so "per upstream" is how nginx seats fresh browsers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from bench.browser import PAGES
from bench.common import log
from bench.loadtest import run_load_ws
from deploy.harness import AppSession

SEAT_COOKIE = "hall_seat"
XSRF_COOKIE = "_streamlit_xsrf"


def http(url: str, *, method: str = "GET", headers: dict | None = None, data: bytes | None = None) -> tuple:
    """(status, headers) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def set_cookies(headers, jar: dict[str, str]) -> None:
    """Keep the name=value of every Set-Cookie (the values here are raw, e.g. 2|mask|token|time)."""
    for line in headers.get_all("Set-Cookie") or []:
        name, _, value = line.split(";", 1)[0].strip().partition("=")
        jar[name] = value


class HallSession(AppSession):
    """An AppSession that opens the app through nginx as a browser does, and records which
    upstream (nginx's X-Upstream) answered each step in ``upstreams`` (step -> address)."""

    def __init__(self, url: str, page_name: str = "Cross_Attention", model: str | None = None):
        super().__init__(url, page_name, model)
        self.cookies: dict[str, str] = {}
        self.upstreams: dict[str, str | None] = {}
        self.statuses: dict[str, int] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _get(self, step: str, path: str) -> int:
        status, headers = http(self.url + path, headers={"Cookie": self.cookie_header()} if self.cookies else {})
        set_cookies(headers, self.cookies)
        self.upstreams[step] = headers.get("X-Upstream")
        return status

    def _preamble(self) -> None:
        query = f"?{self.query}" if self.query else ""
        for step, path in [
            ("page", PAGES["cross"]["path"] + query),
            ("health", "/_stcore/health"),
            ("host_config", "/_stcore/host-config"),
        ]:
            status = self._get(step, path)
            if status != 200:
                raise RuntimeError(f"GET {path} through nginx answered {status}")
        if SEAT_COOKIE not in self.cookies or XSRF_COOKIE not in self.cookies:
            raise RuntimeError(f"cookies missing after the page and health check: {sorted(self.cookies)}")

    async def _handshake(self) -> tuple[list[str], dict[str, str]]:
        """The page, health check and host config first, for the seat and XSRF cookies."""
        await asyncio.to_thread(self._preamble)
        # as Streamlit's frontend: ["streamlit", the XSRF cookie's value]
        return ["streamlit", self.cookies[XSRF_COOKIE]], {"Cookie": self.cookie_header()}

    async def open(self, timeout_s: float = 120) -> None:
        await super().open(timeout_s)
        self.upstreams["websocket"] = self.websocket.response.headers.get("X-Upstream")
        if not self.session_id:
            raise RuntimeError("the server sent no session id")

    async def close(self) -> None:
        """Before the websocket closes (the session ends with it): the upload checks."""
        if self.session_id and self.websocket is not None and "upload" not in self.statuses:
            self.statuses["upload"] = await asyncio.to_thread(self.upload, True)
            self.statuses["upload_without_token"] = await asyncio.to_thread(self.upload, False)
        await super().close()

    def upload(self, with_token: bool = True) -> int:
        """PUT a small file into this session's uploads (multipart, as the frontend does); the status."""
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="seat.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
        ).encode()
        headers = {"Cookie": self.cookie_header(), "Content-Type": f"multipart/form-data; boundary={boundary}"}
        headers["Origin"] = self.url
        if with_token:
            headers["X-Xsrftoken"] = self.cookies[XSRF_COOKIE]
        status, answer = http(
            f"{self.url}/_stcore/upload_file/{self.session_id}/{uuid.uuid4().hex}",
            method="PUT",
            headers=headers,
            data=body,
        )
        self.upstreams["upload" if with_token else "upload_without_token"] = answer.get("X-Upstream")
        return status


def check_sessions(clients: list[HallSession]) -> dict:
    """After a run (each session uploaded with and without the XSRF token as it closed): the verdicts."""
    problems: list[str] = []
    per_upstream: Counter = Counter()
    sticky = 0
    for s, client in enumerate(clients):
        if client.session_id is None:
            continue
        with_token = client.statuses.get("upload")
        without = client.statuses.get("upload_without_token")
        if with_token not in (200, 204):
            problems.append(f"session {s}: upload with the XSRF token answered {with_token} (not sticky?)")
        if without != 403:
            problems.append(f"session {s}: upload without the XSRF token answered {without}, not 403")
        seen = {step: addr for step, addr in client.upstreams.items() if step != "upload_without_token"}
        if None in seen.values() or len(set(seen.values())) != 1:
            problems.append(f"session {s}: answered by more than one upstream: {seen}")
        else:
            sticky += 1
            per_upstream[next(iter(seen.values()))] += 1
    return {
        "sessions_checked": sum(c.session_id is not None for c in clients),
        "sticky_sessions": sticky,
        "sessions_per_upstream": dict(sorted(per_upstream.items())),
        "stickiness_problems": problems,
    }


async def load_through(url: str, sessions: int, changes: int, **kwargs) -> tuple:
    """run_load_ws through nginx with HallSession clients, then check_sessions: (LoadResult, checks)."""
    clients: list[HallSession] = []

    def make(url_: str, model: str | None = None) -> HallSession:
        clients.append(HallSession(url_, model=model))
        return clients[-1]

    result = await run_load_ws(url, sessions, changes, client=make, **kwargs)
    checks = check_sessions(clients)
    return result, checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hall", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--sweep", type=lambda s: [int(x) for x in s.split(",")], help="session counts, e.g. 20,40,60")
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--think", type=lambda s: tuple(float(x) for x in s.split(",")), default=(0.3, 1.5))
    parser.add_argument("--target-ms", type=float, default=1500, help="the p95 a session count must meet")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    from deploy.lecture_hall import LectureHall

    counts = args.sweep or [args.sessions]
    cores = min(args.processes, os.cpu_count() or 1)
    runs = []
    started = time.perf_counter()
    with LectureHall(args.processes, log=log) as hall:
        log(f"memory after warm-up: {hall.memory()}")
        for n in counts:
            load = os.getloadavg()[0]
            log(f"{n} sessions x {args.changes} changes through {hall.url} (load average {load:.2f})")
            result, checks = asyncio.run(
                load_through(hall.url, n, args.changes, tokens=args.tokens, think_s=args.think, log=log)
            )
            summary = result.summary()
            row = {
                **{k: summary[k] for k in ("sessions", "updates_completed", "updates_expected", "errors")},
                "p50_ms": round(summary["update_ms_p50"] or 0),
                "p95_ms": round(summary["update_ms_p95"] or 0),
                "max_ms": round(summary["update_ms_max"] or 0),
                "error_samples": summary["error_samples"],
                **checks,
                "rss_mb": {m["port"]: round(m["rss_mb"] or 0) for m in hall.memory()},
                "peak_rss_mb": {m["port"]: round(m["peak_mb"] or 0) for m in hall.memory()},
                "nginx_rss_mb": round(hall.nginx_rss_mb() or 0, 1),
                "loadavg_before": round(load, 2),
                "run_s": summary["run_s"],
            }
            runs.append(row)
            log(json.dumps({k: v for k, v in row.items() if k != "error_samples"}))
            for sample in row["error_samples"] + row["stickiness_problems"][:5]:
                log(f"  {sample}")
    ok = [r for r in runs if not r["errors"] and not r["stickiness_problems"] and r["p95_ms"] <= args.target_ms]
    capacity = max((r["sessions"] for r in ok), default=0)
    print(f"\n{args.processes} app processes behind nginx, {cores} cores for them ({os.cpu_count()} on the machine)")
    print("| sessions | updates | errors | sticky | per upstream | p50 ms | p95 ms | RSS per process MiB |")
    print("|---:|---:|---:|---:|---|---:|---:|---|")
    for r in runs:
        print(
            f"| {r['sessions']} | {r['updates_completed']}/{r['updates_expected']} | {r['errors']} | "
            f"{r['sticky_sessions']}/{r['sessions_checked']} | {list(r['sessions_per_upstream'].values())} | "
            f"{r['p50_ms']} | {r['p95_ms']} | {', '.join(str(v) for v in r['rss_mb'].values())} |"
        )
    print(
        f"\ncapacity at p95 <= {args.target_ms / 1000:g} s: {capacity} sessions, {capacity / cores:.0f} per core "
        f"(the largest count that met it; run in {time.perf_counter() - started:.0f} s)"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"processes": args.processes, "runs": runs, "capacity": capacity}, indent=2)
        )
    failed = any(r["errors"] or r["stickiness_problems"] for r in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
