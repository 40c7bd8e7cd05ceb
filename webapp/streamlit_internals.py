"""Every private Streamlit internal the app, its deployment and its benchmark use, in one module.

Streamlit has no public call for these (checked against its API reference and tracker for the version below:
``st.navigation``, ``st.fragment``, ``st.context`` and the components v2 API cover none of them). The rest of
the code calls the plain names here and never touches an internal itself, as pandas keeps its own in
``pandas/compat``. Each entry says why it exists. ``tests/unit/test_streamlit_internals.py`` fails by name
when Streamlit's version or one of these internals changes (``problems()``); at run time a missing internal
falls back to Streamlit's own behaviour, with a warning in the log.

Written against Streamlit 1.67.0 (``WRITTEN_FOR``).

Two behaviours of Streamlit's frontend, relied on by one function each in ``webapp/live_heatmap.js`` (a new
sentence drawn ahead of its rerun), are guarded by ``tests/browser/test_live.py::
test_a_new_sentence_is_drawn_before_its_rerun_which_then_draws_nothing_more``, which fails when either moves:
a widget made with ``key=NAME`` stands in an element of class ``st-key-NAME`` (``askAhead`` finds the sentence
field so; documented for containers), and a text field commits its text and reruns on a ``keydown`` whose
``key`` is Enter, the event ``passEnter`` dispatches once the new sentence is drawn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

WRITTEN_FOR = "1.67.0"
_log = logging.getLogger(__name__)


def leave_pages_directory_mode() -> None:
    """Why: Streamlit runs a file of a folder named ``pages/`` by itself, without app.py, until ``st.navigation``
    has been called once in the process (a server's first run; every AppTest run). The user asked for a
    ``pages/`` folder, so the page's first run does what st.navigation does first, then reruns through app.py.
    Internal: ``streamlit.runtime.pages_manager.PagesManager.uses_pages_directory``."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def widget_keys_sent_by_browser() -> set[str]:
    """Why: a page whose process died (a lecture hall's failover) reruns on a new process with every widget's
    value, and the link must not overwrite them (``webapp.session.sent_by_browser``). Streamlit has no public
    call for widget values that no widget has claimed yet in this session.
    Internals: ``get_session_state().get_widget_states()`` and ``user_key_from_element_id``.
    Where they moved: an empty set (the link wins, as before the hall had failover)."""
    try:
        from streamlit.runtime.state.common import user_key_from_element_id
        from streamlit.runtime.state.session_state_proxy import get_session_state

        widgets = get_session_state().get_widget_states()
    except (ImportError, AttributeError) as error:
        _log.warning("Streamlit's widget states moved (%s): a failover may undo a student's last change", error)
        return set()
    return {key for widget in widgets if (key := user_key_from_element_id(widget.id)) is not None}


def wrap_request_rerun(wrap: Callable[[Callable], Callable]) -> bool:
    """Why: a rerun request for a fragment the session does not know is dropped by Streamlit; after a failover
    it must rerun the whole page instead (``webapp.session.rerun_lost_fragments_whole``). There is no public
    hook. Replaces ``AppSession.request_rerun`` (process-wide, once) by ``wrap(original)``.
    Internals: ``streamlit.runtime.app_session.AppSession.request_rerun`` and ``AppSession.has_fragment``.
    Returns False (and patches nothing) where they moved."""
    try:
        from streamlit.runtime.app_session import AppSession
    except ImportError as error:
        _log.warning("Streamlit's AppSession moved (%s): a failover may drop a change", error)
        return False
    if not hasattr(AppSession, "has_fragment"):
        _log.warning("AppSession.has_fragment is gone: a failover may drop a change")
        return False
    if getattr(AppSession.request_rerun, "wrapped_by_attention", False):
        return True
    wrapped = wrap(AppSession.request_rerun)
    wrapped.wrapped_by_attention = True
    AppSession.request_rerun = wrapped
    return True


def protocol_messages():
    """Why: the lecture hall's warm-up, the load test and the benchmark speak Streamlit's websocket protocol
    as its frontend does (``deploy.harness.AppSession``, ``bench.browser``). Internals: the protobuf classes
    ``streamlit.proto.BackMsg_pb2.BackMsg`` and ``ForwardMsg_pb2.ForwardMsg``. Returns (BackMsg, ForwardMsg)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return BackMsg, ForwardMsg


def script_runner_class():
    """Why: ``python -m bench --probe`` times each script run of the server. Internal:
    ``streamlit.runtime.scriptrunner.script_runner.ScriptRunner._run_script``."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    return ScriptRunner


def problems() -> list[str]:
    """What no longer matches the Streamlit these internals were written for, one line each (empty: all well)."""
    import streamlit

    found = []
    if streamlit.__version__ != WRITTEN_FOR:
        found.append(
            f"Streamlit is {streamlit.__version__}, these internals were written for {WRITTEN_FOR}: check each "
            "entry of webapp/streamlit_internals.py against it, then update WRITTEN_FOR"
        )
    checks = {
        "PagesManager.uses_pages_directory": lambda: _attribute(
            "streamlit.runtime.pages_manager", "PagesManager", "uses_pages_directory"
        ),
        "get_session_state().get_widget_states": lambda: _attribute(
            "streamlit.runtime.state.session_state", "SessionState", "get_widget_states"
        ),
        "user_key_from_element_id": lambda: _attribute("streamlit.runtime.state.common", "user_key_from_element_id"),
        "get_session_state": lambda: _attribute("streamlit.runtime.state.session_state_proxy", "get_session_state"),
        "AppSession.request_rerun": lambda: _attribute("streamlit.runtime.app_session", "AppSession", "request_rerun"),
        "AppSession.has_fragment": lambda: _attribute("streamlit.runtime.app_session", "AppSession", "has_fragment"),
        "BackMsg.rerun_script": lambda: protocol_messages()[0]().rerun_script.fragment_id is not None,
        "ForwardMsg.new_session": lambda: protocol_messages()[1]().new_session.initialize.session_id is not None,
        "ScriptRunner._run_script": lambda: _attribute(
            "streamlit.runtime.scriptrunner.script_runner", "ScriptRunner", "_run_script"
        ),
    }
    for name, check in checks.items():
        try:
            check()
        except (ImportError, AttributeError) as error:
            found.append(f"{name} moved: {error}")
    return found


def _attribute(module: str, *names: str):
    import importlib

    value = importlib.import_module(module)
    for name in names:
        value = getattr(value, name)
    return value
