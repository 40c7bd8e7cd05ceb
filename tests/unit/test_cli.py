"""`python -m attention render`: every format, the options, and one-line errors with exit code 2.

Most cases call ``cli.main`` in this process with the session's model; three run the real
command in a subprocess, which pays a few seconds for importing torch and transformers.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import asdict

import numpy as np
import pytest
from PIL import Image

from attention import cli
from attention.examples import LECTURE_SOURCE, LECTURE_TARGET
from attention.export import image_export_available
from attention.figures import attention_figure
from attention.models import DEFAULT_LAYERS, DEFAULT_MODEL, EMBEDDED_MODELS, ENGLISH_MODEL
from attention.options import FigureOptions, Projection, Settings
from attention.settings_table import FIELDS
from attention.views import attend
from tests.helpers import ROOT

SOURCE, TARGET = LECTURE_SOURCE, LECTURE_TARGET
needs_images = pytest.mark.skipif(
    not image_export_available() and os.environ.get("CI") != "true",
    reason="image export needs kaleido and chromium (apt-get install chromium)",
)


@pytest.fixture(autouse=True)
def shared_model(minilm, monkeypatch):
    """The CLI loads the embedded model once per test run instead of once per call."""
    real = cli.load_encoder
    monkeypatch.setattr(cli, "load_encoder", lambda name=None: minilm if name == ENGLISH_MODEL else real(name))


def run(capsys, *args: str) -> tuple[int, str, str]:
    """The command line in this process, on the small English model unless ``args`` name another."""
    code = cli.main(["render", *args, *([] if "--model" in args else ["--model", ENGLISH_MODEL])])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "suffix", [pytest.param(s, marks=needs_images) for s in (".svg", ".png", ".pdf")] + [".html", ".json", ".csv"]
)
def test_render_writes_each_format(minilm, capsys, tmp_path, suffix):
    out = tmp_path / f"fig{suffix}"
    code, stdout, stderr = run(capsys, "--source", SOURCE, "--target", TARGET, "--out", str(out))
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines == [
        str(out),
        (f"cross attention, 4 source tokens × 6 target tokens, model {ENGLISH_MODEL}, vectors after layer 1 of 6"),
    ]
    data = out.read_bytes()
    view = attend(minilm.encode(SOURCE), minilm.encode(TARGET), Settings())
    if suffix == ".svg":
        texts = ["".join(e.itertext()) for e in ET.fromstring(data).iter() if e.tag.endswith("}text")]
        assert {"this", "example", "ko", "##re", "rei"} <= set(texts)
    elif suffix == ".png":
        fig = attention_figure(view.result, view.query_tokens, view.key_tokens, FigureOptions())
        assert Image.open(io.BytesIO(data)).size == (fig.layout.width, fig.layout.height)
    elif suffix == ".pdf":
        assert data.startswith(b"%PDF")
    elif suffix == ".html":
        page = data.decode("utf-8")
        assert '<script src="http' not in page and "Plotly.newPlot" in page
    elif suffix == ".json":
        document = json.loads(data)
        assert document["query_tokens"] == view.query_tokens and document["key_tokens"] == view.key_tokens
        assert np.array_equal(np.array(document["weights"]), view.result.weights)
        assert document["meta"]["sentences"] == {"source": SOURCE, "target": TARGET}
        assert document["meta"]["model"] == ENGLISH_MODEL
    else:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        assert len(rows) == 4 * 6
        assert np.array_equal(np.array([float(r["weight"]) for r in rows]).reshape(4, 6), view.result.weights)


def test_number_options_give_the_numbers_of_the_same_settings(minilm, capsys, tmp_path):
    out = tmp_path / "self.json"
    args = ["--source", "the cat sat on the mat", "--self", "--causal", "--merge-words", "--show-special"]
    code, stdout, _ = run(capsys, *args, "--no-scale", "--temperature", "0.5", "--out", str(out))
    assert code == 0
    assert stdout.splitlines()[1].startswith("self attention, 8 tokens (causal)")
    settings = Settings(show_special=True, merge_words=True, scale_by_sqrt_dk=False, temperature=0.5, causal=True)
    tokens = minilm.encode("the cat sat on the mat")
    view = attend(tokens, tokens, settings)
    document = json.loads(out.read_text())
    assert document["query_tokens"] == view.query_tokens == ["[CLS]", "the", "cat", "sat", "on", "the", "mat", "[SEP]"]
    scaled = np.array([[-math.inf if x is None else x for x in row] for row in document["scaled"]])
    assert np.array_equal(scaled, view.result.scaled)
    assert np.array_equal(np.array(document["output"]), view.result.output)
    written = document["meta"]["settings"]
    assert written == asdict(settings)
    assert {"show_special": True, "scale_by_sqrt_dk": False, "temperature": 0.5}.items() <= written.items()
    assert document["meta"]["kind"] == "self"


def test_a_missing_target_means_self_attention(capsys, tmp_path):
    out = tmp_path / "self.csv"
    code, stdout, _ = run(capsys, "--source", "the cat sat", "--out", str(out))
    assert code == 0 and stdout.splitlines()[1].startswith("self attention, 3 tokens,")


@needs_images
def test_picture_options_and_scale_factor_shape_the_png(minilm, capsys, tmp_path):
    out = tmp_path / "fig.PNG"
    picture = ["--transpose", "--show-values", "--n-components", "4", "--components", "pca"]
    code, _, stderr = run(
        capsys, "--source", SOURCE, "--target", TARGET, *picture, "--scale-factor", "2", "--out", str(out)
    )
    assert code == 0, stderr
    view = attend(minilm.encode(SOURCE), minilm.encode(TARGET), Settings())
    options = FigureOptions("source", "target", show_values=True, transpose=True, n_components=4, components="pca")
    fig = attention_figure(view.result, view.query_tokens, view.key_tokens, options)
    assert Image.open(out).size == (fig.layout.width * 2, fig.layout.height * 2)


BAD_ARGUMENTS = {
    "unknown suffix": ["--source", SOURCE, "--out", "{tmp}/fig.txt"],
    "no suffix": ["--source", SOURCE, "--out", "{tmp}/fig"],
    "missing folder": ["--source", SOURCE, "--out", "{tmp}/nowhere/fig.svg"],
    "temperature 0": ["--source", SOURCE, "--temperature", "0", "--out", "{tmp}/f.csv"],
    "temperature negative": ["--source", SOURCE, "--temperature", "-1", "--out", "{tmp}/f.csv"],
    "temperature nan": ["--source", SOURCE, "--temperature", "nan", "--out", "{tmp}/f.csv"],
    "temperature inf": ["--source", SOURCE, "--temperature", "inf", "--out", "{tmp}/f.csv"],
    "temperature word": ["--source", SOURCE, "--temperature", "hot", "--out", "{tmp}/f.csv"],
    "temperature below the slider": ["--source", SOURCE, "--temperature", "0.09", "--out", "{tmp}/f.csv"],
    "temperature above the slider": ["--source", SOURCE, "--temperature", "10.5", "--out", "{tmp}/f.csv"],
    "empty source": ["--source", "", "--out", "{tmp}/f.csv"],
    "whitespace target": ["--source", SOURCE, "--target", " \t ", "--out", "{tmp}/f.csv"],
    "causal cross attention": ["--source", SOURCE, "--target", TARGET, "--causal", "--out", "{tmp}/f.csv"],
    "self and target": ["--source", SOURCE, "--target", TARGET, "--self", "--out", "{tmp}/f.csv"],
    "too many components": ["--source", SOURCE, "--n-components", "65", "--out", "{tmp}/f.csv"],
    "negative components": ["--source", SOURCE, "--n-components", "-1", "--out", "{tmp}/f.csv"],
    "fractional components": ["--source", SOURCE, "--n-components", "2.5", "--out", "{tmp}/f.csv"],
    "unknown component mode": ["--source", SOURCE, "--components", "svd", "--out", "{tmp}/f.csv"],
    "old component count flag": ["--source", SOURCE, "--component-mode", "pca", "--out", "{tmp}/f.csv"],
    "unknown colour scale": ["--source", SOURCE, "--colors", "<b>", "--out", "{tmp}/f.csv"],
    "unknown language": ["--source", SOURCE, "--lang", "xx", "--out", "{tmp}/f.csv"],
    "scale factor 4": ["--source", SOURCE, "--scale-factor", "4", "--out", "{tmp}/f.png"],
    "no --out": ["--source", SOURCE],
    "no --source": ["--out", "{tmp}/f.csv"],
    "not a model": ["--source", SOURCE, "--model", "{tmp}", "--out", "{tmp}/f.csv"],
}


@pytest.mark.parametrize("args", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_give_one_line_and_exit_code_2(capsys, tmp_path, args):
    code, stdout, stderr = run(capsys, *(a.format(tmp=tmp_path) for a in args))
    assert code == 2
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr and not stdout
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_no_command_is_an_error_and_help_has_an_example(capsys):
    assert cli.main([]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert cli.main(["render", "--help"]) == 0
    assert 'render --source "this is an example" --target "kore wa rei desu" --out fig.svg' in capsys.readouterr().out


# --- the real command, in a subprocess --------------------------------------------------------------


def command(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "attention", "render", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


@needs_images
def test_command_writes_an_svg(tmp_path):
    out = tmp_path / "fig.svg"
    done = command("--source", SOURCE, "--target", TARGET, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == str(out)
    assert f"model {DEFAULT_MODEL}" in done.stdout
    assert "Traceback" not in done.stderr
    ET.fromstring(out.read_bytes())


@pytest.mark.parametrize(
    "args, message",
    [
        (["--temperature", "nan"], "error: argument --temperature: must be between 0.1 and 10, got nan"),
        (["--model", "{tmp}"], "error: “{tmp}” is a folder here, but not one holding a sentence-transformers model"),
    ],
    ids=["argparse error", "model error"],
)
def test_command_errors_are_one_line_with_exit_code_2(tmp_path, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    done = command("--source", SOURCE, *args, "--out", str(tmp_path / "f.csv"))
    assert done.returncode == 2
    assert done.stderr.startswith(message.format(tmp=tmp_path)), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not done.stdout


def test_projection_options_render_a_real_head(tmp_path):
    out = tmp_path / "head.json"
    code = cli.main(
        [
            "render",
            "--source",
            "the cat sat on the mat",
            "--projection",
            "head",
            "--layer",
            "2",
            "--head",
            "5",
            "--show-special",
            "--model",
            ENGLISH_MODEL,
            "--out",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert data["d_k"] == 32 and data["query_tokens"][0] == "[CLS]"


@pytest.mark.parametrize(
    "extra",
    [
        ["--projection", "head", "--layer", "9"],
        ["--projection", "random", "--random-dk", "0"],
        ["--projection", "random", "--random-dk", "256"],
    ],
)
def test_bad_projection_arguments(tmp_path, capsys, extra):
    code = cli.main(
        ["render", "--source", "the cat", "--model", ENGLISH_MODEL, "--out", str(tmp_path / "x.json"), *extra]
    )
    assert code == 2
    assert "error:" in capsys.readouterr().err


def test_every_setting_of_the_command_line_has_its_flag(capsys):
    """The flags are made from attention.settings_table.FIELDS: ``--`` and the key with dashes, ``--x/--no-x`` for
    a switch, so the app's link parameter ``?n_components=4`` is ``--n-components 4`` here."""
    assert cli.main(["render", "--help"]) == 0
    usage = capsys.readouterr().out
    flagged = [key for key, field in FIELDS.items() if field.flag]
    assert {"temperature", "n_components", "components", "colors", "lang", "random_dk"} <= set(flagged)
    for key in flagged:
        flag = "--" + key.replace("_", "-")
        assert flag in usage, flag
        if FIELDS[key].kind == "bool":
            assert "--no-" + key.replace("_", "-") in usage, key


@pytest.mark.parametrize("temperature", ["0.1", "0.37", "7.3", "10"])
def test_any_temperature_of_the_slider_is_accepted(minilm, capsys, tmp_path, temperature):
    out = tmp_path / "t.json"
    code, _, stderr = run(capsys, "--source", SOURCE, "--temperature", temperature, "--out", str(out))
    assert code == 0, stderr
    assert json.loads(out.read_text())["meta"]["settings"]["temperature"] == float(temperature)


def test_the_new_picture_flags_reach_the_figure(minilm, capsys, tmp_path):
    """--colors and --lang, and up to 64 output components, as in the app."""
    out = tmp_path / "fig.html"
    args = ["--colors", "Viridis", "--lang", "ko", "--n-components", "64", "--components", "first"]
    code, _, stderr = run(capsys, "--source", SOURCE, "--target", TARGET, *args, "--out", str(out))
    assert code == 0, stderr
    page = out.read_text()
    view = attend(minilm.encode(SOURCE), minilm.encode(TARGET), Settings())
    options = FigureOptions("입력", "대상", n_components=64, components="first", colorscale="Viridis", lang="ko")
    figure = attention_figure(view.result, view.query_tokens, view.key_tokens, options)
    plain = attention_figure(view.result, view.query_tokens, view.key_tokens, FigureOptions())
    title = figure.layout.xaxis.title.text
    assert "쿼리" in title and json.dumps(title) in page  # plotly writes non-ASCII as \\u escapes
    assert json.dumps(plain.layout.xaxis.title.text) not in page
    colour = figure.data[0].colorscale[0][1]
    assert colour != plain.data[0].colorscale[0][1] and json.dumps(colour) in page
    assert figure.layout.height > plain.layout.height  # 64 components drawn under the weights
    assert f'"height":{figure.layout.height}' in page


def test_random_projection_takes_every_d_k_of_the_app(minilm, capsys, tmp_path):
    for d_k in FIELDS["random_dk"].choices:
        out = tmp_path / f"random{d_k}.json"
        code, _, stderr = run(
            capsys, "--source", SOURCE, "--projection", "random", "--random-dk", str(d_k), "--out", str(out)
        )
        assert code == 0, stderr
        document = json.loads(out.read_text())
        assert document["d_k"] == d_k
        assert document["meta"]["settings"]["projection"] == asdict(Projection("random", d_k=d_k))


def test_the_model_flags_help_names_the_registrys_models(capsys):
    """--model's help lists the embedded models of attention.models, and --vector-layer their default layers."""
    assert cli.main(["render", "--help"]) == 0
    usage = " ".join(capsys.readouterr().out.split())
    for name in EMBEDDED_MODELS:
        assert name in usage and f"{DEFAULT_LAYERS[name]} for {name}" in usage, name
