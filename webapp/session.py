"""The session's settings, the link that reproduces them, and the interface's language.

Every setting lives in ``st.session_state`` under its name in ``attention.settings_table.FIELDS``,
which is also the widget's key. On a session's first run the settings come from the
defaults and the link; at the end of every run the link is rewritten, so the address
bar always opens exactly the figure on screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

import streamlit as st

from attention import settings_table
from attention.i18n import LANGUAGES, text
from webapp import run_context, streamlit_internals


def start() -> None:
    """Settings from the link on a session's first run; afterwards, keep every setting.

    A page's widgets (the sentences, a chosen layer) are forgotten by Streamlit when
    a page without them runs; writing each value back into its key at the start of
    every run keeps it (Streamlit's documented way to keep widget values across pages).
    """
    state = st.session_state
    if "_started" not in state:
        values, rejected = settings_table.from_query(st.query_params.to_dict())
        sent = sent_by_browser()  # a page that reconnected to a new process: its widgets are newer than the link
        state.update({key: value for key, value in {**settings_table.defaults(), **values}.items() if key not in sent})
        state["_rejected"] = rejected
        state["_started"] = True
    for key in settings_table.FIELDS:
        if key in state:
            state[key] = state[key]
    if state.get("lang") not in LANGUAGES:  # the language control can be cleared; keep a language
        state["lang"] = settings_table.FIELDS["lang"].default


def sent_by_browser() -> set[str]:
    """The keys of the widgets whose values the browser sent with this run's rerun request.

    A page opened afresh sends none. A page whose process died (a lecture hall's failover)
    reconnects its websocket to another process, which makes a new session for it; Streamlit's
    frontend does not rerun on that reconnect, so the new session's first run is the student's
    next change, sent with every widget's value, the changed one included. The link (the rerun's
    query string) holds the view before that change: writing it over those widgets would undo
    the change, so on a first run the link only fills in what the browser did not send.
    Streamlit has no public call for widget values that no widget has claimed yet in this
    session, hence its internals (``webapp.streamlit_internals``); should they move, this answers
    "none" (the link wins, as before the hall had failover).
    """
    return streamlit_internals.widget_keys_sent_by_browser()


def rerun_lost_fragments_whole() -> None:
    """From now on in this server, a rerun request for a fragment the session does not know reruns the
    whole page with the widget values it carries; Streamlit drops such a request.

    A lecture hall's failover needs it. A page whose process died reconnects to another process, and the
    reconnect reruns the whole page there (``rerun_on_reconnect``). A student who presses Enter while that
    first run is under way sends a rerun of the sentences' fragment, and the new session does not know that
    fragment until its first run reaches it. Streamlit drops the request with the log line "The fragment
    with id ... does not exist anymore", and the change is lost: the server never learns the new sentence,
    and the figure stays on the old one (seen in the CI drill under Python 3.13: a change started 0.5 s
    after the kill, no figure after 90 s). A whole-page rerun shows the same page a fragment rerun would.
    Timed reruns (``is_auto_rerun``) are still dropped: their fragment is really gone. Streamlit has no
    public hook for this, hence its internals (``webapp.streamlit_internals``): should they move, nothing is
    patched and the old behaviour stays.
    """

    def whole_when_lost(request_rerun):
        def request_rerun_or_whole(self, client_state=None):
            fragment_id = getattr(client_state, "fragment_id", "")
            if fragment_id and not client_state.is_auto_rerun and not self.has_fragment(fragment_id):
                whole = type(client_state)()
                whole.CopyFrom(client_state)
                whole.ClearField("fragment_id")
                client_state = whole
            return request_rerun(self, client_state)

        return request_rerun_or_whole

    streamlit_internals.wrap_request_rerun(whole_when_lost)


RECONNECT_CHECK_S = 3600
"""How often the empty fragment of ``rerun_on_reconnect`` runs (it only has to exist)."""


@st.fragment(run_every=RECONNECT_CHECK_S)
def rerun_on_reconnect() -> None:
    """An empty fragment that reruns itself once an hour, so that Streamlit's frontend reruns the page
    whenever its websocket reconnects.

    The frontend reruns on a reconnect only when a run was under way, the last run was a fragment's,
    or the page has a fragment that reruns on a timer. Without one, a page whose process died (a lecture
    hall's failover) reconnects to a process that has no session for it, and the student's next change
    on the cross or self page, a rerun of the sentences' fragment, is dropped there: that process does
    not know the fragment. With it, the reconnect itself reruns the whole page on the new process
    (the figure comes back from there, and the fragment with it), and ``sent_by_browser`` keeps the
    fields as the browser shows them. Its timer costs one empty fragment run per session per hour.
    """


def values() -> dict[str, object]:
    """Every setting as it is now."""
    return {key: st.session_state.get(key, field.default) for key, field in settings_table.FIELDS.items()}


def keep_sent(sent: Mapping[str, object], names: Mapping[str, str]) -> None:
    """Store the values a live component sent back as the session's settings: ``names`` maps each name the
    component uses to its setting's key. Each value is read as a link's would be (``Field.parse``); invalid ones
    are dropped, so a browser can never put a value into the session that a link could not."""
    for name, key in names.items():
        if name not in sent:
            continue
        field = settings_table.FIELDS[key]
        try:
            st.session_state[key] = field.parse(str(sent[name]).lower() if field.kind == "bool" else str(sent[name]))
        except ValueError:
            continue


def set_setting(key: str, value) -> None:
    """Change a setting from code (a button or an example), widget and all."""
    st.session_state[key] = value


def keep_in_range(key: str, n: int, last: bool = False) -> None:
    """Bring a chosen index back into 0..n-1 (after a shorter new sentence, or from a link):
    to the last one when ``last``, else to the first."""
    value = st.session_state.get(key, 0)
    if not isinstance(value, int) or not 0 <= value < n:
        set_setting(key, n - 1 if last and isinstance(value, int) and value >= n else 0)


def lang() -> str:
    """The interface language of this session."""
    return str(st.session_state.get("lang") or "en")


def t(key: str, **values) -> str:
    """A string of the interface in this session's language."""
    return text(key, lang(), **values)


def labels(family: Mapping[str, str]) -> Callable[[object], str]:
    """A format_func for a menu whose options are string keys: the string ``family[option]`` in this
    session's language, fixed now (a widget may format its options outside the script run)."""
    language = lang()
    return lambda option: text(family[option], language)


def presenting() -> bool:
    """True in presentation mode: larger text and figure, fewer controls on show."""
    return bool(st.session_state.get("present"))


def literal(user_text: str) -> str:
    """``user_text`` as a Markdown code span, so that Streamlit shows it as typed (no maths, bold or links)."""
    fence = "`" * (max(map(len, re.findall(r"`+", user_text)), default=0) + 1)
    return f"{fence} {user_text} {fence}"


def write_link() -> dict[str, str]:
    """Write the settings into the URL (the address bar is always a link to the view); returns its parameters."""
    query = settings_table.to_query(values())
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return query


def finish(place) -> None:
    """Write the settings into the URL and offer the link in ``place`` (call at the end of a run), unless
    the page offered it already this run (``share_box``)."""
    query = write_link()
    rejected = st.session_state.pop("_rejected", None)
    if rejected:
        st.caption(t("share.rejected", keys=", ".join(rejected)))
    if not run_context.take("link_shared", False):
        _link_box(place, query)


def share_box(place) -> None:
    """Write the settings into the URL and offer the link in ``place`` now, from a page whose fragment reruns
    alone (see ``webapp.attention_page``): the fragment keeps the link current; ``finish`` then leaves it out."""
    _link_box(place, write_link())
    run_context.mark("link_shared", True)


def _link_box(place, query: dict[str, str]) -> None:
    base = (st.context.url or "").split("?")[0]
    with place.expander(t("share.label")):
        st.code(f"{base}?{urlencode(query)}" if query else base or "?", language=None, wrap_lines=True)
        st.caption(t("share.help"))
        too_long = settings_table.left_out(values())
        if too_long:
            st.caption(t("share.too_long", keys=", ".join(too_long), limit=settings_table.MAX_LINK_TEXT))
