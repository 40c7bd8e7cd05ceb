"""A lecture hall: several `streamlit run app.py` processes behind nginx, with sticky sessions.

    python -m deploy.lecture_hall --processes 2 --port 8080

One Streamlit process does its Python work on one core; this starts ``--processes`` of them on free
loopback ports, each forked from one parent that loaded the model first (``deploy.preload``'s fork
server; the processes share the model's memory, and a restart does not load it again;
``--separate-processes`` starts each as a new Python instead), waits until each answers /_stcore/health (and,
unless --no-warm, has run the cross page once), writes deploy/nginx.conf.template with those ports
into a run folder, and runs Debian's nginx in the foreground as a child (its pid, logs and temp
files in the run folder: no root needed). Ctrl-C or SIGTERM stops nginx, then the app processes. An
app process that dies is started again on its port (forked again: about a second), kept out of the
seating until it answers and has run the page once; one that dies 3 times within a minute is given
up (``LectureHall``'s watcher; the log says so).

Students open http://HOST:PORT/ (--listen 0.0.0.0 to be reachable from the hall's network; the
default listens on 127.0.0.1 only). Each new browser goes to the next process in turn (nginx's
round robin, which skips a process that failed) and gets a ``hall_seat`` cookie naming it on that
first response; from then on nginx routes it by the cookie, so it stays on one process (see the
template for the details, the reseat of a dead process's browsers, and why not ip_hash or the
XSRF cookie).

A hall is closed by default: its app processes get ``ATTENTION_ALLOWED_MODELS=""``, so only the
shipped models load, whatever a student types into the model field (no downloads of any size into
the hall's shared memory, no reading the server's folders). ``--allow-models name-1,name-2`` lets
those load too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):  # python deploy/lecture_hall.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attention.embeddings import ALLOWED_MODELS_VARIABLE
from attention.models import EMBEDDED_MODELS
from deploy.harness import AppSession, StreamlitServer, free_port, pss_mb, rss_mb, wait_for_health
from deploy.preload import ForkedServer, ForkServer

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
SERVER_LINE = "        server 127.0.0.1:{port} max_fails={max_fails} fail_timeout={fail_timeout}s{down};"
SEAT_MAP_LINE = '        "127.0.0.1:{port}" hall_seat_{port};'
SEAT_UPSTREAM = """    upstream hall_seat_{port} {{
        server 127.0.0.1:{port};
        keepalive 8;
    }}"""


def find_nginx() -> str | None:
    """Debian's nginx (/usr/sbin/nginx, often not on a user's PATH), or None."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def render_config(
    ports: list[int],
    run_dir: Path,
    listen: str,
    *,
    max_fails: int = 3,
    fail_timeout: int = 10,
    template: Path = TEMPLATE,
    down: set[int] | frozenset[int] = frozenset(),
) -> str:
    """The nginx configuration for app processes on ``ports`` (127.0.0.1), listening on ``listen``.

    The ports in ``down`` (a process being restarted, or one given up on) get no new seats: nginx's
    ``down`` in the balancing upstream, and a cookie naming one counts as no seat.
    """
    servers = [
        SERVER_LINE.format(port=p, max_fails=max_fails, fail_timeout=fail_timeout, down=" down" if p in down else "")
        for p in ports
    ]
    values = {
        "RUN_DIR": str(run_dir),
        "SERVERS": "\n".join(servers),
        "SEAT_MAP": "\n".join(SEAT_MAP_LINE.format(port=p) for p in ports if p not in down),
        "SEAT_UPSTREAMS": "\n".join(SEAT_UPSTREAM.format(port=p) for p in ports),
        "LISTEN": listen,
    }
    text = template.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"{template} has a placeholder left: {text[text.index('{{') :][:40]}")
    return text


def app_environment(processes: int, allowed_models: list[str] | None = None, cores: int | None = None) -> dict:
    """The variables each app process gets on top of the hall's own environment.

    ``ATTENTION_ALLOWED_MODELS``: always set, so a hall is closed by default ("": only the embedded
    models load); ``allowed_models`` adds those names (hub names or folders on the server).
    Torch's threads: one core's worth per process; two processes of torch's default two threads
    each on two cores wait on each other's threads far more than they compute.
    """
    threads = str(max(1, (cores or os.cpu_count() or 1) // processes))
    names = [name.strip() for name in allowed_models or [] if name.strip()]
    return {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, ALLOWED_MODELS_VARIABLE: ",".join(names)}


def warm(url: str, timeout_s: float = 300) -> None:
    """Open the cross page once over the websocket, directly on one process: the model loads now,
    not when the first student arrives."""

    async def once() -> None:
        session = AppSession(url)
        try:
            await session.open(timeout_s)
        finally:
            await session.close()

    asyncio.run(once())


class LectureHall:
    """N app processes and nginx in front, started by ``start()`` (or ``with LectureHall(...)``).

    Attributes: ``url`` (nginx's address), ``servers`` (deploy.harness.StreamlitServer each),
    ``nginx`` (its Popen), ``run_dir`` (config, logs, pid, temp files), ``restarts`` (one dict per
    restart of a dead process: port, exit code, and when it died and was seated again), ``given_up``
    (ports of processes that died too often).

    With ``restart`` (the default) a watcher thread checks the app processes twice a second. One that
    exited by itself (a crash, ``kill -9``; not ``server.stop()``) is started again on its own port:
    nginx first marks it ``down`` (reload), so no new student is seated on a process still loading;
    once it answers /_stcore/health and (unless ``warm=False``) has loaded the model, a second reload
    puts it back into the turn at once (a reload starts nginx's passive health checks afresh; its
    websockets stay with the old worker until they close). A process that dies ``max_deaths`` times
    within ``death_window_s`` seconds is not started again: it stays ``down`` and the log says so.
    """

    def __init__(
        self,
        processes: int = 2,
        *,
        port: int | None = None,
        listen_address: str = "127.0.0.1",
        run_dir: Path | None = None,
        warm: bool = True,
        nginx: str | None = None,
        options: dict[str, object] | None = None,
        allowed_models: list[str] | None = None,
        log=print,
        restart: bool = True,
        max_deaths: int = 3,
        death_window_s: float = 60,
        fork: bool = True,
    ):
        if processes < 1:
            raise ValueError("processes must be at least 1")
        self.processes = processes
        self.port = port or free_port()
        self.listen = f"{listen_address}:{self.port}"
        self.url = f"http://{'127.0.0.1' if listen_address in ('0.0.0.0', '*') else listen_address}:{self.port}"
        self.run_dir = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix="lecture-hall-"))
        self.warm = warm
        self.nginx_path = nginx or find_nginx()
        self.options = options or {}
        self.allowed_models = [name.strip() for name in allowed_models or [] if name.strip()]
        self.log = log
        self.servers: list[StreamlitServer] = []
        self.nginx: subprocess.Popen | None = None
        self.config_path = self.run_dir / "nginx.conf"
        self.env = app_environment(processes, self.allowed_models)
        self.restart = restart
        self.max_deaths = max_deaths
        self.death_window_s = death_window_s
        self.restarts: list[dict] = []
        self.given_up: set[int] = set()
        self.down: set[int] = set()  # ports nginx seats no one on now
        self.deaths: dict[int, list[float]] = {}  # port -> time.monotonic() of each death
        self.stopping = threading.Event()
        self.watcher: threading.Thread | None = None
        self.fork = fork
        self.forks: ForkServer | None = None

    # ------------------------------------------------------------------ start

    def start(self) -> LectureHall:
        if self.nginx_path is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / "temp" / sub).mkdir(parents=True, exist_ok=True)
        try:
            self._start_apps()
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        if self.restart:
            self.watcher = threading.Thread(target=self._watch, name="lecture-hall-watcher", daemon=True)
            self.watcher.start()
        return self

    def _new_server(self, port: int | None = None) -> StreamlitServer:
        """An app process on ``port`` (default: a free one): forked from the fork server, or a new Python."""
        if self.forks is not None:
            return ForkedServer(self.forks, self.run_dir, port=port)
        return StreamlitServer(self.run_dir, options=self.options, env=self.env, port=port)

    def _start_apps(self) -> None:
        if self.fork:
            started = time.perf_counter()
            self.forks = ForkServer(self.run_dir, env=self.env, options=self.options)
            self.log(
                f"fork server (pid {self.forks.process.pid}) loaded the model in {time.perf_counter() - started:.1f} s;"
                " each app process is forked from it and shares its memory"
            )
        self.log(f"starting {self.processes} app processes (logs in {self.run_dir})")
        self.log(f"models allowed: {', '.join([*EMBEDDED_MODELS, *self.allowed_models])}")
        if not self.allowed_models:
            self.log(f'  (only the embedded ones: {ALLOWED_MODELS_VARIABLE}=""; --allow-models NAME,NAME adds more)')

        def one(_: int) -> StreamlitServer:
            server = self._new_server()
            self.servers.append(server)  # list.append is atomic: stop() sees every started one
            self._ready(server)
            return server

        # in parallel: each waits for its own /_stcore/health; an exception stops the lot
        with ThreadPoolExecutor(self.processes) as pool:
            list(pool.map(one, range(self.processes)))
        self.servers.sort(key=lambda s: s.port)

    def _ready(self, server: StreamlitServer) -> None:
        """Log that ``server`` is healthy; warm it (load the model) unless the hall was told not to."""
        self.log(f"  {server.url} healthy after {server.health_s:.1f} s (pid {server.process.pid})")
        if self.warm:
            started = time.perf_counter()
            warm(server.url)
            self.log(f"  {server.url} warm (the cross page once) after {time.perf_counter() - started:.1f} s")

    def _nginx_command(self) -> list[str]:
        return [self.nginx_path, "-c", str(self.config_path), "-p", str(self.run_dir), "-e", "stderr"]

    def _write_config(self) -> None:
        """Write nginx's configuration for the ports now (``self.down`` left out of the seating) and check it."""
        config = render_config([s.port for s in self.servers], self.run_dir, self.listen, down=self.down)
        self.config_path.write_text(config)
        check = subprocess.run([*self._nginx_command(), "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t rejected {self.config_path}:\n{check.stderr}")

    def _start_nginx(self) -> None:
        self._write_config()
        command = self._nginx_command()
        self.nginx_log = open(self.run_dir / "nginx-stderr.log", "w")  # noqa: SIM115 (closed in stop)
        self.nginx = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=self.nginx_log, stderr=subprocess.STDOUT, start_new_session=True
        )
        if not wait_for_health(self.url, self.nginx, 30, pause=0.1):
            if self.nginx.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.nginx.returncode}: {self.nginx_errors()}")
            raise RuntimeError(f"nginx did not answer on {self.url}: {self.nginx_errors()}")
        self.log(f"nginx (pid {self.nginx.pid}) on {self.url}, config {self.config_path}")

    def nginx_errors(self) -> str:
        text = ""
        for name in ("nginx-stderr.log", "nginx-error.log"):
            path = self.run_dir / name
            if path.exists():
                text += path.read_text(errors="replace")[-2000:]
        return text

    # ------------------------------------------------------------------ while running

    def memory(self) -> list[dict]:
        """Per app process: port, pid, resident memory now and at its peak, and its proportional share
        (PSS: pages shared with N processes count 1/N; forked processes share the model) (MiB)."""
        return [
            {
                "port": s.port,
                "pid": s.process.pid if s.process else None,
                "rss_mb": s.rss_mb(),
                "peak_mb": s.peak_rss_mb(),
                "pss_mb": pss_mb(s.process.pid) if s.process else None,
            }
            for s in self.servers
        ]

    def nginx_rss_mb(self) -> float | None:
        """nginx's master and worker together, MiB."""
        if self.nginx is None:
            return None
        pids = [self.nginx.pid]
        children = Path(f"/proc/{self.nginx.pid}/task/{self.nginx.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        return sum(rss_mb(p) or 0 for p in pids)

    def dead(self) -> list[str]:
        """What has exited: 'nginx' and/or the app processes' URLs."""
        gone = [s.url for s in self.servers if s.process is None or s.process.poll() is not None]
        if self.nginx is not None and self.nginx.poll() is not None:
            gone.insert(0, "nginx")
        if self.forks is not None and not self.forks.alive():
            gone.insert(0, "fork server")
        return gone

    # ------------------------------------------------------------------ restarting a dead process

    def _watch(self) -> None:
        while not self.stopping.wait(0.5):
            if self.forks is not None and not self.forks.alive():
                continue  # nothing to fork from: main() stops the hall
            for index, server in enumerate(list(self.servers)):
                # process None: stopped on purpose (server.stop()); a return code: it died
                if server.process is None or server.process.poll() is None or server.port in self.given_up:
                    continue
                try:
                    self._restart(index, server)
                except Exception as error:  # noqa: BLE001 (the watcher must go on; the next death counts)
                    if not self.stopping.is_set():  # (a hall stopping mid-restart stops the new process too)
                        self.log(f"restarting 127.0.0.1:{server.port} failed: {type(error).__name__}: {error}")

    def _reload_nginx(self) -> None:
        """nginx reads the configuration again (SIGHUP: new workers, the old ones finish their connections)."""
        self._write_config()
        if self.nginx is not None and self.nginx.poll() is None:
            os.kill(self.nginx.pid, signal.SIGHUP)

    def _restart(self, index: int, server: StreamlitServer) -> None:
        """Start the dead ``server`` again on its port, or give up on it if it dies too often."""
        died = time.monotonic()
        died_wall = time.time()
        code, pid, port = server.process.returncode, server.process.pid, server.port
        server.stop()  # closes its log
        deaths = [t for t in self.deaths.get(port, []) if died - t < self.death_window_s] + [died]
        self.deaths[port] = deaths
        self.down.add(port)
        self._reload_nginx()
        address = f"127.0.0.1:{port}"
        if len(deaths) >= self.max_deaths:
            self.log(
                f"app process {address} (pid {pid}) exited with {code}: it died {len(deaths)} times within "
                f"{self.death_window_s:g} s, so it is NOT restarted; nginx seats no one there "
                f"({len(self.servers) - len(self.given_up) - 1} of {len(self.servers)} processes left; see its log)"
            )
            self.given_up.add(port)
            return
        self.log(f"app process {address} (pid {pid}) exited with {code}; restarting it on the same port")
        kept = server.log_path.with_name(f"streamlit-{port}-died-{len(self.restarts) + 1}.log")
        server.log_path.rename(kept)
        fresh = self._new_server(port)
        if self.stopping.is_set():
            fresh.stop()
            return
        self.servers[index] = fresh
        try:
            self._ready(fresh)
        except Exception as error:  # noqa: BLE001 (healthy but not warm: seat students there all the same)
            if self.stopping.is_set():
                return
            self.log(f"  {fresh.url} did not load the model ({type(error).__name__}: {error}); seating there anyway")
        self.down.discard(port)
        self._reload_nginx()
        ready = time.monotonic()
        self.restarts.append(
            {
                "port": port,
                "exit_code": code,
                "died_at": died_wall,
                "seated_again_at": time.time(),
                "seconds": ready - died,
            }
        )
        self.log(
            f"app process {address} restarted (pid {fresh.process.pid}) {ready - died:.1f} s after it died; "
            f"nginx seats new students there again (the dead one's log: {kept.name})"
        )

    # ------------------------------------------------------------------ stop

    def stop(self) -> None:
        """nginx first (no new requests), then the app processes; calling it again does nothing."""
        self.stopping.set()
        if self.watcher is not None and self.watcher is not threading.current_thread():
            self.watcher.join(timeout=5)  # a restart under way stops its new process itself
        if self.nginx is not None:
            if self.nginx.poll() is None:
                self.nginx.terminate()  # SIGTERM: nginx's fast shutdown (closes the websockets)
                try:
                    self.nginx.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.nginx.pid, signal.SIGKILL)
                    self.nginx.wait(timeout=10)
            self.nginx_log.close()
            self.nginx = None
        for server in self.servers:
            server.stop()
        if self.forks is not None:
            self.forks.stop()

    def __enter__(self) -> LectureHall:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.lecture_hall", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2, help="app processes (default: cores)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--listen", default="127.0.0.1", help="nginx's address (default 127.0.0.1; 0.0.0.0: all)")
    parser.add_argument("--run-dir", type=Path, help="config, logs, pid and temp files (default: a new temp folder)")
    parser.add_argument("--no-warm", action="store_true", help="do not load the model before nginx starts")
    parser.add_argument(
        "--separate-processes",
        action="store_true",
        help="start each app process as a new Python (default: fork them from one that loaded the model, so "
        "they share its memory)",
    )
    parser.add_argument("--nginx", help="the nginx binary (default: nginx on PATH, else /usr/sbin/nginx)")
    parser.add_argument(
        "--allow-models",
        metavar="NAME,NAME",
        type=lambda s: [name.strip() for name in s.split(",") if name.strip()],
        default=[],
        help="models students may load besides the embedded ones (hub names or server folders; default: none)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, flush=True)

    def on_sigterm(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    hall = LectureHall(
        args.processes,
        port=args.port,
        listen_address=args.listen,
        run_dir=args.run_dir,
        warm=not args.no_warm,
        nginx=args.nginx,
        allowed_models=args.allow_models,
        log=log,
        fork=not args.separate_processes,
    )
    try:
        hall.start()
        for row in hall.memory():
            log(
                f"  app 127.0.0.1:{row['port']} pid {row['pid']}: RSS {row['rss_mb']:.0f} MiB, "
                f"PSS {row['pss_mb'] or 0:.0f} MiB"
            )
        log(f"  nginx: RSS {hall.nginx_rss_mb():.0f} MiB")
        log(f"Lecture hall ready: {hall.url}/  ({args.processes} processes, port {hall.port}); Ctrl-C stops it")
        while True:  # the hall's watcher restarts a dead app process and logs it
            time.sleep(2)
            if "nginx" in hall.dead():
                log(f"nginx exited: {hall.nginx_errors()}")
                return 1
            if "fork server" in hall.dead():
                log(f"the fork server exited; see {hall.forks.log_path}")
                return 1
            if len(hall.given_up) == len(hall.servers):
                log("every app process has died too often; stopping the hall")
                return 1
    except KeyboardInterrupt:
        log("stopping")
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not interrupt the cleanup
        hall.stop()
        log("stopped")


if __name__ == "__main__":
    sys.exit(main())
