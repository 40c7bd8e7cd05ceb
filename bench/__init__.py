"""Benchmark and load-test tooling for the app, kept apart from the shipped `attention` package.

    python -m bench --quick            # the benchmark (bench/run.py has what it measures)

- bench.texts: sentences of an exact length in model positions, per model (each its own tokenizer);
- bench.conversion: the multilingual model's first-ever start (its conversion into an empty cache);
- bench.browser: Chromium pages on the running app (Playwright);
- bench.loadtest: a class at once, over Chromium or Streamlit's websocket;
- bench.hall: the load test through nginx, in front of deploy.lecture_hall's processes;
- bench.measure, bench.headview, bench.live: what the benchmark measures in process, of BertViz,
  and against the running app; bench.report: its table, targets and plot; bench.run: its command line.

Starting the app (StreamlitServer), Chromium's flags and the websocket client (AppSession) are
deploy.harness's: bench imports deploy, never the other way round.
"""

import os

# Every app server the benchmark starts keeps its live heatmap's drawing timings in the page (webapp/page_figures.py).
os.environ.setdefault("ATTENTION_DRAW_TIMINGS", "1")
