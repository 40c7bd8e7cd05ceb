"""Benchmark and load-test tooling for the app, kept apart from the shipped `attention` package.

    python -m bench --quick            # the benchmark (bench/run.py has what it measures)

- bench.server: `streamlit run app.py` on a free port (StreamlitServer), CHROMIUM_FLAGS, find_chromium();
  shared with the browser tests;
- bench.texts: sentences of an exact length in model positions, per model (each its own tokenizer);
- bench.conversion: the multilingual model's first-ever start (its conversion into an empty cache);
- bench.browser: Chromium pages on the running app (Playwright);
- bench.loadtest: a class at once, over Chromium or Streamlit's websocket;
- bench.measure, bench.headview, bench.live: what the benchmark measures in process, of BertViz,
  and against the running app; bench.report: its table, targets and plot; bench.run: its command line.
"""
