"""Figures, notes and downloads in the page."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from functools import partial

import streamlit as st

from attention.examples import ROMANISATION
from attention.export import IMAGE_FORMATS, MIME_TYPES, export_meta, export_view, figure_image
from attention.figures import attention_figure
from attention.heatmap import DISPLAY_FIELDS
from attention.heatmap_payload import display_of, live_payload
from attention.i18n import ROLE_WORDS
from attention.options import FigureOptions, Settings
from attention.settings_table import FIELDS
from attention.style import WEIGHT_SCALES
from attention.views import AttentionView, attention_kind
from webapp import cache, live_chart, new_sentence
from webapp.downloads import Download
from webapp.session import lang, presenting, t


def chart_config(file_name: str) -> dict:
    """The Plotly config of every chart: no logo, and the camera button saves a 3× PNG named after the sentences."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 3, "filename": file_name}}


def file_name(sentences: str) -> str:
    """A safe file name made from the sentences."""
    return re.sub(r"[^\w-]+", "_", sentences, flags=re.UNICODE).strip("_")[:80] or "attention"


def show_figure(figure, name: str = "attention", key: str | None = None, stretch: bool = False) -> None:
    """A Plotly figure in the page, following the light or dark theme.

    ``key`` keeps apart two figures that happen to be identical (Streamlit refuses those without one).
    ``stretch`` draws it as wide as the page's main area (the figure's own width is then only its
    width in a downloaded file); otherwise at its own width, or narrower where the page is.
    """
    if st.context.theme.type == "dark":
        figure.update_layout(plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)")
    width = "stretch" if stretch else "content"
    st.plotly_chart(figure, width=width, key=key, config=chart_config(file_name(name)))


def show_notes(view: AttentionView) -> None:
    """The view's notes, and its problem where the figure would be."""
    for note in view.notes:
        st.warning(note, icon="✂️")
    for hint in view.hints:
        st.caption(hint)
    if view.problem:
        st.info(view.problem, icon="✏️")


def with_roles(options: FigureOptions, sentences: dict[str, str]) -> FigureOptions:
    """FigureOptions with the roles of ``sentences`` on the axes, in this session's language: the first
    sentence asks (queries), the last answers (keys), as in ``compute_view``."""
    roles = list(sentences)
    return replace(options, query_role=t(ROLE_WORDS[roles[0]]), key_role=t(ROLE_WORDS[roles[-1]]))


def show_attention(
    view: AttentionView, options: FigureOptions, sentences: dict[str, str], settings: Settings, model: str
) -> None:
    """Draw the figure and its download buttons, or say in its place why there is none.

    ``model`` is the name of the model that computed ``view``, for the exports' metadata.
    """
    show_notes(view)
    if view.problem:
        return
    options = with_roles(options, sentences)
    name = "_".join(sentences.values())
    if uses_live_heatmap():
        show_live(view, settings, options, sentences, model)
    else:
        show_figure(
            attention_figure(view.result, view.query_tokens, view.key_tokens, options), name, stretch=options.fill_width
        )
    figure_caption(view, options, model, sentences, settings)
    download_buttons(view, options, export_meta(sentences, settings, model, attention_kind(sentences), view), name)


def figure_caption(
    view: AttentionView, options: FigureOptions, model: str, sentences: dict[str, str], settings: Settings
) -> None:
    """What the figure shows, under it: how to read it, which hidden states the tokens carry, why self
    attention's diagonal is dark, and how the lecture reads a sentence in Japanese script."""
    d = view.result.output.shape[1]
    st.caption(t("fig.caption", components=options.describe_components(min(options.n_components, d), d)))
    if attention_kind(sentences) == "self" and settings.projection.kind == "identity":
        st.caption(t("self.diagonal"))
    if view.layer is not None:
        st.caption(t("fig.layer_caption", model=model, layer=view.layer, n_layers=view.n_layers))
    for sentence in dict.fromkeys(sentences.values()):
        if sentence in ROMANISATION:
            st.caption(t("cross.romanised", script=sentence, romaji=ROMANISATION[sentence]))


def uses_live_heatmap() -> bool:
    """Whether the cross and self pages draw the live heatmap (not while guessing first, whose grid
    must hold no weights, nor where plotly.js cannot be served by the app)."""
    return not st.session_state.get("quiz") and cache.live_chart_served()


# The live heatmap keeps each drawing's timings in the page only for the benchmark and the tests, which start
# their servers with ATTENTION_DRAW_TIMINGS=1; a production server never sets it.
DRAW_TIMINGS = os.environ.get("ATTENTION_DRAW_TIMINGS") == "1"


def preload_live_chart(place) -> None:
    """Have the browser fetch plotly.js for the live heatmap while the server goes on (see ``live_chart.preload``)."""
    if cache.live_chart_served():
        live_chart.preload(place)


def show_live(
    view: AttentionView, settings: Settings, options: FigureOptions, sentences: dict[str, str], model: str
) -> None:
    """The live heatmap of ``view`` (of ``sentences`` by role, computed by ``model``): display changes are drawn in
    the browser (see ``webapp.live_chart``), and so is a new sentence entered into one of the page's fields, before
    the page's rerun (see ``webapp.new_sentence``)."""
    payload = live_payload(view.result, view.query_tokens, view.key_tokens, options)
    display = display_of(settings, options)
    chrome = live_chrome("_".join(sentences.values()), options)
    chrome = new_sentence.page_drawn(model, sentences, settings, options, lang(), display, chrome)
    live_chart.show(display, chrome, payload)


def live_chrome(name: str, options: FigureOptions) -> dict:
    """What a live chart's controls and drawing take from the page (its chrome): the controls' labels and tooltips,
    the colour scales, the temperature's range, the Plotly config (``name``: the camera's file), the theme, and
    whether the figure fills a projector's page."""
    return {
        "labels": {key: t(FIELDS[key].label) for key in DISPLAY_FIELDS},  # as the sidebar's controls say them
        "help": {key: t(FIELDS[key].explain) for key in DISPLAY_FIELDS if FIELDS[key].explain},  # tooltips
        "colors": list(WEIGHT_SCALES),
        "temperature_range": [FIELDS["temperature"].low, FIELDS["temperature"].high],
        "config": chart_config(file_name(name)),
        "stretch": options.fill_width,
        "font_scale": options.font_scale,  # the controls grow with the figure's text in presentation mode
        "dark": st.context.theme.type == "dark",
        "timings": DRAW_TIMINGS,
    }


def download_buttons(view: AttentionView, options: FigureOptions, meta: dict, name: str) -> None:
    """PNG (1×, 2×, 3×), SVG, PDF of the whole figure and CSV, JSON of the numbers, made when clicked."""
    st.markdown(f"**{t('export.title')}**")
    images = cache.image_export()
    if not images:
        st.caption(t("export.unavailable"))
    choices = [("png", scale) for scale in (1, 2, 3)] + [("svg", 1), ("pdf", 1), ("csv", 1), ("json", 1)]
    choices = [(fmt, scale) for fmt, scale in choices if images or fmt not in IMAGE_FORMATS]
    stem = file_name(name)
    files = [
        Download(
            t("export.png", scale=scale) if fmt == "png" else fmt.upper(),
            f"{stem}{'' if scale == 1 else f'@{scale}x'}.{fmt}",
            MIME_TYPES[fmt],
            partial(export_view, view, fmt, options, meta, scale),
        )
        for fmt, scale in choices
    ]
    download_row(files, key="download")


def download_row(files: list[Download], key: str) -> None:
    """One button per file, side by side (one flex row, not a column each: a rerun sends the browser
    half as many elements); each file is made when clicked."""
    row = st.container(horizontal=True)
    for index, file in enumerate(files):
        row.download_button(
            file.label,
            data=file.data,
            file_name=file.file_name,
            mime=file.mime,
            on_click="ignore",
            key=f"{key}_{index}",
        )


def image_files(make_figure, stem: str) -> list[Download]:
    """PNG (1×, 2×, 3×), SVG and PDF of the figure ``make_figure()`` draws, as downloads made when clicked (the
    server draws no figure until then), where this server can draw images."""
    if not cache.image_export():
        return []
    choices = [("png", scale) for scale in (1, 2, 3)] + [("svg", 1), ("pdf", 1)]
    return [
        Download(
            t("export.png", scale=scale) if fmt == "png" else fmt.upper(),
            f"{stem}{'' if scale == 1 else f'@{scale}x'}.{fmt}",
            MIME_TYPES[fmt],
            partial(_image, make_figure, fmt, scale, lang()),
        )
        for fmt, scale in choices
    ]


def _image(make_figure, fmt: str, scale: int, lang: str) -> bytes:
    return figure_image(make_figure(), fmt, scale, lang)


def page_header(title_key: str, intro_key: str | None = None, **intro_values) -> None:
    """A page's title and, outside presentation mode, its introduction (on a projector the title is
    smaller, so that the figure below it fits on the screen)."""
    if presenting():
        st.header(t(title_key))
        return
    st.title(t(title_key))
    if intro_key:
        st.markdown(t(intro_key, **intro_values))
