"""Explanations a class can see: Home says where to start and, on a projector, shows the definition and the
lecture's four steps first; every control's explanation (the temperature's, √d_k's) opens with a click, not
only in a tooltip."""

from __future__ import annotations

import pytest

from attention.i18n import text
from tests.helpers import CROSS, HOME, STEPS, open_app, page_text


def expander_text(at, label: str) -> str:
    """The text inside the expander called ``label`` (it must be there)."""
    expanders = [e for e in at.get("expander") if e.label == label]
    assert expanders, f"no expander {label!r}: {[e.label for e in at.get('expandable')]}"
    return "\n".join(str(m.value) for m in expanders[0].markdown)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_home_says_where_to_start(lang):
    at = open_app(HOME, query={"lang": lang}, model=None)
    shown = page_text(at)
    assert text("home.body", lang) in shown and text("home.start", lang) in shown
    # Home has no layer slider: its paragraph on layers says which pages have one
    assert not [s for s in at.sidebar.slider]
    layers = next(str(m.value) for m in at.markdown if text("side.vector_layer", lang) in str(m.value))
    assert text("nav.steps", lang) in layers and text("nav.cross", lang) in layers


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_home_on_a_projector_shows_the_definition_and_the_four_steps(lang):
    at = open_app(HOME, query={"lang": lang, "present": "true"}, model=None)
    shown = page_text(at)
    assert text("home.body", lang) in shown
    body = text("home.body", lang)
    assert all(f"{n}. " in body for n in range(1, 5))
    for key in ("home.translator", "home.start"):
        assert text(key, lang) not in shown, key
    assert text("side.vector_layer", lang) not in shown  # the layers paragraph stays on the laptop view


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("page", [CROSS, STEPS])
def test_every_explanation_opens_with_a_click(page, present):
    """The live heatmap's controls explain themselves only in a tooltip (no hover on a touch screen): the
    sidebar has an expander with every explanation, outside the folded settings of presentation mode."""
    at = open_app(page, query={"lang": "ko", "present": str(present).lower()})
    inside = expander_text(at, text("side.explain", "ko"))
    for key in ("side.temperature_caption", "side.scale_caption", "side.fit_colors_help", "side.transpose_help"):
        assert text(key, "ko") in inside, key
    assert text("side.temperature", "ko") in inside and "√d_k" in inside
