"""One way to start the app for real: `streamlit run app.py` on a free loopback port, and where Chromium is.

Shared by the benchmark, the load test and the browser tests. Standard library only, so importing
it costs nothing and needs neither Streamlit nor Playwright.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

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
    ):
        self.root = Path(root) if root is not None else ROOT
        self.port = free_port()
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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            returncode = self.process.poll()
            if returncode is not None:
                self.stop()
                raise RuntimeError(f"streamlit exited with {returncode}; see {self.log_path}\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.05)
        self.stop()
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
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()
        self.process = None

    def __enter__(self) -> StreamlitServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
