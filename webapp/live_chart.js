// The live attention heatmap (a Streamlit component, v2 API).
//
// The server sends the heatmap's data once (see attention/heatmap_payload.py for the bytes): the raw scores q·k,
// labels, words and sizes. Here, in the browser, the display settings turn them into the picture with
// render() from attention_figure.js (webapp/live_chart.py puts that file in front of this one, as one
// module): temperature and √d_k scaling (the softmax), transposing, numbers in cells and colours. A
// change redraws at once, and the temperature slider redraws while it is dragged; the new settings then
// go to the server, which keeps them for the link and the downloads.

const KEPT_DRAWS = 200; // the draw timings kept for the benchmark (the latest), where the server asks for them

// ---- the bytes from the server (readJson: webapp/component_start.js) -----------------------

// The heatmap's data: the header's plain fields, and its arrays (flat, row by row) under their names
function unpack(bytes) {
  const [{ arrays, ...data }, start] = readJson(bytes, 0);
  for (const item of arrays) {
    const count = item.shape.reduce((a, b) => a * b, 1);
    const Type = { float64: Float64Array, float32: Float32Array, uint8: Uint8Array }[item.dtype];
    const from = start + item.offset;
    // a copy, so that the array starts on an 8-byte boundary of its own buffer
    data[item.name] = new Type(bytes.slice(from, from + count * Type.BYTES_PER_ELEMENT).buffer);
  }
  return data;
}

function sameBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- room for the labels ------------------------------------------------------------------

const canvas = document.createElement("canvas").getContext("2d");
const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#x27;": "'" };

function textWidth(text, size, family) {
  canvas.font = `${size}px ${family}`;
  return canvas.measureText(String(text).replace(/&(lt|gt|amp|quot|#x27);/g, (e) => ENTITIES[e])).width;
}

// plotly.js's automargin draws a figure twice to find the room its labels take, and it places each axis
// title past the labels by measuring every label again (a layout of the page each). The live chart is
// redrawn on every change, so it measures its labels here instead: it gives the margins at once and
// writes each axis title as an annotation just past its labels, where plotly.js would have put it.
const LABEL_PAD = 8; // px from the axis line to its labels' far side, beyond their own size
const TITLE_GAP = 8; // px between the labels and the title
const EDGE = 6; // px between the outermost text and the figure's edge
function fitMarginsAndTitles(figure, family) {
  const { layout, data } = figure;
  const room = { l: 0, t: 0, b: 0 };
  const labelled = { l: 0, t: 0, b: 0 }; // the deepest labels on each side: its titles go past them, in line
  const titled = [];
  for (const name of Object.keys(layout).filter((key) => /^[xy]axis\d*$/.test(key))) {
    const axis = layout[name];
    if (!axis.automargin) continue;
    axis.automargin = false;
    const letter = name[0];
    const id = letter + name.slice(5); // "xaxis2" -> "x2"
    const size = axis.tickfont.size;
    const labels = axis.showticklabels === false ? [] : data.filter((t) => (t[`${letter}axis`] || letter) === id).flatMap((t) => t[letter]);
    const widest = Math.max(0, ...labels.map((label) => textWidth(label, size, family)));
    const title = axis.title && axis.title.text ? TITLE_GAP + axis.title.font.size * 1.4 : 0; // its room
    const angle = (Math.abs(axis.tickangle || 0) * Math.PI) / 180;
    const across = letter === "y" ? widest : angle ? widest * Math.sin(angle) + size * Math.cos(angle) : size * 1.3;
    const depth = (labels.length ? across : 0) + LABEL_PAD; // from the axis line to the far side of its labels
    const side = letter === "y" ? "l" : axis.side === "top" ? "t" : "b";
    room[side] = Math.max(room[side], depth + title + EDGE);
    labelled[side] = Math.max(labelled[side], depth);
    if (title) titled.push([axis, id, side]);
  }
  for (const side of ["l", "t", "b"]) layout.margin[side] = Math.max(layout.margin[side], Math.ceil(room[side]));
  const titles = titled.map(([axis, id, side]) => titleBeside(axis, id, labelled[side] + TITLE_GAP));
  for (const [axis] of titled) axis.title = { text: "" };
  layout.annotations = [...(layout.annotations || []), ...titles];
}

// An axis title as an annotation, ``away`` px from the axis line, centred on the axis: an x title above or
// below, a y title turned, on the left (where fitMarginsAndTitles makes room for every y axis)
function titleBeside(axis, id, away) {
  const along = `${id} domain`;
  const across = `${axis.anchor || (id[0] === "x" ? "y" : "x")} domain`; // the axis line's position
  const title = { text: axis.title.text, font: axis.title.font, showarrow: false, captureevents: false };
  if (id[0] === "x") {
    const top = axis.side === "top";
    return { ...title, xref: along, x: 0.5, yref: across, y: top ? 1 : 0, yanchor: top ? "bottom" : "top", yshift: top ? away : -away };
  }
  return { ...title, textangle: -90, yref: along, y: 0.5, xref: across, x: 0, xanchor: "right", xshift: -away };
}

// plotly.js draws the colour bars at the margins of the last drawing, then works out the new margins,
// and draws the colour bars again when those moved (new labels move them). So it is told the new
// margins first, in its own record of the last drawing: ours on the left, top and bottom; on the right,
// the room of the colour bars, which stand past the plot (at 1.02 of its width) and take the size
// plotly.js measured for them last time (its plots.doAutoMargin, with ours as the left margin). A wrong
// guess costs only that second drawing of the colour bars, as before.
function foretellMargins(chart, layout) {
  const last = plotlyPrivate.lastLayout(chart);
  if (!last || !last._size) return;
  const [width, height] = [Math.round(layout.width || last.width), Math.round(layout.height || last.height)];
  const { l, r, t, b } = layout.margin;
  let right = r;
  for (const [id, push] of Object.entries(last._pushmargin || {})) {
    if (id !== "base" && push.r && push.r.val > 0) {
      right = Math.max(right, (push.r.size + (l - width) * (1 - push.r.val)) / push.r.val);
    }
  }
  right = Math.round(right);
  Object.assign(last._size, { l, r: right, t, b, w: width - l - right, h: height - t - b });
}

// ---- plotly.js's private state, in one place ---------------------------------------------------
// plotly.js (the plotly package's own copy, served from static/) has no public call for these two:
// - lastLayout: its record of the last drawing (_fullLayout), whose margins (_size) and the room each colour bar
//   pushed for (_pushmargin) foretellMargins reads and writes, so that the colour bars are drawn once, not twice;
// - drawnConfig: the config the chart was drawn with (_context), whose camera-button file name is kept.
// Written for plotly.js PLOTLY_WRITTEN_FOR. After each drawing, missing() is written into the chart's
// data-plotly-private (empty when all is well): tests/browser/test_live.py fails by name when one moved.
const PLOTLY_WRITTEN_FOR = "4.1.1";
const plotlyPrivate = {
  lastLayout: (chart) => chart._fullLayout,
  drawnConfig: (chart) => chart._context,
  missing(chart) {
    const found = [];
    if (window.Plotly.version !== PLOTLY_WRITTEN_FOR) found.push(`plotly.js ${window.Plotly.version}, not ${PLOTLY_WRITTEN_FOR}`);
    const last = chart._fullLayout;
    if (!last || !last._size || !["l", "r", "t", "b", "w", "h"].every((k) => k in last._size)) found.push("_fullLayout._size");
    if (!last || typeof last._pushmargin !== "object") found.push("_fullLayout._pushmargin");
    if (!chart._context || !("toImageButtonOptions" in chart._context)) found.push("_context.toImageButtonOptions");
    return found;
  },
};

// The height left on the screen below the chart's top (the page scrolled to its top), between
// MIN_HEIGHT and the figure's own height.
const MIN_HEIGHT = 320;
function fitHeight(chart, height) {
  const top = chart.getBoundingClientRect().top + window.scrollY;
  return Math.round(Math.max(MIN_HEIGHT, Math.min(height, window.innerHeight - top - 12)));
}

// ---- the label rule on the screen there is ----------------------------------------------------
// The server sizes the labels for a projector's page (attention/style.py's label_rule, for 1760 × 960 px); on a
// projector the figure takes the height left on the screen instead (fitHeight) and the page's real width, so the
// cells may be smaller. The same rule then runs again on the cells as they will be drawn: the largest size at
// which no two labels touch (rows a line apart; columns flat while the widest fits with a gap, else slanted or
// upright while a line apart across), down to MIN_TICK times the font scale, then every step-th label.
const MIN_TICK = 9; // attention/style.py's MIN_TICK
const SHRINK = 0.75; // attention/style.py's SHRINK
const GAP = 0.4; // attention/style.py's GAP
const SLANT = 0.7071; // attention/style.py's SLANT
// A line of labels, in font sizes: Chromium's boxes of Latin labels measure up to 1.27 font sizes high, of
// Korean, Japanese and Chinese ones (from the CJK fallback font) 1.43; with a pixel or two to spare for the
// margins plotly.js rounds (style.LINE_HEIGHT, 1.25, is the files').
const WIDE_TEXT = /[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;
function lineHeight(labels) {
  return labels.some((label) => WIDE_TEXT.test(label)) ? 1.5 : 1.3;
}

function labelsFit(labels, across, down, size, angle, family) {
  const line = lineHeight(labels) * size;
  if (down !== null && down < line) return false;
  if (across === null) return true;
  if (angle === 0) return Math.max(0, ...labels.map((l) => textWidth(l, size, family))) + GAP * size <= across;
  return (angle === -45 ? SLANT : 1) * across >= line;
}

// The size, angle and step for labels ``across`` px apart side by side (columns; null: rows only) and rows
// ``down`` px apart (null: columns only), from ``normal`` px down to ``smallest``.
function labelRule(labels, across, down, normal, smallest, family, angles = [0, -45, -90]) {
  const sizes = [];
  for (let s = normal; s >= smallest; s--) sizes.push(s);
  const readable = sizes.filter((s) => s >= SHRINK * normal);
  const tries = [
    ...readable.flatMap((s) => angles.filter((a) => a !== -90).map((a) => [s, a])),
    ...(angles.includes(-90) ? sizes.map((s) => [s, -90]) : []),
    ...sizes.filter((s) => !readable.includes(s)).flatMap((s) => angles.filter((a) => a !== -90).map((a) => [s, a])),
  ];
  for (let step = 1; step <= Math.max(labels.length, 1); step++) {
    const shown = labels.filter((_, i) => i % step === 0);
    for (const [size, angle] of tries) {
      const a = across === null ? null : across * step;
      const d = down === null ? null : down * step;
      if (labelsFit(shown, a, d, size, angle, family)) return { size, angle, step };
    }
  }
  return { size: smallest, angle: -90, step: Math.max(labels.length, 1) };
}

// The figure's tick labels for the plot it will have: ``width`` × ``layout.height`` px less the margins its labels
// and colour bars need. The margins follow the labels (a slanted label needs more room above), so the rule runs
// again on the margins of its own choice until they settle.
function fitLabelsToScreen(figure, width, fontScale, family, right) {
  const normal = { x: figure.layout.xaxis.tickfont.size };
  for (let round = 0; round < 3; round++) {
    const trial = { data: figure.data, layout: JSON.parse(JSON.stringify(figure.layout)) };
    fitMarginsAndTitles(trial, family);
    const { l, t, b } = trial.layout.margin;
    // the colour bars' end numbers stand half a line past the plot, above and below: plotly.js adds that room
    const overhang = figure.layout.font.size || normal.x;
    const height = figure.layout.height - t - b - overhang;
    const changed = applyLabelRule(figure, width - l - right, height, normal.x, fontScale, family);
    if (!changed) return;
  }
}

function applyLabelRule(figure, w, h, normal, fontScale, family) {
  const { layout, data } = figure;
  const span = (axis, length) => length * ((axis.domain || [0, 1])[1] - (axis.domain || [0, 1])[0]);
  const [grid, strip] = data;
  const { xaxis, yaxis, xaxis2, yaxis2 } = layout;
  const before = JSON.stringify([xaxis, yaxis, xaxis2, yaxis2]);
  const smallest = Math.max(Math.round(MIN_TICK * fontScale), 1);
  const columns = [...grid.x];
  const rows = [...grid.y];
  const across = span(xaxis, w) / Math.max(columns.length, 1);
  const down = span(yaxis, h) / Math.max(rows.length, 1);
  // rows and columns share one size and step
  const byRows = labelRule(rows, null, down, normal, smallest, family);
  const rule = labelRule(columns, across, null, byRows.size, smallest, family);
  rule.step = Math.max(rule.step, byRows.step);
  for (const axis of [xaxis, yaxis]) Object.assign(axis, { tickfont: { ...axis.tickfont, size: rule.size }, dtick: rule.step });
  xaxis.tickangle = rule.angle;
  if (xaxis2 && xaxis2.matches === "x") Object.assign(xaxis2, { tickfont: xaxis.tickfont, dtick: rule.step, tickangle: rule.angle });
  if (yaxis2 && yaxis2.matches === "y") Object.assign(yaxis2, { tickfont: yaxis.tickfont, dtick: rule.step });
  if (strip) {
    // the output strip's component names: one under another (the lecture's layout) or side by side
    const names = [...(yaxis2.matches ? strip.x : strip.y)];
    const axis = yaxis2.matches ? xaxis2 : yaxis2;
    const room = yaxis2.matches ? [span(xaxis2, w) / names.length, null] : [null, span(yaxis2, h) / names.length];
    const own = labelRule(names, ...room, Math.min(normal, rule.size), smallest, family, [0]);
    Object.assign(axis, { tickfont: { ...axis.tickfont, size: own.size }, dtick: own.step });
  }
  // a colour bar as short as the strip keeps to the numbers it has room for, two lines apart
  const font = layout.font.size || normal;
  for (const trace of data) {
    if (trace.colorbar) trace.colorbar.nticks = Math.max(2, Math.floor((h * (trace.colorbar.len || 1)) / (2.5 * font)));
  }
  return JSON.stringify([xaxis, yaxis, xaxis2, yaxis2]) !== before;
}

// ---- the controls -------------------------------------------------------------------------

// The temperature slider is logarithmic (0.1 to 10 has 1 in the middle): as fine near 1 as near 0.1.
// Its limits are the setting's own (chrome.temperature_range, from attention/settings.py).
const T_STEPS = 400;
function toPosition(t, [low, high]) {
  return Math.round((T_STEPS * Math.log(t / low)) / Math.log(high / low));
}
function toTemperature(p, [low, high]) {
  return Number((low * Math.pow(high / low, p / T_STEPS)).toPrecision(2));
}

// One control per display setting, in the server's order (attention/heatmap.py's DISPLAY_FIELDS), of the
// kind its value asks for: a number the temperature's slider, or a slider of whole numbers from 0 to its
// chrome.ranges' end (the compare chart's layer and head of B); a name (the colours) a menu, a switch a box.
function buildControls(live, fields, display) {
  const bar = document.createElement("div");
  bar.className = "attention-live-controls";
  for (const name of fields) {
    const label = document.createElement("label");
    label.dataset.setting = name;
    bar.appendChild(label);
    const last = (live.chrome.ranges || {})[name];
    if (last !== undefined) {
      label.innerHTML = `<span class="name"></span> <input type="range" min="0" max="${last}" step="1"> <output></output>`;
      const slider = label.querySelector("input");
      slider.addEventListener("input", () => live.change({ [name]: Number(slider.value) }, false));
      slider.addEventListener("change", () => live.change({ [name]: Number(slider.value) }, true));
    } else if (typeof display[name] === "number") {
      label.innerHTML = `<span class="name"></span> <input type="range" min="0" max="${T_STEPS}" step="1"> <output></output>`;
      const slider = label.querySelector("input");
      const valueAt = () => toTemperature(Number(slider.value), live.chrome.temperature_range);
      slider.addEventListener("input", () => live.change({ [name]: valueAt() }, false));
      slider.addEventListener("change", () => live.change({ [name]: valueAt() }, true));
    } else if (typeof display[name] === "string") {
      label.innerHTML = `<span class="name"></span> <select></select>`;
      const menu = label.querySelector("select");
      menu.addEventListener("change", () => live.change({ [name]: menu.value }, true));
    } else {
      label.innerHTML = `<input type="checkbox"> <span class="name"></span>`;
      const box = label.querySelector("input");
      box.addEventListener("change", () => live.change({ [name]: box.checked }, true));
    }
  }
  return bar;
}

function showControls(live) {
  const { display, chrome } = live;
  live.bar.style.fontSize = `${0.9 * Math.sqrt(chrome.font_scale || 1)}rem`; // a little larger on a projector
  for (const label of live.bar.querySelectorAll("label")) {
    const name = label.dataset.setting;
    label.querySelector(".name").textContent = chrome.labels[name];
    label.title = (chrome.help && chrome.help[name]) || "";
    const input = label.querySelector("input, select");
    if (chrome.ranges && name in chrome.ranges) {
      input.max = String(chrome.ranges[name]);
      input.value = String(display[name]);
      label.querySelector("output").textContent = String(display[name]);
    } else if (input.type === "range") {
      input.value = toPosition(display[name], chrome.temperature_range);
      label.querySelector("output").textContent = display[name].toFixed(2);
    } else if (input.tagName === "SELECT") {
      if (input.options.length !== chrome.colors.length) {
        input.replaceChildren(...chrome.colors.map((c) => new Option(c, c)));
      }
      input.value = display[name];
    } else {
      input.checked = Boolean(display[name]);
    }
  }
}

// ---- one live chart -----------------------------------------------------------------------

// The live heatmap: one chart under its controls. The compare chart (compare_chart.js) extends it with two
// more; ``figures()`` says what to draw where, the rest (the controls, the server, plotly.js) is the same.
class LiveChart {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "attention-live";
    this.bar = null; // the controls, made when the first data names the settings
    // the element that records how many were drawn in all (data-draws), the display drawn (data-display) and,
    // for the benchmark only, the latest drawings' timings
    this.chart = document.createElement("div");
    this.chart.className = "attention-live-chart";
    this.chart.drawTimings = [];
    this.chart.dataset.draws = "0";
    this.root.append(this.chart);
    parent.appendChild(this.root);
    this.sent = []; // displays sent to the server: when one comes back, it is our own echo
    this.drawing = false;
    this.pending = false;
    this.removed = false;
    this.fitToSlot = false; // whether a figure wider than its element is drawn narrower, its labels refitted
  }

  // What to draw, as [{chart, figure, config}]: the chart's element, its figure under this display, and its
  // Plotly config (the chrome's, whose camera button saves the file the page names)
  figures() {
    return [{ chart: this.chart, figure: render(this.data, this.display), config: this.chrome.config }];
  }

  // The component is unmounted: free plotly.js's hold on the charts (their listeners, their WebGL and SVG).
  remove() {
    this.removed = true;
    if (window.Plotly) for (const chart of this.root.querySelectorAll(".js-plotly-plot")) window.Plotly.purge(chart);
    this.root.remove();
  }

  // A render from Streamlit: new bytes, or the same ones after a rerun; or the bytes of a new sentence the
  // chart asked for (live_heatmap.js: ``asked``, when and how long the server took), ahead of its rerun.
  update(bytes, setStateValue, asked = null) {
    this.setStateValue = setStateValue;
    const [head, at] = readJson(bytes, 0);
    const payload = bytes.subarray(at);
    let redraw = false;
    const chrome = JSON.stringify(head.chrome);
    if (chrome !== this.chromeJson) {
      this.chrome = head.chrome;
      this.chromeJson = chrome;
      redraw = true;
    }
    if (!sameBytes(payload, this.payload)) {
      this.receivedAt = performance.now();
      this.asked = asked;
      this.payload = payload.slice();
      this.data = this.unpack(this.payload);
      redraw = true;
    }
    const incoming = JSON.stringify(head.display);
    // the server's settings win unless they are an echo of what this chart sent (the slider may be further on)
    if (!this.display || (incoming !== this.incoming && !this.sent.includes(incoming))) {
      this.display = head.display;
      redraw = true;
    }
    this.incoming = incoming;
    const fields = JSON.stringify([head.fields, head.chrome.ranges]);
    if (fields !== this.fieldsJson) {
      // the controls the server names (the compare chart's change with what the sides differ in)
      this.fieldsJson = fields;
      const bar = buildControls(this, head.fields, this.display);
      if (this.bar) this.bar.replaceWith(bar);
      else this.root.prepend(bar);
      this.bar = bar;
    }
    showControls(this);
    if (redraw) this.schedule(true);
  }

  unpack(payload) {
    return unpack(payload);
  }

  // A control moved: draw at once; with ``commit`` (a drag ended, a box clicked), tell the server once drawn.
  change(values, commit) {
    this.commit = this.commit || commit;
    if (Object.entries(values).every(([name, value]) => this.display[name] === value)) {
      if (!this.drawing) this.tell(); // a drag ends where the last 'input' already drew
      return;
    }
    this.display = { ...this.display, ...values };
    this.changedAt = this.changedAt || performance.now();
    showControls(this);
    this.schedule();
  }

  // The server keeps the settings for the link and the downloads. It is told after the drawing, so that
  // its rerun (and the page's own work on it) does not hold up the picture.
  tell() {
    if (!this.commit || !this.setStateValue) return;
    this.commit = false;
    this.sent = [...this.sent.slice(-20), JSON.stringify(this.display)];
    this.setStateValue("display", this.display);
  }

  // Call ``then`` once the drawing under way (or none) has been painted.
  afterDrawing(then) {
    if (this.drawing) (this.painted = this.painted || []).push(then);
    else requestAnimationFrame(() => setTimeout(then, 0));
  }

  // Draw at the next frame (``now``: at once, for the server's new bytes), or right after the drawing
  // under way: a dragged slider skips the values it passed.
  schedule(now = false) {
    if (this.drawing) {
      this.pending = true;
      return;
    }
    this.drawing = true;
    if (now) queueMicrotask(() => this.draw());
    else requestAnimationFrame(() => this.draw());
  }

  async draw() {
    try {
      const Plotly = await loadPlotly();
      if (this.removed) return;
      const started = performance.now();
      const drawings = this.figures();
      const computed = performance.now();
      let layoutMs = 0;
      let plotMs = 0;
      const missing = new Set();
      for (const { chart, figure, config } of drawings) {
        const laying = performance.now();
        const drawn = this.layOut(chart, figure, config);
        const laid = performance.now();
        await Plotly.react(chart, figure.data, figure.layout, drawn);
        if (config && config.toImageButtonOptions) {
          plotlyPrivate.drawnConfig(chart).toImageButtonOptions.filename = config.toImageButtonOptions.filename;
        }
        for (const name of plotlyPrivate.missing(chart)) missing.add(name);
        layoutMs += laid - laying;
        plotMs += performance.now() - laid;
      }
      this.chart.dataset.plotlyPrivate = [...missing].join("; ");
      this.chart.dataset.display = JSON.stringify(this.display);
      const [changedAt, receivedAt, asked] = [this.changedAt, this.receivedAt, this.asked];
      this.changedAt = this.receivedAt = this.asked = null;
      if (this.chrome.timings) {
        // only for the benchmark and the tests (ATTENTION_DRAW_TIMINGS=1 on the server; never in production):
        // how long the arithmetic and plotly.js took, and from the control's event to the first frame painted
        // after the drawing (the next animation frame, then the end of its task)
        const plotted = performance.now();
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const painted = performance.now();
        const timings = this.chart.drawTimings;
        timings.push({
          at: painted,
          computeMs: computed - started, // the softmax and the figures
          layoutMs, // fonts, margins, sizes
          plotMs, // Plotly.react
          paintMs: painted - plotted,
          sinceChangeMs: changedAt ? painted - changedAt : null,
          sinceDataMs: receivedAt ? painted - receivedAt : null, // new bytes from the server to the painted frame
          // a new sentence asked ahead of its rerun: from the Enter to its bytes, and the server's part of that
          askMs: asked ? receivedAt - asked.at : null,
          askServerMs: asked ? asked.serverMs : null,
        });
        timings.splice(0, timings.length - KEPT_DRAWS);
      }
      this.chart.dataset.draws = String(Number(this.chart.dataset.draws) + 1);
    } catch (error) {
      this.chart.textContent = String(error);
      throw error;
    } finally {
      this.drawing = false;
      for (const then of this.painted || []) requestAnimationFrame(() => setTimeout(then, 0));
      this.painted = null;
      if (this.removed) {
        // unmounted meanwhile: nothing more to draw or tell
      } else if (this.pending) {
        this.pending = false;
        this.schedule();
      } else {
        this.tell();
      }
    }
  }

  // The figure as the page shows it (the app's font and colours, the screen's size, measured margins), and the
  // config to draw it with
  layOut(chart, figure, config) {
    const layout = figure.layout;
    const page = getComputedStyle(this.root); // the app's font and text colour (light or dark theme)
    layout.font = { ...layout.font, family: page.fontFamily, color: page.color };
    if (this.chrome.dark) layout.plot_bgcolor = layout.paper_bgcolor = "rgba(0,0,0,0)";
    this.root.classList.toggle("present", Boolean(this.chrome.stretch)); // a projector's (webapp/presentation.css)
    const right = () => (plotlyPrivate.lastLayout(chart) || {})._size?.r ?? 110 * (this.chrome.font_scale || 1);
    if (this.chrome.stretch) {
      // on a projector the whole figure, grid and output strip, stands on the screen without scrolling
      delete layout.width;
      layout.autosize = true;
      layout.height = fitHeight(chart, layout.height);
      fitLabelsToScreen(figure, chart.clientWidth || window.innerWidth, this.chrome.font_scale || 1, layout.font.family, right());
    } else if (this.fitToSlot && chart.clientWidth && layout.width > chart.clientWidth) {
      // a compare chart's side narrower than drawn for (a small screen): the labels fit the cells there are
      layout.width = chart.clientWidth;
      fitLabelsToScreen(figure, layout.width, this.chrome.font_scale || 1, layout.font.family, right());
    }
    fitMarginsAndTitles(figure, layout.font.family);
    const drawn = { ...config, responsive: this.chrome.stretch };
    // The camera button's file name follows the sentences. plotly.js draws a figure whose config changed
    // from scratch (newPlot, then react again), so the drawing keeps the name it had and then takes the new one.
    const saving = drawn.toImageButtonOptions;
    const before = plotlyPrivate.drawnConfig(chart);
    const named = before && before.toImageButtonOptions;
    if (saving && named) drawn.toImageButtonOptions = { ...saving, filename: named.filename };
    foretellMargins(chart, layout);
    return drawn;
  }
}
