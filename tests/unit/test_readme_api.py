"""The README's "Python API" section runs as written, and its notebook example draws the lecture's figure.

The section is found by its heading (whatever its level and wording around "Python API"); every ```python
block under it, up to the next heading of the same level or higher, runs in turn in one namespace, as a reader
pasting them into one notebook would. Real models throughout (the encoders, the translator, the language model).
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go

from tests.helpers import ROOT

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def api_blocks(readme: str) -> list[str]:
    """The ```python blocks of the section whose heading contains "Python API", in order."""
    lines, level, blocks, block = readme.splitlines(), None, [], None
    for line in lines:
        heading = HEADING.match(line) if block is None else None
        if heading and level is None and "Python API" in heading.group(2):
            level = len(heading.group(1))
        elif heading and level is not None and len(heading.group(1)) <= level:
            break
        elif level is not None and block is None and line.strip() == "```python":
            block = []
        elif block is not None and line.strip() == "```":
            blocks.append("\n".join(block))
            block = None
        elif block is not None:
            block.append(line)
    return blocks


def test_the_sections_blocks_are_found_by_their_heading():
    readme = "\n".join(
        ["# App", "## Python API", "```python", "a = 1", "```", "### Details", "```python", "b = a", "```"]
        + ["## Next", "```python", "c = 2", "```"]
    )
    assert api_blocks(readme) == ["a = 1", "b = a"]


def test_every_python_block_of_the_readmes_api_section_runs(monkeypatch):
    shown = []
    monkeypatch.setattr(go.Figure, "show", lambda figure, *args, **kwargs: shown.append(figure))
    blocks = api_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "the README has no ```python block under a heading with 'Python API'"
    namespace: dict = {"__name__": "readme"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md, Python API block {i + 1}", "exec"), namespace)

    # the notebook example: the lecture's pair, whole words, each English word darkest on its translation
    view = namespace["view"]
    assert view.query_tokens == ["this", "is", "an", "example"] and view.key_tokens == ["これは", "例", "です"]
    weights = view.result.weights  # (4 queries, 3 keys), rows sum to 1
    darkest = {q: view.key_tokens[int(row.argmax())] for q, row in zip(view.query_tokens, weights, strict=True)}
    assert darkest["this"] == "これは" and darkest["example"] == "例", weights.round(3)
    figures = [namespace[name] for name in ("fig",) if isinstance(namespace.get(name), go.Figure)] + shown
    assert figures, "the notebook example made no figure"
    grid = figures[0].data[0]
    assert list(grid.x) == view.query_tokens and list(grid.y) == view.key_tokens  # columns are queries
    np.testing.assert_allclose(np.asarray(grid.z, dtype=float).sum(axis=0), 1.0, rtol=1e-5)
