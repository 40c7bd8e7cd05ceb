"""Soak: thousands of distinct sentences through the whole pipeline must not make the process grow, and the
app's caches must have a bound that a class full of users cannot push past."""

from __future__ import annotations

import gc
import itertools
import os
import pickle
import time

import pytest

from attention import Settings, attend, attention_figure
from attention.options import FigureOptions
from deploy import harness

pytestmark = pytest.mark.slow

WARM_UP = 100
SENTENCES = 1_000  # catches a leak of 150 kB a sentence; the class-length soak is python -m bench.soak
MAX_GROWTH_MB = 150
ADJECTIVES = "big small red quiet happy old new bright dark slow quick calm brave".split()
NOUNS = "cat dog student teacher river city model token query key value vector table".split()
VERBS = "sees asks finds likes reads writes follows answers carries moves helps knows meets".split()


def distinct_sentences(n: int) -> list[str]:
    """``n`` different short sentences, from 13 × 13 × 13 × 13 word combinations."""
    combos = itertools.product(ADJECTIVES, NOUNS, VERBS, NOUNS)
    return [f"the {a} {n1} {v} a {n2}" for a, n1, v, n2 in itertools.islice(combos, n)]


def own_rss_mb() -> float:
    """Resident memory of this process in MiB, from /proc/self/status."""
    found = harness.rss_mb(os.getpid())
    if found is None:
        pytest.skip("no VmRSS in /proc/self/status")
    return found


@pytest.fixture
def one_torch_thread():
    """One intra-op thread: on a shared two-core machine two threads only fight over the cores."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.timeout(900)
def test_a_thousand_sentences_do_not_grow_the_process(minilm, one_torch_thread):
    sentences = distinct_sentences(WARM_UP + SENTENCES)
    assert len(set(sentences)) == len(sentences)
    options = [FigureOptions(), FigureOptions(transpose=True, show_values=True, components="pca")]
    settings = [Settings(), Settings(merge_words=True, show_special=True, causal=True, temperature=0.5)]

    def one(i: int, text: str) -> int:
        tokens = minilm.encode(text)
        view = attend(tokens, tokens, settings[i % 2])
        figure = attention_figure(view.result, view.query_tokens, view.key_tokens, options[i % 2])
        return len(figure.to_json())

    for i, text in enumerate(sentences[:WARM_UP]):
        one(i, text)
    gc.collect()
    start_mb, start = own_rss_mb(), time.perf_counter()
    checkpoints = []
    for i, text in enumerate(sentences[WARM_UP:]):
        assert one(i, text) > 0
        if (i + 1) % 250 == 0:
            gc.collect()
            checkpoints.append(round(own_rss_mb() - start_mb, 1))
    seconds = time.perf_counter() - start
    growth = own_rss_mb() - start_mb
    print(
        f"\nsoak: {SENTENCES} sentences in {seconds:.0f} s ({1000 * seconds / SENTENCES:.0f} ms each); "
        f"RSS {start_mb:.0f} MB after {WARM_UP} warm-up sentences, growth {growth:+.1f} MB "
        f"(every 250: {checkpoints})"
    )
    assert growth < MAX_GROWTH_MB, f"the process grew by {growth:.0f} MB over {SENTENCES} sentences"


# ---------------------------------------------------------------- the app's caches


CACHE_BUDGET_MB = 1024  # everything the caches may hold at once, whatever the users type


def cache_bound_mb(cached, worst_entry_bytes: int) -> float:
    """The most memory a st.cache_data function can hold: its max_size, or max_entries × the largest entry."""
    info = cached._info
    bounds = [info.max_entries * worst_entry_bytes] if info.max_entries else []
    if getattr(info, "max_size_bytes", None):
        bounds.append(info.max_size_bytes)
    assert bounds, f"{info.func.__name__} has neither max_entries nor max_size: it can grow without end"
    return min(bounds) / 2**20


@pytest.fixture(scope="module")
def cache():
    from webapp import cache

    return cache


def test_the_caches_are_bounded(cache):
    for cached in (
        cache.embeddings,
        cache.model_run,
        cache.heads_comparison,
        cache.layer_recomputed,
        cache.rollout,
        cache.translation_run,
    ):
        info = cached._info
        assert info.max_entries or getattr(info, "max_size_bytes", None), info.func.__name__
    assert cache.embeddings._info.max_entries == 512
    assert cache.encoder._info.max_entries == 3  # loaded models, each hundreds of MB
    assert cache.attention_twin._info.max_entries == 3  # one twin per loaded model


def test_the_caches_fit_a_memory_budget_even_for_the_longest_texts(minilm, cache):
    """Users who paste long texts fill each cache entry to its largest: the caches must still fit the budget."""
    from attention.heads import compare_heads, multi_head_attention, run_model
    from attention.rollout import attention_rollout

    longest = "word " * 600  # cut to the model's 512 positions
    embeddings_entry = len(pickle.dumps(minilm.encode_layers(longest)))  # every layer's hidden states
    run = run_model(minilm, longest)
    model_run_entry = len(pickle.dumps(run))
    heads_entry = len(pickle.dumps(compare_heads(minilm, run)))
    layer_entry = len(pickle.dumps(multi_head_attention(minilm, 0, run.hidden_states[0])))
    rollout_entry = len(pickle.dumps(attention_rollout(run.attentions)))
    from attention.translation import load_translator

    translation_entry = len(pickle.dumps(load_translator("en-pt").cross_attention(longest)))  # cut to 256 pieces
    bounds = {
        "embeddings": cache_bound_mb(cache.embeddings, embeddings_entry),
        "model_run": cache_bound_mb(cache.model_run, model_run_entry),
        "heads_comparison": cache_bound_mb(cache.heads_comparison, heads_entry),
        "layer_recomputed": cache_bound_mb(cache.layer_recomputed, layer_entry),
        "rollout": cache_bound_mb(cache.rollout, rollout_entry),
        "translation_run": cache_bound_mb(cache.translation_run, translation_entry),
    }
    print(
        f"\nlargest entries: embeddings {embeddings_entry / 2**20:.1f} MB, model run {model_run_entry / 2**20:.1f} MB,"
        f" heads comparison {heads_entry / 2**20:.1f} MB, one layer recomputed {layer_entry / 2**20:.1f} MB;"
        f" worst-case cache memory: {bounds}"
    )
    assert sum(bounds.values()) <= CACHE_BUDGET_MB, bounds
