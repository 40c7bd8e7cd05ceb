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

The failover drill:

    python -m bench.hall --kill-after 20 --browsers 6 --sessions 20

Chromium pages (--browsers) and protocol sessions (--sessions) open the cross page through nginx and
keep changing their target sentence (a new one each time, with a pause between changes). --kill-after
N seconds after they all started, the drill ``kill -9``s the app process holding the most browsers;
each session then makes --changes-after more changes and stops (a student reading). It prints the
sessions affected (seated on that process at the kill), how long each took to reconnect and to show a
figure again (the first change after the kill, drawn), the lost views (an affected session
whose first change after the kill never showed: must be 0), the errors of every other session (must be
0), and when the hall had restarted the process and seated a fresh session there that was served.
A protocol session reconnects as Streamlit's frontend does: /_stcore/health through nginx (a dead
seat is seated again), then the websocket with its old session id, then the change it was making,
sent again with every field's value.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.browser import PAGES
from bench.common import log
from bench.loadtest import run_load_ws, session_texts
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

    async def reconnect(self, timeout_s: float = 60) -> None:
        """As Streamlit's frontend after its websocket closed: /_stcore/health and host-config through
        nginx (a seat on a dead process is seated again, with new cookies), then the websocket with the
        session id it had (a process that does not know it makes a new session), then a rerun of the whole
        page with every field's value: the frontend reruns on a reconnect because the page holds a timed
        fragment (``webapp.session.rerun_on_reconnect``), and a change sent before that rerun, a rerun of
        the sentences' fragment, would be dropped by a process that has never run the page."""
        from websockets.asyncio.client import connect

        def ping() -> None:
            for step, path in [("health", "/_stcore/health"), ("host_config", "/_stcore/host-config")]:
                status = self._get(step, path)
                if status != 200:
                    raise RuntimeError(f"GET {path} through nginx answered {status}")

        await asyncio.to_thread(ping)
        subprotocols = ["streamlit", self.cookies[XSRF_COOKIE], *([self.session_id] if self.session_id else [])]
        self.websocket = await connect(
            self.url.replace("http://", "ws://", 1) + "/_stcore/stream",
            subprotocols=subprotocols,
            origin=self.url,
            additional_headers={"Cookie": self.cookie_header()},
            max_size=None,
            open_timeout=timeout_s,
            ping_interval=None,
        )
        self.upstreams["websocket"] = self.websocket.response.headers.get("X-Upstream")
        await self._rerun(self.values)
        await self._until_finished(timeout_s)

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


# --------------------------------------------------------------------------- the failover drill

LABEL, AXIS = "Target sentence", "y"  # what each drill session changes, and the axis its tokens go on


@dataclass
class DrillSession:
    """One session of the drill: a Chromium page (``page``) or a protocol session (``session``)."""

    name: str
    seat: str | None = None  # the process it was on when the drill killed one
    page: object = None
    session: HallSession | None = None
    changes: list[tuple[float, float, str]] = field(default_factory=list)  # (started, ended, error or "")
    opened_sockets: list[float] = field(default_factory=list)  # time.monotonic() of each websocket opened
    reconnects: list[float] = field(default_factory=list)  # a protocol session's reconnects

    def after(self, moment: float) -> list[tuple[float, float, str]]:
        """The changes not finished at ``moment`` (in flight then, or started later)."""
        return [c for c in self.changes if c[1] > moment]

    def back(self, killed: float) -> float:
        """When it reconnected after ``killed`` (its first websocket opened since), else ``killed``: a
        change that ends before it was answered by the old process, before it died."""
        return min((t for t in self.opened_sockets + self.reconnects if t > killed), default=killed)

    def settled(self, killed: float, victim: str, changes_after: int) -> bool:
        """Made its ``changes_after`` changes after the kill of ``victim``. Until one seated there has
        reconnected, a change it ends (say one the old process drew just before it died, seen a poll
        later) does not count, as ``back`` counts it in the report: otherwise it would stop changing
        with no change left to count, and the drill would wait for one until its deadline."""
        if self.seat == victim and self.back(killed) == killed:
            return False
        return len(self.after(self.back(killed))) >= changes_after


async def browser_change(run: DrillSession, sentence, timeout_s: float) -> None:
    """Type the sentence and press Enter as a student does: not while Streamlit shows the box disabled
    (it disables every widget while its websocket reconnects, and a key pressed then does nothing);
    then wait until the heatmap's axis shows the sentence's tokens."""
    from bench.browser import wait_in_page

    box = run.page.get_by_role("textbox", name=LABEL, exact=True)
    await box.fill(sentence.text)  # Playwright waits until the box is editable
    deadline = time.monotonic() + timeout_s
    while not await box.is_editable():
        if time.monotonic() > deadline:
            raise TimeoutError("the box stayed disabled")
        await asyncio.sleep(0.1)
    await box.press("Enter")
    await wait_in_page(run.page, "ticks", [AXIS, sentence.labels[0], sentence.labels], timeout_s * 1000)


async def protocol_change(run: DrillSession, sentence, timeout_s: float) -> None:
    from websockets.exceptions import ConnectionClosed

    session = run.session
    try:
        await session.change(LABEL, sentence.text, timeout_s)
    except ConnectionClosed:  # its process died: reconnect through nginx and send the change again
        await session.reconnect(timeout_s)
        run.reconnects.append(time.monotonic())
        await session.change(LABEL, sentence.text, timeout_s)
    if session.labels()[AXIS] != sentence.labels:
        raise RuntimeError(f"the figure shows {session.labels()[AXIS][:4]}, not {sentence.labels[:4]}")
    session.values[session.inputs[LABEL]] = sentence.text


async def open_browser(browser, url: str, name: str, timeout_s: float) -> DrillSession:
    from bench.browser import new_context, open_app_page

    context = await new_context(browser)  # its own cookies: a student's own browser
    context.set_default_timeout(timeout_s * 1000)
    run = DrillSession(name)
    context.on("page", lambda page: page.on("websocket", lambda ws: run.opened_sockets.append(time.monotonic())))
    run.page = await open_app_page(context, url, "cross", timeout_ms=timeout_s * 3000)
    seats = [c["value"] for c in await context.cookies() if c["name"] == SEAT_COOKIE]
    run.seat = seats[0] if seats else None
    return run


async def open_protocol(url: str, name: str, timeout_s: float) -> DrillSession:
    run = DrillSession(name, session=HallSession(url))
    await run.session.open(timeout_s * 3)
    run.seat = run.session.upstreams["websocket"]
    return run


async def seated_again(hall, port: int, deadline: float, timeout_s: float) -> tuple[float | None, str]:
    """Once the hall has restarted ``port``: fresh sessions through nginx until one is seated there and
    served a change. (time.monotonic() then, or None by ``deadline``; what happened)."""
    while not any(r["port"] == port for r in hall.restarts):
        if time.monotonic() > deadline or port in hall.given_up:
            return None, "the hall did not restart it"
        await asyncio.sleep(0.5)
    texts = session_texts(None, 1, seed=99)[0]
    for _ in range(2 * len(hall.servers) + 2):  # round robin: one of the next few fresh browsers
        probe = HallSession(hall.url)
        try:
            await probe.open(timeout_s * 3)
            if probe.upstreams["websocket"] == f"127.0.0.1:{port}":
                await probe.change(LABEL, texts.make(8).text, timeout_s)
                return time.monotonic(), "a fresh session seated there and served"
        finally:
            await probe.close()
    return None, "no fresh session was seated there"


def seconds(values: list[float]) -> str:
    if not values:
        return "none"
    return f"median {statistics.median(values):.1f} s, max {max(values):.1f} s (n={len(values)})"


async def drill(
    hall,
    browsers: int = 2,
    sessions: int = 2,
    *,
    kill_after_s: float = 10,
    changes_after: int = 2,
    tokens: int = 16,
    think_s: tuple[float, float] = (0.5, 2.0),
    timeout_s: float = 60,
    restart_timeout_s: float = 300,
    log=print,
) -> dict:
    """The failover drill on a running LectureHall (its watcher on): ``browsers`` Chromium pages and
    ``sessions`` protocol sessions change their target sentence in a loop; ``kill_after_s`` seconds
    after they all opened, ``kill -9`` of the process holding the most browsers; the drill ends once
    every session made ``changes_after`` changes after the kill and the restarted process served a
    fresh session (or ``restart_timeout_s`` passed); a session that has made its changes after the kill
    stops changing (a student reading), which leaves the cores to the restart. Returns the figures
    (see ``drill_report``)."""
    from playwright.async_api import async_playwright

    from bench.browser import launch_browser

    texts = session_texts(None, browsers + sessions, seed=7)
    stop = asyncio.Event()
    killed, address = float("inf"), ""

    async def keep_changing(k: int, run: DrillSession, change) -> None:
        rng = random.Random(k)
        # until its changes after the kill are made: then it reads (leaves the cores to the restart)
        while not stop.is_set() and not run.settled(killed, address, changes_after):
            sentence = texts[k].make(tokens)
            started = time.monotonic()
            try:
                # a hard limit too: a wait inside the page that never answers is a finding, not a hang
                await asyncio.wait_for(change(run, sentence, timeout_s), timeout_s * 2)
                error = ""
            except Exception as failure:  # noqa: BLE001 (every failure is a finding of the drill)
                error = f"{type(failure).__name__}: {str(failure)[:160]}"
            run.changes.append((started, time.monotonic(), error))
            await asyncio.sleep(rng.uniform(*think_s))

    async with async_playwright() as playwright:
        browser = await launch_browser(playwright)
        runs = [await open_browser(browser, hall.url, f"browser {b}", timeout_s) for b in range(browsers)]
        gate = asyncio.Semaphore(4)

        async def one(s: int) -> DrillSession:
            async with gate:
                return await open_protocol(hall.url, f"protocol {s}", timeout_s)

        runs += await asyncio.gather(*(one(s) for s in range(sessions)))
        log(f"drill: {len(runs)} sessions open, seats {dict(Counter(r.seat for r in runs))}")
        loops = [
            asyncio.create_task(keep_changing(k, r, browser_change if r.page is not None else protocol_change))
            for k, r in enumerate(runs)
        ]
        await asyncio.sleep(kill_after_s)
        seats = Counter(r.seat for r in runs if r.page is not None) or Counter(r.seat for r in runs)
        victim = next(s for s in hall.servers if f"127.0.0.1:{s.port}" == seats.most_common(1)[0][0])
        address, pid = f"127.0.0.1:{victim.port}", victim.process.pid
        load = os.getloadavg()[0]
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        log(f"drill: kill -9 {pid} ({address}) after {kill_after_s:g} s (load average {load:.2f})")
        deadline = killed + restart_timeout_s
        back, how = await seated_again(hall, victim.port, deadline, timeout_s)
        while time.monotonic() < deadline and not all(r.settled(killed, address, changes_after) for r in runs):
            await asyncio.sleep(0.5)
        stop.set()
        await asyncio.wait(loops, timeout=timeout_s * 2)
        await browser.close()

    affected = [r for r in runs if r.seat == address]
    others = [r for r in runs if r.seat != address]
    firsts = {r.name: (r.after(r.back(killed)) or [None])[0] for r in affected}
    lost = [
        f"{name}: {first[2] if first else 'no change after the kill'}"
        + (f" (started {first[0] - killed:+.1f} s from the kill)" if first else "")
        for name, first in firsts.items()
        if first is None or first[2]
    ]
    restart = next((r for r in hall.restarts if r["port"] == victim.port), None)
    return {
        "killed": address,
        "pid": pid,
        "load_average": round(load, 2),
        "sessions": len(runs),
        "browsers": browsers,
        "affected": [r.name for r in affected],
        "reconnect_s": [r.back(killed) - killed for r in affected if r.back(killed) > killed],
        "figure_again_s": [first[1] - killed for first in firsts.values() if first and not first[2]],
        "lost_views": lost,
        "other_errors": [f"{r.name}: {c[2]}" for r in others for c in r.changes if c[2]],
        "affected_later_errors": [f"{r.name}: {c[2]}" for r in affected for c in r.after(r.back(killed))[1:] if c[2]],
        "changes": sum(len(r.changes) for r in runs),
        "restarted_s": restart["seconds"] if restart else None,
        "seated_again_s": back - killed if back else None,
        "seated_again": how,
        "given_up": sorted(hall.given_up),
    }


def drill_report(result: dict) -> str:
    """The drill's figures as the lines it prints."""
    browsers = sum(name.startswith("browser") for name in result["affected"])
    lines = [
        f"killed {result['killed']} (pid {result['pid']}, kill -9) at load average {result['load_average']}",
        f"sessions affected: {len(result['affected'])} of {result['sessions']} "
        f"({browsers} browsers, {len(result['affected']) - browsers} protocol sessions): "
        + ", ".join(result["affected"]),
        f"reconnected (kill -> websocket open again): {seconds(result['reconnect_s'])}",
        f"figure again (kill -> its first change after the kill drawn): {seconds(result['figure_again_s'])}",
        f"lost views: {len(result['lost_views'])} {result['lost_views'] or ''}".rstrip(),
        f"errors seen by sessions on the other process(es): {len(result['other_errors'])}",
        *(f"  {e}" for e in result["other_errors"][:5]),
        f"later errors of the affected sessions: {len(result['affected_later_errors'])}",
        *(f"  {e}" for e in result["affected_later_errors"][:5]),
        f"changes made in the drill: {result['changes']}",
        "restarted (kill -> healthy and warm, back in nginx's turn): "
        + (f"{result['restarted_s']:.1f} s" if result["restarted_s"] is not None else "no"),
        "seated again (kill -> a fresh session seated there and served): "
        + (f"{result['seated_again_s']:.1f} s" if result["seated_again_s"] is not None else result["seated_again"]),
    ]
    return "\n".join(lines)


def drill_passed(result: dict) -> bool:
    return not result["lost_views"] and not result["other_errors"] and result["seated_again_s"] is not None


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
    parser.add_argument(
        "--separate-processes", action="store_true", help="app processes as new Pythons, not forked (the old way)"
    )
    drill_options = parser.add_argument_group("the failover drill")
    drill_options.add_argument(
        "--kill-after", type=float, metavar="N", help="run the drill: kill -9 one app process N seconds into the run"
    )
    drill_options.add_argument("--browsers", type=int, default=6, help="Chromium pages in the drill (default 6)")
    drill_options.add_argument("--changes-after", type=int, default=3, help="changes per session after the kill")
    args = parser.parse_args(argv)
    from deploy.lecture_hall import LectureHall

    if args.kill_after is not None:
        return run_drill(args)

    counts = args.sweep or [args.sessions]
    cores = min(args.processes, os.cpu_count() or 1)
    runs = []
    started = time.perf_counter()
    with LectureHall(args.processes, log=log, fork=not args.separate_processes) as hall:
        log(f"memory after warm-up: {hall.memory()}")
        for run, n in enumerate(counts, start=1):
            load = os.getloadavg()[0]
            log(f"{n} sessions x {args.changes} changes through {hall.url} (load average {load:.2f})")
            result, checks = asyncio.run(
                # a seed of its own: a run typing the last run's sentences would find them in the app's cache
                load_through(hall.url, n, args.changes, tokens=args.tokens, think_s=args.think, seed=run, log=log)
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
                "pss_mb": {m["port"]: round(m["pss_mb"] or 0) for m in hall.memory()},
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
    print("| sessions | updates | errors | sticky | per upstream | p50 ms | p95 ms | RSS per process MiB | PSS |")
    print("|---:|---:|---:|---:|---|---:|---:|---|---|")
    for r in runs:
        print(
            f"| {r['sessions']} | {r['updates_completed']}/{r['updates_expected']} | {r['errors']} | "
            f"{r['sticky_sessions']}/{r['sessions_checked']} | {list(r['sessions_per_upstream'].values())} | "
            f"{r['p50_ms']} | {r['p95_ms']} | {', '.join(str(v) for v in r['rss_mb'].values())} | "
            f"{', '.join(str(v) for v in r['pss_mb'].values())} |"
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


def run_drill(args: argparse.Namespace) -> int:
    """``python -m bench.hall --kill-after N``: the drill on a new hall, its report on stdout."""
    from deploy.lecture_hall import LectureHall

    sessions = args.sessions if args.sessions != 60 else 20  # the load test's default is not the drill's
    started = time.perf_counter()
    with LectureHall(args.processes, log=log, fork=not args.separate_processes) as hall:
        result = asyncio.run(
            drill(
                hall,
                args.browsers,
                sessions,
                kill_after_s=args.kill_after,
                changes_after=args.changes_after,
                tokens=args.tokens,
                think_s=args.think,
                log=log,
            )
        )
    print(f"\nfailover drill: {args.processes} processes, {args.browsers} browsers + {sessions} protocol sessions")
    print(
        f"  ({args.tokens}-token target sentences, pauses {args.think[0]:g}-{args.think[1]:g} s; "
        f"{time.perf_counter() - started:.0f} s in all)"
    )
    print(drill_report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    passed = drill_passed(result)
    print("PASSED" if passed else "FAILED")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
