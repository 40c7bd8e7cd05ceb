"""The Next Word page's library (attention/next_word.py) with the real SmolLM2: examples, payload, figure, files."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from attention.decoder import MAX_PROMPT_TOKENS
from attention.heatmap_payload import unpack
from attention.next_word import (
    CSV_COLUMNS,
    DEFAULT_PROMPT,
    EXAMPLES,
    FLOAT16_UP_TO,
    N_TOP,
    has_cjk,
    head_map,
    heads_at,
    map_csv,
    map_figure,
    map_json,
    mask_outline,
    most_likely,
    next_words,
    payload,
    rollout_map,
    shared_heads,
    summarise,
    unpack_maps,
    visible,
)
from attention.settings_table import FIELDS, from_query


@pytest.fixture(scope="module")
def capital(decoder):
    return summarise(decoder.run(DEFAULT_PROMPT))


def test_the_default_prompt_predicts_paris(capital):
    token, probability = most_likely(capital)
    assert token == " Paris" and probability == pytest.approx(0.773, abs=0.002)
    assert [token for _, token in capital.top[:3]] == [" Paris", " the", " London"]
    assert len(capital.top) == N_TOP
    assert FIELDS["prompt"].default == DEFAULT_PROMPT


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_shows_what_its_label_says(decoder, name):
    example = EXAMPLES[name]
    run = summarise(decoder.run(example.prompt))
    measured = example.claim(run)
    print(f"{name}: {measured:.3f}")
    assert measured >= example.at_least, (name, measured)


def test_the_pronoun_head_is_the_first_of_the_heads_that_look_there(decoder):
    run = summarise(decoder.run(EXAMPLES["pronoun"].prompt))
    it, animal, street = (run.tokens.index(w) for w in (" it", " animal", " street"))
    assert heads_at(run, it, animal)[0][:2] == (13, 8)
    assert run.weights[13, 8, it, animal] == pytest.approx(0.75, abs=0.01)
    assert run.weights[13, 8, it, street] < 0.05
    assert len(heads_at(run, it, animal)) == 5


def test_every_other_head_shows_the_sink(decoder):
    run = summarise(decoder.run(EXAMPLES["induction"].prompt))
    assert run.weights[:, :, 3:, 0].mean() == pytest.approx(0.30, abs=0.02)  # the brief's figure, this prompt
    assert run.weights[11, 1, np.arange(1, 16), np.arange(0, 15)].mean() == pytest.approx(0.88, abs=0.01)


def test_grouped_query_heads(capital):
    assert capital.kv_heads == (0, 0, 0, 1, 1, 1, 2, 2, 2)
    assert shared_heads(capital.kv_heads, 8) == [6, 7, 8]


def test_the_payload_carries_every_map_and_every_logit(capital):
    header, arrays = unpack(payload(capital, "ko", 1.5))
    assert header["encoding"] == "float16" and header["n_tokens"] == 5
    maps = unpack_maps(header, arrays["maps"])
    np.testing.assert_allclose(maps, capital.weights, atol=5e-4)  # float16: 3 significant digits
    assert np.all(maps[..., np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] == 0)
    np.testing.assert_array_equal(arrays["logits"], capital.logits)
    assert arrays["logits"].shape == (49_152,)
    assert header["top_tokens"][0] == "␣Paris" and header["words"]["weight"] == "어텐션 가중치"
    assert header["sizes"]["tick"] >= 20  # a projector's labels


def test_a_long_prompt_is_sent_in_bytes_and_cut_to_its_last_tokens(decoder):
    run = summarise(decoder.run(("the quick brown fox " * 80).strip()))
    assert run.n_total == 320 and len(run.tokens) == MAX_PROMPT_TOKENS and run.dropped == 64
    data = payload(run)
    header, arrays = unpack(data)
    assert header["encoding"] == "uint8" and len(run.tokens) > FLOAT16_UP_TO
    np.testing.assert_allclose(unpack_maps(header, arrays["maps"]), run.weights, atol=1 / 510 + 1e-7)
    print(f"payload of 256 tokens: {len(data) / 1e6:.1f} MB")


def test_the_figure_is_in_the_lectures_layout_with_the_future_masked(capital):
    figure = map_figure(capital, 13, 8)
    grid, mask = figure.data
    z = np.asarray(grid.z, dtype=float)  # (keys, queries)
    weights = capital.weights[13, 8]
    for query in range(5):
        np.testing.assert_allclose(z[: query + 1, query], weights[query, : query + 1], rtol=1e-6)
        assert np.isnan(z[query + 1 :, query]).all()  # a key after its query: empty, not a zero
    np.testing.assert_allclose(np.nansum(z, axis=0), 1.0, atol=1e-5)  # each column (query) sums to 1
    assert mask.fill == "toself" and mask.showlegend and mask.name.startswith("masked")
    assert mask.fillpattern.shape == "/"  # hatched
    assert list(figure.layout.xaxis.ticktext) == ["The", " capital", " of", " France", " is"]
    assert figure.layout.xaxis.side == "top"
    assert figure.layout.annotations[-1].text == " Paris<br>77%"  # the prediction under the last column
    assert figure.layout.annotations[-1].font.color == "#6a3d9a"
    assert figure.layout.title.text == "Layer 13, head 8"
    assert map_figure(capital, 2, None, lang="ko").layout.title.text == "2층, 헤드 평균"


def test_the_mask_outline_covers_the_cells_below_the_diagonal():
    xs, ys = mask_outline(3)
    assert list(zip(xs, ys, strict=True)) == [
        (-0.5, 2.5),
        (-0.5, 0.5),
        (0.5, 0.5),
        (0.5, 1.5),
        (1.5, 1.5),
        (1.5, 2.5),
        (-0.5, 2.5),
    ]


def test_rollout_stays_causal(capital):
    flow = rollout_map(capital)
    np.testing.assert_allclose(flow.sum(axis=1), 1.0)
    assert np.allclose(np.triu(flow, 1), 0)


def test_csv_and_json_read_back(capital):
    rows = list(csv.reader(io.StringIO(map_csv(capital, 13, None))))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 1 + 25
    weights = np.array([float(r[4]) for r in rows[1:]]).reshape(5, 5)
    np.testing.assert_array_equal(weights, head_map(capital, 13, None))
    assert [r[5] for r in rows[1:6]] == ["0", "1", "1", "1", "1"]
    document = json.loads(map_json(capital, 13, 8, {"next_temperature": 0.5}))
    assert document["kv_head"] == 2 and document["next_tokens"][0]["token"] == " Paris"
    np.testing.assert_array_equal(document["weights"], capital.weights[13, 8].astype(np.float64))
    assert document["sampling"] == {"next_temperature": 0.5}


def test_adding_the_next_word_finishes_a_character_cut_in_bytes(decoder):
    assert next_words(decoder, DEFAULT_PROMPT) == " Paris"
    korean = next_words(decoder, "안녕")
    assert korean and "\ufffd" not in korean
    drawn = {next_words(decoder, DEFAULT_PROMPT, 1.0, None, None, seed) for seed in range(6)}
    assert len(drawn) > 1 and next_words(decoder, DEFAULT_PROMPT, 1.0, None, None, 3) in drawn  # seeded
    assert next_words(decoder, DEFAULT_PROMPT, 1.0, 1, None, 5) == " Paris"  # top-k 1 is greedy


def test_labels_show_spaces_and_newlines():
    assert visible(" Paris", space=True) == "␣Paris" and visible("\n") == "↵" and visible("") == "␣"
    assert has_cjk("안녕") and has_cjk("こんにちは") and has_cjk("我") and not has_cjk("café")


def test_links_clamp_the_layer_and_head():
    values, rejected = from_query({"decoder_layer": "99", "decoder_head": "-3", "top_p": "2", "prompt": "<b>x</b>"})
    assert values == {"decoder_layer": 29, "decoder_head": 0, "prompt": "<b>x</b>"} and rejected == ["top_p"]


def test_the_command_line_draws_the_prompts_map(tmp_path, capsys):
    from attention.cli import main

    out = tmp_path / "map.json"
    code = main(
        ["render", "--prompt", DEFAULT_PROMPT, "--decoder-layer", "13", "--decoder-head", "8", "--out", str(out)]
    )
    assert code == 0
    document = json.loads(out.read_text())
    assert (document["layer"], document["head"]) == (13, 8) and document["tokens"][-1] == " is"
    assert "' Paris' 77.3%" in capsys.readouterr().out
    assert main(["render", "--prompt", "  ", "--out", str(out)]) == 2
    assert main(["render", "--out", str(out)]) == 2  # neither --source nor --prompt
    html = tmp_path / "map.html"
    assert main(["render", "--prompt", "a b", "--decoder-average", "--out", str(html)]) == 0
    assert "average of its heads" in html.read_text()
