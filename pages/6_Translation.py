"""A real translator's cross attention: the target pieces the decoder writes ask, the source pieces answer."""

from __future__ import annotations

from functools import partial

import streamlit as st

from attention.figures import heads_grid_figure
from attention.i18n import DIRECTION_LABELS, UNREADABLE_TEXT
from attention.translation import ALIGNMENT_HEAD, ALIGNMENT_LAYER, DIRECTIONS, UnreadableText
from attention.translation_figures import translation_csv, translation_figure, translation_json
from webapp import cache, controls, head_map_chart, navigation, page_figures
from webapp.downloads import Download
from webapp.session import labels, lang, literal, presenting, set_setting, t, values, write_link

navigation.frame()
page_figures.page_header("translate.title", "translate.intro")
left, right = st.columns([1, 3])
direction = left.selectbox(
    t("translate.direction"), tuple(DIRECTIONS), key="translate_direction", format_func=labels(DIRECTION_LABELS)
)
source = right.text_input(t("translate.source"), help=t("translate.source_help"), key="translate_source")
if not source.strip():
    st.info(t("translate.empty"), icon="✏️")
    st.stop()
try:
    own = cache.translation_run(direction, source, None)
except UnreadableText as problem:
    st.info(t(UNREADABLE_TEXT[problem.what]), icon="✏️")
    st.stop()

# The translation field follows the model: a new sentence or direction puts the model's translation in it,
# except on a session's first run, where a link may bring a translation of its own.
state = st.session_state
if state.get("_translate_for") != (direction, source):
    if "_translate_for" in state or not state.get("translate_target"):
        state["translate_target"] = own.translation
    state["_translate_for"] = (direction, source)
field, reset = st.columns([3, 1], vertical_alignment="bottom")
target = field.text_input(t("translate.target"), help=t("translate.target_help"), key="translate_target")
reset.button(
    t("translate.reset"),
    key="translate_reset",
    help=t("translate.reset_help"),
    on_click=set_setting,
    args=("translate_target", own.translation),
)
run = own
if not target.strip():
    st.info(t("translate.empty_target"), icon="✏️")
elif target != own.translation:
    try:
        run = cache.translation_run(direction, source, target)
    except UnreadableText as problem:
        st.info(t(UNREADABLE_TEXT[problem.what]), icon="✏️")

if run.source_dropped:
    st.warning(t("translate.cut", kept=run.source_kept, dropped=run.source_dropped), icon="✂️")
if run.target_dropped:
    st.warning(t("translate.target_cut", kept=len(run.target_tokens) - 1, dropped=run.target_dropped), icon="✂️")
if run.source_unknown:
    st.warning(t("translate.unknown", unknown=run.source_unknown, kept=run.source_kept), icon="🌐")
if not run.finished:
    st.caption(t("translate.unfinished", n=len(run.target_tokens)))
st.caption(t("translate.forced", own=literal(own.translation)) if run.teacher_forced else t("translate.own"))
if not presenting():  # on a projector the map comes first; the teacher says who asks
    st.markdown(t("translate.roles"))


# the settings the live map's controls stand for (its view's names -> the settings' and the link's)
MAP_FIELDS = {
    "layer": "translate_layer",
    "head": "translate_head",
    "average": "translate_average",
    "transpose": "translate_transpose",
}


@st.fragment
def cross_map(run, source: str, forced: str | None) -> None:
    """The map of one head (or a layer's average) and its downloads: a fragment, so that the view the live map
    sends back reruns this part alone (the downloads and the link follow it; nothing is drawn again)."""
    settings = values()
    layer, transpose = int(settings["translate_layer"]), bool(settings["translate_transpose"])
    shown = None if settings["translate_average"] else int(settings["translate_head"])
    name = f"{source}_{run.translation}"
    if cache.live_chart_served():  # every head sent once: the browser draws the head chosen
        labels = {
            "layer": t("translate.layer"),
            "head": t("translate.head"),
            "average": t("translate.average"),
            "transpose": t("translate.transpose"),
            "marked_head": t("translate.head_alignment"),
        }
        chrome = head_map_chart.chrome_of(name, labels)
        payload = cache.translation_payload(run.direction, source, forced, lang(), controls.font_scale())
        head_map_chart.show("translate_map", MAP_FIELDS, settings, chrome, payload)
        if not presenting():
            st.caption(t("head_maps.live_note"))
    else:  # plotly.js cannot be served by the app: the server draws the map of the link's view
        figure = translation_figure(run, layer, shown, transpose, lang(), controls.font_scale())
        page_figures.show_figure(figure, name=name)
    st.caption(t("translate.predictions_caption"))
    st.caption(t("translate.alignment_note", layer=ALIGNMENT_LAYER, head=ALIGNMENT_HEAD))

    st.markdown(f"**{t('export.title')}**")
    stem = page_figures.file_name(name)
    figure = partial(translation_figure, run, layer, shown, transpose, lang())
    numbers = [
        Download("CSV", f"{stem}.csv", "text/csv", lambda: translation_csv(run, layer, shown).encode("utf-8")),
        Download(
            "JSON", f"{stem}.json", "application/json", lambda: translation_json(run, layer, shown).encode("utf-8")
        ),
    ]
    page_figures.download_row(page_figures.image_files(figure, stem) + numbers, "translate_file")
    write_link()  # the address bar follows a head chosen in the live map too


cross_map(run, source, None if run is own else target)

n_decoder_layers, n_cross_heads = run.weights.shape[:2]
st.subheader(t("head_maps.cross_grid", n_layers=n_decoder_layers, n_heads=n_cross_heads))
grid = heads_grid_figure(run.weights, selected=(ALIGNMENT_LAYER, ALIGNMENT_HEAD), lang=lang())
page_figures.show_figure(grid, name=source, key="translate_cross_heads")
st.caption(t("head_maps.cross_grid_caption", layer=ALIGNMENT_LAYER, head=ALIGNMENT_HEAD))

n_layers, n_heads = run.encoder_attention.shape[:2]
st.subheader(t("translate.encoder", n_layers=n_layers, n_heads=n_heads))
page_figures.show_figure(heads_grid_figure(run.encoder_attention, lang=lang()), name=source, key="translate_encoder")
st.caption(t("translate.encoder_caption", n_layers=n_layers))
st.caption(t("translate.model_note"))
