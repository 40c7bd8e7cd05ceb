"""App processes forked from one parent that loaded the model first, so they share its memory.

    python -m deploy.preload --ports 8501,8502 [--models multilingual-e5-small] [-- more streamlit options]

The parent imports torch, transformers and Streamlit and loads the encoders
(``attention.embeddings.preload``), then forks one child per port; each child runs
`streamlit run app.py --server.port PORT --server.address 127.0.0.1 --server.headless true`.
A child that dies is forked again from the parent, with the model already in memory.
SIGTERM or SIGINT to the parent stops every child, then the parent.

Why: the weights are a read-only memory map of the model file, shared by any number of
processes already; the rest of a loaded model (the tokenizer's heap, torch's libraries, the
imported modules) is private to each process unless the processes are forked from one that
loaded it. Forked children share those pages until they write to them (copy on write).
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import time

from deploy.harness import ROOT

RESTART_PAUSE_S = 1.0  # between a child's death and its replacement, so a crashing app cannot spin


def serve(port: int, address: str, extra: list[str]) -> None:
    """In the child: run Streamlit on ``port`` (never returns)."""
    from streamlit.web import cli

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ports", required=True, help="one app process per port, e.g. 8501,8502")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--models", default="", help="encoders to load first (default: the default model)")
    parser.add_argument("extra", nargs="*", help="more `streamlit run` options, after --")
    args = parser.parse_args(argv)
    ports = [int(port) for port in args.ports.split(",")]

    import streamlit.web.cli  # noqa: F401  (imported once here, shared by the children)

    from attention.embeddings import preload
    from attention.models import DEFAULT_MODEL

    preload([name.strip() for name in args.models.split(",") if name.strip()] or [DEFAULT_MODEL])
    gc.collect()
    gc.freeze()  # the collector then never writes to these objects' headers in the children

    children: dict[int, int] = {}  # pid -> port
    stopping = False

    def start(port: int) -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            serve(port, args.address, args.extra)
        children[pid] = port

    def stop(*_) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

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


if __name__ == "__main__":
    sys.exit(main())
