"""The interface's words in English and Korean: one module of strings per language.

    text("msg.blank", "ko", role=text(ROLE_WORDS["source"], "ko"))

Each language's strings are in sections, one per page or shared part (en.py, ko.py). A missing
Korean string falls back to English, never to a key.

Every key is written out in full where the code uses it, never built from pieces, so that
tests/app/test_i18n.py can scan the source and prove that each key used exists in both languages
and each key defined is used. Where a key depends on a choice made at run time (a role, a
menu's option), the whole family is listed below, choice by choice.
"""

from __future__ import annotations

from attention.i18n import en, ko

LANGUAGES = {"en": "English", "ko": "한국어"}
STRINGS = {"en": en.STRINGS, "ko": ko.STRINGS}

# The Korean interface's words: one term per concept, the lecture's own where it has one (어텐션 스코어,
# 쿼리, 키, 값 벡터, 크로스 어텐션, 셀프 어텐션, 입력 문장, 대상 문장, 소프트맥스, 내적). Each preferred term
# maps to the variants it replaces, as regular expressions; tests/unit/test_glossary.py fails when a Korean
# string uses one. A formula keeps its function names (``softmax(q·k / √d_k)``). The register is the
# lecture's plain -다 throughout (POLITE_ENDINGS).
GLOSSARY = {
    "어텐션 스코어, 스코어": (r"점수",),  # the lecture's 어텐션 스코어; 원래 스코어, 스케일된 스코어
    "값, 값 벡터": (r"밸류",),  # the lecture's 값 벡터
    "쿼리": (r"질의",),
    "입력 문장": (r"원문", r"소스 문장", r"출발 문장"),
    "대상 문장, 대상": (r"목표", r"타깃", r"타겟"),
    "크로스 어텐션": (r"교차", r"크로스-어텐션", r"cross attention"),
    "셀프 어텐션": (r"자기 어텐션", r"셀프-어텐션", r"self attention"),
    "소프트맥스": (r"softmax(?!\()",),  # softmax(...) in a formula stays
    "내적": (r"점곱", r"도트 곱", r"스칼라곱"),
    "행이 쿼리": (r"행을 쿼리로",),
}
# The polite registers' sentence endings, which the Korean strings do not use: -습니다 and the rest of
# -ㅂ니다 (a syllable ending in ㅂ, then 니다), and -세요. A quoted Korean example (‘예입니다’, "입니다")
# is the text being shown, not the interface speaking.
POLITE_ENDINGS = ("ㅂ니다", "습니다", "세요")


def text(key: str, lang: str = "en", **values) -> str:
    """The string ``key`` in ``lang`` (English where unknown), with ``values`` filled in."""
    template = STRINGS.get(lang, en.STRINGS).get(key) or en.STRINGS[key]
    return template.format(**values) if values else template


class TranslatedError(RuntimeError):
    """An error whose message is an i18n string, for a user.

    ``str(error)`` is the message in the language it was raised in (English unless told);
    ``error.message(lang)`` is the same message in another language of the interface.
    """

    def __init__(self, key: str, lang: str = "en", **values):
        self.key, self.values = key, values
        super().__init__(text(key, lang, **values))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return text(self.key, lang, **self.values)


# --- key families: one key per choice, chosen at run time -----------------------------------------

# A sentence's role ("source", "target" or "sentence"), as messages and axis titles name it.
ROLE_WORDS = {"source": "role.source", "target": "role.target", "sentence": "role.sentence"}
# The help under each sentence field, by the field's label.
SENTENCE_HELP = {
    "input.source": "input.source_help",
    "input.target": "input.target_help",
    "input.sentence": "input.sentence_help",
    "compare.sentence_a": "compare.sentence_a_help",
    "compare.sentence_b": "compare.sentence_b_help",
    "compare.target_a": "compare.target_a_help",
    "compare.target_b": "compare.target_b_help",
}
# What each of the model's readers reads, by embedded model (attention.models.EMBEDDED_MODELS).
# The examples menu, by example (attention.examples.EXAMPLES).
EXAMPLE_LABELS = {
    "lecture_script": "examples.lecture_script",
    "lecture_cross": "examples.lecture_cross",
    "korean_pair": "examples.korean_pair",
    "korean_self": "examples.korean_self",
    "chinese_self": "examples.chinese_self",
    "lecture_self": "examples.lecture_self",
    "pronoun": "examples.pronoun",
    "bank": "examples.bank",
    "paraphrase": "examples.paraphrase",
    "repeated": "examples.repeated",
}
# How Q, K and V are made (attention.options.PROJECTIONS): the menu's labels and the caption under it.
PROJECTION_LABELS = {"identity": "side.proj.identity", "head": "side.proj.head", "random": "side.proj.random"}
PROJECTION_CAPTIONS = {
    "identity": "side.proj_caption.identity",
    "head": "side.proj_caption.head",
    "random": "side.proj_caption.random",
}
# Which output components are drawn (attention.options.COMPONENT_MODES): the menu, and the figure's words.
COMPONENT_LABELS = {"first": "side.components.first", "pca": "side.components.pca"}
COMPONENT_WORDS = {"first": "fig.components.first", "pca": "fig.components.pca"}
# The step-by-step page's kind of attention.
STEP_KIND_LABELS = {"cross": "steps.kind.cross", "self": "steps.kind.self"}
# The compare page's menus (attention.compare.KINDS, ATTENTIONS and COMPARED_SETTINGS), and the sentence
# that says what differs when one setting does.
COMPARE_KIND_LABELS = {
    "sentences": "compare.kind.sentences",
    "settings": "compare.kind.settings",
    "models": "compare.kind.models",
}
COMPARE_ATTENTION_LABELS = {"self": "compare.attention.self", "cross": "compare.attention.cross"}
COMPARE_SETTING_LABELS = {
    "scale": "compare.setting.scale",
    "temperature": "compare.setting.temperature",
    "causal": "compare.setting.causal",
    "projection": "compare.setting.projection",
}
COMPARE_SETTING_WHAT = {
    "scale": "compare.what.scale",
    "temperature": "compare.what.temperature",
    "causal": "compare.what.causal",
    "projection": "compare.what.projection",
}
# The translation page's directions (attention.translation.DIRECTIONS).
DIRECTION_LABELS = {"en-pt": "translate.direction.en-pt", "pt-en": "translate.direction.pt-en"}
# What the Translation page says when the translator can read nothing in a text, by which text it is.
UNREADABLE_TEXT = {"source": "translate.unreadable_source", "target": "translate.unreadable_target"}
