"""The README a teacher reads in two minutes, the docs behind it, and the licences: held to their promises."""

from __future__ import annotations

import re
from pathlib import Path

from attention import models
from bench.__main__ import markdown_from_json

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
ISO_DATE = re.compile(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]")
# Markdown links and images, and the <img src="..."> the README's page table uses.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|<img[^>]*\bsrc=\"([^\"]+)\"")


def section(text: str, heading: str) -> str:
    """The text under the ``## heading`` line, up to the next ``## `` heading."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_readme_is_short_and_undated():
    text = README.read_text()
    assert len(text.splitlines()) <= 260
    assert not ISO_DATE.findall(text)


def test_the_quick_start_has_exactly_the_two_commands():
    quick = section(README.read_text(), "Quick start")
    blocks = re.findall(r"```bash\n(.*?)```", quick, re.S)
    assert [block.strip() for block in blocks] == [
        "pip install -r requirements.txt && streamlit run app.py",
        "pip install -r requirements-dev.txt && pytest",
    ]
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in quick


def test_every_relative_link_and_image_points_to_a_file():
    pages = [README, *sorted(DOCS.glob("*.md"))]
    missing = []
    for page in pages:
        for markdown, html in LINK.findall(page.read_text()):
            target = (markdown or html).split("#")[0]
            if not target or re.match(r"[a-z]+:", target):
                continue  # a web address or an anchor in the same page
            if not (page.parent / target).exists():
                missing.append(f"{page.relative_to(ROOT)}: {target}")
    assert not missing


def test_the_performance_page_is_what_the_benchmark_renders_from_its_json(monkeypatch):
    """``python -m bench --from-json docs/bench.json --markdown docs/performance.md``, run from the root."""
    monkeypatch.chdir(ROOT)
    assert (DOCS / "performance.md").read_text() == markdown_from_json("docs/bench.json", "docs/performance.md")


def test_the_licences_exist_and_the_notices_name_every_model():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    notices = (ROOT / "THIRD_PARTY_NOTICES.md").read_text()
    assert [name for name in models.MODELS if name not in notices] == []
    for licence in ("MIT", "Apache-2.0", "MPL-2.0"):
        assert licence in notices
