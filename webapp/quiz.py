"""Guess first: the quiz in place of the attention figure (cross and self attention pages).

Until "Reveal" the page holds no weight at all: the grid is drawn from the tokens only
(``attention.quiz.blank_grid_figure``), with no numbers, no output strip and no downloads.

State: ``st.session_state["_quiz_guesses"]`` holds, per page kind ("cross", "self"), the
fingerprint of the view it belongs to, the guesses (query -> key) and whether they were revealed.
A new sentence, model or setting that changes the numbers changes the fingerprint and starts afresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import partial

import streamlit as st

from attention.export import export_meta
from attention.figures import attention_figure
from attention.options import FigureOptions, Settings
from attention.quiz import blank_grid_figure, cell_of_point, mark_guesses, score_guesses
from attention.views import AttentionView, attention_kind
from webapp import page_figures, screen
from webapp.session import presenting, t

STATE = "_quiz_guesses"
ABOVE_GRID = 180  # px of the projected page above the grid, below the header: the title, the fields, the switch


def toggle() -> bool:
    """The "Guess first" switch (the setting ``quiz``, so that a link can open the page in quiz mode)."""
    return st.toggle(t("quiz.toggle"), help=t("quiz.toggle_help"), key="quiz")


def active() -> bool:
    """Whether the page is guessing first (its switch, or ``?quiz=true`` in the link)."""
    return bool(st.session_state.get("quiz"))


def fingerprint(kind: str, view: AttentionView, settings: Settings, model: str) -> str:
    """What the numbers depend on: the page, the model, the tokens and the settings (not the picture's options)."""
    what = repr((kind, model, list(view.query_tokens), list(view.key_tokens), settings))
    return hashlib.sha256(what.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def current_round(kind: str, mark: str) -> dict:
    """This page's quiz state for the view ``mark``; a fresh one (no guesses, hidden) when the view changed."""
    rounds = st.session_state.setdefault(STATE, {})
    state = rounds.get(kind)
    if state is None or state["fingerprint"] != mark:
        state = rounds[kind] = {"fingerprint": mark, "guesses": {}, "revealed": False}
    return state


def show_quiz(
    view: AttentionView, options: FigureOptions, sentences: dict[str, str], settings: Settings, model: str
) -> None:
    """The quiz where ``page_figures.show_attention`` would draw the figure: the blank grid to click, or,
    once revealed, the real figure with the guesses marked, the score and the downloads."""
    page_figures.show_notes(view)
    if view.problem:
        return
    kind = attention_kind(sentences)
    options = page_figures.with_roles(options, sentences)
    state = current_round(kind, fingerprint(kind, view, settings, model))
    name = "_".join(sentences.values())
    if state["revealed"]:
        meta = export_meta(sentences, settings, model, kind, view)
        _reveal(view, options, kind, state, meta, model, sentences, settings)
    else:
        _ask(view, options, kind, state, name)


def _ask(view: AttentionView, options: FigureOptions, kind: str, state: dict, name: str) -> None:
    """The blank grid: each click records a guess; Reveal once there is one. On a projector the grid fits the
    screen's height, and its buttons stand beside it, staying in sight while the grid scrolls."""
    guesses = state["guesses"]
    if presenting():
        options = replace(options, target_height=screen.area()[1] - ABOVE_GRID)
        grid, beside = st.columns([3, 1])
        buttons = beside.container(key=f"quiz_buttons_{kind}")  # sticky on a projector (presentation.css)
    else:
        grid = buttons = st.container()
    with buttons if presenting() else grid:
        st.markdown(t("quiz.ask"))
    with grid:
        figure = blank_grid_figure(view.query_tokens, view.key_tokens, options, guesses)
        if st.context.theme.type == "dark":
            figure.update_layout(plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)")
        chart = f"quiz_grid_{kind}"
        st.plotly_chart(
            figure,
            width="content",
            key=chart,
            on_select=partial(_record_click, kind, state["fingerprint"], chart, len(view.key_tokens)),
            selection_mode="points",
            config=page_figures.chart_config(page_figures.file_name(name)),
        )
    with buttons:
        st.caption(t("quiz.progress", guessed=len(guesses), n=len(view.query_tokens)))
        row = st.container(horizontal=True)
        row.button(
            t("quiz.reveal"),
            type="primary",
            disabled=not guesses,
            help=t("quiz.reveal_help"),
            on_click=_set_revealed,
            args=(kind, True),
            key=f"quiz_reveal_{kind}",
        )
        row.button(t("quiz.clear"), disabled=not guesses, on_click=_clear, args=(kind,), key=f"quiz_clear_{kind}")


def _reveal(
    view: AttentionView,
    options: FigureOptions,
    kind: str,
    state: dict,
    meta: dict,
    model: str,
    sentences: dict[str, str],
    settings: Settings,
) -> None:
    """The real figure, drawn as on the normal page, with each guess framed; the score and the downloads."""
    name = "_".join(sentences.values())
    score = score_guesses(view.result.weights, state["guesses"])
    even = 100 / len(view.key_tokens)  # what each key would get if the weights were all the same
    st.success(
        t("quiz.score", hits=score.n_hits, guessed=score.n_guessed, share=100 * score.mean_weight, even=even),
        icon="🎯",
    )
    if score.n_guessed < score.n_queries:
        st.caption(t("quiz.unguessed", n=score.n_queries - score.n_guessed))
    figure = attention_figure(view.result, view.query_tokens, view.key_tokens, options)
    marked = mark_guesses(figure, score, len(view.key_tokens), options)
    page_figures.show_figure(marked, name, key="quiz_revealed", stretch=options.fill_width)
    st.caption(t("quiz.legend"))
    page_figures.figure_caption(view, options, model, sentences, settings)
    st.button(t("quiz.again"), on_click=_clear, args=(kind,), key=f"quiz_again_{kind}")
    page_figures.download_buttons(view, options, meta, name)


def _record_click(kind: str, mark: str, chart: str, n_keys: int) -> None:
    """A click on the grid (a callback): the clicked square becomes its query's guess."""
    state = st.session_state.get(STATE, {}).get(kind)
    selection = (st.session_state.get(chart) or {}).get("selection") or {}
    points = selection.get("point_indices") or []
    if state is None or state["fingerprint"] != mark or state["revealed"] or not points:
        return
    query, key = cell_of_point(points[-1], n_keys)
    state["guesses"][query] = key


def _set_revealed(kind: str, revealed: bool) -> None:
    st.session_state[STATE][kind]["revealed"] = revealed


def _clear(kind: str) -> None:
    """Forget the guesses and hide the weights again."""
    state = st.session_state[STATE][kind]
    state["guesses"] = {}
    state["revealed"] = False
