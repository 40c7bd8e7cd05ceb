"""attention/bert.py: our BERT computes what transformers' BertModel computes, bit for bit, on both
embedded models, and refuses what it would not compute the same (the caller then loads transformers')."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from attention import bert
from attention.models import ENGLISH_MODEL, MODELS, MULTILINGUAL_MODEL

ROOT = Path(__file__).resolve().parents[2]
TEXTS = {
    "english": "this is an example",
    "korean": "이것은 예시 문장이다. 고양이가 매트 위에 앉았다.",
    "japanese": "これは例です。" * 30,  # long: over a hundred tokens
}


def folder(name: str) -> Path:
    return Path(MODELS[name].load()[0])


@pytest.fixture(scope="module", params=[MULTILINGUAL_MODEL, ENGLISH_MODEL])
def pair(request):
    """(ours, transformers' sdpa BertModel, transformers' eager BertModel, tokenizer) for one embedded model."""
    from transformers import AutoConfig, AutoTokenizer, BertModel
    from transformers.utils import logging

    source = folder(request.param)
    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()  # the pooler weights left out are "UNEXPECTED" in its load report
    try:
        theirs = BertModel.from_pretrained(source, add_pooling_layer=False).eval()
        eager = BertModel.from_pretrained(source, add_pooling_layer=False, attn_implementation="eager").eval()
    finally:
        logging.set_verbosity(verbosity)
    ours = bert.load(source, AutoConfig.from_pretrained(source))
    assert isinstance(ours, bert.Bert)
    return ours, theirs, eager, AutoTokenizer.from_pretrained(source)


@pytest.mark.parametrize("language", TEXTS)
def test_the_hidden_states_are_transformers_own_bit_for_bit(pair, language):
    ours, theirs, _, tokenizer = pair
    batch = tokenizer(TEXTS[language], return_tensors="pt")
    with torch.inference_mode():
        mine, reference = ours(**batch, output_hidden_states=True), theirs(**batch, output_hidden_states=True)
    assert len(mine.hidden_states) == len(reference.hidden_states) == ours.config.num_hidden_layers + 1
    for a, b in zip(mine.hidden_states, reference.hidden_states, strict=True):
        assert torch.equal(a, b)  # not merely close: the same operations in the same order
    assert torch.equal(mine.last_hidden_state, reference.last_hidden_state)
    assert mine.attentions is None


@pytest.mark.parametrize("language", TEXTS)
def test_the_attention_maps_are_transformers_eager_ones_bit_for_bit(pair, language):
    ours, _, eager, tokenizer = pair
    batch = tokenizer(TEXTS[language], return_tensors="pt")
    with torch.inference_mode():
        mine = ours(**batch, output_attentions=True, output_hidden_states=True)
        reference = eager(**batch, output_attentions=True, output_hidden_states=True)
    n = batch["input_ids"].shape[1]
    assert len(mine.attentions) == ours.config.num_hidden_layers
    for a, b in zip(mine.attentions, reference.attentions, strict=True):
        assert a.shape == (1, ours.config.num_attention_heads, n, n)
        assert torch.equal(a, b)
    for a, b in zip(mine.hidden_states, reference.hidden_states, strict=True):
        assert torch.equal(a, b)


def test_a_padded_batch_attends_only_to_real_tokens_as_transformers_does(pair):
    """Two sentences of different lengths in one batch: the padding is masked out in both implementations,
    and each sentence's states equal those it gets alone."""
    ours, theirs, eager, tokenizer = pair
    texts = [TEXTS["english"], TEXTS["korean"]]
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    assert not bool(batch["attention_mask"].all())
    with torch.inference_mode():
        mine, reference = ours(**batch), theirs(**batch)
        mine_eager = ours(**batch, output_attentions=True)
        reference_eager = eager(**batch, output_attentions=True)
        alone = ours(**tokenizer(texts[0], return_tensors="pt"))
    real = batch["attention_mask"].bool()
    torch.testing.assert_close(mine.last_hidden_state[real], reference.last_hidden_state[real], rtol=0, atol=1e-5)
    n_short = int(real[0].sum())
    torch.testing.assert_close(mine.last_hidden_state[0, :n_short], alone.last_hidden_state[0], rtol=0, atol=1e-5)
    for a, b in zip(mine_eager.attentions, reference_eager.attentions, strict=True):
        torch.testing.assert_close(a[0, :, :n_short], b[0, :, :n_short], rtol=0, atol=1e-6)
        assert float(a[0, :, :, n_short:].abs().max()) == 0.0  # no weight on a padding key


def test_the_layer_stack_is_laid_out_as_transformers_names_it(pair):
    """What the rest of the app reads: config, embeddings, encoder.layer[L].attention.self.query/key/value,
    and a layer called on its own (Encoder._first_layers)."""
    ours, theirs, _, tokenizer = pair
    assert dict(ours.named_parameters()).keys() == dict(theirs.named_parameters()).keys()
    self_attention = ours.encoder.layer[2].attention.self
    assert torch.equal(self_attention.query.weight, theirs.encoder.layer[2].attention.self.query.weight)
    ids = tokenizer(TEXTS["korean"], return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        states = [ours.embeddings(ids)]
        for layer in ours.encoder.layer[:3]:
            states.append(layer(states[-1]))
        full = ours(ids, output_hidden_states=True).hidden_states
    for a, b in zip(states, full[:4], strict=True):
        assert torch.equal(a, b)


def test_the_twin_set_to_eager_shares_the_weights_and_leaves_the_original_alone(pair):
    ours, *_ = pair
    twin = copy.deepcopy(ours, memo={id(p): p for p in ours.parameters()})
    twin.set_attn_implementation("eager")
    assert twin.config._attn_implementation == "eager" and ours.config._attn_implementation == "sdpa"
    assert twin.encoder.layer[0].attention.self.config is twin.config
    assert all(a is b for a, b in zip(twin.parameters(), ours.parameters(), strict=True))
    with pytest.raises(ValueError, match="flash"):
        twin.set_attn_implementation("flash")


def _copy_folder(tmp_path: Path, name: str) -> Path:
    copied = tmp_path / "model"
    shutil.copytree(folder(name), copied)
    return copied


@pytest.mark.parametrize(
    "change",
    [
        {"position_embedding_type": "relative_key"},
        {"hidden_act": "gelu_new"},
        {"is_decoder": True},
        {"model_type": "roberta"},
    ],
)
def test_a_config_it_would_not_compute_the_same_is_left_to_transformers(change):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(folder(ENGLISH_MODEL))
    for key, value in change.items():
        setattr(config, key, value)
    assert not bert.supports(config)
    assert bert.load(folder(ENGLISH_MODEL), config) is None


def test_a_checkpoint_that_is_not_a_plain_float32_bert_is_left_to_transformers(tmp_path):
    from safetensors.torch import load_file, save_file
    from transformers import AutoConfig

    copied = _copy_folder(tmp_path, ENGLISH_MODEL)
    config = AutoConfig.from_pretrained(copied)
    weights = load_file(copied / bert.WEIGHTS_FILE)
    save_file({k: v.half() for k, v in weights.items()}, copied / bert.WEIGHTS_FILE)
    assert bert.load(copied, config) is None  # float16
    save_file({k: v for k, v in weights.items() if "layer.3.output" not in k}, copied / bert.WEIGHTS_FILE)
    assert bert.load(copied, config) is None  # a weight missing
    save_file({f"bert.{k}": v for k, v in weights.items()}, copied / bert.WEIGHTS_FILE)
    assert isinstance(bert.load(copied, config), bert.Bert)  # a masked-LM checkpoint's "bert." prefix
    (copied / bert.WEIGHTS_FILE).unlink()
    assert bert.load(copied, config) is None  # no safetensors file (a pytorch_model.bin, say)


def test_a_bert_folder_transformers_must_load_still_loads(tmp_path):
    """The fallback: a float16 checkpoint is loaded by transformers' BertModel, and the Encoder works."""
    from safetensors.torch import load_file, save_file

    from attention.embeddings import load_folder

    copied = _copy_folder(tmp_path, ENGLISH_MODEL)
    weights = load_file(copied / bert.WEIGHTS_FILE)
    save_file({k: v.half() for k, v in weights.items()}, copied / bert.WEIGHTS_FILE)
    encoder = load_folder(str(copied), "half")
    assert type(encoder.transformer).__name__ == "BertModel"
    assert encoder.encode("this is an example").tokens[1:-1] == ["this", "is", "an", "example"]


def test_loading_an_embedded_model_never_imports_transformers():
    """The cold start: transformers (about 1.5 s of import) and its model code (about 2 s more, with what it
    drags in: torch._dynamo, sympy, scipy, accelerate) are not needed by the embedded models."""
    code = (
        "import sys\n"
        "from attention import load_encoder\n"
        "for name in ('multilingual-e5-small', 'all-MiniLM-L6-v2'):\n"
        "    load_encoder(name).encode('this is an example')\n"
        "heavy = ('transformers', 'torch._dynamo', 'sympy', 'scipy', 'accelerate')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_encoder_of_an_embedded_model_is_ours(minilm, e5):
    from attention.fast_tokenizer import FastTokenizer

    for encoder in (minilm, e5):
        assert isinstance(encoder.transformer, bert.Bert) and isinstance(encoder.transformer.config, bert.Config)
        assert isinstance(encoder.tokenizer, FastTokenizer)
        assert getattr(encoder.transformer, "pooler", None) is None
