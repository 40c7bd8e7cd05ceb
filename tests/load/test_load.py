"""A small class at once (5 sessions x 3 changes against one `streamlit run`), and the benchmark's smoke run.

Correctness only: every session must see its own new tokens and no errors. How fast is the
benchmark's business (python -m bench), not a test's: a shared CI machine is no clock.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from bench.loadtest import run_load
from bench.texts import Texts
from deploy.harness import StreamlitServer
from tests.helpers import ARTIFACTS, ROOT, chromium_path

ROW_KEYS = {
    "tokens",
    "mode",
    "forward_ms",
    "encode_ms",
    "attend_ms",
    "figure_ms",
    "serialise_ms",
    "server_update_ms",
    "server_update_limit_ms",
    "figure_bytes",
    "bytes_per_cell",
    "heatmap_cells",
    "browser_update_ms_p50",
    "browser_update_ms_p95",
}


def test_texts_have_exactly_the_asked_length():
    texts = Texts()
    for n in (3, 8, 32, 512):
        sentence = texts.make(n)
        assert len(texts.tokenizer(sentence.text)["input_ids"]) == n
        assert sentence.labels == sentence.words and len(set(sentence.words)) == n - 2
    assert not set(texts.make(32).words) & set(texts.make(32).words), "consecutive sentences share words"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_five_sessions_each_see_their_own_tokens():
    executable = chromium_path()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = StreamlitServer(ARTIFACTS)
    try:
        result = asyncio.run(
            run_load(
                server.url,
                sessions=5,
                changes=3,
                tokens=16,
                executable=executable,
                think_s=(0.1, 0.5),
                update_timeout_s=120,
                deadline_s=600,
            )
        )
    finally:
        server.stop()
    assert result.errors == [], f"{result.errors}\n--- server log ---\n{server.log_tail()}"
    assert result.opened == 5
    assert result.completed == 15, result.summary()


@pytest.mark.timeout(900)
def test_bench_quick_writes_the_json(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--no-conversion",  # the first-ever start takes 35 s; CI converts the model once anyway
            "--no-browser",
            "--no-bertviz",
            "--no-load",
            "--repeats",
            "2",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    rows = result["rows"]
    assert {(r["tokens"], r["mode"]) for r in rows} == {(8, "cross"), (8, "self"), (32, "cross"), (32, "self")}
    for row in rows:
        assert ROW_KEYS <= set(row), ROW_KEYS - set(row)
        assert row["forward_ms"] > 0 and row["server_update_ms"] > 0 and row["figure_bytes"] > 0
        assert row["heatmap_cells"] == (row["tokens"] - 2) ** 2
        assert row["browser_update_ms_p50"] is None  # --no-browser
    assert {"machine", "settings", "server", "load", "targets", "run_s"} <= set(result)
    assert any(t["target"].startswith("server update") for t in result["targets"])
    assert "targets:" in done.stdout


@pytest.mark.timeout(300)
def test_a_change_reaching_a_process_before_its_page_ran_is_not_dropped(server):
    """A lecture hall's failover, at its worst moment: the student's Enter (a rerun of the sentences'
    fragment) is the first thing a process hears of the page. Streamlit drops a rerun of a fragment the
    session does not know; the app reruns the whole page instead, with the new sentence."""
    from deploy.harness import AppSession

    async def change_on_a_new_session() -> tuple[AppSession, AppSession]:
        before = AppSession(server.url)
        await before.open()
        target = before.inputs["Target sentence"]
        assert before.fragments[target], "the sentence fields are in a fragment"
        after = AppSession(server.url)  # the same page, reconnected: a new session that has run nothing
        await after.connect()
        after.inputs, after.values, after.fragments = before.inputs, dict(before.values), before.fragments
        await after.change("Target sentence", "the river bank was steep", timeout_s=60)
        await before.close()
        await after.close()
        return before, after

    before, after = asyncio.run(change_on_a_new_session())
    assert not after.errors, after.errors
    assert {"river", "bank"} <= set(after.labels()["y"]), after.labels()
    assert before.labels()["y"] != after.labels()["y"]
