"""Starting the app's processes and talking to them: what deploy/, bench/ and the tests share.

- ``StreamlitServer``: `python -m streamlit run app.py` on a free loopback port, with its environment and
  log, ready once /_stcore/health answers; ``wait_for_health`` is that wait, for nginx too;
- ``find_chromium``, ``CHROMIUM_FLAGS``: Debian's Chromium and the flags every launch uses;
- ``AppSession``: one session over Streamlit's own websocket protocol, as a browser's frontend talks
  (the lecture hall warms its processes with it; the load tests open thirty of them);
- ``choose_on_head_map``: a control of a page's live head map moved in Chromium, until the map is drawn;
- ``free_port``, ``rss_mb``, ``model_query``: the small pieces under them.

deploy/ owns starting processes, so this lives here: bench/ and tests/ import it, and deploy/ imports
nothing from bench/. Standard library only at import time; AppSession imports websockets, Streamlit's
protobufs and the live chart's decoder when it is used.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlencode

from webapp.streamlit_internals import protocol_messages

ROOT = Path(__file__).resolve().parents[1]
"""The repository root, where app.py is."""

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """Debian's chromium (/usr/bin/chromium), or None where it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A loopback port that nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int, field_name: str = "VmRSS") -> float | None:
    """Resident memory of a process in MiB from /proc/PID/status (VmRSS now, VmHWM peak)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def end_process(process, grace_s: float) -> None:
    """SIGTERM ``process`` (a Popen, or anything with poll, terminate, wait and kill) if it still runs;
    SIGKILL if it has not ended ``grace_s`` seconds later."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def pss_mb(pid: int) -> float | None:
    """A process's proportional set size in MiB from /proc/PID/smaps_rollup: its private pages plus
    its share of pages it shares with others (a page shared by N processes counts 1/N)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def wait_for_health(url: str, process: subprocess.Popen, timeout: float, pause: float = 0.05) -> bool:
    """Poll ``url``/_stcore/health until it answers 200 (True); False once ``process`` has exited or
    ``timeout`` seconds have passed (``process.poll()`` tells which). Streamlit and nginx both answer it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(pause)
    return False


def model_query(model: str | None) -> str:
    """The link's query that picks ``model`` (``?model=NAME``), or "" for the app's default."""
    return "?" + urlencode({"model": model}) if model else ""


class StreamlitServer:
    """`python -m streamlit run app.py` on a free loopback port, started by the constructor, which
    returns once /_stcore/health answers. Its output goes to ``log_dir/streamlit-PORT.log``.

    Args:
        log_dir: where the log goes (made if missing).
        root: the folder holding app.py; the repository root by default.
        env: variables added to this process's environment (PYTHONUNBUFFERED=1 is always set).
        options: more `streamlit run` options, ``{"runner.postScriptGC": "false"}`` -> ``--runner.postScriptGC false``.
        wrapper: Python source run with ``python -c`` instead of ``python -m streamlit``; it gets
            ``run app.py --server.port ...`` as its arguments and must start Streamlit itself
            (the benchmark's --probe wraps functions with timers this way).
        timeout: seconds to wait for the health check before stopping it and raising RuntimeError.
        port: the port to listen on (default: a free one the OS picks); a lecture hall restarts a
            dead process on its old port, which nginx's configuration names.

    Attributes:
        url, port: where it answers (``http://127.0.0.1:PORT``).
        process: the subprocess.Popen (None once stopped).
        started: time.perf_counter() at the launch, for the cold start.
        health_s: seconds from the launch until the health check answered.
        log_path: its log file.
    """

    def __init__(
        self,
        log_dir: Path,
        *,
        root: Path | None = None,
        env: Mapping[str, str] | None = None,
        options: Mapping[str, object] | None = None,
        wrapper: str | None = None,
        timeout: float = 180,
        port: int | None = None,
    ):
        self.root = Path(root) if root is not None else ROOT
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_dir = Path(log_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"streamlit-{self.port}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        launcher: Sequence[str] = ["-c", wrapper] if wrapper is not None else ["-m", "streamlit"]
        extra = [part for key, value in (options or {}).items() for part in (f"--{key}", str(value))]
        self.started = time.perf_counter()
        self.process: subprocess.Popen | None = subprocess.Popen(
            [
                sys.executable,
                *launcher,
                "run",
                "app.py",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                *extra,
            ],
            cwd=self.root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        self.health_s = self._wait_for_health(timeout)

    def _wait_for_health(self, timeout: float) -> float:
        if wait_for_health(self.url, self.process, timeout):
            return time.perf_counter() - self.started
        returncode = self.process.poll()
        self.stop()
        if returncode is not None:
            raise RuntimeError(f"streamlit exited with {returncode}; see {self.log_path}\n{self.log_tail()}")
        raise RuntimeError(f"streamlit did not answer within {timeout} s; see {self.log_path}")

    def rss_mb(self) -> float | None:
        """The server's resident memory now, MiB."""
        return rss_mb(self.process.pid) if self.process else None

    def peak_rss_mb(self) -> float | None:
        """The server's peak resident memory so far, MiB."""
        return rss_mb(self.process.pid, "VmHWM") if self.process else None

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of its log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate it (kill after 15 s) and close the log; calling it again does nothing."""
        if self.process is None:
            return
        end_process(self.process, grace_s=15)
        if self.log is not None:
            self.log.close()
        self.process = None

    def __enter__(self) -> StreamlitServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- the browser


HEAD_MAP = ".head-map .hm-map"  # a page's live head map (webapp/head_map_chart.js): its view in data-view once drawn


# A live chart's slider moved as a drag ends: its value, then 'input' (the chart draws) and 'change' (it tells the
# server). Playwright's locator.evaluate(SLIDE_TO, position), sync or async.
SLIDE_TO = """(slider, position) => {
    slider.value = position;
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    slider.dispatchEvent(new Event("change", { bubbles: true }));
}"""


def timed_in_page(page, done: str, act, timeout_ms: float = 30_000) -> tuple[float, float]:
    """(in the page, wall) milliseconds of one change of a control in a Playwright ``page``: ``act()`` moves
    the control, and ``done`` (a JavaScript expression) holds once the page has drawn the change.

    In the page: from the control's first 'input' or 'change' event to the frame painted after ``done`` first
    held, checked every frame: what a user waits for. Wall: from ``act`` to Playwright seeing ``done``, which adds
    Playwright's own work (finding the control and waiting until it is stable, two frames at least, before it
    moves it; a round trip per step), 10 to 60 ms that the page never sees."""
    page.evaluate(
        f"""() => {{
            const clock = (window.__changeClock = {{ at: null, painted: null }});
            const start = (event) => {{
                clock.at = event.timeStamp;  // the first of the two events; neither listener stays for the next change
                document.removeEventListener("input", start, true);
                document.removeEventListener("change", start, true);
            }};
            document.addEventListener("input", start, true);
            document.addEventListener("change", start, true);
            const poll = () => {{
                if (clock.at !== null && ({done})) {{
                    requestAnimationFrame(() => setTimeout(() => (clock.painted = performance.now()), 0));
                }} else requestAnimationFrame(poll);
            }};
            requestAnimationFrame(poll);
        }}"""
    )
    started = time.perf_counter()
    act()
    page.wait_for_function(f"() => {done}", timeout=timeout_ms, polling="raf")
    wall = (time.perf_counter() - started) * 1000
    page.wait_for_function("() => window.__changeClock.painted !== null", timeout=timeout_ms, polling="raf")
    return page.evaluate("window.__changeClock.painted - window.__changeClock.at"), wall


def head_map_shows(view: dict) -> str:
    """The JavaScript condition that the live head map is drawn for ``view`` ({"layer", "head", "transpose"})."""
    drawn = json.dumps(json.dumps(view, separators=(",", ":")))
    return f"document.querySelector({json.dumps(HEAD_MAP)}).dataset.view === {drawn}"


def choose_on_head_map(page, setting: str, value, expected: dict, timeout_ms: float = 30_000, polling="raf") -> None:
    """Move one control of the live head map in a Playwright ``page`` (a select's option, or a box checked or
    not) and wait until the map is drawn for the view ``expected`` ({"layer", "head", "transpose"})."""
    move_on_head_map(page, setting, value)
    page.wait_for_function(f"() => {head_map_shows(expected)}", timeout=timeout_ms, polling=polling)


def move_on_head_map(page, setting: str, value) -> None:
    """Move one control of the live head map: a select's option, or a box checked or not."""
    control = f".head-map label[data-setting='{setting}'] "
    if isinstance(value, bool):
        page.locator(control + "input").set_checked(value)
    else:
        page.select_option(control + "select", str(value))


# --------------------------------------------------------------------------- the websocket protocol


def live_figure(data: bytes) -> dict:
    """The live heatmap's figure in the lecture's layout, drawn from its data (the labels and titles are read)."""
    from attention.heatmap import render
    from attention.heatmap_payload import read_payload
    from webapp.component_data import read_component_data

    head, payload = read_component_data(data)
    return render(read_payload(payload), {**head["display"], "transpose": False})


class AppSession:
    """One session of the app over Streamlit's own websocket protocol: the messages the
    browser's frontend sends (a rerun request carrying the widgets' values) and receives
    (the page's elements, the chart's JSON among them), without drawing anything. Thirty
    of these cost the load generator almost nothing, so on a small machine the server is
    what gets measured, as when a class uses it from thirty laptops."""

    def __init__(self, url: str, page_name: str = "Cross_Attention", model: str | None = None):
        self.url = url
        self.page_name = page_name
        self.query = model_query(model).lstrip("?")  # the link's query, as a browser opening it sends
        self.websocket = None
        self.inputs: dict[str, str] = {}  # text field label -> widget id
        self.values: dict[str, str] = {}  # widget id -> its text
        self.fragments: dict[str, str] = {}  # widget id -> the st.fragment it sits in, if any
        self.chart: dict | None = None
        self.errors: list[str] = []
        self.session_id: str | None = None  # the server's id for this session (its new_session message)

    async def open(self, timeout_s: float = 120) -> None:
        """Connect and run the page once, as a browser opening it does."""
        await self.connect(timeout_s)
        await self._rerun({})
        await self._until_finished(timeout_s)
        if self.chart is None:
            raise RuntimeError(f"the {self.page_name} page sent no chart")

    async def connect(self, timeout_s: float = 120) -> None:
        """Open the websocket only: the server makes a session that has run nothing yet."""
        from websockets.asyncio.client import connect

        subprotocols, headers = await self._handshake()
        self.websocket = await connect(
            self.url.replace("http://", "ws://", 1) + "/_stcore/stream",
            subprotocols=subprotocols,
            origin=self.url,
            additional_headers=headers,
            max_size=None,
            open_timeout=timeout_s,
            ping_interval=None,
        )

    async def _handshake(self) -> tuple[list[str], dict[str, str]]:
        """The websocket's subprotocols and extra headers. A direct connection needs nothing more;
        a browser behind a proxy first fetches the page for its cookies (bench.hall.HallSession)."""
        return ["streamlit"], {}

    async def change(self, label: str, text: str, timeout_s: float = 60) -> float:
        """Type ``text`` into the field ``label``; returns the milliseconds until the new chart arrived."""
        widget_id = self.inputs[label]
        self.chart = None
        started = time.perf_counter()
        # as the frontend: a widget inside an st.fragment reruns only that fragment
        await self._rerun({**self.values, widget_id: text}, fragment_id=self.fragments.get(widget_id, ""))
        arrived = await self._until_finished(timeout_s)
        if arrived is None:
            raise RuntimeError("the server finished the run without sending a chart")
        return (arrived - started) * 1000

    def labels(self) -> dict[str, list[str]]:
        """The x and y labels of the heatmap the server sent last."""
        trace = (self.chart or {}).get("data", [{}])[0]
        return {"x": list(trace.get("x", [])), "y": list(trace.get("y", []))}

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()

    async def _rerun(self, widgets: dict[str, str], fragment_id: str = "") -> None:
        BackMsg, _ = protocol_messages()

        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query
        rerun.page_name = self.page_name
        rerun.fragment_id = fragment_id
        for widget_id, value in widgets.items():
            state = rerun.widget_states.widgets.add()
            state.id = widget_id
            state.string_value = value
        await self.websocket.send(message.SerializeToString())

    async def _until_finished(self, timeout_s: float) -> float | None:
        """Read messages until the script run ends; returns when the chart arrived (or None)."""
        _, ForwardMsg = protocol_messages()

        arrived = None
        async with asyncio.timeout(timeout_s):
            while True:
                message = ForwardMsg()
                message.ParseFromString(await self.websocket.recv())
                kind = message.WhichOneof("type")
                if kind == "new_session":
                    self.session_id = message.new_session.initialize.session_id
                elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    element = message.delta.new_element
                    which = element.WhichOneof("type")
                    if which == "plotly_chart":
                        arrived = time.perf_counter()
                        self.chart = json.loads(element.plotly_chart.spec)
                    elif which == "bidi_component" and element.bidi_component.bytes:  # the live heatmap
                        arrived = time.perf_counter()
                        self.chart = live_figure(element.bidi_component.bytes)
                    elif which == "text_input":
                        field_ = element.text_input
                        self.inputs[field_.label] = field_.id
                        self.fragments[field_.id] = message.delta.fragment_id
                        # as the frontend: a value the server does not set keeps what the field shows
                        # (a field the server never sent before shows its default)
                        shown = self.values.get(field_.id, field_.default)
                        self.values[field_.id] = field_.value if field_.HasField("value") else shown
                    elif which == "exception":
                        self.errors.append(f"the page shows an exception: {element.exception.message[:160]}")
                elif kind == "script_finished":
                    if message.script_finished == message.FINISHED_WITH_COMPILE_ERROR:
                        self.errors.append("the page did not compile")
                    if message.script_finished != message.FINISHED_EARLY_FOR_RERUN:
                        return arrived
