"""Token vectors from any layer, and the lecture's figure computed on the default page.

The hidden states after a middle layer line words up with their translations; the last layer of a
sentence-embedding model does not. These tests hold the layer to an independent reference (transformers'
own ``output_hidden_states``), the default layers to the alignment evaluation, and the default cross page
to the lecture: this → これは, is → です, example → 例 darkest, on colours from 0 to 1.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from transformers import AutoModel, AutoTokenizer

from attention import Settings, compute_view
from attention.alignment import evaluate, load_pairs, span_range
from attention.cli import main as cli_main
from attention.embeddings import default_layer
from attention.examples import LECTURE_SOURCE, LECTURE_TARGET, LECTURE_TARGET_SCRIPT
from attention.export import attention_json, export_meta
from attention.i18n import text
from attention.models import DEFAULT_LAYERS, ENGLISH_MODEL, MULTILINGUAL_MODEL, english_model_path
from attention.multilingual import multilingual_model_path
from attention.quiz import score_guesses
from attention.settings_table import FIELDS, from_query, to_query
from tests.helpers import CROSS, HOME, SELF, STEPS, heatmap, open_app, page_text, set_widgets

LECTURE = {"source": LECTURE_SOURCE, "target": LECTURE_TARGET_SCRIPT}
# each English word of the lecture's pair and its translation's piece (an has none)
TRANSLATIONS = {"this": "これは", "is": "です", "example": "例"}
# Floors under the measured accuracy of each model's default layer on the alignment set (python -m
# bench.alignment: multilingual-e5-small layer 7, 169 of 172 links; all-MiniLM-L6-v2 layer 1, 101 of 172).
FLOORS = {MULTILINGUAL_MODEL: 0.95, ENGLISH_MODEL: 0.55}


def reference_hidden_states(folder: str, text_: str) -> np.ndarray:
    """Every layer's hidden states from a fresh transformers model and tokenizer loaded from ``folder``."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    with torch.inference_mode():
        out = model(**tokenizer(text_, return_tensors="pt"), output_hidden_states=True)
    return torch.stack(out.hidden_states)[:, 0].numpy()  # (n_layers + 1, n, d)


@pytest.mark.parametrize(
    ("fixture", "folder", "text_"),
    [
        ("e5", lambda: multilingual_model_path().path, "이것은 예입니다 これは例です"),
        ("minilm", english_model_path, "the cat sat on the mat"),
    ],
    ids=["multilingual-e5-small", "all-MiniLM-L6-v2"],
)
def test_layers_are_transformers_own_hidden_states(request, fixture, folder, text_):
    encoder = request.getfixturevalue(fixture)
    reference = reference_hidden_states(folder(), text_)
    depth = encoder.n_layers
    assert reference.shape[0] == depth + 1
    for layer in (0, depth // 2, encoder.default_layer, depth):
        ours = encoder.encode(text_, layer=layer)
        assert ours.layer == layer
        np.testing.assert_allclose(ours.vectors, reference[layer], atol=2e-5, rtol=0)


def test_the_last_layer_is_what_sentence_transformers_returns(e5):
    from sentence_transformers import SentenceTransformer  # the reference only: the app loads without it

    reference = SentenceTransformer(multilingual_model_path().path, device="cpu")
    expected = reference.encode(LECTURE_SOURCE, output_value="token_embeddings").numpy()
    np.testing.assert_array_equal(e5.encode(LECTURE_SOURCE, layer=e5.n_layers).vectors, expected)


def test_default_layers_and_the_rule_for_other_models(e5, minilm):
    assert e5.default_layer == DEFAULT_LAYERS[MULTILINGUAL_MODEL] == 7
    assert minilm.default_layer == DEFAULT_LAYERS[ENGLISH_MODEL] == 1
    assert e5.encode(LECTURE_SOURCE).layer == 7  # the pages' layer unless told otherwise
    assert default_layer("some/other-model", 12) == 8 and default_layer("some/other-model", 24) == 16  # 2/3
    assert e5.layer(99) == 12 and e5.layer(None) == 7 and minilm.layer(99) == 6
    with pytest.raises(ValueError, match="from 0"):
        e5.encode_layers(LECTURE_SOURCE).at_layer(13)


def test_the_setting_travels_in_links_and_on_the_command_line(tmp_path, capsys):
    assert FIELDS["vector_layer"].default is None
    assert from_query({"vector_layer": "4"}) == ({"vector_layer": 4}, [])
    assert from_query({"vector_layer": "auto"}) == ({"vector_layer": None}, [])
    assert from_query({"vector_layer": "999"})[0] == {"vector_layer": 63}  # clamped; the model clamps further
    assert "vector_layer" not in to_query({"vector_layer": None})
    assert to_query({"vector_layer": 3})["vector_layer"] == "3"
    out = tmp_path / "numbers.json"
    argv = ["render", "--source", LECTURE_SOURCE, "--target", LECTURE_TARGET_SCRIPT, "--out", str(out)]
    assert cli_main([*argv, "--vector-layer", "3", "--model", ENGLISH_MODEL]) == 0
    meta = json.loads(out.read_text())["meta"]
    assert meta["layer"] == 3 and meta["n_layers"] == 6 and meta["settings"]["vector_layer"] == 3
    assert cli_main(argv) == 0  # the default model and its default layer
    assert json.loads(out.read_text())["meta"]["layer"] == 7
    assert "after layer 7 of 12" in capsys.readouterr().out


def test_a_real_head_reads_its_own_layer(e5):
    from attention.options import Projection

    settings = Settings(vector_layer=2, projection=Projection("head", layer=5, head=1))
    assert compute_view(e5, {"sentence": LECTURE_SOURCE}, settings).layer == 5


# --- the lecture's figure, computed --------------------------------------------------------------


def darkest(view) -> dict[str, str]:
    """Each query's darkest key."""
    weights = view.result.weights  # (n_q, n_k)
    return {q: view.key_tokens[int(weights[i].argmax())] for i, q in enumerate(view.query_tokens)}


def test_the_lectures_pair_aligns_at_the_default_layer_and_not_at_the_last(e5):
    view = compute_view(e5, LECTURE, Settings())
    assert view.query_tokens == ["this", "is", "an", "example"] and view.key_tokens == ["これは", "例", "です"]
    found = darkest(view)
    assert {word: found[word] for word in TRANSLATIONS} == TRANSLATIONS
    weights = dict(zip(view.query_tokens, view.result.weights, strict=True))
    assert weights["this"][0] > 0.55 and weights["example"][1] > 0.8  # sharp, not fitted colours
    last = compute_view(e5, LECTURE, Settings(vector_layer=12))
    assert last.result.weights.max() - last.result.weights.min() < 0.1  # the old, nearly flat picture


def test_the_quiz_counts_kore_wa_right_for_this(e5):
    view = compute_view(e5, LECTURE, Settings())
    score = score_guesses(view.result.weights, {0: view.key_tokens.index("これは")})
    assert score.hits == (True,)


@pytest.mark.parametrize("model", [MULTILINGUAL_MODEL, ENGLISH_MODEL])
def test_each_default_layer_stays_above_its_measured_floor(request, model):
    encoder = request.getfixturevalue("e5" if model == MULTILINGUAL_MODEL else "minilm")
    default, last = evaluate(encoder, load_pairs(), [encoder.default_layer, encoder.n_layers])
    assert default.links >= 150
    assert default.accuracy >= FLOORS[model], default
    assert default.accuracy > last.accuracy  # the reason the default is not the last layer


def test_the_evaluation_set_is_as_documented():
    pairs = load_pairs()
    assert len(pairs) >= 40 and sum(len(p.links) for p in pairs) >= 150
    assert {p.lang for p in pairs} >= {"ja", "ko", "zh", "fr", "de", "es", "pt"}
    assert (pairs[0].source, pairs[0].target) == (LECTURE_SOURCE, LECTURE_TARGET_SCRIPT)
    for pair in pairs:
        for source, target in pair.links:
            span_range(pair.source, source, True)
            span_range(pair.target, target, pair.lang in ("fr", "de", "es", "pt"))
    with pytest.raises(ValueError):
        span_range("this is", "is", False)  # a substring found twice (in "this" and alone)


# --- the pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_default_cross_page_is_the_lectures_figure(lang):
    at = open_app(CROSS, query={"lang": lang}, model=None)  # a new user: no link parameters but the language
    trace, z = heatmap(at)  # the lecture's layout: z is (keys, queries)
    queries, keys = trace["x"], trace["y"]
    assert queries == ["this", "is", "an", "example"] and keys == ["これは", "例", "です"]
    found = {q: keys[int(z[:, i].argmax())] for i, q in enumerate(queries)}
    assert {word: found[word] for word in TRANSLATIONS} == TRANSLATIONS
    assert (trace["zmin"], trace["zmax"]) == (0.0, 1.0)  # the plain 0 to 1 colours, not fitted
    shown = page_text(at)
    assert LECTURE_TARGET in shown  # the lecture's romanisation beside the script
    assert text("fig.layer_caption", lang, model=MULTILINGUAL_MODEL, layer=7, n_layers=12) in shown


def test_the_layer_slider_changes_the_vectors_and_the_link():
    at = open_app(CROSS, model=None)
    assert at.slider("vector_layer_slider").value == 7
    at.slider("vector_layer_slider").set_value(12).run()
    assert at.session_state["vector_layer"] == 12 and at.query_params["vector_layer"] == "12"
    z = heatmap(at)[1]
    assert z.max() - z.min() < 0.1  # the last layer: nearly even
    at.slider("vector_layer_slider").set_value(7).run()  # back on the default: the model's own again
    assert at.session_state["vector_layer"] is None and "vector_layer" not in at.query_params


def test_the_layer_follows_a_change_of_model():
    at = open_app(CROSS, model=None)
    set_widgets(at, model=ENGLISH_MODEL)
    assert at.slider("vector_layer_slider").value == 1 and at.slider("vector_layer_slider").max == 6


@pytest.mark.parametrize("page", [HOME, SELF, STEPS])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_pages_say_which_vectors_they_use(page, lang):
    at = open_app(page, query={"lang": lang}, model=None)
    shown = page_text(at)
    if page == HOME:
        assert text("home.layers", lang, default=7, n_layers=12) in shown
    elif page == SELF:
        assert text("self.diagonal", lang) in shown
    else:
        assert text("steps.layer", lang, layer=7, n_layers=12) in shown


def test_the_exports_name_the_layer(e5):
    view = compute_view(e5, LECTURE, Settings())
    meta = export_meta(LECTURE, Settings(), MULTILINGUAL_MODEL, "cross", view)
    assert json.loads(attention_json(view, meta))["meta"]["layer"] == 7


# Each example's claim, as its label states it: query -> its darkest key (self attention: besides itself).
EXAMPLE_CLAIMS = {
    "lecture_script": {"this": "これは", "is": "です", "example": "例"},
    "korean_pair": {"이것은": "this", "예": "example", "입니다": "is"},
    "pronoun": {"it": "animal"},
    "bank": {"bank": "bank"},
    "paraphrase": {"cat": "ki", "sleeping": "nap", "sofa": "cou"},  # kitten, naps, couch
    "repeated": {"dog": "dog", "cat": "cat"},  # each repeated word's twin
}


@pytest.mark.parametrize("name", EXAMPLE_CLAIMS)
def test_every_example_still_shows_what_its_label_claims(e5, name):
    from attention.examples import EXAMPLES
    from attention.options import Projection

    kind, first, second, needs = EXAMPLES[name]
    projection = Projection(needs.get("projection", "identity"), needs.get("layer", 0), needs.get("head", 0))
    sentences = {"source": first, "target": second} if kind == "cross" else {"sentence": first}
    view = compute_view(e5, sentences, Settings(projection=projection))
    weights = view.result.weights.copy()  # (n_q, n_k)
    if kind == "self" and projection.kind == "identity":
        np.fill_diagonal(weights, 0)  # a token is always nearest itself: the claim is about the others
    found = {q: view.key_tokens[int(weights[i].argmax())] for i, q in enumerate(view.query_tokens)}
    assert {q: found[q] for q in EXAMPLE_CLAIMS[name]} == EXAMPLE_CLAIMS[name], found
