"""The step-by-step page and Home in the Korean interface, in a real Chromium: the animation reaches step 4 and
its buttons leave the slider free; screenshots for a person to look at."""

from __future__ import annotations

import pytest

from tests.helpers import ARTIFACTS

pytestmark = pytest.mark.browser


def test_step_page_in_korean_goes_through_the_four_steps(server, page):
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(server.url + "/Step_by_Step?lang=ko")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=90_000)
    page.get_by_text("4단계: 출력 벡터: 가중된 값 벡터의 합").wait_for(timeout=60_000)
    animation = page.locator(".js-plotly-plot").first
    buttons = animation.locator(".updatemenu-button")
    rail = animation.locator(".slider-rail-rect")
    button_box, rail_box = buttons.last.bounding_box(), rail.bounding_box()
    assert button_box["y"] + button_box["height"] <= rail_box["y"], (button_box, rail_box)  # not over the slider
    label = animation.locator(".slider-label", has_text="4").bounding_box()  # the last step: weights and outputs
    page.mouse.click(label["x"] + label["width"] / 2, label["y"] - 6)  # on the slider's rail, above its label
    page.wait_for_timeout(1500)
    animation.screenshot(path=ARTIFACTS / "steps_animation_ko_step4.png")
    title = animation.locator(".gtitle").text_content()
    assert title.startswith("4단계"), title
    page.screenshot(path=ARTIFACTS / "step_by_step_ko.png", full_page=True)
    assert page.errors == []


def test_home_in_korean_on_a_projector(server, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(server.url + "/?lang=ko&present=true")
    page.get_by_text("네 단계로").wait_for(timeout=90_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "home_ko_present.png", full_page=True)
    assert page.get_by_text("Mozilla Public License").count() == 0
    assert page.errors == []
