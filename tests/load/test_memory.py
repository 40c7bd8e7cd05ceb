"""The model's memory is shared between app processes.

The weights are views of a read-only memory map of their safetensors file (pages of the page cache,
one copy for every process), and no forward pass writes to them. App processes forked by
``deploy.preload`` share the rest of the loaded model too (the tokenizer, torch, the modules).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attention.embeddings import _PRELOADED, load_encoder, preload
from attention.models import ENGLISH_MODEL, MODELS, MULTILINGUAL_MODEL
from bench.memory import mapped_mib, smaps_rollup
from deploy.harness import ROOT, AppSession, free_port, wait_for_health


def file_mappings(path: Path) -> list[tuple[int, int]]:
    """The address ranges of this process's mappings of ``path``."""
    ranges = []
    for line in Path("/proc/self/maps").read_text().splitlines():
        if line.endswith(" " + str(path)):
            start, end = line.split()[0].split("-")
            ranges.append((int(start, 16), int(end, 16)))
    return ranges


@pytest.mark.parametrize("name", [ENGLISH_MODEL, MULTILINGUAL_MODEL])
def test_weights_are_views_of_the_mapped_file(name, request):
    encoder = request.getfixturevalue("minilm" if name == ENGLISH_MODEL else "e5")
    weights = Path(MODELS[name].load()[0]).resolve() / "model.safetensors"
    ranges = file_mappings(weights)
    assert ranges, f"{weights} is not memory-mapped"
    parameters = list(encoder.transformer.parameters())
    outside = [p.shape for p in parameters if not any(a <= p.data_ptr() < b for a, b in ranges)]
    assert not outside, f"{len(outside)} of {len(parameters)} parameters were copied out of the file: {outside[:3]}"
    encoder.encode_layers("The first forward pass must not write to the weights.")
    assert mapped_mib(os.getpid(), "model.safetensors")["weights_dirty"] == 0


def test_preloaded_encoders_are_returned(minilm):
    preload([ENGLISH_MODEL])
    try:
        assert load_encoder(ENGLISH_MODEL) is _PRELOADED[ENGLISH_MODEL]
    finally:
        _PRELOADED.clear()


def test_forked_app_processes_share_the_model_and_come_back():
    """deploy.preload: the child serves the page holding little of its own; killed, it is forked again."""
    port = free_port()
    parent = subprocess.Popen(
        [sys.executable, "-m", "deploy.preload", "--ports", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_health(url, parent, 240), "deploy.preload's app process did not answer"
        session = AppSession(url)

        async def one_page():
            try:
                await session.open(180)
            finally:
                await session.close()

        asyncio.run(one_page())
        assert session.chart is not None and not session.errors
        (child,) = map(int, Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split())
        memory = smaps_rollup(child)
        assert memory["uss"] < 300, f"the forked app process holds {memory['uss']:.0f} MiB of its own"

        os.kill(child, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
            if children and int(children[0]) != child:
                break
            time.sleep(0.2)
        assert wait_for_health(url, parent, 60), "no app process came back on the port"
    finally:
        parent.terminate()
        parent.wait(timeout=30)
