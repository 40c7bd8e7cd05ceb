"""The benchmark's table, its targets and its plot."""

from __future__ import annotations

import math
import os

from bench.common import format_value
from bench.live import MODES

# Short names for the table's model column (the JSON has the full ones).
SHORT_NAMES = {"multilingual-e5-small": "e5-small", "all-MiniLM-L6-v2": "MiniLM"}

COLUMNS = [
    ("model", "model", "{}"),
    ("tokens", "tokens", "{:d}"),
    ("mode", "mode", "{}"),
    ("forward_ms", "fwd", "{:.1f}"),
    ("encode_ms", "encode", "{:.1f}"),
    ("attend_ms", "attend", "{:.1f}"),
    ("figure_ms", "figure", "{:.1f}"),
    ("serialise_ms", "st.chart", "{:.1f}"),
    ("server_update_ms", "update", "{:.1f}"),
    ("server_update_limit_ms", "limit", "{:.1f}"),
    ("figure_bytes", "bytes", "{:,d}"),
    ("bytes_per_cell", "B/cell", "{:.1f}"),
    ("browser_update_ms_p50", "brw p50", "{:.0f}"),
    ("browser_update_ms_p95", "brw p95", "{:.0f}"),
    ("browser_ask_ms", "ask", "{:.0f}"),
    ("browser_send_ms", "send", "{:.0f}"),
    ("browser_server_ms", "server", "{:.0f}"),
    ("probe_script_ms", "script", "{:.0f}"),
    ("browser_render_ms", "draw", "{:.0f}"),
    ("browser_component_ms", "ours", "{:.0f}"),
    ("plotly_alone_ms", "plotly", "{:.0f}"),
    ("display_update_ms_p50", "toggle", "{:.0f}"),
    ("temperature_update_ms_p50", "temp", "{:.0f}"),
    ("drag_fps", "drag fps", "{:.0f}"),
    ("display_model_calls", "calls", "{:d}"),
    ("gc_ms", "gc", "{:.0f}"),
]


# --------------------------------------------------------------------------- report

# The speed targets (issues "Instant under the teacher's hand" and "Every map as live as the heatmap", on this
# machine), by sentence length where they depend on it.
NEW_SENTENCE_MS = {32: 100, 512: 1000}  # typing to redrawn heatmap, browser p50
DISPLAY_CHANGE_MS = {32: 100, 512: 400}  # a display-only change ('transpose', temperature) to redrawn heatmap, p50
DRAG_FPS = {32: 10}  # heatmaps drawn per second while the temperature slider is dragged
PAYLOAD_BYTES_PER_CELL = 12  # at 512 tokens, hover included
COLD_START_S = 6  # streamlit run to the first heatmap, the model conversion cached
LOAD_P95_MS = 1500


# How the live maps' changes are timed (deploy.harness.timed_in_page), said under each page's table.
IN_PAGE = (
    "A change is timed in the page: from the control's change event to the frame painted with the new map. "
    '"Playwright\'s clock" is the same change seen from the test driver, which adds its own work of finding '
    "and moving the control."
)


def targets(rows: list[dict], servers: dict, load: dict | None, lengths: list[int]) -> list[dict]:
    """Each target, met or missed; ``servers`` maps each model to its server's figures."""
    found = []

    def add(name, value, limit, met, unit=""):
        found.append({"target": name, "value": value, "limit": limit, "met": met, "unit": unit})

    for row in rows:
        if row.get("error") or (row["mode"] in MODES and row.get("browser_error")):
            add(
                f"the app draws {row['tokens']} tokens ({row['model']}, {row['mode']})",
                row.get("error") or row.get("browser_error"),
                "no error",
                False,
            )
    for row in rows:
        if row["mode"] in MODES and row.get("server_update_ms") is not None:
            add(
                f"server update <= 1.5 x forward + 10 ms ({row['model']}, {row['mode']}, {row['tokens']} tokens)",
                row["server_update_ms"],
                row["server_update_limit_ms"],
                row["server_update_ms"] <= row["server_update_limit_ms"],
                "ms",
            )
    largest = max(lengths)
    for row in rows:
        if row["mode"] == "cross" and row["tokens"] == largest == 512 and row.get("bytes_per_cell") is not None:
            add(
                f"figure payload <= {PAYLOAD_BYTES_PER_CELL} bytes per heatmap cell at 512 tokens ({row['model']}, "
                f"{row['heatmap_cells']:,} cells)",
                row["bytes_per_cell"],
                PAYLOAD_BYTES_PER_CELL,
                row["bytes_per_cell"] <= PAYLOAD_BYTES_PER_CELL,
                "B",
            )
    for row in rows:
        if row["mode"] in MODES and row.get("browser_update_ms_p50") is not None:
            limit = NEW_SENTENCE_MS.get(row["tokens"])
            if limit:
                add(
                    f"new sentence, browser p50 ({row['model']}, {row['mode']}, {row['tokens']} tokens)",
                    row["browser_update_ms_p50"],
                    limit,
                    row["browser_update_ms_p50"] <= limit,
                    "ms",
                )
    for row in rows:
        limit = DISPLAY_CHANGE_MS.get(row["tokens"])
        for key, what in (("display_update_ms_p50", "'transpose'"), ("temperature_update_ms_p50", "temperature")):
            if row["mode"] in MODES and row.get(key) is not None and limit:
                add(
                    f"display-only change ({what}), browser p50 ({row['model']}, {row['tokens']} tokens)",
                    row[key],
                    limit,
                    row[key] <= limit,
                    "ms",
                )
        fps = DRAG_FPS.get(row["tokens"])
        if row["mode"] in MODES and row.get("drag_fps") is not None and fps:
            add(
                f"temperature slider dragged, heatmaps per second ({row['model']}, {row['tokens']} tokens)",
                row["drag_fps"],
                fps,
                row["drag_fps"] >= fps,
                "/s",
            )
    for model, server in servers.items():
        if server.get("cold_start_s") is not None:
            add(
                f"cold start to {server['cold_start_to']} ({model}, conversion cached"
                + (f", median of {len(server['cold_starts_s'])} fresh servers" if server.get("cold_starts_s") else "")
                + ")",
                server["cold_start_s"],
                COLD_START_S,
                server["cold_start_s"] <= COLD_START_S,
                "s",
            )
    for row in rows:
        if row.get("display_model_calls") is not None:
            add(
                f"'transpose' runs the model 0 times (server probe, {row['model']}, {row['tokens']} tokens)",
                row["display_model_calls"],
                0,
                row["display_model_calls"] == 0,
            )
    if load is not None:
        add(f"load test errors ({load['model']})", load["errors"], 0, load["errors"] == 0)
        if load["update_ms_p95"] is not None:
            p95 = load["update_ms_p95"]
            add(f"load test update p95 ({load['model']})", p95, LOAD_P95_MS, p95 <= LOAD_P95_MS, "ms")
    return found


# A new sentence, step by step: (row key, what it is, how deep it sits), in the order they happen.
NEW_SENTENCE_STEPS = [
    ("browser_ahead", "new sentences drawn ahead of their rerun (the app's route, webapp/new_sentence.py)", 0),
    ("browser_ask_ms", "Enter -> the new sentence's bytes from the route", 0),
    ("browser_ask_server_ms", "the route's attention view and payload (server)", 1),
    ("browser_send_ms", "Enter -> rerun request sent (Streamlit's frontend; after the drawing where drawn ahead)", 0),
    ("browser_server_ms", "rerun request -> chart message arrives (server, websocket)", 0),
    ("probe_script_ms", "script run, whole (page or fragment; --probe)", 1),
    ("probe_view_ms", "sentences -> attention view (views.compute_view)", 2),
    ("probe_encode_ms", "model forward, tokenizer included (Encoder.encode_layers, when not cached)", 3),
    ("probe_attend_ms", "attention (views.attend)", 3),
    ("probe_payload_ms", "the live heatmap's payload (live.live_payload)", 2),
    ("probe_rest_ms", "the rest of the script run (widgets, captions, downloads, link)", 2),
    ("message_bytes", "bytes of the chart message", 1),
    ("browser_render_ms", "chart message -> heatmap's ticks drawn (Playwright's view; drawn by the rerun)", 0),
    ("browser_component_ms", "the live heatmap: new bytes -> painted frame", 1),
    ("draw_compute_ms", "render(): softmax and figure", 2),
    ("draw_layout_ms", "fonts, margins, size", 2),
    ("draw_plot_ms", "Plotly.react", 2),
    ("draw_paint_ms", "to the painted frame", 2),
    ("browser_update_ms_p50", "Enter -> painted frame, p50 (timed in the page)", 0),
]


def print_new_sentence_steps(rows: list[dict], loadavg) -> None:
    """Each browser row's new sentence split into its steps, one line a step (medians in ms)."""
    for row in rows:
        if row.get("mode") not in MODES or row.get("browser_update_ms_p50") is None:
            continue
        row = {**row, "probe_rest_ms": _rest_of_script(row)}
        limit = NEW_SENTENCE_MS.get(row["tokens"])
        print(
            f"new sentence, step by step: {row['model']}, {row['tokens']} tokens, {row['mode']} page "
            f"({row.get('browser_updates')} updates, medians; load average {loadavg}):"
        )
        for key, what, depth in NEW_SENTENCE_STEPS:
            value = row.get(key)
            if value is None:
                continue
            shown = {"message_bytes": f"{value:,.0f} B", "browser_ahead": f"{value} of {row.get('browser_updates')}"}
            shown = shown.get(key, f"{value:.0f} ms")
            print(f"  {'    ' * depth}{what}: {shown}")
        if limit:
            p50 = row["browser_update_ms_p50"]
            print(f"  => NEW SENTENCE p50 {p50:.0f} ms, target {limit} ms: {'met' if p50 <= limit else 'MISSED'}")


def _rest_of_script(row: dict) -> float | None:
    """The script run less what the probe timed inside it (compute_view and the payload)."""
    parts = [row.get("probe_script_ms"), row.get("probe_view_ms"), row.get("probe_payload_ms")]
    if any(part is None for part in parts):
        return None
    return max(0.0, parts[0] - parts[1] - parts[2])


def print_report(result: dict) -> None:
    rows = result["rows"]
    print(
        "models: "
        + ", ".join(f"{SHORT_NAMES.get(m, m)} = {m}" for m in result.get("models", []))
        + "; the bertviz rows are BertViz's head view of all-MiniLM-L6-v2 (the model BertViz draws here)"
    )
    shown = [{**row, "model": SHORT_NAMES.get(row.get("model"), row.get("model"))} for row in rows]
    cells = [[format_value(row.get(key), fmt) for key, _, fmt in COLUMNS] for row in shown]
    heads = [head for _, head, _ in COLUMNS]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    print("  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True)))
    for c in cells:
        print("  ".join(v.rjust(w) for v, w in zip(c, widths, strict=True)))
    print(
        "times in ms, medians; tokens = model positions incl. [CLS]/[SEP] (<s>/</s> for e5-small), each model's "
        "own tokenizer; fwd = bare forward of the same text(s); "
        "figure = the live heatmap's payload, st.chart = mounting it, bytes = what it sends; "
        "update = encode + attend + figure + st.chart; limit = 1.5 x fwd + 10; "
        "brw = browser, typing to redrawn heatmap; ask = Enter to the new sentence's bytes from the app's route "
        "(drawn ahead of the rerun); where the rerun draws, brw splits into send (frontend), server (rerun request "
        "to chart message) and draw; ours = the live heatmap's own part (its new bytes to the painted frame); "
        "script = one whole script run timed inside the server (--probe); "
        "plotly = the same figure JSON drawn by plotly.js alone in a blank page; "
        "toggle = the live heatmap's 'transpose' box, temp = a move of its temperature slider (both drawn in the "
        "browser); drag fps = heatmaps drawn per second while that slider is dragged; "
        "calls = model calls the server made for those toggles "
        "(--probe); gc = one gc.collect(2), which Streamlit runs after "
        "every script run (runner.postScriptGC). bertviz rows: fwd with output_attentions, figure = head_view HTML, "
        "bytes = HTML, brw = Chromium draw."
    )
    for row in rows:
        if row.get("error"):
            print(f"{row['model']} {row['mode']} {row['tokens']} tokens failed in process: {row['error']}")
        if row.get("browser_error"):
            print(f"{row['model']} {row['mode']} {row['tokens']} tokens failed in the browser: {row['browser_error']}")
    conversion = result.get("conversion")
    if conversion:
        print(
            "multilingual-e5-small first-ever start (new process, empty ATTENTION_CACHE_DIR): load_encoder "
            f"{conversion['first_load_encoder_s']:.2f} s end to end, of which the conversion "
            f"(PreparedModel.built_seconds) {format_value(conversion['built_seconds'], '{:.2f}')} s; whole process "
            f"{conversion['first_process_s']:.2f} s. From that cache in a new process: load_encoder "
            f"{conversion['cached_load_encoder_s']:.2f} s (whole process {conversion['cached_process_s']:.2f} s)"
            + (f"; note: {conversion['note']}" if conversion.get("note") else "")
        )
    for model, server in (result.get("server") or {}).items():
        print(
            "server {m}{o}: cold start {cs} s to {to} (health {h} s); RSS start {a} MiB, model loaded {b} MiB, "
            "after load test {c} MiB, end {d} MiB, peak {e} MiB".format(
                m=model,
                o=f" with {server['streamlit_options']}" if server.get("streamlit_options") else "",
                cs=server.get("cold_start_s"),
                to=server.get("cold_start_to"),
                h=server.get("health_s"),
                **{
                    k: format_value(server.get(v), "{:.0f}")
                    for k, v in zip(
                        "abcde",
                        ("rss_start_mb", "rss_model_mb", "rss_after_load_mb", "rss_end_mb", "rss_peak_mb"),
                        strict=True,
                    )
                },
            )
        )
    load = result.get("load")
    if load:
        print(
            f"load ({load['model']}, {load['client']} clients): {load['sessions']} sessions x "
            f"{load['changes_per_session']} "
            f"changes ({load['tokens']} tokens): {load['updates_completed']}/{load['updates_expected']} updates, "
            f"{load['errors']} errors, p50 {format_value(load['update_ms_p50'], '{:.0f}')} ms, "
            f"p95 {format_value(load['update_ms_p95'], '{:.0f}')} ms, "
            f"max {format_value(load['update_ms_max'], '{:.0f}')} ms, server RSS peak "
            f"{format_value(load['server_rss_peak_during_mb'], '{:.0f}')} MiB"
        )
        for sample in load["error_samples"]:
            print(f"  error: {sample}")
    print_new_sentence_steps(rows, result["machine"].get("loadavg_end"))
    print("targets:")
    for t in result["targets"]:
        value = t["value"]
        shown = f"{value:.1f}" if isinstance(value, float) else str(value)
        limit = f"{t['limit']:.1f}" if isinstance(t["limit"], float) else str(t["limit"])
        print(
            f"  [{'met   ' if t['met'] else 'MISSED'}] {t['target']}: {shown} {t['unit']} (limit {limit} {t['unit']})"
        )
    print(
        f"benchmark took {result['run_s']:.0f} s; load average at start {result['machine']['loadavg_start']}, "
        f"at end {result['machine']['loadavg_end']}"
    )


def save_plot(result: dict, path: str) -> None:
    import plotly.graph_objects as go

    rows = result["rows"]
    fig = go.Figure()
    app_series = [
        ("cross", "forward_ms", "bare forward, 2 sentences (floor)", "dot"),
        ("cross", "server_update_ms", "server update, cross", "solid"),
        ("self", "server_update_ms", "server update, self", "solid"),
        ("cross", "browser_update_ms_p50", "browser update p50, cross", "dash"),
        ("self", "browser_update_ms_p50", "browser update p50, self", "dash"),
    ]
    series = [
        (model, mode, key, f"{SHORT_NAMES.get(model, model)}: {name}", dash)
        for model in result.get("models", [])
        for mode, key, name, dash in app_series
    ]
    series += [
        ("all-MiniLM-L6-v2", "bertviz", "server_update_ms", "BertViz (MiniLM) forward + HTML", "solid"),
        ("all-MiniLM-L6-v2", "bertviz", "browser_update_ms_p50", "BertViz (MiniLM) browser draw", "dash"),
    ]
    for model, mode, key, name, dash in series:
        points = [
            (r["tokens"], r[key])
            for r in rows
            if r["mode"] == mode and r.get("model") == model and r.get(key) is not None
        ]
        if points:
            fig.add_trace(
                go.Scatter(
                    x=[p[0] for p in points],
                    y=[p[1] for p in points],
                    name=name,
                    mode="lines+markers",
                    line=dict(dash=dash),
                )
            )
    for row in rows:
        if row["mode"] == "bertviz" and row.get("browser_error"):
            fig.add_annotation(
                x=math.log10(row["tokens"]),
                y=math.log10(row["server_update_ms"] or 1000),
                text="BertViz: Chromium<br>draws nothing",
                showarrow=True,
                ay=40,
            )
    load = (result.get("machine") or {}).get("loadavg_start")
    fig.add_annotation(
        text=f"load average at start {load}; {os.cpu_count()} CPUs",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.2,
        showarrow=False,
        font=dict(size=10),
    )
    fig.update_xaxes(
        type="log",
        title="sentence length (model positions incl. [CLS]/[SEP])",
        tickvals=sorted({r["tokens"] for r in rows}),
    )
    fig.update_yaxes(type="log", title="milliseconds (median / p50)")
    fig.update_layout(
        title="Attention app: time against sentence length", width=900, height=560, template="plotly_white"
    )
    fig.write_image(path)


# --------------------------------------------------------------------------- markdown (docs/performance.md)

# The Markdown table's columns: (row key, heading, format); the new sentence's three parts are one column.
MARKDOWN_COLUMNS = [
    ("model", "model", "{}"),
    ("tokens", "tokens", "{:d}"),
    ("mode", "page", "{}"),
    ("forward_ms", "bare forward", "{:,.0f}"),
    ("server_update_ms", "server update", "{:,.0f}"),
    ("bytes_per_cell", "bytes/cell", "{:,.1f}"),
    ("browser_update_ms_p50", "new sentence p50", "{:,.0f}"),
    (("browser_ask_ms", "browser_component_ms"), "of which route / draw (drawn ahead)", "{:,.0f}"),
    (("browser_send_ms", "browser_server_ms", "browser_render_ms"), "of which send / server / draw (rerun)", "{:,.0f}"),
    ("browser_update_ms_p95", "p95", "{:,.0f}"),
    ("display_update_ms_p50", "transpose p50", "{:,.0f}"),
    ("temperature_update_ms_p50", "temperature p50", "{:,.0f}"),
    ("drag_fps", "slider drag", "{:.0f} /s"),
]

CLIENTS = {"ws": "websocket", "browser": "Chromium"}  # the load test's --load-client, in words

MARKDOWN_NOTES = """\
Times in ms, medians. "tokens" counts model positions, the special tokens included, with each model's own
tokenizer. "bare forward" is the model alone on the same text(s), the floor; "server update" is encode +
attention + the live heatmap's payload + mounting it, in process ("(HTML)" on a BertViz row: its forward pass
and head view's HTML). The browser columns are timed inside the page, against a real `streamlit run` in
Chromium, from the event (Enter in the sentence field, a click on "transpose", a move of the temperature
slider) to the first frame painted with the new heatmap. A new sentence is drawn ahead of the page's rerun: it
splits into the route's answer (Enter to the new sentence's bytes; the model's forward pass is most of it) and
the drawing. Where the rerun drew some of them instead (its answer came after 500 ms), those split into the
frontend's send, the server's rerun and the drawing. "transpose" and "temperature" are
drawn in the browser with no wait for the server; "slider drag" is heatmaps drawn per second while the
temperature slider is dragged. BertViz's rows are its head view of all-MiniLM-L6-v2 (the model BertViz draws),
opened in the same Chromium; "fails": Chromium drew nothing (the reason follows the table)."""


def _markdown_cell(row: dict, key, fmt: str) -> str:
    if isinstance(key, tuple):
        parts = [row.get(k) for k in key]
        return "" if all(p is None for p in parts) else " / ".join(format_value(p, fmt) for p in parts)
    value = row.get(key)
    if key == "model" and row.get("mode") == "bertviz":
        return "BertViz head view (MiniLM)"
    if key == "mode" and value == "bertviz":
        return ""
    if key in ("browser_update_ms_p50", "browser_update_ms_p95") and row.get("browser_error"):
        return "fails"
    if key == "server_update_ms" and row.get("mode") == "bertviz" and value is not None:
        return format_value(value, fmt) + " (HTML)"
    return "" if value is None else format_value(value, fmt)


def markdown_report(result: dict, source: str, target: str, plot: str | None = None) -> str:
    """The benchmark's JSON ``result`` as a Markdown page (docs/performance.md), its first line saying so.

    Args:
        result: what ``python -m bench --json`` wrote.
        source, target: the JSON's path and the page's, as the header's command names them.
        plot: the time-against-length PNG of the same run, relative to the page, or None.
    """
    machine, settings = result["machine"], result.get("settings") or {}
    lines = [
        f"<!-- Generated from {source} by `python -m bench --from-json {source} --markdown {target}`. "
        "Do not edit: change bench/report.py, or run the benchmark again. -->",
        "",
        "# Performance",
        "",
        f"The figures of the last full benchmark run, `{source}`, rendered by the benchmark itself "
        f"(`python -m bench --json {source} --markdown {target}` measures anew, about 10 minutes; "
        f"`python -m bench --from-json {source} --markdown {target}` only writes this page again).",
        "",
        f"Machine: {machine.get('cpus')} CPUs, Python {machine.get('python')}, "
        f"{machine.get('torch_threads')} torch threads; load average {machine.get('loadavg_start')} at the start, "
        f"{machine.get('loadavg_end')} at the end; the run took {result.get('run_s', 0):.0f} s. "
        f"Lengths {settings.get('lengths')}, {settings.get('repeats')} in-process repeats, "
        f"{settings.get('browser_updates')} browser updates a length and page.",
        "",
        "## Against the targets",
        "",
        "| target | measured | limit | |",
        "|---|---:|---:|---|",
    ]
    for t in result.get("targets", []):
        value = t["value"]
        shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
        limit = f"{t['limit']:,.1f}" if isinstance(t["limit"], float) else str(t["limit"])
        unit = f" {t['unit']}" if t["unit"] else ""
        lines.append(f"| {t['target']} | {shown}{unit} | {limit}{unit} | {'met' if t['met'] else '**missed**'} |")
    lines += ["", "## By length", ""]
    lines.append("| " + " | ".join(head for _, head, _ in MARKDOWN_COLUMNS) + " |")
    lines.append("|" + "|".join("---" if fmt == "{}" else "---:" for _, _, fmt in MARKDOWN_COLUMNS) + "|")
    for row in result["rows"]:
        lines.append("| " + " | ".join(_markdown_cell(row, key, fmt) for key, _, fmt in MARKDOWN_COLUMNS) + " |")
    lines += ["", MARKDOWN_NOTES, ""]
    for row in result["rows"]:
        if row.get("error") or row.get("browser_error"):
            where = "in process" if row.get("error") else "in the browser"
            lines.append(
                f"- {row['model']}, {row['mode']}, {row['tokens']} tokens, failed {where}: "
                f"{row.get('error') or row.get('browser_error')}"
            )
            lines.append("")
    if plot:
        lines += [f"![Time against sentence length, the same run]({plot})", ""]
    servers = result.get("server") or {}
    conversion = result.get("conversion")
    if servers or conversion:
        lines += ["## Start and memory", ""]
        for model, server in servers.items():
            lines.append(
                f"- {model}: from `streamlit run` to the {server.get('cold_start_to')} in "
                f"{format_value(server.get('cold_start_s'), '{:.2f}')} s (model conversion cached"
                + (
                    f"; the median of {', '.join(f'{x:.2f}' for x in server['cold_starts_s'])} s, one fresh server each"
                    if server.get("cold_starts_s")
                    else ""
                )
                + "); server RSS "
                f"{format_value(server.get('rss_start_mb'), '{:,.0f}')} MiB at start, "
                f"{format_value(server.get('rss_model_mb'), '{:,.0f}')} MiB with the model loaded, peak "
                f"{format_value(server.get('rss_peak_mb'), '{:,.0f}')} MiB."
            )
        if conversion:
            lines.append(
                "- multilingual-e5-small's first-ever start (a new process, an empty cache): `load_encoder` "
                f"{conversion['first_load_encoder_s']:.2f} s, of which the conversion "
                f"{format_value(conversion.get('built_seconds'), '{:.2f}')} s; from that cache "
                f"{conversion['cached_load_encoder_s']:.2f} s."
            )
        lines.append("")
    load = result.get("load")
    if load:
        lines += [
            "## Load test",
            "",
            f"{load['sessions']} simultaneous sessions ({CLIENTS.get(load['client'], load['client'])} clients) "
            "on one process, "
            f"{load['model']}, each changing its {load['tokens']}-token sentences {load['changes_per_session']} "
            f"times with {load['think_s'][0]}–{load['think_s'][1]} s between changes: "
            f"{load['updates_completed']} of {load['updates_expected']} updates, {load['errors']} errors, "
            f"p50 {format_value(load['update_ms_p50'], '{:,.0f}')} ms, "
            f"p95 {format_value(load['update_ms_p95'], '{:,.0f}')} ms, "
            f"max {format_value(load['update_ms_max'], '{:,.0f}')} ms; server RSS peak "
            f"{format_value(load['server_rss_peak_during_mb'], '{:,.0f}')} MiB. A lecture hall runs several "
            "processes: see [lecture-hall.md](lecture-hall.md).",
            "",
        ]
    heads = result.get("heads")
    if heads:
        from bench.heads import table_lines

        lines += [
            "## The Model heads page",
            "",
            "Every layer's and head's map is sent once; a change of head, layer or average is drawn by the browser.",
            IN_PAGE,
            "",
            *table_lines(heads),
            "",
        ]
    comparison = result.get("compare")
    if comparison:
        from bench.compare import table_lines as compare_lines

        lines += [
            "## The Compare page",
            "",
            "Both sides' scores are sent once; a display change redraws A, B and B − A in the browser (a map whose",
            "figure would not change is not redrawn). The first table compares two temperatures of one sentence; the",
            "second, where the run measured it, the identity with a real head, whose every head B holds (a change of",
            "B's head or layer; '-' where the sentence is too long for every head to be sent: the page's sliders then",
            "go through the server).",
            "",
            *compare_lines(comparison),
            "",
        ]
    translation = result.get("translation")
    if translation:
        lines += [
            "## The Translation page",
            "",
            f"Both translators load in {translation['load_ms']:.0f} ms and add "
            f"{translation['rss_added_mib']:.0f} MiB to a process. " + IN_PAGE,
            "",
            "| source pieces | translate | figure (server) | new sentence, browser | head change, browser "
            "| head change, Playwright's clock |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for row in translation["rows"]:
            keys = ("browser_new_ms", "browser_head_ms", "browser_head_wall_ms")
            cells = [f"{row[key]:,.0f} ms" if key in row else "-" for key in keys]
            lines.append(
                f"| {row['source_pieces']:.0f} | {row['translate_ms']:,.0f} ms | {row['figure_ms']:,.0f} ms | "
                + " | ".join(cells)
                + " |"
            )
        lines.append("")
    next_word = result.get("next_word")
    if next_word:
        forked = ", ".join(f"{size:.0f}" for size in next_word.get("forked_pss_mib", []))
        lines += [
            "## The Next Word page",
            "",
            f"SmolLM2-135M-Instruct loads from the cache in {next_word['load_ms']:,.0f} ms once torch and transformers "
            f"are imported, adds {next_word['rss_added_mib']:.0f} MiB to a process, and each process forked after "
            f"it adds {forked} MiB (PSS, the weights shared). The floor is the bare forward pass on one thread. "
            + IN_PAGE,
            "",
            "| tokens | forward (floor) | run | new prompt, browser | head change, browser "
            "| head change, Playwright's clock | temperature, browser |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        keys = ("browser_new_ms", "browser_head_ms", "browser_head_wall_ms", "browser_temperature_ms")
        for row in next_word["rows"]:
            cells = [f"{row[key]:,.0f} ms" if row.get(key) is not None else "-" for key in keys]
            lines.append(
                f"| {row['length']} | {row['forward_ms']:,.0f} ms | {row['run_ms']:,.0f} ms | "
                + " | ".join(cells)
                + " |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
