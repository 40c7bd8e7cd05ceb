"""Every word true to the lecture: the Korean strings use one term per concept (attention.i18n.GLOSSARY) in the
lecture's plain -다 register; no string in either language quotes a weight the default figure does not have;
purple always comes with orange (signed numbers: purple above zero, orange below); every layer label counts
layers one way."""

from __future__ import annotations

import re

import pytest

from attention.examples import EXAMPLES
from attention.i18n import GLOSSARY, POLITE_ENDINGS, STRINGS, en, ko
from attention.options import Settings
from attention.settings_table import defaults
from attention.views import compute_view

QUOTED = re.compile(r"‘[^’]*’|“[^”]*”|\"[^\"]*\"|'[^']*'|`[^`]*`")  # quoted text: what is shown, not said
# the examples' sentences, as the examples menu shows them: text in Korean, not the interface speaking
SHOWN = sorted({text for _, *texts, _ in EXAMPLES.values() for text in texts if text}, key=len, reverse=True)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
FINAL_B = 17  # the final consonant ㅂ in a Hangul syllable: (code - 0xAC00) % 28
ENDING_FOLLOWS = re.compile(r"(?=[.,!?…:;)\]\s]|$)")


def korean(section: str | None = None) -> dict[str, str]:
    """Every Korean string by key (one section's, with ``section``), placeholders and quotations taken out."""
    sections = ko.SECTIONS if section is None else {section: ko.SECTIONS[section]}
    return {key: said(value) for strings in sections.values() for key, value in strings.items()}


def said(value: str) -> str:
    """What a string says in the interface's voice: without placeholders, quotations and example sentences."""
    value = QUOTED.sub("", PLACEHOLDER.sub("", value))
    for sentence in SHOWN:
        value = value.replace(sentence, "")
    return value


def polite_endings(sentence: str) -> list[str]:
    """The -습니다 / -ㅂ니다 and -세요 endings of ``sentence``."""
    found = []
    for match in re.finditer(r"([\uac00-\ud7a3])니다|세요", sentence):
        end = match.end()
        if not ENDING_FOLLOWS.match(sentence, end):
            continue
        syllable = match.group(1)
        if syllable is None or (ord(syllable) - 0xAC00) % 28 == FINAL_B:
            found.append(match.group(0))
    return found


def test_the_polite_ending_check_knows_its_endings():
    assert polite_endings("그림 위에 있습니다.") == ["습니다"]
    assert polite_endings("다시 그립니다") == ["립니다"]
    assert polite_endings("예시를 고르세요…") == ["세요"]
    assert polite_endings("0이 아니다. 바꾼다. 이것은 예다.") == []  # 아니다 is plain -다
    assert set(POLITE_ENDINGS) == {"ㅂ니다", "습니다", "세요"}


def test_the_glossary_names_the_lectures_words():
    preferred = " ".join(GLOSSARY)
    lecture = ("어텐션 스코어", "쿼리", "값 벡터", "크로스 어텐션", "셀프 어텐션")
    lecture += ("입력 문장", "대상 문장", "소프트맥스", "내적")
    for word in lecture:
        assert word in preferred, word


@pytest.mark.parametrize("section", list(ko.SECTIONS))
def test_korean_strings_use_the_glossarys_terms(section):
    offending = {
        key: [variant for variants in GLOSSARY.values() for variant in variants if re.search(variant, value)]
        for key, value in korean(section).items()
    }
    offending = {key: variants for key, variants in offending.items() if variants}
    assert not offending, f"variants the glossary rejects, in section {section!r}: {offending}"


@pytest.mark.parametrize("section", list(ko.SECTIONS))
def test_korean_strings_speak_the_lectures_plain_register(section):
    offending = {key: polite_endings(value) for key, value in korean(section).items()}
    offending = {key: endings for key, endings in offending.items() if endings}
    assert not offending, f"-습니다/-세요 endings in section {section!r}: {offending}"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_purple_always_comes_with_orange(lang):
    """Outputs, vectors and scores are signed: where a string names purple for them it names orange too.
    The translator's and the next-word pages write their predicted piece in purple under each column (the
    lecture's purple output, as a word): those say so in their own words."""
    purple, orange = {"en": ("purple", "orange"), "ko": ("보라", "주황")}[lang]
    predicted = {"translate.predictions_caption", "next_word.map_caption"}
    lonely = [
        key
        for key, value in STRINGS[lang].items()
        if purple in value.lower() and orange not in value.lower() and key not in predicted
    ]
    assert not lonely, lonely


LAYER_LABELS = (
    "side.vector_layer_caption",
    "fig.layer_caption",
    "steps.layer",
    "home.layers",
    "side.vector_layer_head",
)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_layer_labels_count_layers_one_way(lang):
    """Hidden states are named by how many layers they have gone through ("after 8 of 12 layers", the layer
    they enter is layer 8, as Model heads numbers layers 0 to 11); none says "after layer 8 of 12"."""
    for key in LAYER_LABELS:
        value = STRINGS[lang][key]
        assert not re.search(r"after layer \{", value) and not re.search(r"중 \{(layer|default)\}층", value), key
    assert "{last}" in STRINGS[lang]["side.vector_layer_help"]  # the convention, stated once in the help
    values = dict(layer=8, n_layers=12, default=7, model="m", last=11)
    assert "8" in STRINGS[lang]["side.vector_layer_head"].format(**values)


# --- no stale numbers ------------------------------------------------------------------------------

# A literal weight (0.xx) in a string: where each is computed. None today: a number quoted in help or a
# caption comes from the current model and settings (a placeholder such as {weight:.3f}), or is not quoted.
COMPUTED_ELSEWHERE: dict[str, str] = {}
WEIGHT = re.compile(r"(?<![\w.])0\.\d+")


def quoted_weights() -> dict[tuple[str, str], list[str]]:
    """Literal decimal weights in every string of both languages, by (language, key)."""
    found = {}
    for lang, module in (("en", en), ("ko", ko)):
        for strings in module.SECTIONS.values():
            for key, value in strings.items():
                numbers = WEIGHT.findall(PLACEHOLDER.sub("", value))
                if numbers and key not in COMPUTED_ELSEWHERE:
                    found[(lang, key)] = numbers
    return found


def test_no_string_quotes_a_weight_the_default_figure_lacks(e5):
    """The default figure: the cross page as it opens (multilingual-e5-small at its default layer, the lecture's
    this is an example → これは例です). Any 0.xx in a string must be one of its weights, to two places."""
    values = defaults()
    assert values["model"] == e5.name
    view = compute_view(e5, {"source": values["source"], "target": values["target"]}, Settings(), e5.encode_layers)
    weights = {f"{w:.2f}" for w in view.result.weights.ravel()} | {f"{w:.2g}" for w in view.result.weights.ravel()}
    stale = {
        where: [n for n in numbers if n not in weights and n.rstrip("0") not in weights]
        for where, numbers in quoted_weights().items()
    }
    stale = {where: numbers for where, numbers in stale.items() if numbers}
    low, high = view.result.weights.min(), view.result.weights.max()
    assert not stale, f"weights the default figure ({low:.2f} to {high:.2f}) does not have: {stale}"
