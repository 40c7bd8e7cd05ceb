"""attention/fast_tokenizer.py: for both embedded models, every answer the app asks of a tokenizer equals
transformers' AutoTokenizer's (the same tokenizer.json, without importing transformers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attention import fast_tokenizer
from attention.models import ENGLISH_MODEL, MODELS, MULTILINGUAL_MODEL

TEXTS = [
    "this is an example",
    "이것은 예시 문장이다",
    "これは例です。猫がマットの上に座った。",
    "这是一个例子",
    "Café Über naïve ÅNGSTRÖM",
    "مرحبا بالعالم שלום עולם",
    "emoji 😀👍🏽 and a flag 🇰🇷",
    "<b>bold</b> {x} $y$ &amp;",
    "  spaced   out  ",
    "",
    "word " * 700,  # past every model's 512 positions
]


@pytest.fixture(scope="module", params=[MULTILINGUAL_MODEL, ENGLISH_MODEL])
def tokenizers(request):
    """(ours, transformers') for one embedded model, both cut where sentence-transformers cuts."""
    from transformers import AutoTokenizer

    folder = Path(MODELS[request.param].load()[0])
    limit = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
    ours = fast_tokenizer.load(folder, limit)
    assert ours is not None
    return ours, AutoTokenizer.from_pretrained(folder, model_max_length=limit)


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_one_text_is_tokenized_as_transformers_does(tokenizers, text):
    ours, theirs = tokenizers
    mine = ours(text, add_special_tokens=True, return_offsets_mapping=True, verbose=False)
    reference = theirs(text, add_special_tokens=True, return_offsets_mapping=True, verbose=False)
    assert dict(mine) == {k: list(v) for k, v in reference.items()}
    assert mine.word_ids() == reference.word_ids()
    assert ours.convert_ids_to_tokens(mine["input_ids"]) == theirs.convert_ids_to_tokens(reference["input_ids"])
    plain = ours(text, add_special_tokens=False)
    assert dict(plain) == dict(theirs(text, add_special_tokens=False))


@pytest.mark.parametrize("max_length", [5, 64, 512])
def test_a_cut_with_tensors_is_transformers_cut(tokenizers, max_length):
    import torch

    ours, theirs = tokenizers
    for text in (TEXTS[1], TEXTS[-1]):
        mine = ours(text, truncation=True, max_length=max_length, return_tensors="pt")
        reference = theirs(text, truncation=True, max_length=max_length, return_tensors="pt")
        assert mine.keys() == reference.keys()
        for key in mine:
            assert torch.equal(mine[key], reference[key]), key
    assert len(ours(TEXTS[-1])["input_ids"]) > 512  # and the cut was for that call only


def test_the_vocabulary_and_the_limit_are_transformers(tokenizers):
    ours, theirs = tokenizers
    assert ours.get_vocab() == theirs.get_vocab()
    assert len(ours) == len(theirs)
    assert ours.model_max_length == theirs.model_max_length
    assert ours.is_fast and theirs.is_fast
    with pytest.raises(ValueError, match="return_tensors"):
        ours("text", return_tensors="np")


def test_a_folder_transformers_might_build_otherwise_is_left_to_it(tmp_path):
    source = Path(MODELS[ENGLISH_MODEL].load()[0])
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    assert fast_tokenizer.load(tmp_path) is not None
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({**config, "tokenizer_class": "XLMRobertaTokenizer"}))
    assert fast_tokenizer.load(tmp_path) is None  # transformers 5 rebuilds that class's normaliser
    (tmp_path / "tokenizer.json").unlink()
    assert fast_tokenizer.load(tmp_path) is None
