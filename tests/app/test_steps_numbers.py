"""The step-by-step page numbers its panels, captions, paragraph and animation as the lecture numbers its
four steps: 1 queries and keys, 2 dot-product scores, 3 softmax, 4 the weighted sum of the values. Extra
panels (scaling, the mask) are sub-steps (2a, 2b), never new numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest

from attention import causal_mask, scaled_dot_product_attention
from attention.i18n import text
from attention.steps import LECTURE_STEPS, attention_steps, step_figure, steps_animation
from tests.helpers import STEPS, open_app, page_text, set_widgets

# The lecture's words for each step, in each language: a panel of step n says what step n does.
LECTURE_WORDS = {
    "en": {1: ("query", "key"), 2: ("dot",), 3: ("softmax",), 4: ("value",)},
    "ko": {1: ("쿼리", "키"), 2: ("내적",), 3: ("소프트맥스",), 4: ("값",)},
}
# "Step 2", "step 2a", "2단계", "2a단계": a step named in a sentence
NAMED_STEP = {"en": re.compile(r"[Ss]tep (\d)([a-h]?)\b"), "ko": re.compile(r"\b(\d)([a-h]?)단계")}


def masked_result():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 8))
    return scaled_dot_product_attention(x, x, x, mask=causal_mask(4), temperature=0.5)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("masked", [False, True])
def test_panels_follow_the_lectures_four_steps(lang, masked):
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(3, 8)), rng.normal(size=(5, 8)), rng.normal(size=(5, 6))
    result = masked_result() if masked else scaled_dot_product_attention(q, k, v)
    n_q, n_k = result.weights.shape
    steps = attention_steps(result, [f"q{i}" for i in range(n_q)], [f"k{j}" for j in range(n_k)], lang=lang)
    main = [step.lecture_step for step in steps]
    assert main == sorted(main) and set(main) == {1, 2, 3, 4}  # every step, in the lecture's order
    assert LECTURE_STEPS == ("1", "2", "3", "4")
    for step in steps:
        # a number is one of the lecture's, or a sub-step of one: 2a, 2b (scaling, temperature, the mask)
        assert re.fullmatch(r"[1-4][a-h]?", step.number), step.number
        if step.number[-1].isalpha():
            assert step.name in ("scaled", "mask"), step.name
        heading = step.heading(lang)
        assert NAMED_STEP[lang].search(heading).group(1, 2) == (step.number[0], step.number[1:]), heading
        # a caption that names a step names this panel's own
        for named, _ in NAMED_STEP[lang].findall(step.explanation):
            assert int(named) == step.lecture_step, (step.name, step.explanation)
        # each of the four steps' own panels says what the lecture says it does
        if not step.number[-1].isalpha():
            words = (step.title + " " + step.explanation).lower()
            assert any(word in words for word in LECTURE_WORDS[lang][step.lecture_step]), (step.name, words)
    names = [step.name for step in steps]
    assert ("mask" in names) == masked
    if masked:
        assert steps[names.index("mask")].number == "2b"


def test_the_mask_panel_draws_what_it_says():
    """Its text: ✓ where a query may attend, an empty cell where it may not; its figure: the same, and no
    colour bar of weights (the mask holds no numbers)."""
    result = masked_result()
    mask = next(step for step in attention_steps(result, list("abcd"), list("abcd")) if step.name == "mask")
    assert "✓" in mask.explanation and "empty" in mask.explanation
    trace = step_figure(mask).data[0]
    z = np.asarray(trace.z, dtype=float)
    np.testing.assert_array_equal(np.isnan(z), ~causal_mask(4).T)  # masked pairs: empty cells
    assert trace.texttemplate == "✓" and trace.showscale is False
    assert "%{z" not in trace.hovertemplate  # no 1.00 or 0.00 anywhere


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_animation_goes_through_all_four_steps(lang):
    result = masked_result()
    figure = steps_animation(result, list("abcd"), list("abcd"), lang)
    assert [frame.name for frame in figure.frames] == ["1", "2", "2a", "3", "4"]
    assert [step["label"] for step in figure.layout.sliders[0].steps] == ["1", "2", "2a", "3", "4"]
    for frame in figure.frames:
        assert NAMED_STEP[lang].search(frame.layout.title.text).group(1, 2) == (frame.name[0], frame.name[1:])
    first, last = figure.frames[0], figure.frames[-1]
    # step 1: the tokens and an empty grid (its cells drawn in the lightest colour), no numbers yet
    assert not np.asarray(first.data[0].z, dtype=float).any() and first.data[0].texttemplate == ""
    assert first.data[0].showscale is False and "%{z" not in first.data[0].hovertemplate
    # step 4: the weights, and under each query's column its output vector, the weighted sum of the values
    np.testing.assert_allclose(np.asarray(last.data[0].z, dtype=float), result.weights.T, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(last.data[1].z, dtype=float), result.output.T, rtol=1e-5, atol=1e-6)
    assert np.isnan(np.asarray(figure.frames[3].data[1].z, dtype=float)).all()  # no outputs before step 4


def test_the_play_buttons_leave_the_slider_free():
    """The ▶ and ⏸ buttons sit in their own row; the slider starts under them, at the left edge."""
    figure = steps_animation(masked_result(), list("abcd"), list("abcd"), "ko")
    buttons, slider = figure.layout.updatemenus[0], figure.layout.sliders[0]
    assert buttons.y == slider.y and buttons.yanchor == slider.yanchor == "top"
    assert slider.pad.t >= 40 + buttons.pad.t  # below the buttons (about 30 px tall), not beside them
    assert figure.layout.margin.b >= slider.pad.t + 50  # and inside the figure


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_page_names_the_four_steps_in_order(lang):
    at = open_app(STEPS, query={"lang": lang})
    at = set_widgets(set_widgets(at, step_kind="self"), causal=True)
    panel = re.compile(r"\*\*(.*)\*\*")  # a panel's heading: the whole line in bold
    headings = [h.group(1) for m in at.markdown if (h := panel.fullmatch(str(m.value)))]
    numbers = ["".join(NAMED_STEP[lang].match(h).groups()) for h in headings]
    assert numbers == ["1", "1", "2", "2a", "2b", "3", "4", "4", "4"], headings
    # the walk-through of one cell names steps 2, 2a and 3, in that order
    walk = next(str(m.value) for m in at.markdown if "q_i × k_i" in str(m.value))
    assert ["".join(n) for n in NAMED_STEP[lang].findall(walk)] == ["2", "2a", "3"], walk
    intro = text("steps.intro", lang)
    assert intro in page_text(at)
    # the paragraph above lists the four steps in order, with the lecture's numbers
    assert [m for m in re.findall(r"\*\*([1-4])\*\*", intro)] == ["1", "2", "3", "4"]
