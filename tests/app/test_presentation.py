"""Presentation mode under AppTest: the figure is sized for a projector's page and the sidebar starts folded."""

from __future__ import annotations

import pytest
import streamlit as st

from attention.i18n import text
from tests.helpers import CROSS, SELF, chart_spec, charts, open_app, set_widgets
from webapp.controls import LAPTOP_AREA, PROJECTOR_AREA


@pytest.fixture
def sidebar_states(monkeypatch) -> list:
    """Every ``initial_sidebar_state`` the entry point asks of ``st.set_page_config``, in order."""
    asked: list = []
    real = st.set_page_config

    def recording(*args, **kwargs):
        asked.append(kwargs.get("initial_sidebar_state"))
        return real(*args, **kwargs)

    monkeypatch.setattr(st, "set_page_config", recording)
    return asked


def test_a_presentation_link_starts_with_the_sidebar_folded(sidebar_states):
    open_app(CROSS, query={"present": "true"})
    assert sidebar_states and set(sidebar_states) == {"collapsed"}  # from the very first run


def test_a_plain_link_keeps_the_sidebar(sidebar_states):
    open_app(CROSS)
    assert sidebar_states and set(sidebar_states) == {"auto"}


def test_the_link_language_titles_the_page_from_the_first_run(monkeypatch):
    titles: list = []
    real = st.set_page_config
    monkeypatch.setattr(st, "set_page_config", lambda **kw: (titles.append(kw.get("page_title")), real(**kw))[1])
    open_app(CROSS, query={"lang": "ko"})
    assert titles and set(titles) == {text("app.title", "ko")}


@pytest.mark.parametrize("page", [CROSS, SELF])
def test_presentation_figures_are_sized_for_a_projector(page):
    layout = chart_spec(open_app(page, query={"present": "true"}))["layout"]
    assert layout["width"] == PROJECTOR_AREA[0] and layout["height"] <= PROJECTOR_AREA[1]
    assert layout["xaxis"]["tickfont"]["size"] >= 24 and layout["yaxis"]["tickfont"]["size"] >= 24


def test_turning_presentation_on_resizes_the_figure():
    at = open_app(CROSS)
    normal = chart_spec(at)["layout"]
    assert normal["width"] <= LAPTOP_AREA[0] and normal["height"] <= LAPTOP_AREA[1]
    big = chart_spec(set_widgets(at, present=True))["layout"]
    assert big["width"] == PROJECTOR_AREA[0] and big["font"]["size"] > normal["font"]["size"]


def test_the_figures_follow_the_screen_the_browser_measured():
    """The browser tells the main area's width and the window's height (webapp.screen): a 1280 × 720 projector's
    page gets a figure drawn for its 1120 px, its height less the header; a nonsensical size is ignored."""
    at = open_app("pages/5_Compare.py", query={"present": "true"})
    at.session_state["screen_area"] = {"area": [1120, 720]}
    at.run()
    sides = [chart["layout"]["width"] for chart in charts(at)[:2]]
    assert sides and all(width <= (1120 - 16) // 2 for width in sides), sides
    at.session_state["screen_area"] = {"area": ["wide", -1]}
    at.run()
    assert not at.exception
    assert max(chart["layout"]["width"] for chart in charts(at)[:2]) > (1120 - 16) // 2
