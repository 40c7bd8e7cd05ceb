"""The Next Word page's live part: the next-token bars, the causal map, every head's last row, "which heads
look here", drawn by the browser from ``attention.next_word.payload`` (a Streamlit component, v2 API).

The layer, the head, the average, the temperature, top-k and top-p are the component's own controls: a change
is drawn in the browser at once, and a moment later the component sends the new view back, which
``_keep_view`` stores as the session's settings (``attention.settings_table.FIELDS``), so the link, the
"Draw the next word" button and the downloads follow.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from attention.decoder import DecoderError, fetch_decoder
from attention.export import MIME_TYPES, figure_image
from attention.i18n import text
from attention.next_word import (
    EXAMPLES,
    FETCH_STAGES,
    NextWordRun,
    map_csv,
    map_figure,
    map_json,
    next_words,
    visible,
)
from attention.settings_table import FIELDS
from webapp import cache, controls, page_figures
from webapp.component_data import component_data, payload_id
from webapp.downloads import Download
from webapp.session import keep_sent, lang, literal, presenting, set_setting, t, values, write_link

KEY = "next_word_chart"
VIEW_FIELDS = ("decoder_layer", "decoder_head", "decoder_average", "next_temperature", "top_k", "top_p")

# one ES module: the shared head-map machinery, then the page's
JS_FILES = ("component_start.js", "head_maps.js", "next_word_chart.js")
_component = st.components.v2.component(
    "next_word_chart",
    js="\n".join(Path(__file__).with_name(name).read_text(encoding="utf-8") for name in JS_FILES),
    css=Path(__file__).with_name("next_word_chart.css").read_text(encoding="utf-8"),
    isolate_styles=False,  # plotly.js puts its styles (hover labels, mode bar) into the page's head
)


def ranges() -> dict[str, list[float]]:
    """The controls' limits, from the settings' table: [low, high, step]."""
    return {
        key: [FIELDS[key].low, FIELDS[key].high, FIELDS[key].step or 1]
        for key in ("next_temperature", "top_k", "top_p")
    }


def data_of(view: dict, chrome: dict, payload: bytes) -> bytes:
    """What the component receives (``webapp.component_data``): the view and the chrome, which names the payload
    by its hash so that the browser unpacks new bytes only, then the payload."""
    return component_data({"view": view, "chrome": {**chrome, "prompt_id": payload_id(payload)}}, payload)


def view_of(values: dict) -> dict:
    """The component's view from the session's settings."""
    return {key: values[key] for key in VIEW_FIELDS}


def show(view: dict, chrome: dict, payload: bytes) -> None:
    """Mount the component."""
    _component(key=KEY, data=data_of(view, chrome, payload), on_view_change=_keep_view)


def _keep_view() -> None:
    """Store the view the browser sent as the session's settings (invalid values are dropped)."""
    keep_sent((st.session_state.get(KEY) or {}).get("view") or {}, {key: key for key in VIEW_FIELDS})


def files(run: NextWordRun, layer: int, head: int | None, stem: str, lang: str, images: bool, sampling: dict):
    """The map's downloads, each made when clicked: PNG (1×, 2×, 3×), SVG, PDF where this server can draw
    images, then CSV and JSON."""
    choices = [("png", scale) for scale in (1, 2, 3)] + [("svg", 1), ("pdf", 1)] if images else []
    made = [
        Download(
            text("export.png", lang, scale=scale) if fmt == "png" else fmt.upper(),
            f"{stem}{'' if scale == 1 else f'@{scale}x'}.{fmt}",
            MIME_TYPES[fmt],
            partial(_image, run, layer, head, lang, fmt, scale),
        )
        for fmt, scale in choices
    ]
    return made + [
        Download("CSV", f"{stem}.csv", MIME_TYPES["csv"], lambda: map_csv(run, layer, head).encode("utf-8")),
        Download(
            "JSON", f"{stem}.json", MIME_TYPES["json"], lambda: map_json(run, layer, head, sampling).encode("utf-8")
        ),
    ]


def _image(run: NextWordRun, layer: int, head: int | None, lang: str, fmt: str, scale: int) -> bytes:
    return figure_image(map_figure(run, layer, head, lang), fmt, scale, lang)


# --------------------------------------------------------------------------- the page's parts


FETCH = "_next_word_fetch"  # set by the fetch button's callback


def fetch_button() -> None:
    """The button that fetches the language model, with a progress bar; where it fails, its message (which
    names the one command that fetches it), never a traceback."""
    st.button(
        t("next_word.fetch.button"), key="next_word_fetch", type="primary", on_click=set_setting, args=(FETCH, True)
    )
    if not st.session_state.pop(FETCH, False):  # a callback's flag: the button's own value was not seen here
        return
    bar = st.progress(0.0)

    def report(stage: str, fraction: float) -> None:
        bar.progress(min(1.0, max(0.0, fraction)), text=t(FETCH_STAGES[stage]))

    try:
        fetch_decoder(progress=report)
    except DecoderError as problem:
        bar.empty()
        st.error(problem.message(lang()), icon="⚠️")
        return
    st.rerun()


def use_example() -> None:
    """An example chosen in the menu: its prompt, and the layer and head that show what its label says."""
    state = st.session_state
    chosen = state.get("next_word_example")
    if chosen is None:
        return
    example = EXAMPLES[chosen]
    set_setting("prompt", example.prompt)
    set_setting("decoder_layer", example.layer)
    set_setting("decoder_average", example.head is None)
    if example.head is not None:
        set_setting("decoder_head", example.head)
    state["next_word_example"] = None


ADDED = "_next_word_added"  # what the last click of "Add the next word" wrote, for the line that says so


def add_next_word(sample: bool) -> None:
    """Append the model's next token to the prompt (a button's callback): the most likely, or drawn with the
    seed from the bars' distribution (temperature, top-k, top-p), after which the seed moves on by one."""
    state = st.session_state
    prompt = str(state.get("prompt") or "")
    if not prompt.strip():
        return
    settings = values()
    seed = int(settings["next_seed"])
    temperature = float(settings["next_temperature"]) if sample else 0.0
    top_k = int(settings["top_k"]) or None
    top_p = float(settings["top_p"]) if float(settings["top_p"]) < 1 else None
    try:
        written = next_words(cache.decoder(), prompt, temperature, top_k, top_p, seed)
    except (DecoderError, ValueError):
        return
    state[ADDED] = written
    if written:
        state["prompt"] = prompt + written
    if sample:
        state["next_seed"] = min(seed + 1, int(FIELDS["next_seed"].high))


def show_added() -> None:
    """Say what the last click added (once), or that the model would end the text there."""
    added = st.session_state.pop(ADDED, None)
    if added == "":
        st.caption(t("next_word.ended"))
    elif added:
        st.caption(t("next_word.added", text=literal(visible(added, space=True))))


@st.fragment
def live_part(run: NextWordRun, prompt: str) -> None:
    """The component and the map's downloads: a fragment, so that the view the component sends back reruns
    this part alone (the downloads and the link follow it; nothing above is drawn again)."""
    settings = values()
    layer = int(settings["decoder_layer"])
    head = None if settings["decoder_average"] else int(settings["decoder_head"])
    name = page_figures.file_name(prompt)
    if cache.live_chart_served():
        chrome = {
            "config": page_figures.chart_config(name),
            "present": presenting(),
            "font_scale": controls.font_scale(),
            "dark": st.context.theme.type == "dark",
            "ranges": ranges(),
        }
        show(view_of(settings), chrome, cache.decoder_payload(prompt, lang(), controls.font_scale()))
    else:  # plotly.js cannot be served by the app: the server draws the map (no bars, no live controls)
        page_figures.show_figure(map_figure(run, layer, head, lang(), controls.font_scale()), name=name)
    if not presenting():
        st.caption(t("next_word.map_caption"))
    st.markdown(f"**{t('export.title')}**")
    stem = f"{name}_L{layer}{'avg' if head is None else f'H{head}'}"
    sampling = {key: settings[key] for key in ("next_temperature", "top_k", "top_p", "next_seed")}
    page_figures.download_row(files(run, layer, head, stem, lang(), cache.image_export(), sampling), "next_word_file")
    write_link()  # the address bar follows a head chosen in the component
