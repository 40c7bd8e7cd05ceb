"""App processes forked from one parent that loaded the model first, so they share its memory.

    python -m deploy.preload --ports 8501,8502 [--models multilingual-e5-small] [-- more streamlit options]
    python -m deploy.preload --on-request [--models ...] [-- more streamlit options]

The parent imports torch and Streamlit and loads the encoders
(``attention.embeddings.preload``) and the Next Word page's language model (``attention.decoder``,
fetched first where the cache lacks it), then forks one child per port; each child runs
`streamlit run app.py --server.port PORT --server.address 127.0.0.1 --server.headless true`.
With ``--ports`` a child that dies is forked again from the parent, with the model already in
memory. With ``--on-request`` the parent forks only when told, and says what happened: it reads
``start PORT LOGFILE`` lines on stdin and writes ``ready``, ``started PORT PID`` and
``ended PORT PID CODE`` lines on stdout (``ForkServer`` speaks this for ``deploy.lecture_hall``,
which decides what to restart). SIGTERM or SIGINT to the parent, or the end of its stdin, stops
every child, then the parent.

Why: the weights are a read-only memory map of the model file, shared by any number of
processes already; the rest of a loaded model (the tokenizer's heap, torch's libraries, the
imported modules) is private to each process unless the processes are forked from one that
loaded it. Forked children share those pages until they write to them (copy on write).
"""

from __future__ import annotations

import argparse
import gc
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from deploy.harness import ROOT, StreamlitServer, end_process, free_port

RESTART_PAUSE_S = 1.0  # between a child's death and its replacement, so a crashing app cannot spin


def serve(port: int, address: str, extra: list[str], log_path: str | None = None) -> None:
    """In the child: run Streamlit on ``port``, its output into ``log_path`` if given (never returns)."""
    from streamlit.web import cli

    if log_path is not None:
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # not the parent's request pipe
    os.chdir(ROOT)
    sys.argv = ["streamlit", "run", "app.py", "--server.port", str(port), "--server.address", address]
    sys.argv += ["--server.headless", "true", *extra]
    code = 1
    try:
        cli.main(standalone_mode=True)
    except SystemExit as stop:  # Streamlit's command line ends with sys.exit
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        os._exit(code)  # never back into the parent's loop


def fork_app(port: int, address: str, extra: list[str], log_path: str | None = None) -> int:
    """Fork a child that runs Streamlit on ``port`` (``serve``); returns its pid, in the parent."""
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        serve(port, address, extra, log_path)
    return pid


def terminate_all(pids) -> None:
    """SIGTERM each of ``pids`` that still exists."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def preload_language_model() -> None:
    """Load the Next Word page's language model (fetching it once if the cache lacks it), so that every app
    process forked from here shares its weights; where it cannot be fetched, the page says how, and the hall
    serves the other pages all the same."""
    from attention.decoder import DecoderError, preload_decoder

    try:
        preload_decoder()
    except DecoderError as problem:
        print(f"the Next Word page's model is not loaded: {problem}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--ports", help="one app process per port, e.g. 8501,8502, each forked again if it dies")
    how.add_argument("--on-request", action="store_true", help="fork on 'start PORT LOGFILE' lines from stdin")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--models", default="", help="encoders to load first (default: the default model)")
    parser.add_argument("extra", nargs="*", help="more `streamlit run` options, after --")
    args = parser.parse_args(argv)

    import streamlit.web.cli  # noqa: F401  (imported once here, shared by the children)

    from attention.embeddings import preload
    from attention.models import DEFAULT_MODEL
    from webapp.session import rerun_lost_fragments_whole

    preload([name.strip() for name in args.models.split(",") if name.strip()] or [DEFAULT_MODEL])
    preload_language_model()
    rerun_lost_fragments_whole()  # in the parent, so that every child has it before its first request
    gc.collect()
    gc.freeze()  # the collector then never writes to these objects' headers in the children
    if args.on_request:
        return serve_requests(args.address, args.extra)
    ports = [int(port) for port in args.ports.split(",")]

    children: dict[int, int] = {}  # pid -> port
    stopping = False

    def start(port: int) -> None:
        children[fork_app(port, args.address, args.extra)] = port

    def stop(*_) -> None:
        nonlocal stopping
        stopping = True
        terminate_all(children)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for port in ports:
        start(port)
    while children:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        port = children.pop(pid, None)
        if port is not None and not stopping:
            print(f"app process {pid} on port {port} ended; starting another", file=sys.stderr, flush=True)
            time.sleep(RESTART_PAUSE_S)
            start(port)
    return 0


def serve_requests(address: str, extra: list[str]) -> int:
    """``--on-request``: fork a child for each ``start PORT LOGFILE`` line on stdin and report it, and
    each child's end, on stdout; one thread, so that forking copies no lock another thread holds."""
    children: dict[int, int] = {}  # pid -> port
    stopping = False

    def stop(*_) -> None:
        nonlocal stopping
        stopping = True

    def say(line: str) -> None:
        nonlocal stopping
        try:
            print(line, flush=True)
        except OSError:  # the hall is gone: stop the children too
            stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    say("ready")
    pending = b""
    while not stopping:
        try:
            readable, _, _ = select.select([0], [], [], 0.2)
        except InterruptedError:
            continue
        if readable:
            chunk = os.read(0, 4096)
            if not chunk:  # the hall is gone
                break
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                command, _, rest = line.decode().partition(" ")
                if command == "start":
                    port, _, log_path = rest.partition(" ")
                    pid = fork_app(int(port), address, extra, log_path or None)
                    children[pid] = int(port)
                    say(f"started {port} {pid}")
        while children:  # reap every child that has ended
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            port = children.pop(pid, None)
            say(f"ended {port} {pid} {os.waitstatus_to_exitcode(status)}")
    terminate_all(children)
    deadline = time.monotonic() + 15
    while children and time.monotonic() < deadline:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            time.sleep(0.1)
        children.pop(pid, None)
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    return 0


class ForkedProcess:
    """An app process the fork server started, with what the lecture hall asks of a ``subprocess.Popen``:
    ``pid``, ``poll()``, ``returncode``, ``terminate()``, ``kill()``, ``wait()``. It is the fork server's
    child, not ours: its end is known from the server's ``ended`` line."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self.ended = threading.Event()

    def poll(self) -> int | None:
        if self.returncode is None and not Path(f"/proc/{self.pid}").exists():
            # gone, but not (yet) reported: the report comes within a moment, unless the fork server died
            if not self.ended.wait(1.0):
                self.returncode = -1
        return self.returncode

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, number)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"app process {self.pid}", timeout)
            self.ended.wait(0.1)
        return self.returncode


class ForkServer:
    """``python -m deploy.preload --on-request`` as a child of this process, started by the constructor,
    which returns once the parent has loaded ``models`` (raises RuntimeError if it cannot).

    Args:
        log_dir: its log (``fork-server.log``) and the app processes' logs go there.
        models: the encoders every app process starts with (default: the default model).
        env: variables added to its environment, so to every app process's.
        options: more `streamlit run` options, as ``StreamlitServer`` takes them.
    """

    def __init__(
        self,
        log_dir: Path,
        *,
        models: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        options: Mapping[str, object] | None = None,
        timeout: float = 300,
    ):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / "fork-server.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        extra = [part for key, value in (options or {}).items() for part in (f"--{key}", str(value))]
        self.children: dict[int, ForkedProcess] = {}  # port -> its latest process
        self.started: dict[int, threading.Event] = {}
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.process: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", "deploy.preload", "--on-request", "--models", ",".join(models or []), "--", *extra],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        self.reader = threading.Thread(target=self._read, name="fork-server-reader", daemon=True)
        self.reader.start()
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the fork server did not load the model; see {self.log_path}")

    def _read(self) -> None:
        for line in self.process.stdout:
            words = line.split()
            if words == ["ready"]:
                self.ready.set()
            elif words[:1] == ["started"] and len(words) == 3:
                port, pid = int(words[1]), int(words[2])
                with self.lock:
                    self.children[port] = ForkedProcess(pid)
                    self.started.setdefault(port, threading.Event()).set()
            elif words[:1] == ["ended"] and len(words) == 4:
                pid, code = int(words[2]), int(words[3])
                with self.lock:
                    for child in self.children.values():
                        if child.pid == pid:
                            child.returncode = code
                            child.ended.set()

    def start(self, port: int, log_path: Path, timeout: float = 30) -> ForkedProcess:
        """Fork an app process on ``port`` (its output into ``log_path``); returns once it exists."""
        with self.lock:
            event = self.started[port] = threading.Event()
            self.process.stdin.write(f"start {port} {log_path}\n")
            self.process.stdin.flush()
        if not event.wait(timeout):
            raise RuntimeError(f"the fork server started no process on port {port}; see {self.log_path}")
        return self.children[port]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop every app process, then the fork server; calling it again does nothing."""
        if self.process is None:
            return
        end_process(self.process, grace_s=30)  # it stops its app processes first
        self.log.close()
        self.process = None


class ForkedServer(StreamlitServer):
    """A ``StreamlitServer`` whose process the fork server forked (the model already in memory) instead
    of a new Python: it answers /_stcore/health when the constructor returns; the rest is the same."""

    def __init__(self, forks: ForkServer, log_dir: Path, *, port: int | None = None, timeout: float = 180):
        self.root = ROOT
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_dir) / f"streamlit-{self.port}.log"
        self.log = None  # the app process writes its log itself
        self.started = time.perf_counter()
        self.process = forks.start(self.port, self.log_path)
        self.health_s = self._wait_for_health(timeout)


if __name__ == "__main__":
    sys.exit(main())
