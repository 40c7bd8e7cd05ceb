"""The Next Word page headless with AppTest and the real SmolLM2, in English and Korean."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from attention.heatmap_payload import unpack
from attention.i18n import en, ko, text
from attention.next_word import DEFAULT_PROMPT, EXAMPLES, unpack_maps
from tests.helpers import ROOT, messages, open_app
from webapp.component_data import read_component_data
from webapp.next_word_chart import KEY

PAGE = "pages/7_Next_Word.py"
WORD = re.compile(r"[A-Za-z]{3,}")
# English words of this page's strings that its Korean strings do not use themselves
PAGE_ENGLISH = {
    w.lower() for key, value in en.STRINGS.items() if key.startswith("next_word.") for w in WORD.findall(value)
} - {w.lower() for value in ko.STRINGS.values() for w in WORD.findall(value)}


def open_page(lang: str = "en", **query) -> object:
    params = {"lang": lang, **query} if lang != "en" else dict(query)
    return open_app(PAGE, query=params or None, model=None)


def type_prompt(at, value: str):
    at.text_input("prompt").set_value(value)
    at.run()
    assert not at.exception, at.exception
    return at


def component(at) -> tuple[dict, dict, dict[str, np.ndarray]]:
    """The component's view and chrome, and its payload's header and arrays."""
    [element] = [e for e in at.get("bidi_component") if e.key == KEY]
    head, payload = read_component_data(element.proto.bytes)
    header, arrays = unpack(payload)
    return head, header, arrays


def shown_text(at) -> str:
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_page_shows_paris_and_every_head(lang, decoder):
    at = open_page(lang)
    assert at.title[0].value == text("next_word.title", lang)
    assert at.text_input("prompt").value == DEFAULT_PROMPT
    assert "␣Paris" in shown_text(at) and "77.3%" in shown_text(at)
    head, header, arrays = component(at)
    assert head["view"]["decoder_layer"] == 13 and head["view"]["decoder_head"] == 8
    assert header["top_tokens"][0] == "␣Paris" and header["tokens"] == ["The", " capital", " of", " France", " is"]
    maps = unpack_maps(header, arrays["maps"])
    np.testing.assert_allclose(maps, decoder.run(DEFAULT_PROMPT).weights, atol=5e-4)
    assert arrays["logits"].shape == (49_152,)
    assert not messages(at)
    assert "model" not in [w.key for w in at.selectbox]  # the embedding model's menu does not apply here
    labels = [button.label for button in at.get("download_button")]
    assert labels[-2:] == ["CSV", "JSON"]
    if lang == "ko":
        assert header["words"]["query_title"] == "쿼리: 묻는 토큰"
        strings = [shown_text(at), *header["words"].values()]
        strings += [str(w.label) + str(w.help or "") for kind in ("text_input", "button") for w in getattr(at, kind)]
        assert not {w.lower() for s in strings for w in WORD.findall(s)} & PAGE_ENGLISH


def test_a_link_draws_its_head_and_its_sampling():
    query = {"prompt": "The cat sat on the mat", "decoder_layer": "18", "decoder_head": "6", "next_temperature": "0.5"}
    at = open_page(**query, top_k="5", decoder_average="true")
    head, header, _ = component(at)
    assert head["view"] == {
        "decoder_layer": 18,
        "decoder_head": 6,
        "decoder_average": True,
        "next_temperature": 0.5,
        "top_k": 5,
        "top_p": 1.0,
    }
    assert header["tokens"][1] == " cat"
    files = [b for b in at.get("download_button") if b.label == "JSON"]
    assert files and "L18avg" in files[0].proto.file_name if hasattr(files[0].proto, "file_name") else True


def test_the_component_keeps_the_view_it_sends_for_the_link():
    from webapp.next_word_chart import _keep_view

    at = open_page()
    at.session_state[KEY] = {"view": {"decoder_layer": 23, "decoder_head": 4, "decoder_average": False, "top_p": "x"}}
    with pytest.MonkeyPatch.context() as patch:
        import streamlit as st

        patch.setattr(st, "session_state", at.session_state)
        _keep_view()
    at.run()
    head, _, _ = component(at)
    assert (head["view"]["decoder_layer"], head["view"]["decoder_head"]) == (23, 4)
    assert head["view"]["top_p"] == 1.0  # the invalid value was dropped


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_sets_its_prompt_and_head_and_holds_its_claim(name):
    at = open_page()
    at.selectbox("next_word_example").set_value(name).run()
    assert not at.exception
    example = EXAMPLES[name]
    assert at.text_input("prompt").value == example.prompt
    head, header, arrays = component(at)
    assert (head["view"]["decoder_layer"], head["view"]["decoder_head"]) == (example.layer, example.head)
    from webapp import cache

    assert example.claim(cache.decoder_run(example.prompt)) >= example.at_least
    maps = unpack_maps(header, arrays["maps"])
    if name == "pronoun":
        tokens = header["tokens"]
        assert maps[13, 8, tokens.index(" it"), tokens.index(" animal")] == pytest.approx(0.75, abs=0.01)
    if name == "sink":
        assert maps[:, :, 3:, 0].mean() > 0.5


def test_adding_the_next_word_walks_through_generation():
    at = open_page()
    at.button("next_word_add").click().run()
    assert at.text_input("prompt").value == DEFAULT_PROMPT + " Paris"
    assert any("Added" in str(c.value) and "Paris" in str(c.value) for c in at.caption)
    seed = at.number_input("next_seed").value
    at.button("next_word_draw").click().run()
    assert at.text_input("prompt").value.startswith(DEFAULT_PROMPT + " Paris")
    assert at.number_input("next_seed").value == seed + 1
    at = type_prompt(at, "안녕")
    at.button("next_word_add").click().run()
    added = at.text_input("prompt").value[len("안녕") :]
    assert added and "\ufffd" not in added  # a Hangul character cut in bytes is finished


@pytest.mark.parametrize("value", ["", "   ", "\n\t"])
def test_an_empty_prompt_is_a_calm_message(value):
    at = type_prompt(open_page(), value)
    assert messages(at) == [text("next_word.empty")]
    assert not [e for e in at.get("bidi_component") if e.key == KEY]


def test_a_long_prompt_says_how_many_tokens_were_cut():
    at = type_prompt(open_page(), " ".join(["word"] * 310))
    [warning] = messages(at)
    assert "first 54 of 310 tokens were cut" in warning
    _, header, _ = component(at)
    assert header["n_tokens"] == 256 and header["encoding"] == "uint8"


@pytest.mark.parametrize(
    "prompt",
    ["<b>x</b>", "a<br>b <i>c</i>", "emoji 😀👨‍👩‍👧 here", "مرحبا بالعالم hello", "a $x^2$ **bold** [link](http://x)"],
)
def test_markup_emoji_and_rtl_are_shown_literally(prompt):
    at = type_prompt(open_page(), prompt)
    assert not at.exception
    _, header, _ = component(at)
    joined = "".join(header["tokens"]) + "".join(token for token, _ in header["predictions"])
    assert "<b>" not in joined and "<br>" not in joined and "<i>" not in joined
    shown = "".join(re.sub(r"^\d+ · ", "", token) for token in header["tokens"])  # repeated tokens are numbered
    shown = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if "(1/" in shown:  # an emoji in byte pieces: each piece shows its character, 😀(1/2) 😀(2/2)
        assert set(prompt) <= set(re.sub(r"\(\d/\d\)", "", shown))
    else:
        assert shown == prompt


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_cjk_prompts_work_and_say_so_calmly(lang):
    at = type_prompt(open_page(lang), "안녕하세요, 저는 학생입니다")
    assert messages(at) == [text("next_word.cjk", lang)]
    _, header, _ = component(at)
    assert header["tokens"][0] == "안(1/3)"
    at = type_prompt(at, "こんにちは")
    assert messages(at) == [text("next_word.cjk", lang)]


NOT_FETCHED = """
import sys
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=180)
at.query_params.update({{"lang": {lang!r}}})
at.switch_page("pages/7_Next_Word.py").run()  # straight there: Home would convert e5 into the empty cache
print("EXCEPTION" if at.exception else "no exception")
print("INFO:" + " | ".join(str(m.value) for m in at.info))
at.button("next_word_fetch").click().run()
print("EXCEPTION" if at.exception else "no exception")
print("ERROR:" + " | ".join(str(m.value) for m in at.error))
"""


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_without_the_model_the_page_offers_to_fetch_it_and_names_the_command(tmp_path, lang):
    """A cache without the model, and pip with no index to reach: a button, then the message with the
    command, never a traceback (in a process of its own: the server's caches are per process)."""
    env = {**os.environ, "ATTENTION_CACHE_DIR": str(tmp_path), "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull}
    script = NOT_FETCHED.format(root=str(ROOT), app=str(ROOT / "app.py"), lang=lang)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    lines = done.stdout.splitlines()
    assert lines.count("no exception") == 2, done.stdout + done.stderr[-2000:]
    info = next(line for line in lines if line.startswith("INFO:"))
    error = next(line for line in lines if line.startswith("ERROR:"))
    assert "python -m attention fetch" in info and info.startswith("INFO:" + text("next_word.title", lang)[:0])
    assert "python -m attention fetch" in error and "Traceback" not in done.stdout
    if lang == "ko":
        assert "내려받지 못했다" in error


def test_the_exports_are_the_chosen_heads():
    at = open_page(decoder_layer="23", decoder_head="4")
    files = {b.label: b for b in at.get("download_button")}
    assert {"CSV", "JSON"} <= set(files)
    from attention.next_word import map_json
    from webapp import cache

    document = json.loads(map_json(cache.decoder_run(DEFAULT_PROMPT), 23, 4))
    tokens = document["tokens"]
    assert document["weights"][tokens.index(" is")][tokens.index(" France")] > 0.85  # is → France
