"""Sentences that teach something, for the examples menu, the tests and the benchmark.

EXAMPLES maps a name (its label is the i18n string ``examples.<name>``) to
(kind, source or sentence, target, settings): kind "cross" has two sentences, "self"
one; ``settings`` are what the example needs besides the sentences (a model that reads
the script).
"""

from __future__ import annotations

import re

# The lecture's cross-attention figure: an English input and its Japanese translation, which the
# lecture writes in romaji ("kore wa rei desu") and the default page in Japanese script.
LECTURE_SOURCE = "this is an example"
LECTURE_TARGET = "kore wa rei desu"
LECTURE_TARGET_SCRIPT = "これは例です"
# How the lecture reads a sentence written in Japanese script, shown beside it on the cross page.
ROMANISATION = {LECTURE_TARGET_SCRIPT: LECTURE_TARGET}

MULTILINGUAL = {"model": "multilingual-e5-small"}  # the examples in Korean, Japanese or Chinese need it
# What every example sets unless it says otherwise: the lecture's Q = K = V on the plain 0 to 1
# colours, so that what its label claims is seen as it is.
EXAMPLE_DEFAULTS = {"projection": "identity", "fit_colors": False}

EXAMPLES: dict[str, tuple[str, str, str | None, dict[str, object]]] = {
    "lecture_script": ("cross", LECTURE_SOURCE, LECTURE_TARGET_SCRIPT, MULTILINGUAL),
    # romaji is rare text for any model: its pieces carry little of the words' meaning
    "lecture_cross": ("cross", LECTURE_SOURCE, LECTURE_TARGET, {}),
    "korean_pair": ("cross", "이것은 예입니다", LECTURE_SOURCE, MULTILINGUAL),
    "lecture_self": ("self", LECTURE_SOURCE, None, {}),
    "korean_self": ("self", "그 동물은 너무 피곤해서 길을 건너지 않았다", None, MULTILINGUAL),
    "chinese_self": ("self", "猫坐在垫子上，因为它累了。", None, MULTILINGUAL),
    # with Q = K = V, "animal" is never the darkest key of "it" on e5 (0.08 at most); its head 8 of layer 8 is (0.57)
    "pronoun": (
        "self",
        "The animal didn't cross the street because it was too tired.",
        None,
        {**MULTILINGUAL, "projection": "head", "layer": 8, "head": 8},
    ),
    "bank": ("cross", "I sat on the bank of the river.", "I put my money in the bank.", {}),
    "paraphrase": ("cross", "The cat is sleeping on the sofa.", "A kitten naps on the couch.", {}),
    "repeated": ("self", "the dog chased the cat and the cat chased the dog", None, {}),
}
HANGUL = re.compile("[\uac00-\ud7a3]")


def examples_of(kind: str, lang: str = "en") -> list[str]:
    """The names of the examples of one kind ("cross" or "self"), in menu order;
    in the Korean interface, the Korean examples come first."""
    names = [name for name, (k, *_) in EXAMPLES.items() if k == kind]
    if lang == "ko":
        names.sort(key=lambda name: not any(HANGUL.search(s or "") for s in EXAMPLES[name][1:3]))
    return names
