"""The private Streamlit internals behind webapp/streamlit_internals.py: an upgrade that moves one fails here,
by name, instead of silently dropping the failover fix or the pages' first run."""

from __future__ import annotations

import streamlit

from webapp import session, streamlit_internals


def test_streamlit_is_the_version_the_internals_were_written_for():
    assert streamlit.__version__ == streamlit_internals.WRITTEN_FOR, (
        f"Streamlit {streamlit.__version__}: check every entry of webapp/streamlit_internals.py against it "
        f"(written for {streamlit_internals.WRITTEN_FOR}), then update WRITTEN_FOR"
    )


def test_every_internal_is_where_it_was():
    assert streamlit_internals.problems() == []


def test_the_failover_patch_is_in_place_once():
    from streamlit.runtime.app_session import AppSession

    session.rerun_lost_fragments_whole()
    patched = AppSession.request_rerun
    session.rerun_lost_fragments_whole()  # a second call patches nothing more
    assert AppSession.request_rerun is patched and patched.wrapped_by_attention


def test_no_other_module_touches_a_streamlit_internal():
    """Only the seam imports Streamlit's runtime, protobufs or script runner (app.py and the pages use st.*)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    private = ("streamlit.runtime", "streamlit.proto", "ScriptRunner", "PagesManager", "AppSession.request_rerun")
    offenders = []
    for path in [
        *root.glob("*.py"),
        *(p for d in ("attention", "webapp", "pages", "deploy", "bench") for p in (root / d).rglob("*.py")),
    ]:
        if path.name == "streamlit_internals.py":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(root)}: {name}" for name in private if name in text]
    assert offenders == []
