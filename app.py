"""The app's entry point (`streamlit run app.py`).

Streamlit runs this file twice over. Imported (``streamlit run`` finds ``app`` below), it is the server: the
Streamlit app plus the app's own routes (``webapp.server``: a new sentence drawn ahead of its rerun). Run as
the page script (``__main__``, every rerun of every session), it draws the shared sidebar, then the page the
user is on.
"""

from __future__ import annotations

import streamlit as st

if __name__ != "__main__":
    from webapp import server

    app = st.App(__file__, routes=server.ROUTES)
else:
    from webapp import controls, navigation, page_figures, screen, session

    session.rerun_lost_fragments_whole()  # once per server: a change that reaches a new process is not dropped
    session.start()  # first, so that the link's language and presentation mode shape the page from its first run
    sidebar = "collapsed" if session.presenting() else "auto"  # a projector gets the whole width for the figure
    st.set_page_config(page_title=session.t("app.title"), layout="wide", initial_sidebar_state=sidebar)
    page = st.navigation(navigation.pages(session.t), position="sidebar")
    controls.interface_controls(st.sidebar)
    page_figures.preload_live_chart(st.sidebar)  # before the model: on a first visit plotly.js loads meanwhile
    if session.presenting():
        screen.measure(st.sidebar)  # figures sized for the screen in the room (its first report reruns the page)
    page_controls = st.sidebar.container()  # each page's own controls go here, above the model field
    encoder = controls.model_control(st.sidebar) if navigation.uses_encoder(page) else None
    navigation.run_page(page, navigation.Frame(encoder=encoder, controls=page_controls))
    session.finish(st.sidebar)
    with st.sidebar:
        session.rerun_on_reconnect()  # a page that reconnects (its process died) reruns on the new one
