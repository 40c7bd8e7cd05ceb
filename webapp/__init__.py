"""The Streamlit front end: everything that knows about ``streamlit``, split by job.

    navigation.py        the pages and what the entry point hands each page (model, sidebar)
    session.py           settings in the session and in the link, the interface's language
    run_context.py       what one script run knows beyond its widgets (its frame, a fragment or the whole page)
    cache.py             every cached thing: the models, the translators, every layer's hidden states
    controls.py          widgets: the sidebar, the sentence fields, the examples
    attention_page.py    the cross and self attention pages (one function, two kinds)
    page_figures.py      figures, notes and captions in the page; the live heatmap or a Plotly chart
    new_sentence.py      a new sentence drawn ahead of its rerun: what each page drew with, the route's answer
    server.py            the app's own HTTP routes beside Streamlit's (app.py makes the server an st.App)
    downloads.py         the download buttons and the files they make, made when clicked
    quiz.py              guess first: the grid to guess on, the reveal and the score
    live_chart.py        the live heatmap's Streamlit component (v2): its bytes and its messages
    live_chart.js        the live charts' machinery in the browser: controls, drawing, the talk with the server
    live_heatmap.js      the live heatmap's component in the browser: one LiveChart per mount
    compare_chart.py     the Compare page's live chart: A, B and B − A, display changes drawn in the browser
    compare_chart.js     that component in the browser: a LiveChart with three maps
    compare_figure.js    the comparison's renderer in the browser (attention/compare_figures.py's twin)
    attention_figure.js  the heatmap's renderer in the browser (attention/heatmap.py's twin)
    component_start.js   every live component's bundle starts with it: plotly.js loaded once, readJson
    live_chart.css       the live heatmap's and the compare chart's look
    presentation.css     presentation mode's page on every page: larger fields, a smaller top margin
    next_word_chart.py   the Next Word page's live component: the bars and causal maps, the fetch button
    next_word_chart.js   that component in the browser: bars, maps, small multiples, rollout of choices
    next_word_chart.css  its look
    head_maps.js         every head's map sent once, chosen in the browser: bytes, head maps, the renderer
                         (attention/head_maps.py's twin), shared by the live head map and Next Word
    head_map_chart.py    the live head map's component (Translation, Model heads): bytes, view sent back, files
    head_map_chart.js    that component in the browser: layer, head, average and transpose controls, drawing
    head_map_chart.css   its look
    screen.py            presentation mode's screen: the main area's width and the window's height, from the browser
    screen.js            that component in the browser: measures, and tells again after a resize
    component_data.py    the one format every live component receives: a JSON head, then the payload
    streamlit_internals.py  every private Streamlit internal the app uses, each with its reason (one seam)

``app.py`` is the entry point (``streamlit run app.py``): imported, the server (an ``st.App``); run, the page
script. The page bodies are in ``pages/``.
The numbers and pictures themselves come from the ``attention`` library.
"""
