"""The Streamlit front end: everything that knows about ``streamlit``, split by job.

    cache.py       every cached thing: the models, their attention twins, embeddings, model runs
    session.py     settings in the session and in the link, the interface's language
    controls.py    widgets: the sidebar, the sentence fields, the examples
    display.py     figures, notes and download buttons
    navigation.py  the pages and what the entry point hands each page

``app.py`` is the entry point (``streamlit run app.py``); the page bodies are in ``pages/``.
The numbers and pictures themselves come from the ``attention`` library.
"""
