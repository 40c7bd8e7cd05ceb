"""Bad and hostile text for the sentence fields: (id, text) pairs with readable ids.

Every string here must reach the page without an exception and be shown literally: a chart or a
message, never markup that the browser or Plotly interprets. (Lone surrogates cannot be typed into a
page: Python str from a browser is always valid Unicode, so they are left out.)
"""

from __future__ import annotations

PROSE = (
    "Attention measures how much each element of one sequence matters to each element of another. "
    "An attention score is the similarity of one query with every key; softmax turns the scores into weights. "
)

HOSTILE_STRINGS: list[tuple[str, str]] = [
    # nothing, or nothing visible
    ("empty", ""),
    ("space", " "),
    ("whitespace-mix", " \t\n\r\f\v "),
    ("newlines-only", "\n\n\n"),
    ("nbsp-and-ideographic-space", "\u00a0\u3000\u2003"),
    ("zero-width-only", "\u200b\u200c\u200d\u2060\ufeff"),
    ("zero-width-inside-words", "the\u200bcat\u200c sat\u200d on\u2060 the\ufeffmat"),
    ("soft-hyphen", "atten\u00adtion is all you need"),
    # size
    ("prose-20000-chars", (PROSE * (20_000 // len(PROSE) + 1))[:20_000]),
    ("one-word-5000-letters", "a" * 5_000),
    ("one-word-5000-mixed", "Supercalifragilistic" * 250),
    ("repeated-token-3000", "the " * 3_000),
    ("repeated-emoji-2000", "😀" * 2_000),
    ("single-letter", "a"),
    ("single-digit", "7"),
    ("long-number", "3" * 400),
    # emoji
    ("emoji-zwj-family", "👨‍👩‍👧‍👦 family"),
    ("emoji-skin-tones", "👍🏻👍🏼👍🏽👍🏾👍🏿 thumbs"),
    ("emoji-zwj-professions", "👩🏽‍🚀 👨🏿‍⚕️ 🧑‍💻 coders"),
    ("emoji-flags", "🇯🇵🇫🇷🏳️‍🌈🏴‍☠️ flags"),
    ("emoji-keycaps", "1️⃣ 2️⃣ #️⃣ *️⃣"),
    # combining marks
    ("zalgo", "z̸̧̢̛̛̖͓̞̰̬̫̣̗̪̈́͊̓̑͋̀͌̈́a̶̧̢̡̪͖̜̣̦̝̿̈́̆̔̕͝l̷̨̛̛̰̱̱̹̣̞̰̓̾̃̀̿͑͜g̴̡̛̭̤̹̮̪̗̈́̈́͑̏̓͘͠o̶̢̗͉̦̫̜̟̎̑̓̀̽͝"),
    ("combining-only", "\u0301\u0302\u0303\u0308\u0327"),
    ("decomposed-accents", "cafe\u0301 nai\u0308ve"),
    # right to left and bidi controls
    ("hebrew", "שלום עולם, זה משפט לדוגמה"),
    ("arabic", "مرحبا بالعالم، هذا مثال"),
    ("rtl-override", "abc \u202edlrow olleh\u202c def"),
    ("bidi-isolates-and-marks", "\u2066left\u2069 \u2067right\u2069 \u200e\u200f\u061c"),
    ("mixed-ltr-rtl", "the word שלום means peace"),
    # control characters
    ("nul", "a\x00b\x00c"),
    ("nul-only", "\x00"),
    ("c0-controls", "".join(chr(c) for c in range(1, 32)) + "visible"),
    ("c1-controls-and-del", "\x7f\x80\x85\x9b\x9f text"),
    ("escape-sequences", "\x1b[31mred\x1b[0m \x1b]0;title\x07 bell\a"),
    ("line-and-paragraph-separators", "one\u2028two\u2029three"),
    ("bom-start", "\ufeffstarts with a byte order mark"),
    ("private-use-and-noncharacters", "\ue000\uf8ff\ufdd0\ufffe\U0010fffd"),
    ("replacement-character", "\ufffd\ufffd broken"),
    # other scripts
    ("cjk-chinese", "注意力机制是深度学习的核心"),
    ("cjk-japanese", "これは例です。カタカナ、漢字"),
    ("korean", "이것은 예입니다"),
    ("thai-no-spaces", "นี่คือตัวอย่าง"),
    ("devanagari", "यह एक उदाहरण है"),
    ("math-alphanumerics", "𝐀𝐭𝐭𝐞𝐧𝐭𝐢𝐨𝐧 𝕚𝕤 𝒶𝓁𝓁"),
    ("fullwidth", "ｔｈｉｓ　ｉｓ　ｆｕｌｌｗｉｄｔｈ"),
    # punctuation and the model's own vocabulary
    ("punctuation-only", "!?.,;:'\"-()[]{}<>/\\|@#$%^&*_+=~`"),
    ("ellipsis-and-dashes", "…—–‒―"),
    ("special-tokens", "[CLS] [SEP] [MASK] [UNK]"),
    ("special-tokens-glued", "[CLS][SEP][PAD][MASK][UNK]"),
    ("word-piece-marks", "## ##a ##s #"),
    # HTML and script
    ("script-tag", "<script>alert(1)</script>"),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("attribute-breakout", '"><script>alert(1)</script>'),
    ("iframe-javascript", '<iframe src="javascript:alert(1)"></iframe>'),
    ("html-entities", "&lt;b&gt; &amp; &#60;script&#62; &quot;"),
    ("html-comment", "<!-- hidden --> visible"),
    ("style-tag", "<style>*{display:none}</style>"),
    # Plotly's own pseudo-HTML
    ("plotly-sup-sub", "x<sup>2</sup> and H<sub>2</sub>O"),
    ("plotly-br", "one<br>two<br/>three"),
    ("plotly-bold-italic", "<b>bold</b> <i>italic</i> <em>em</em> <s>strike</s> <u>under</u>"),
    ("plotly-link-javascript", '<a href="javascript:alert(1)">click</a>'),
    ("plotly-link-target", '<a href="https://example.com" target="_blank">link</a>'),
    ("plotly-span-style", '<span style="color:red;font-size:99px">big red</span>'),
    # templating and maths syntax
    ("mathjax-inline", "$x^2$"),
    ("mathjax-display", "$$\\int_0^1 f(x)\\,dx$$ and \\(a+b\\)"),
    ("hovertemplate-x", "%{x}"),
    ("hovertemplate-customdata", "%{customdata[0]} %{z:.3f} %{y}"),
    ("hovertemplate-extra", "<extra>%{fullData.name}</extra>"),
    ("python-format", "{0} {} {__class__} %s %d %(name)s"),
    ("markdown", "**bold** _it_ `code` [link](javascript:alert(1)) # heading"),
    ("template-injection", "{{7*7}} ${7*7} #{7*7}"),
    # quotes and backslashes
    ("quotes", "\"double\" 'single' `back` “curly” ‘curly’ «guillemets»"),
    ("backslashes", "C:\\Users\\x\\n \\\\server\\share \\u0041 \\x00"),
    ("json-breakout", '"}]}, {"x": 1} \\"'),
    ("path-traversal-text", "../../etc/passwd"),
    ("sql", "'; DROP TABLE users; --"),
]
