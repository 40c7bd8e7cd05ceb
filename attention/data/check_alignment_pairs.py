"""Validate ``alignment_pairs.json``, the word-alignment evaluation set.

Run from the repository root:

    python attention/data/check_alignment_pairs.py [path/to/alignment_pairs.json]

Prints pairs and links per language and exits with status 1 if any rule is broken:

* a JSON list of objects with exactly the keys ``lang``, ``source``, ``target``, ``links``;
* at least 12 pairs each of ``ja``, ``ko``, ``zh`` and 3 each of ``fr``, ``de``, ``es``, ``pt``;
* the first pair is the lecture's "this is an example" / "これは例です";
* English sources have 3–12 words; Japanese and Chinese targets have no spaces, Korean
  targets are Hangul written with spaces;
* every pair has 2–5 links, at least 150 in all, with no link repeated;
* a span on a space-separated side (English, European targets) is whole words, written
  exactly as in the sentence, that occur exactly once (``(?<!\\w)span(?!\\w)``); a span on a
  Japanese, Chinese or Korean target is a substring that occurs exactly once.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("alignment_pairs.json")

MIN_PAIRS = {"ja": 12, "ko": 12, "zh": 12, "fr": 3, "de": 3, "es": 3, "pt": 3}
EUROPEAN = ("fr", "de", "es", "pt")
SUBSTRING_LANGS = ("ja", "zh", "ko")  # spans are plain substrings
MIN_LINKS, MAX_LINKS, MIN_TOTAL_LINKS = 2, 5, 150
MIN_WORDS, MAX_WORDS = 3, 12
FIRST = {
    "lang": "ja",
    "source": "this is an example",
    "target": "これは例です",
    "links": [["this", "これは"], ["is", "です"], ["example", "例"]],
}
KEYS = {"lang", "source", "target", "links"}

KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def word_count(sentence: str, span: str) -> int:
    """How often ``span`` occurs as whole words in ``sentence``."""
    return len(re.findall(rf"(?<!\w){re.escape(span)}(?!\w)", sentence))


def check_span(span: object, sentence: str, substring: bool) -> str | None:
    """Why ``span`` is not a valid span of ``sentence``, or None if it is."""
    if not isinstance(span, str) or not span:
        return f"span {span!r} is not a non-empty string"
    if span != span.strip() or "  " in span:
        return f"span {span!r} has stray whitespace"
    if substring:
        n = sentence.count(span)
        return None if n == 1 else f"span {span!r} occurs {n} times (as a substring) in {sentence!r}"
    if not (re.match(r"\w", span[0]) and re.match(r"\w", span[-1])):
        return f"span {span!r} starts or ends with punctuation"
    n = word_count(sentence, span)
    return None if n == 1 else f"span {span!r} occurs {n} times (as whole words) in {sentence!r}"


def check_pair(i: int, pair: object) -> list[str]:
    """The rule violations of entry ``i``."""
    where = f"pair {i}"
    if not isinstance(pair, dict):
        return [f"{where}: not an object"]
    errors = []
    if set(pair) != KEYS:
        errors.append(f"{where}: keys {sorted(pair)} != {sorted(KEYS)}")
    lang, source, target, links = (pair.get(k) for k in ("lang", "source", "target", "links"))
    if lang not in MIN_PAIRS:
        errors.append(f"{where}: unknown lang {lang!r}")
    for name, text in (("source", source), ("target", target)):
        if not isinstance(text, str) or not text.strip() or text != text.strip():
            errors.append(f"{where}: {name} {text!r} is not a trimmed non-empty string")
    if errors:
        return errors
    where = f"pair {i} ({lang}: {source!r})"

    n_words = len(source.split())
    if not MIN_WORDS <= n_words <= MAX_WORDS:
        errors.append(f"{where}: source has {n_words} words, not {MIN_WORDS}-{MAX_WORDS}")
    if lang in ("ja", "zh") and re.search(r"\s", target):
        errors.append(f"{where}: {lang} target contains whitespace")
    if lang == "ja" and not (KANA.search(target) and HAN.search(target)):
        errors.append(f"{where}: ja target should mix kanji and kana")
    if lang == "zh" and (KANA.search(target) or not HAN.search(target)):
        errors.append(f"{where}: zh target should be Han characters without kana")
    if lang == "ko" and (not HANGUL.search(target) or " " not in target):
        errors.append(f"{where}: ko target should be Hangul written with spaces")
    if lang in EUROPEAN and (HAN.search(target) or KANA.search(target) or HANGUL.search(target)):
        errors.append(f"{where}: {lang} target contains CJK script")

    if not isinstance(links, list):
        return errors + [f"{where}: links is not a list"]
    if not MIN_LINKS <= len(links) <= MAX_LINKS:
        errors.append(f"{where}: {len(links)} links, not {MIN_LINKS}-{MAX_LINKS}")
    seen = set()
    for link in links:
        if not (isinstance(link, list) and len(link) == 2):
            errors.append(f"{where}: link {link!r} is not a [source, target] pair")
            continue
        key = tuple(map(str, link))
        if key in seen:
            errors.append(f"{where}: link {link!r} repeated")
        seen.add(key)
        for problem in (
            check_span(link[0], source, substring=False),
            check_span(link[1], target, substring=lang in SUBSTRING_LANGS),
        ):
            if problem:
                errors.append(f"{where}: {problem}")
    return errors


def check(pairs: object) -> tuple[list[str], Counter, Counter]:
    """All violations in ``pairs``, with pairs and links counted per language."""
    if not isinstance(pairs, list):
        return ["top level is not a JSON list"], Counter(), Counter()
    errors: list[str] = []
    n_pairs: Counter = Counter()
    n_links: Counter = Counter()
    for i, pair in enumerate(pairs):
        errors += check_pair(i, pair)
        if isinstance(pair, dict):
            n_pairs[pair.get("lang")] += 1
            if isinstance(pair.get("links"), list):
                n_links[pair.get("lang")] += len(pair["links"])

    if not pairs or pairs[0] != FIRST:
        errors.append(f"pair 0 must be exactly {json.dumps(FIRST, ensure_ascii=False)}")
    for lang, least in MIN_PAIRS.items():
        if n_pairs[lang] < least:
            errors.append(f"{lang}: {n_pairs[lang]} pairs, need at least {least}")
    if sum(n_pairs[lang] for lang in EUROPEAN) < 12:
        errors.append("need at least 12 European pairs")
    if len(pairs) < 48:
        errors.append(f"{len(pairs)} pairs, need at least 48")
    if sum(n_links.values()) < MIN_TOTAL_LINKS:
        errors.append(f"{sum(n_links.values())} links, need at least {MIN_TOTAL_LINKS}")
    triples = Counter((p.get("lang"), p.get("source"), p.get("target")) for p in pairs if isinstance(p, dict))
    errors += [f"duplicate pair {t}" for t, n in triples.items() if n > 1]
    return errors, n_pairs, n_links


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    try:
        pairs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 1
    errors, n_pairs, n_links = check(pairs)

    print(f"{path}")
    print(f"{'lang':<6}{'pairs':>7}{'links':>7}")
    order = list(MIN_PAIRS) + sorted(k for k in n_pairs if k not in MIN_PAIRS)
    for lang in order:
        print(f"{str(lang):<6}{n_pairs[lang]:>7}{n_links[lang]:>7}")
    print(f"{'total':<6}{sum(n_pairs.values()):>7}{sum(n_links.values()):>7}")

    for e in errors:
        print(f"ERROR: {e}", file=sys.stderr)
    print(f"{len(errors)} error(s)" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
