"""Bad and hostile input: every string of the corpus through the core, the figure and both pages; bad and
hostile model names through load_encoder and the model field; many threads through one shared model.

Nothing may raise, every page shows a chart or a message, user text is shown literally (escaped, never
interpreted as markup), no file contents are echoed, a bad model name gives up within seconds, and no
model's own code ever runs.
"""

from __future__ import annotations

import html
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from attention import (
    DEFAULT_MODEL,
    ModelLoadError,
    Settings,
    attend,
    attention_figure,
    load_encoder,
    scaled_dot_product_attention,
)
from attention.embeddings import ALLOWED_MODELS_VARIABLE
from attention.examples import LECTURE_SOURCE, LECTURE_TARGET
from attention.models import english_model_path
from attention.options import FigureOptions
from attention.style import MAX_LABEL_CHARS, axis_labels
from attention.views import compute_view
from tests.helpers import (
    CROSS,
    HEADS,
    SELF,
    STEPS,
    chart_spec,
    charts,
    choose_model,
    messages,
    open_app,
    page_text,
)
from tests.hostile_strings import HOSTILE_STRINGS

TEXTS = [text for _, text in HOSTILE_STRINGS]
IDS = [name for name, _ in HOSTILE_STRINGS]
GIVE_UP_SECONDS = 10


def test_the_corpus_is_large_and_has_the_hard_cases():
    assert len(HOSTILE_STRINGS) >= 60 and len(set(IDS)) == len(IDS) and len(set(TEXTS)) == len(TEXTS)
    for needed in ("", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "$x^2$", "%{x}", "\x00"):
        assert any(needed in text for text in TEXTS), needed
    assert max(len(text) for text in TEXTS) >= 20_000


# ---------------------------------------------------------------- the core and the figure, without a page


_encoded: dict[str, object] = {}


def encoded(minilm, text: str):
    """The encoder's EncodedText of ``text`` (every layer), computed once per test run."""
    if text not in _encoded:
        _encoded[text] = minilm.encode_layers(text)
    return _encoded[text]


def assert_literal_labels(labels: list[str], tokens: list[str]) -> None:
    """Tick labels are the tokens, HTML-escaped: no raw markup, and unescaped they are the tokens as typed
    (cut to MAX_LABEL_CHARS, and numbered where a token repeats)."""
    assert labels == axis_labels(tokens)
    for label, token in zip(labels, tokens, strict=True):
        assert "<" not in label and ">" not in label, label
        short = token if len(token) <= MAX_LABEL_CHARS else token[: MAX_LABEL_CHARS - 1] + "…"
        shown = html.unescape(label)
        assert shown == short or shown.endswith(f" · {short}"), (shown, token)


@pytest.mark.parametrize("text", TEXTS, ids=IDS)
def test_core_and_figure_take_every_string(minilm, text):
    every = encoded(minilm, text)
    assert every.hidden_states.shape == (minilm.n_layers + 1, len(every.tokens), 384)
    assert np.all(np.isfinite(every.hidden_states))
    te = every.at_layer(minilm.default_layer)
    assert len(te.tokens) <= minilm.max_tokens
    lecture = encoded(minilm, LECTURE_TARGET).at_layer(minilm.default_layer)
    cases = [
        (te, lecture, Settings()),
        (lecture, te, Settings(merge_words=True, show_special=True)),
        (te, te, Settings(merge_words=True, causal=True, temperature=0.1)),
        (te, te, Settings(scale_by_sqrt_dk=False, temperature=10.0)),
    ]
    for queries, keys, settings in cases:
        view = attend(queries, keys, settings)
        if view.problem:
            assert view.result is None and "no word pieces" in view.problem
            continue
        weights = view.result.weights
        assert np.all(np.isfinite(weights)) and np.allclose(weights.sum(axis=1), 1.0)
        assert np.all(np.isfinite(view.result.output))
    # the page tests below draw the default layout; here the other one, once per string (figures are slow)
    view = attend(te, te, Settings(merge_words=True, show_special=True))
    options = FigureOptions(transpose=True, show_values=True, components="pca")
    trace = json.loads(attention_figure(view.result, view.query_tokens, view.key_tokens, options).to_json())["data"][0]
    assert_literal_labels(trace["y"], view.query_tokens)
    assert_literal_labels(trace["x"], view.key_tokens)


def test_whole_strings_as_labels_are_escaped():
    """Tokens straight from the user (as merged words are) are shown as typed, whatever they hold,
    and never reach a hover template or the layout: every string of the corpus as one label."""
    queries, keys = TEXTS, [*reversed(TEXTS), "ok"]
    rng = np.random.default_rng(0)
    result = scaled_dot_product_attention(rng.normal(size=(len(queries), 4)), *[rng.normal(size=(len(keys), 4))] * 2)
    plain = [f"q{i}" for i in range(len(queries))], [f"k{i}" for i in range(len(keys))]
    for options in (FigureOptions(), FigureOptions(transpose=True)):
        reference = json.loads(attention_figure(result, *plain, options).to_json())
        spec = json.loads(attention_figure(result, queries, keys, options).to_json())
        heatmap, strip = spec["data"]
        query_labels, key_labels = (heatmap["y"], heatmap["x"]) if options.transpose else (heatmap["x"], heatmap["y"])
        assert_literal_labels(query_labels, queries)
        assert_literal_labels(key_labels, keys)
        assert_literal_labels(strip["y"] if options.transpose else strip["x"], queries)
        for trace, plain_trace in zip(spec["data"], reference["data"], strict=True):
            assert trace["hovertemplate"] == plain_trace["hovertemplate"]
        assert spec["layout"] == reference["layout"]  # axis titles, sizes: nothing of the text


# ---------------------------------------------------------------- both pages, one AppTest each


@pytest.fixture(scope="module")
def cross_page():
    return open_app(CROSS)


@pytest.fixture(scope="module")
def self_page():
    return open_app(SELF)


@pytest.fixture(scope="module")
def lecture_hovertemplate(cross_page):
    return show(cross_page, source=LECTURE_SOURCE, target=LECTURE_TARGET)[0]["hovertemplate"]


def show(at: AppTest, **fields: str) -> list[dict]:
    """Type ``fields`` into the page's text inputs and run it; returns the chart's traces ([] for none)."""
    for key, value in fields.items():
        at.text_input(key).set_value(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for key, value in fields.items():
        assert at.text_input(key).value == value  # the text arrived unchanged
    return chart_spec(at)["data"] if charts(at) else []


def expect_page(at: AppTest, traces: list[dict], view, hovertemplate: str) -> None:
    """The page drew ``view`` (what the core computes for the same text) literally, or said why it could not."""
    if view.problem:
        assert not traces, "a chart for text that has nothing to attend with"
        assert view.problem in messages(at)
        return
    heatmap = traces[0]
    assert_literal_labels(heatmap["x"], view.query_tokens)
    assert_literal_labels(heatmap["y"], view.key_tokens)
    assert heatmap["hovertemplate"] == hovertemplate  # user text never reaches a template
    filename = chart_spec(at)["config"]["toImageButtonOptions"]["filename"]
    assert filename and all(c.isalnum() or c in "_-" for c in filename), filename


def page_view(minilm, sentences: dict[str, str]):
    """What a page with default settings shows for these sentences: the computation the pages share."""
    return compute_view(minilm, sentences, Settings(), encode=lambda text, depth=None: encoded(minilm, text))


@pytest.mark.parametrize("text", TEXTS, ids=IDS)
def test_cross_page_takes_every_string_as_source_and_target(minilm, cross_page, lecture_hovertemplate, text):
    """The string in both fields at once: the source's tokens are the queries, the target's the keys."""
    traces = show(cross_page, source=text, target=text)
    expect_page(cross_page, traces, page_view(minilm, dict(source=text, target=text)), lecture_hovertemplate)


@pytest.mark.parametrize("text", TEXTS, ids=IDS)
def test_self_page_takes_every_string(minilm, self_page, lecture_hovertemplate, text):
    traces = show(self_page, sentence=text)
    expect_page(self_page, traces, page_view(minilm, dict(sentence=text)), lecture_hovertemplate)


def test_hostile_source_with_the_lecture_target_and_back(minilm, cross_page, lecture_hovertemplate):
    """Roles mixed: a hostile source against a plain target, then the other way round."""
    hostile = dict(HOSTILE_STRINGS)["attribute-breakout"]
    for source, target in ((hostile, LECTURE_TARGET), (LECTURE_SOURCE, hostile)):
        traces = show(cross_page, source=source, target=target)
        expect_page(cross_page, traces, page_view(minilm, dict(source=source, target=target)), lecture_hovertemplate)


def test_long_prose_is_cut_with_a_note(cross_page):
    prose = dict(HOSTILE_STRINGS)["prose-20000-chars"]
    traces = show(cross_page, source=prose, target=LECTURE_TARGET)
    assert traces and any("keeps the first 510" in m for m in messages(cross_page))


SCRIPTED = ["script-tag", "img-onerror", "svg-onload", "attribute-breakout", "iframe-javascript"]
MARKUP = [
    *SCRIPTED,
    "plotly-link-javascript",
    "plotly-span-style",
    "plotly-bold-italic",
    "plotly-br",
    "mathjax-inline",
    "hovertemplate-customdata",
    "markdown",
]
RAW_MARKUP = ("<script", "<img", "<svg", "<iframe", "<a href", "<span style", "<b>bold", "<br>two", "javascript:")


def strings_in(value) -> list[str]:
    """Every string anywhere inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def assert_no_raw_markup(at: AppTest) -> None:
    """No chart on the page carries the corpus's markup unescaped, anywhere in its figure."""
    for figure in charts(at):
        for text in strings_in(figure):
            assert not any(raw in text for raw in RAW_MARKUP), text


@pytest.mark.parametrize("name", MARKUP)
def test_markup_never_reaches_a_chart_on_the_cross_and_self_pages(cross_page, self_page, name):
    text = dict(HOSTILE_STRINGS)[name]
    show(cross_page, source=text, target=text)
    assert_no_raw_markup(cross_page)
    show(self_page, sentence=text)
    assert_no_raw_markup(self_page)


# these pages are slower (more charts, the model's own attention): the script-carrying strings and edge cases
OTHER_PAGE_STRINGS = [
    *SCRIPTED,
    "plotly-link-javascript",
    "mathjax-inline",
    "empty",
    "nul-only",
    "one-word-5000-letters",
]


@pytest.fixture(scope="module")
def step_page():
    return open_app(STEPS)


@pytest.fixture(scope="module")
def heads_page():
    return open_app(HEADS)


# "single-letter" has one key, so two step charts are identical: they need their own keys.
STEP_PAGE_STRINGS = [*OTHER_PAGE_STRINGS, "single-letter"]


@pytest.mark.parametrize("name", STEP_PAGE_STRINGS)
def test_the_step_page_takes_hostile_strings(step_page, name):
    """The step-by-step page: no exception, charts or a message, no raw markup."""
    text = dict(HOSTILE_STRINGS)[name]
    traces = show(step_page, source=text, target=text)
    assert traces or messages(step_page), name
    assert_no_raw_markup(step_page)


@pytest.mark.parametrize("name", [*OTHER_PAGE_STRINGS, "single-letter"])
def test_the_heads_page_takes_hostile_strings(heads_page, name):
    """The model-heads page: no exception, charts or a message, no raw markup."""
    text = dict(HOSTILE_STRINGS)[name]
    traces = show(heads_page, sentence=text)
    assert traces or messages(heads_page), name
    assert_no_raw_markup(heads_page)


# ---------------------------------------------------------------- the model field


@pytest.fixture
def not_a_model(tmp_path):
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "notes.txt").write_text("secret-notes-content")
    return str(folder)


MARKER_CODE = "from pathlib import Path\nPath({marker!r}).write_text('ran')\nclass Evil:\n    pass\n"


@pytest.fixture
def needs_its_own_code(tmp_path):
    """A local folder whose model would run its own Python to load (as a hub model with custom code would):
    a custom module class in modules.json, and config.json's auto_map. Both would write ``ran`` to a marker."""
    folder = tmp_path / "custom-code-model"
    folder.mkdir()
    marker = tmp_path / "MARKER"
    code = MARKER_CODE.format(marker=str(marker))
    (folder / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": "", "type": "evil_module.Evil"}]))
    (folder / "evil_module.py").write_text(code)
    other = tmp_path / "auto-map-model"
    other.mkdir()
    auto_map = {"AutoConfig": "configuration_evil.Evil", "AutoModel": "modeling_evil.Evil"}
    (other / "config.json").write_text(json.dumps({"model_type": "evil", "auto_map": auto_map}))
    for name in ("configuration_evil.py", "modeling_evil.py"):
        (other / name).write_text(code)
    yield [str(folder), str(other)]
    assert not marker.exists(), "a model's own code ran"


BAD_NAMES = [
    "no-such-model-xyz-123",
    "someorg/custom-code-model",
    "../../etc",
    "/etc/passwd",
    "/etc",
    "/proc/self/environ",
    "a" * 300,  # longer than a file name may be
    "~no-such-user-xyz/model",  # a home directory that does not exist
    "bad\x00name",
    "<img src=x onerror=alert(1)>",
    "http://127.0.0.1:1/model",
]


def attempt(name: str) -> tuple[str, float]:
    """load_encoder(name)'s error message and how long it took to give up."""
    start = time.perf_counter()
    with pytest.raises(ModelLoadError) as error:
        load_encoder(name)
    return str(error.value), time.perf_counter() - start


@pytest.mark.parametrize("name", BAD_NAMES, ids=[repr(n[:30]) for n in BAD_NAMES])
def test_bad_model_names_give_a_clear_message_quickly(minilm, name):
    message, seconds = attempt(name)
    assert name in message
    assert seconds < GIVE_UP_SECONDS, f"{seconds:.1f} s to give up on {name!r}"
    assert "root:" not in message and "PATH=" not in message


def test_a_folder_that_is_not_a_model(minilm, not_a_model):
    message, seconds = attempt(not_a_model)
    assert not_a_model in message and "not one holding a sentence-transformers model" in message
    assert "secret-notes-content" not in message and seconds < GIVE_UP_SECONDS


def test_a_model_that_needs_its_own_code_is_never_run(minilm, needs_its_own_code):
    for folder in needs_its_own_code:
        message, seconds = attempt(folder)
        assert folder in message and "never runs a model's code" in message and seconds < GIVE_UP_SECONDS


@pytest.fixture
def model_page():
    at = open_app(CROSS)
    show(at, source=LECTURE_SOURCE, target=LECTURE_TARGET)
    return at


def try_model(at: AppTest, name: str) -> float:
    start = time.perf_counter()
    choose_model(at, name)
    return time.perf_counter() - start


def test_bad_model_names_in_the_page_fall_back_to_the_default(model_page, not_a_model, needs_its_own_code):
    for name in [*BAD_NAMES, not_a_model, *needs_its_own_code]:
        seconds = try_model(model_page, name)
        errors = [str(e.value) for e in model_page.error]
        assert len(errors) == 1 and name in errors[0] and "embedded default" in errors[0], (name, errors)
        assert seconds < GIVE_UP_SECONDS, f"{seconds:.1f} s for the page with model {name!r}"
        text = page_text(model_page)
        assert "root:" not in text and "secret-notes-content" not in text, name
        trace = chart_spec(model_page)["data"][0]  # the default model still draws the lecture example
        assert trace["x"] == ["this", "is", "an", "example"]
    try_model(model_page, DEFAULT_MODEL)
    assert not model_page.error and chart_spec(model_page)["data"][0]["x"] == ["this", "is", "an", "example"]


# ---------------------------------------------------------------- the allowed-models setting


def test_allowed_models_refuses_every_other_name_before_looking_at_it(minilm, monkeypatch):
    monkeypatch.setenv(ALLOWED_MODELS_VARIABLE, " someorg/model-a , someorg/model-b ")
    for name in ["/etc", "/etc/passwd", "no-such-model-xyz-123", "someorg/model-c", "someorg/model-a/"]:
        message, seconds = attempt(name)
        assert f"“{name}” is not in this server's list of allowed models" in message
        assert "someorg/model-a, someorg/model-b" in message and DEFAULT_MODEL in message
        assert "folder" not in message and "file" not in message  # nothing said about this machine's files
        assert seconds < 1
    message, _ = attempt("someorg/model-a")  # allowed, so looked for (and not found offline)
    assert "not in this server's list" not in message and "someorg/model-a" in message
    assert_the_default_still_loads()


def test_allowed_models_lets_a_listed_folder_load(minilm, monkeypatch):
    folder = english_model_path()
    monkeypatch.setenv(ALLOWED_MODELS_VARIABLE, f"someorg/model-a,{folder}")
    loaded = load_encoder(folder)
    assert loaded.name == folder
    assert loaded.default_layer == 4  # not an embedded name: two thirds of its 6 layers
    np.testing.assert_array_equal(loaded.encode(LECTURE_TARGET, 6).vectors, minilm.encode(LECTURE_TARGET, 6).vectors)


def test_allowed_models_set_but_empty_allows_only_the_default(minilm, monkeypatch):
    monkeypatch.setenv(ALLOWED_MODELS_VARIABLE, "")
    message, _ = attempt("someorg/model-a")
    assert "not in this server's list of allowed models" in message
    assert_the_default_still_loads()


def assert_the_default_still_loads() -> None:
    """A closed server still loads the default model, the real one: it reads Japanese as the lecture's pieces."""
    for default in (load_encoder(), load_encoder(DEFAULT_MODEL)):
        assert default.name == "multilingual-e5-small" and default.n_layers == 12
        assert default.encode("これは例です").tokens[1:-1] == ["これは", "例", "です"]


def test_allowed_models_unset_lets_any_name_be_tried(minilm, monkeypatch):
    monkeypatch.delenv(ALLOWED_MODELS_VARIABLE, raising=False)
    message, _ = attempt("/etc")
    assert "not in this server's list" not in message and "is a folder here" in message


def test_the_page_honours_allowed_models(model_page, monkeypatch):
    monkeypatch.setenv(ALLOWED_MODELS_VARIABLE, "someorg/model-a")
    try_model(model_page, "/etc/passwd")
    errors = [str(e.value) for e in model_page.error]
    assert len(errors) == 1 and "not in this server's list of allowed models: " in errors[0]
    assert "someorg/model-a" in errors[0] and "embedded default" in errors[0]
    assert chart_spec(model_page)["data"][0]["x"] == ["this", "is", "an", "example"]


# ---------------------------------------------------------------- many users: one model, many threads


SENTENCES = [f"student {i} asks whether {LECTURE_SOURCE} means {LECTURE_TARGET}" for i in range(10)] + [
    text for text in TEXTS if text.strip() and len(text) < 200
][:10]


def run_together(function, items: list, workers: int = 20) -> list:
    """``function`` over ``items`` in ``workers`` threads that all start at the same moment."""
    barrier = threading.Barrier(workers)

    def at_once(item):
        barrier.wait(timeout=60)
        return function(item)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(at_once, items))


def test_twenty_threads_encoding_at_once_match_sequential(minilm):
    assert len(SENTENCES) == 20 and len(set(SENTENCES)) == 20
    sequential = [minilm.encode(s) for s in SENTENCES]
    for _ in range(2):
        concurrent = run_together(minilm.encode, SENTENCES)
        for one, other in zip(sequential, concurrent, strict=True):
            assert one.tokens == other.tokens and one.offsets == other.offsets
            np.testing.assert_array_equal(one.vectors, other.vectors)


def test_twenty_threads_through_the_whole_pipeline_match_sequential(minilm):
    pairs = [(SENTENCES[i], SENTENCES[(i + 7) % 20]) for i in range(20)]
    settings = Settings(merge_words=True)

    def pipeline(pair):
        view = attend(minilm.encode(pair[0]), minilm.encode(pair[1]), settings)
        if view.problem:
            return view, None
        figure = attention_figure(view.result, view.query_tokens, view.key_tokens)
        return view, figure.to_json()

    sequential = [pipeline(pair) for pair in pairs]
    concurrent = run_together(pipeline, pairs)
    for (view, figure), (other_view, other_figure) in zip(sequential, concurrent, strict=True):
        assert view.problem == other_view.problem and view.query_tokens == other_view.query_tokens
        if view.result is not None:
            np.testing.assert_array_equal(view.result.weights, other_view.result.weights)
            np.testing.assert_array_equal(view.result.output, other_view.result.output)
        assert figure == other_figure
