"""The model's own heads, rebuilt in numpy: attention/heads.py."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from attention.core import scaled_dot_product_attention
from attention.heads import (
    attention_model,
    compare_heads,
    concat_heads,
    head_maps,
    head_projections,
    hidden_states,
    layer_head_count,
    model_attention,
    multi_head_attention,
    project,
    qkv_weights,
    run_model,
    split_heads,
)
from attention.models import DEFAULT_MODEL

TOLERANCE = 1e-5  # numpy float64 against the model's float32

_WORDS = (
    "attention lets every token look at every other token and take a weighted mix of their values while "
    "the weights come from comparing queries with keys so that related words pull on each other"
).split()
LONG = " ".join(_WORDS[i % len(_WORDS)] for i in range(300))  # 300 words, about 300 word pieces
TOO_LONG = " ".join(_WORDS[i % len(_WORDS)] for i in range(700))  # more than the model reads

SENTENCES = {
    "plain": "the cat sat on the mat",
    "repeated": "the the the cat",
    "punctuation_emoji": "Wait... what?! 🙂 Don't panic — it's 3:45pm, café au lait & naïve résumés 🚀🚀",
    "empty": "",
    "long": LONG,
    "truncated": TOO_LONG,
}


@pytest.fixture(scope="module")
def runs(minilm):
    """One forward pass per sentence, shared by the tests that only read it."""
    return {name: run_model(minilm, text) for name, text in SENTENCES.items()}


def test_layer_head_count(minilm):
    assert layer_head_count(minilm) == (6, 12)


@pytest.mark.parametrize("name", SENTENCES)
def test_every_head_is_reproduced_from_its_weights(minilm, runs, name):
    run = runs[name]
    n_layers, n_heads = layer_head_count(minilm)
    worst = 0.0
    for layer in range(n_layers):
        for head in range(n_heads):
            q, k, v = project(qkv_weights(minilm, layer, head), run.hidden_states[layer])
            ours = scaled_dot_product_attention(q, k, v).weights
            worst = max(worst, float(np.abs(ours - run.attentions[layer, head]).max()))
    assert worst < TOLERANCE, f"{name}: worst difference {worst:.2e}"


def test_head_projections_as_in_the_docs(minilm):
    text = "the cat sat on the mat"
    tokens, att = model_attention(minilm, text)
    q, k, v = head_projections(minilm, text, layer=2, head=5)
    assert q.shape == k.shape == v.shape == (len(tokens), 32)
    assert np.abs(scaled_dot_product_attention(q, k, v).weights - att[2, 5]).max() < TOLERANCE


@pytest.mark.parametrize("name", SENTENCES)
def test_attention_maps_shape_rows_and_tokens(minilm, runs, name):
    run = runs[name]
    n = len(run.tokens)
    assert run.tokens[0] == "[CLS]" and run.tokens[-1] == "[SEP]"
    assert run.tokens == minilm.encode(SENTENCES[name]).tokens
    assert n <= minilm.max_tokens
    assert run.attentions.shape == (6, 12, n, n)
    assert np.allclose(run.attentions.sum(axis=-1), 1.0, atol=1e-5)
    assert (run.attentions >= 0).all()
    assert run.hidden_states.shape == (7, n, 384)


def test_long_text_is_cut_to_what_the_model_reads(minilm, runs):
    assert len(runs["truncated"].tokens) == minilm.max_tokens
    assert len(runs["long"].tokens) > 300


def test_model_attention_and_hidden_states_agree_with_run_model(minilm, runs):
    tokens, att = model_attention(minilm, SENTENCES["plain"])
    assert tokens == runs["plain"].tokens
    assert att.dtype in (np.float32, np.float64)
    np.testing.assert_array_equal(att, runs["plain"].attentions)
    tokens, hidden = hidden_states(minilm, SENTENCES["plain"])
    assert tokens == runs["plain"].tokens
    np.testing.assert_array_equal(hidden, runs["plain"].hidden_states)


def test_last_hidden_state_is_the_token_embedding(minilm, runs):
    # eager and sdpa attention differ only in float rounding
    vectors = minilm.encode(SENTENCES["plain"], layer=minilm.n_layers).vectors
    np.testing.assert_allclose(runs["plain"].hidden_states[-1], vectors, atol=1e-4)


def test_projection_shapes_and_dtypes(minilm, runs):
    n = len(runs["repeated"].tokens)
    head = qkv_weights(minilm, 0, 0)
    assert head.w_q.shape == head.w_k.shape == head.w_v.shape == (32, 384)
    assert head.b_q.shape == head.b_k.shape == head.b_v.shape == (32,)
    assert head.d_out == 32
    q, k, v = project(head, runs["repeated"].hidden_states[0])
    assert q.shape == k.shape == v.shape == (n, 32)
    assert q.dtype == k.dtype == v.dtype == np.float64
    whole = qkv_weights(minilm, 0)
    assert whole.head is None and whole.w_q.shape == (384, 384) and whole.d_out == 384


def test_repeated_words_in_the_same_context_get_different_queries(runs):
    # "the the the": the same word piece, but position embeddings make the hidden states differ
    hidden = runs["repeated"].hidden_states[0]
    assert runs["repeated"].tokens[1:4] == ["the", "the", "the"]
    assert not np.allclose(hidden[1], hidden[2])


def test_a_layers_projection_split_into_heads_is_each_heads_projection(minilm, runs):
    hidden = runs["plain"].hidden_states[3]
    q_all, k_all, v_all = project(qkv_weights(minilm, 3), hidden)
    for part, whole in enumerate((q_all, k_all, v_all)):
        heads = split_heads(whole, 12)
        assert heads.shape == (12, len(hidden), 32)
        for h in (0, 7, 11):
            np.testing.assert_allclose(heads[h], project(qkv_weights(minilm, 3, h), hidden)[part], atol=1e-12)
        np.testing.assert_array_equal(concat_heads(heads), whole)


@pytest.mark.parametrize("layer", range(6))
def test_multi_head_attention_matches_the_model(minilm, runs, layer):
    run = runs["punctuation_emoji"]
    n = len(run.tokens)
    result = multi_head_attention(minilm, layer, run.hidden_states[layer])
    assert len(result.heads) == 12
    assert result.weights.shape == (12, n, n)
    assert np.abs(result.weights - run.attentions[layer]).max() < TOLERANCE
    assert result.output.shape == (n, 384)
    for h, head in enumerate(result.heads):
        np.testing.assert_array_equal(result.output[:, h * 32 : (h + 1) * 32], head.output)


def test_concatenated_output_is_the_models_self_attention_output(minilm):
    text = SENTENCES["plain"]
    _, hidden = hidden_states(minilm, text)
    module = minilm.transformer.encoder.layer[4].attention.self
    captured = []
    handle = module.register_forward_hook(lambda _module, _args, output: captured.append(output[0]))
    try:
        minilm.encode(text)
    finally:
        handle.remove()
    theirs = captured[0][0].detach().numpy()  # (n, 384), before the output projection
    ours = multi_head_attention(minilm, 4, hidden[4]).output
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_cross_attention_projects_queries_and_keys_from_different_sentences(minilm, runs):
    asks, asked = runs["plain"], runs["punctuation_emoji"]
    n_q, n_k = len(asks.tokens), len(asked.tokens)
    weights = qkv_weights(minilm, 1, 4)
    q, k, v = project(weights, asks.hidden_states[1], asked.hidden_states[1])
    assert q.shape == (n_q, 32) and k.shape == v.shape == (n_k, 32)
    q_self, _, _ = project(weights, asks.hidden_states[1])
    _, k_self, v_self = project(weights, asked.hidden_states[1])
    np.testing.assert_array_equal(q, q_self)
    np.testing.assert_array_equal(k, k_self)
    np.testing.assert_array_equal(v, v_self)
    result = multi_head_attention(minilm, 1, asks.hidden_states[1], asked.hidden_states[1])
    assert result.weights.shape == (12, n_q, n_k) and result.output.shape == (n_q, 384)
    np.testing.assert_allclose(result.weights.sum(axis=-1), 1.0, atol=1e-12)


@pytest.mark.parametrize("layer", [-1, 6, 100, 1.0, True, "2", None])
def test_bad_layer_is_refused_with_the_range(minilm, layer):
    with pytest.raises(ValueError, match="layer must be an integer from 0 to 5"):
        qkv_weights(minilm, layer, 0)
    with pytest.raises(ValueError, match="from 0 to 5"):
        head_projections(minilm, "the cat", layer, 0)
    with pytest.raises(ValueError, match="from 0 to 5"):
        multi_head_attention(minilm, layer, np.zeros((3, 384)))


@pytest.mark.parametrize("head", [-1, 12, 2.5, False])
def test_bad_head_is_refused_with_the_range(minilm, head):
    with pytest.raises(ValueError, match="head must be an integer from 0 to 11"):
        qkv_weights(minilm, 0, head)
    with pytest.raises(ValueError, match="from 0 to 11"):
        head_projections(minilm, "the cat", 0, head)


def test_numpy_integers_are_fine_as_layer_and_head(minilm):
    assert qkv_weights(minilm, np.int64(5), np.int32(11)).head == 11


def test_bad_shapes_are_refused(minilm):
    weights = qkv_weights(minilm, 0, 0)
    with pytest.raises(ValueError, match="hidden_q must be"):
        project(weights, np.zeros((4, 383)))
    with pytest.raises(ValueError, match="hidden_kv must be"):
        project(weights, np.zeros((4, 384)), np.zeros(384))
    with pytest.raises(ValueError, match="hidden_q must be"):
        project(weights, np.zeros((0, 384)))
    with pytest.raises(ValueError, match="cannot split"):
        split_heads(np.zeros((4, 384)), 5)
    with pytest.raises(ValueError, match="expected"):
        concat_heads(np.zeros((4, 384)))


def test_embeddings_are_exactly_unchanged_by_model_attention(minilm):
    text = "a sentence whose embeddings other pages rely on"
    before = minilm.encode(text).vectors
    transformer = minilm.transformer
    implementation = transformer.config._attn_implementation
    model_attention(minilm, text)
    model_attention(minilm, LONG)
    after = minilm.encode(text).vectors
    np.testing.assert_array_equal(before, after)  # bit for bit, not merely close
    assert transformer.config._attn_implementation == implementation


def test_the_eager_twin_shares_the_weights(minilm):
    original = minilm.transformer
    twin = attention_model(minilm)
    assert attention_model(minilm) is not twin  # the library makes a new one per call; the app caches one
    assert twin is not original
    assert all(a is b for a, b in zip(twin.parameters(), original.parameters(), strict=True))
    assert twin.config._attn_implementation == "eager"
    assert original.config._attn_implementation != "eager"


def test_the_app_keeps_one_twin_per_model_made_of_the_encoders_own_tensors():
    from webapp import cache

    encoder = cache.encoder(DEFAULT_MODEL)
    twin = cache.attention_twin(DEFAULT_MODEL)
    assert cache.attention_twin(DEFAULT_MODEL) is twin  # made once per model
    original = encoder.transformer
    assert twin is not original
    assert all(a is b for a, b in zip(twin.parameters(), original.parameters(), strict=True))
    assert twin.config._attn_implementation == "eager"


def test_a_given_twin_gives_the_same_run(minilm):
    text = SENTENCES["plain"]
    alone, reused = run_model(minilm, text), run_model(minilm, text, twin=attention_model(minilm))
    assert alone.tokens == reused.tokens
    np.testing.assert_array_equal(alone.attentions, reused.attentions)
    np.testing.assert_array_equal(alone.hidden_states, reused.hidden_states)


def test_compare_heads_agrees_with_the_model_everywhere(minilm):
    run = run_model(minilm, SENTENCES["plain"])
    comparison = compare_heads(minilm, run)
    n_layers, n_heads = layer_head_count(minilm)
    assert comparison.differences.shape == (n_layers, n_heads) and comparison.d_head == 384 // n_heads
    assert float(comparison.differences.max()) < TOLERANCE
    n = len(run.tokens)
    for layer, head in ((0, 0), (n_layers - 1, n_heads - 1)):
        ours = multi_head_attention(minilm, layer, run.hidden_states[layer])
        model_map, our_map, difference = head_maps(run, ours, head)
        assert model_map.shape == our_map.shape == (n, n)
        np.testing.assert_array_equal(model_map, run.attentions[layer, head])
        assert difference == float(comparison.differences[layer, head])
        np.testing.assert_allclose(our_map, model_map, atol=TOLERANCE)
    ours = multi_head_attention(minilm, 2, run.hidden_states[2])
    model_map, our_map, difference = head_maps(run, ours, None)  # the layer's average over its heads
    np.testing.assert_allclose(model_map, run.attentions[2].mean(axis=0))
    np.testing.assert_allclose(our_map.sum(axis=1), 1.0, rtol=1e-6)
    assert difference < TOLERANCE


def test_threads_get_the_same_results_as_one_after_another(minilm):
    texts = [SENTENCES["plain"], SENTENCES["repeated"], SENTENCES["punctuation_emoji"], "dogs chase cats " * 20]
    expected = [(model_attention(minilm, t), minilm.encode(t).vectors) for t in texts]
    results: dict[int, list] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(texts))

    def work(i: int) -> None:
        try:
            start.wait()
            results[i] = [(model_attention(minilm, texts[i]), minilm.encode(texts[i]).vectors) for _ in range(3)]
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    for i, ((tokens, att), vectors) in enumerate(expected):
        for (got_tokens, got_att), got_vectors in results[i]:
            assert got_tokens == tokens
            np.testing.assert_array_equal(got_att, att)
            np.testing.assert_array_equal(got_vectors, vectors)
