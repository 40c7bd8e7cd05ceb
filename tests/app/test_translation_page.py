"""The translation page headless with AppTest, in English and Korean, and what it exports."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest

from attention import head_maps
from attention.heatmap_payload import unpack
from attention.i18n import en, ko, text
from attention.translation import MAX_SOURCE_PIECES, load_translator
from attention.translation_figures import CSV_COLUMNS, translation_csv, translation_figure, translation_json
from tests.helpers import charts, decode_array, messages, open_app, page_text
from webapp.component_data import read_component_data

PAGE = "pages/6_Translation.py"
WORD = re.compile(r"[A-Za-z]{3,}")
# English words of this page's strings that its Korean strings do not use themselves
PAGE_ENGLISH = {
    w.lower()
    for key, value in en.STRINGS.items()
    if key.startswith("translate.") or key.endswith(".translate")
    for w in WORD.findall(value)
} - {w.lower() for value in ko.STRINGS.values() for w in WORD.findall(value)}


def open_page(lang: str = "en", **query) -> object:
    params = {"lang": lang, **query} if lang != "en" else dict(query)
    return open_app(PAGE, query=params or None)


def type_text(at, key: str, value: str):
    at.text_input(key).set_value(value)
    at.run()
    assert not at.exception, at.exception
    return at


def cross_map(at) -> tuple[dict, dict, np.ndarray]:
    """The cross-attention map as the browser draws it from the live map's payload (``head_maps.render``, the
    figure webapp/head_maps.js draws too): its layout, heatmap trace and z (float16 in transit)."""
    head, header, maps = live_map(at)
    view = head["view"]
    shown = None if view["average"] else view["head"]
    weights = head_maps.head_map(maps, view["layer"], shown)
    figure = head_maps.render(header, weights, {"layer": view["layer"], "head": shown, "transpose": view["transpose"]})
    trace = figure["data"][0]
    return figure["layout"], trace, np.asarray(trace["z"], dtype=np.float64)


def live_map(at) -> tuple[dict, dict, np.ndarray]:
    """The live map's view and chrome, its payload's header, and every head's map (2, 8, T, S)."""
    [element] = [e for e in at.get("bidi_component") if e.key == "translate_map"]
    head, payload = read_component_data(element.proto.bytes)
    header, arrays = unpack(payload)
    return head, header, head_maps.decode_maps(header, arrays["maps"])


def test_the_page_opens_on_the_models_own_translation():
    at = open_page()
    assert at.title[0].value == "A real translator's cross attention"
    assert at.text_input("translate_source").value == "I like the red car."
    assert at.text_input("translate_target").value == "Eu gosto do carro vermelho."
    layout, trace, z = cross_map(at)
    assert trace["x"] == ["Eu", "gosto", "do", "carro", "vermelho", ".", "&lt;/s&gt;"]  # columns: target queries
    assert trace["y"] == ["I", "like", "the", "red", "car", ".", "&lt;/s&gt;"]  # rows: source keys
    np.testing.assert_allclose(z.sum(axis=0), 1.0, atol=3e-3)  # each query's column sums to 1 (float16 in transit)
    assert z[4, 3] == pytest.approx(0.94, abs=0.01)  # carro -> car, the alignment head
    assert "alignment head" in layout["title"]["text"]
    predictions = [a["text"] for a in layout["annotations"]]
    assert predictions[4] == "vermelho<br>99%" and len(predictions) == 7
    assert "target pieces: queries" in json.dumps(layout, ensure_ascii=False)
    assert len(charts(at)) == 2  # every cross-attention head, and the encoder's 6 × 8 heads
    assert "Swap roles" in page_text(at)
    assert not messages(at)


def test_editing_the_translation_feeds_the_decoder():
    at = type_text(open_page(), "translate_target", "Eu gosto do carro azul.")
    layout, trace, _ = cross_map(at)
    assert trace["x"][4] == "azul"
    assert layout["annotations"][4]["text"] == "≠ vermelho<br>99%"  # what the model would have written
    assert any("teacher forcing" in c.value and "vermelho" in c.value for c in at.caption)
    at.button("translate_reset").click().run()
    assert at.text_input("translate_target").value == "Eu gosto do carro vermelho."
    # a new sentence brings the model's translation of it
    at = type_text(at, "translate_source", "The cat is sleeping on the sofa.")
    assert at.text_input("translate_target").value == "O gato está dormindo no sofá."


def choose(at, **view):
    """Set the live map's view in the session, as its controls in the browser do (AppTest cannot reach them)."""
    for key, value in view.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_layer_head_average_and_transpose():
    at = open_page()
    at = choose(at, translate_head=3)
    layout, _, _ = cross_map(at)
    assert layout["title"]["text"] == "Cross attention, decoder layer 1, head 3"
    assert "translate_head=3" in "&".join(f"{k}={v}" for k, v in at.query_params.items())  # the link follows
    at = choose(at, translate_layer=0, translate_average=True)
    layout, _, z = cross_map(at)
    assert "average" in layout["title"]["text"] and z.shape == (7, 7)
    at = choose(at, translate_transpose=True, translate_average=False, translate_head=0, translate_layer=1)
    layout, trace, z = cross_map(at)
    assert trace["y"][0] == "Eu" and trace["x"][0] == "I"  # rows are the target queries now
    np.testing.assert_allclose(z.sum(axis=1), 1.0, atol=3e-3)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_head_is_sent_once_and_every_cross_head_is_in_the_grid(lang):
    at = open_page(lang)
    head, header, maps = live_map(at)
    run = load_translator("en-pt").cross_attention("I like the red car.")
    assert maps.shape == (2, 8, 7, 7) and header["encoding"] == "float16"
    np.testing.assert_allclose(maps, run.weights, atol=1e-3)  # both layers' 8 heads, to float16
    assert head["view"] == {"layer": 1, "head": 0, "average": False, "transpose": False}
    assert head["chrome"]["labels"]["head"] == text("translate.head", lang)
    grid = charts(at)[0]
    z = np.asarray(decode_array(grid["data"][0]["z"]), dtype=float)
    assert z.shape == (2 * 8 - 1, 8 * 8 - 1)  # 2 layers × 8 heads of 7 × 7 tiles, a blank line between
    np.testing.assert_allclose(z[8:15, 0:7], run.weights[1, 0].T, atol=1e-6)  # layer 1, head 0: columns are queries
    [outline] = grid["layout"]["shapes"]
    assert (outline["x0"], outline["y0"]) == (-0.5, 7.5)  # the alignment head, outlined
    assert text("head_maps.cross_grid", lang, n_layers=2, n_heads=8) in [s.value for s in at.subheader]


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_a_calm_message(text):
    at = type_text(open_page(), "translate_source", text)
    assert messages(at) == ["Type a sentence to translate."]
    assert not charts(at)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_text_the_translator_cannot_read_is_said_in_the_interface_language(lang):
    at = type_text(open_page(lang), "translate_source", "\u200b")  # a zero-width space: nothing to read
    assert messages(at) == [text("translate.unreadable_source", lang)]
    assert not charts(at)


def test_long_text_says_how_many_pieces_were_kept():
    text = " ".join(["the quick brown fox jumps"] * 80)
    dropped = load_translator("en-pt").tokenize(text).dropped  # 560 pieces in all
    at = type_text(open_page(), "translate_source", text)
    [warning] = messages(at)
    assert f"first {MAX_SOURCE_PIECES - 1} pieces" in warning and f"left out {dropped} more" in warning
    _, trace, _ = cross_map(at)
    assert len(trace["y"]) == MAX_SOURCE_PIECES


@pytest.mark.parametrize("text", ["안녕하세요, 만나서 반갑습니다.", "こんにちは"])
def test_other_languages_get_a_clear_note(text):
    at = type_text(open_page(), "translate_source", text)
    assert any("knows only English and Portuguese" in m for m in messages(at))
    _, trace, _ = cross_map(at)
    assert any(text.split(",")[0] in label for label in trace["y"])  # the unknown characters shown as typed


def test_markup_is_shown_literally():
    at = type_text(open_page(), "translate_source", "<b>bold</b> <script>alert(1)</script>")
    _, trace, _ = cross_map(at)
    labels = "".join(trace["y"])
    assert "&lt;" in labels and "<" not in labels  # escaped: Plotly draws the characters, not markup
    assert "<script>" not in "".join(str(m.value) for m in at.markdown)


def test_a_link_keeps_its_own_translation_and_direction():
    at = open_page(translate_direction="pt-en", translate_source="Eu gosto do carro.", translate_target="I love cars.")
    assert at.selectbox("translate_direction").value == "pt-en"
    assert at.text_input("translate_target").value == "I love cars."
    _, trace, _ = cross_map(at)
    assert trace["x"][:3] == ["I", "love", "cars"]


def test_the_korean_page_is_korean():
    at = open_page("ko")
    assert at.title[0].value == "실제 번역기의 크로스 어텐션"
    layout, trace, _ = cross_map(at)
    assert layout["title"]["text"] == "크로스 어텐션, 디코더 1층, 0번 헤드: 정렬 헤드"
    shown = [str(e.value) for kind in ("title", "subheader", "markdown", "caption") for e in getattr(at, kind)]
    shown += [
        str(w.label) + str(w.help or "")
        for kind in ("text_input", "selectbox", "toggle", "button")
        for w in getattr(at, kind)
    ]
    shown += [
        layout["title"]["text"],
        layout["xaxis"]["title"]["text"],
        layout["yaxis"]["title"]["text"],
        trace["hovertemplate"],
    ]
    shown += trace["customdata"][0]
    assert not {w.lower() for s in shown for w in WORD.findall(s)} & PAGE_ENGLISH
    assert "역할 바꾸기" in page_text(at)
    at = type_text(at, "translate_source", "안녕하세요")
    assert any("영어와 포르투갈어만" in m for m in messages(at))
    at = type_text(at, "translate_source", " ")
    assert messages(at) == [text("translate.empty", "ko")]


# --- the figure and the exports, without the app ------------------------------------------------


@pytest.fixture(scope="module")
def run():
    return load_translator("en-pt").cross_attention("I like the red car.", "Eu gosto do carro azul.")


def test_csv_has_one_row_per_pair_and_reads_back(run):
    rows = list(csv.reader(io.StringIO(translation_csv(run, 1, 0))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + len(run.target_tokens) * len(run.source_tokens)
    weights = np.array([float(r[4]) for r in rows[1:]]).reshape(len(run.target_tokens), -1)
    np.testing.assert_array_equal(weights, run.weights[1, 0].astype(np.float64))
    azul = next(r for r in rows[1:] if r[1] == "▁azul")
    assert azul[5] == "▁vermelho" and float(azul[7]) < 0.01 < 0.9 < float(azul[6])


def test_json_has_the_map_the_predictions_and_every_head(run):
    document = json.loads(translation_json(run, 0, None))
    assert document["teacher_forced"] and document["head"] is None and document["alignment_head"] == [1, 0]
    np.testing.assert_allclose(document["weights"], run.weights[0].astype(np.float64).mean(axis=0))
    assert np.array(document["all_heads"]).shape == run.weights.shape
    assert document["predictions"][4]["top_token"] == "▁vermelho"


def test_figure_escapes_predicted_markup():
    html_run = load_translator("en-pt").cross_attention("a cat", "<b>um gato</b>")
    figure = translation_figure(html_run, 1, 0).to_plotly_json()
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert all("<b>" not in text for text in texts)
    assert "1 · &lt;" in figure["data"][0]["x"]  # the target's "<", escaped (and numbered: it comes twice)


def test_the_figure_and_the_numbers_can_be_downloaded():
    at = open_page()
    labels = [button.label for button in at.get("download_button")]
    assert labels[-2:] == ["CSV", "JSON"]
    from attention.export import image_export_available

    if image_export_available():  # PNG at three sizes, SVG and PDF, drawn by kaleido where Chromium is
        assert labels[:5] == ["PNG 1×", "PNG 2×", "PNG 3×", "SVG", "PDF"]


def test_the_command_line_draws_the_translators_figure(tmp_path, capsys):
    from attention.cli import main

    out = tmp_path / "car.json"
    assert main(["render", "--translate", "en-pt", "--source", "I like the red car.", "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["translation"] == "Eu gosto do carro vermelho." and (document["layer"], document["head"]) == (1, 0)
    assert "Eu gosto do carro vermelho." in capsys.readouterr().out
    assert main(["render", "--translate", "en-pt", "--source", "  ", "--out", str(out)]) == 2
