"""A real translator's cross attention: the target pieces the decoder writes ask, the source pieces answer."""

from __future__ import annotations

import streamlit as st

from attention.figures import heads_grid_figure
from attention.i18n import DIRECTION_LABELS, UNREADABLE_TEXT
from attention.translation import ALIGNMENT_HEAD, ALIGNMENT_LAYER, DIRECTIONS, UnreadableText
from attention.translation_view import is_alignment_head, translation_csv, translation_figure, translation_json
from webapp import cache, display, navigation
from webapp.downloads import Download
from webapp.session import labels, lang, literal, set_setting, t, write_link

navigation.frame()
display.page_header("translate.title", "translate.intro")
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
st.markdown(t("translate.roles"))


@st.fragment
def cross_map(run, source: str) -> None:
    """The map of one head (or a layer's average) and its downloads: a fragment, so that choosing another
    head redraws this part alone, not the translation above or the encoder's heads below."""
    layer_box, head_box, switches = st.columns([1, 1, 2])
    layer = layer_box.selectbox(t("translate.layer"), (0, 1), key="translate_layer")
    names = {h: t("translate.head_alignment", head=h) if is_alignment_head(layer, h) else str(h) for h in range(8)}
    head = head_box.selectbox(t("translate.head"), tuple(names), key="translate_head", format_func=names.get)
    average = switches.toggle(t("translate.average"), key="translate_average")
    transpose = switches.toggle(t("translate.transpose"), key="translate_transpose")
    shown = None if average else head
    figure = translation_figure(run, layer, shown, transpose, lang())
    display.show_figure(figure, name=f"{source}_{run.translation}")
    st.caption(t("translate.predictions_caption"))
    st.caption(t("translate.alignment_note", layer=ALIGNMENT_LAYER, head=ALIGNMENT_HEAD))

    st.markdown(f"**{t('export.title')}**")
    stem = display.file_name(f"{source}_{run.translation}")
    numbers = [
        Download("CSV", f"{stem}.csv", "text/csv", lambda: translation_csv(run, layer, shown).encode("utf-8")),
        Download(
            "JSON", f"{stem}.json", "application/json", lambda: translation_json(run, layer, shown).encode("utf-8")
        ),
    ]
    display.download_row(display.image_files(figure, stem) + numbers, "translate_file")
    write_link()  # the address bar follows a head chosen in the fragment too


cross_map(run, source)

n_layers, n_heads = run.encoder_attention.shape[:2]
st.subheader(t("translate.encoder", n_layers=n_layers, n_heads=n_heads))
display.show_figure(heads_grid_figure(run.encoder_attention, lang=lang()), name=source, key="translate_encoder")
st.caption(t("translate.encoder_caption", n_layers=n_layers))
st.caption(t("translate.model_note"))
