// The live attention heatmap (a Streamlit component, v2 API).
//
// The server sends the raw scores q·k once (see attention/live.py for the bytes). Here, in the
// browser, the display settings turn them into the picture: temperature and √d_k scaling (the
// softmax), transposing, numbers in cells and colours. A change redraws at once, and the
// temperature slider redraws while it is dragged; the new settings then go to the server, which
// keeps them for the link and the downloads.

const PLOTLY_FILE = "app/static/plotly.min.js"; // served by the app itself: a classroom may be offline

// One plotly.js for the whole page, loaded once (window-wide: every instance shares it).
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.attentionPlotlyLoading) {
    window.attentionPlotlyLoading = new Promise((resolve, reject) => {
      const path = window.location.pathname;
      const script = document.createElement("script");
      script.src = window.location.origin + path.slice(0, path.lastIndexOf("/") + 1) + PLOTLY_FILE;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.attentionPlotlyLoading = null;
        reject(new Error("plotly.js could not be loaded from " + script.src));
      };
      document.head.appendChild(script);
    });
  }
  return window.attentionPlotlyLoading;
}

// ---- the bytes from the server -------------------------------------------------------------

function readJson(bytes, at) {
  const length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(at + 4, at + 4 + length)));
  return [json, at + 4 + length];
}

function unpack(bytes) {
  const [header, start] = readJson(bytes, 0);
  const arrays = {};
  for (const item of header.arrays) {
    const count = item.shape.reduce((a, b) => a * b, 1);
    const Type = item.dtype === "float64" ? Float64Array : Uint8Array;
    const from = start + item.offset;
    // a copy, so that the array starts on an 8-byte boundary of its own buffer
    arrays[item.name] = new Type(bytes.slice(from, from + count * Type.BYTES_PER_ELEMENT).buffer);
  }
  return { header, arrays };
}

function sameBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- attention: the same step 3 as attention/core.py's attention_weights --------------------

// weights[i][j] = softmax_j((scores[i][j] - top_i) * scale / temperature) over the allowed keys
function attentionWeights(scores, allowed, nQ, nK, scale, temperature) {
  const weights = new Float64Array(nQ * nK);
  const scaled = new Float64Array(nQ * nK);
  const factor = scale / temperature;
  for (let i = 0; i < nQ; i++) {
    const row = i * nK;
    let top = -Infinity;
    for (let j = 0; j < nK; j++) if (!allowed || allowed[row + j]) top = Math.max(top, scores[row + j]);
    let sum = 0;
    for (let j = 0; j < nK; j++) {
      const ok = !allowed || allowed[row + j];
      scaled[row + j] = ok ? scores[row + j] * factor : -Infinity;
      const e = ok ? Math.exp((scores[row + j] - top) * factor) : 0;
      weights[row + j] = e;
      sum += e;
    }
    for (let j = 0; j < nK; j++) weights[row + j] /= sum;
  }
  return { weights, scaled };
}

// outputs = weights @ basis: (nQ, nK) @ (nK, m) -> (nQ, m)
function outputs(weights, basis, nQ, nK, m) {
  const out = new Float64Array(nQ * m);
  for (let i = 0; i < nQ; i++)
    for (let j = 0; j < nK; j++) {
      const w = weights[i * nK + j];
      if (w === 0) continue;
      for (let c = 0; c < m; c++) out[i * m + c] += w * basis[j * m + c];
    }
  return out;
}

// rows of a (rows, cols) matrix, or of its transpose, as Plotly's z
function grid(flat, rows, cols, transpose) {
  const z = [];
  if (!transpose) {
    for (let r = 0; r < rows; r++) z.push(flat.subarray(r * cols, (r + 1) * cols));
  } else {
    for (let c = 0; c < cols; c++) {
      const line = new Float64Array(rows);
      for (let r = 0; r < rows; r++) line[r] = flat[r * cols + c];
      z.push(line);
    }
  }
  return z;
}

function hoverData(scores, scaled, nQ, nK, transpose) {
  const custom = [];
  const [rows, cols] = transpose ? [nK, nQ] : [nQ, nK];
  for (let r = 0; r < rows; r++) {
    const line = new Array(cols);
    for (let c = 0; c < cols; c++) {
      const at = transpose ? c * nK + r : r * nK + c;
      line[c] = [scores[at], scaled[at]];
    }
    custom.push(line);
  }
  return custom;
}

// Python's f"{x:g}" for the temperatures a slider gives
function formatG(x) {
  return String(Number(x.toPrecision(6)));
}

// ---- the figure ---------------------------------------------------------------------------

function figureFor(data, display) {
  const { header, arrays } = data;
  const { n_q: nQ, n_k: nK, d_k: dK, text } = header;
  const scale = display.scale ? 1 / Math.sqrt(dK) : 1;
  const { weights, scaled } = attentionWeights(arrays.scores, arrays.allowed, nQ, nK, scale, display.temperature);
  const figure = structuredClone(header.figures[display.transpose ? "transposed" : "lecture"]);
  const weightsTrace = figure.data[0];
  // the lecture draws one column per query: z is weights transposed
  weightsTrace.z = grid(weights, nQ, nK, !display.transpose);
  weightsTrace.customdata = hoverData(arrays.scores, scaled, nQ, nK, !display.transpose);
  // 0 to 1, or fitted to the weights shown (attention/figures.py's weight_range)
  let high = 1;
  let low = 0;
  if (display.fit_colors) {
    high = -Infinity;
    low = Infinity;
    for (let i = 0; i < weights.length; i++) {
      high = Math.max(high, weights[i]);
      if (!arrays.allowed || arrays.allowed[i]) low = Math.min(low, weights[i]);
    }
  }
  weightsTrace.zmin = low;
  weightsTrace.zmax = high > low ? high : low + 1e-9;
  weightsTrace.colorscale = header.colorscales[display.colors] || header.colorscales.Blues;
  if (display.fit_colors) {
    weightsTrace.colorbar.title.text = text.weight_fitted
      .replace(text.low, low.toFixed(2))
      .replace(text.high, high.toFixed(2));
  }
  let scaling = display.scale ? text.scale_sqrt : text.scale_other;
  if (display.temperature !== 1) scaling += text.temperature.replace("{}", formatG(display.temperature));
  weightsTrace.hovertemplate = weightsTrace.hovertemplate.replace(text.scaling, scaling);
  if (display.show_values) weightsTrace.texttemplate = "%{z:.2f}";
  if (arrays.basis) {
    const m = arrays.basis.length / nK;
    const out = outputs(weights, arrays.basis, nQ, nK, m);
    let limit = 0;
    for (let i = 0; i < out.length; i++) limit = Math.max(limit, Math.abs(out[i]));
    limit = limit || 1;
    const strip = figure.data[1];
    strip.z = grid(out, nQ, m, !display.transpose);
    strip.zmin = -limit;
    strip.zmax = limit;
  }
  return figure;
}

// ---- room for the labels ------------------------------------------------------------------

const canvas = document.createElement("canvas").getContext("2d");
const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#x27;": "'" };

function textWidth(text, size, family) {
  canvas.font = `${size}px ${family}`;
  return canvas.measureText(String(text).replace(/&(lt|gt|amp|quot|#x27);/g, (e) => ENTITIES[e])).width;
}

// plotly.js's automargin draws a figure twice to find the room its labels take; the live chart is
// redrawn on every change, so it measures its labels here instead and gives the margins at once.
function fitMargins(figure, family) {
  const { layout, data } = figure;
  const room = { l: 0, t: 0, b: 0 };
  for (const name of Object.keys(layout).filter((key) => /^[xy]axis\d*$/.test(key))) {
    const axis = layout[name];
    if (!axis.automargin) continue;
    axis.automargin = false;
    const letter = name[0];
    const id = letter + name.slice(5); // "xaxis2" -> "x2"
    const size = axis.tickfont.size;
    const labels = axis.showticklabels === false ? [] : data.filter((t) => (t[`${letter}axis`] || letter) === id).flatMap((t) => t[letter]);
    const widest = Math.max(0, ...labels.map((label) => textWidth(label, size, family)));
    const title = axis.title && axis.title.text ? axis.title.font.size * 1.6 : 0;
    if (letter === "y") {
      room.l = Math.max(room.l, widest + title + 14);
    } else {
      const angle = (Math.abs(axis.tickangle || 0) * Math.PI) / 180;
      const high = angle ? widest * Math.sin(angle) + size * Math.cos(angle) : size * 1.3;
      const side = axis.side === "top" ? "t" : "b";
      room[side] = Math.max(room[side], high + title + 14);
    }
  }
  for (const side of ["l", "t", "b"]) layout.margin[side] = Math.max(layout.margin[side], Math.ceil(room[side]));
}

// The height left on the screen below the chart's top (the page scrolled to its top), between
// MIN_HEIGHT and the figure's own height.
const MIN_HEIGHT = 320;
function fitHeight(chart, height) {
  const top = chart.getBoundingClientRect().top + window.scrollY;
  return Math.round(Math.max(MIN_HEIGHT, Math.min(height, window.innerHeight - top - 12)));
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

function buildControls(live) {
  const bar = document.createElement("div");
  bar.className = "attention-live-controls";
  const field = (name, html) => {
    const label = document.createElement("label");
    label.dataset.setting = name;
    label.innerHTML = html;
    bar.appendChild(label);
    return label;
  };
  const temperature = field("temperature", `<span class="name"></span> <input type="range" min="0" max="${T_STEPS}" step="1"> <output></output>`);
  const toggles = ["scale", "transpose", "show_values", "fit_colors"].map((name) =>
    field(name, `<input type="checkbox"> <span class="name"></span>`),
  );
  const colors = field("colors", `<span class="name"></span> <select></select>`);
  const slider = temperature.querySelector("input");
  const temperatureAt = () => toTemperature(Number(slider.value), live.chrome.temperature_range);
  slider.addEventListener("input", () => live.change({ temperature: temperatureAt() }, false));
  slider.addEventListener("change", () => live.change({ temperature: temperatureAt() }, true));
  for (const label of toggles) {
    const box = label.querySelector("input");
    box.addEventListener("change", () => live.change({ [label.dataset.setting]: box.checked }, true));
  }
  const menu = colors.querySelector("select");
  menu.addEventListener("change", () => live.change({ colors: menu.value }, true));
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
    if (name === "temperature") {
      input.value = toPosition(display.temperature, chrome.temperature_range);
      label.querySelector("output").textContent = display.temperature.toFixed(2);
    } else if (name === "colors") {
      if (input.options.length !== chrome.colors.length) {
        input.replaceChildren(...chrome.colors.map((c) => new Option(c, c)));
      }
      input.value = display.colors;
    } else {
      input.checked = Boolean(display[name]);
    }
  }
}

// ---- one live chart -----------------------------------------------------------------------

class LiveChart {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "attention-live";
    this.bar = buildControls(this);
    this.chart = document.createElement("div");
    this.chart.className = "attention-live-chart";
    this.root.append(this.bar, this.chart);
    parent.appendChild(this.root);
    this.sent = []; // displays sent to the server: when one comes back, it is our own echo
    this.drawing = false;
    this.pending = false;
    window.attentionLiveDraws = window.attentionLiveDraws || [];
  }

  // A render from Streamlit: new bytes, or the same ones after a rerun.
  update(bytes, setStateValue) {
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
      this.payload = payload.slice();
      this.data = unpack(this.payload);
      redraw = true;
    }
    const incoming = JSON.stringify(head.display);
    // the server's settings win unless they are an echo of what this chart sent (the slider may be further on)
    if (!this.display || (incoming !== this.incoming && !this.sent.includes(incoming))) {
      this.display = head.display;
      redraw = true;
    }
    this.incoming = incoming;
    showControls(this);
    if (redraw) this.schedule(true);
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
      const started = performance.now();
      const figure = figureFor(this.data, this.display);
      const computed = performance.now();
      const layout = figure.layout;
      const page = getComputedStyle(this.root); // the app's font and text colour (light or dark theme)
      layout.font = { ...layout.font, family: page.fontFamily, color: page.color };
      fitMargins(figure, layout.font.family);
      if (this.chrome.dark) layout.plot_bgcolor = layout.paper_bgcolor = "rgba(0,0,0,0)";
      this.root.classList.toggle("present", Boolean(this.chrome.stretch)); // see live_chart.css
      if (this.chrome.stretch) {
        // on a projector the whole figure, grid and output strip, stands on the screen without scrolling
        delete layout.width;
        layout.autosize = true;
        layout.height = fitHeight(this.chart, layout.height);
      }
      const config = { ...this.chrome.config, responsive: this.chrome.stretch };
      await Plotly.react(this.chart, figure.data, layout, config);
      this.chart.dataset.display = JSON.stringify(this.display);
      const plotted = performance.now();
      const [changedAt, receivedAt] = [this.changedAt, this.receivedAt];
      this.changedAt = this.receivedAt = null;
      // for the benchmark: how long the arithmetic and plotly.js took, and from the control's event to
      // the first frame painted after the drawing (the next animation frame, then the end of its task)
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const painted = performance.now();
      window.attentionLiveDraws.push({
        at: painted,
        computeMs: computed - started,
        plotMs: plotted - computed,
        paintMs: painted - plotted,
        sinceChangeMs: changedAt ? painted - changedAt : null,
        sinceDataMs: receivedAt ? painted - receivedAt : null, // new bytes from the server to the painted frame
      });
    } catch (error) {
      this.chart.textContent = String(error);
      throw error;
    } finally {
      this.drawing = false;
      if (this.pending) {
        this.pending = false;
        this.schedule();
      } else {
        this.tell();
      }
    }
  }
}

export default function ({ data, parentElement, setStateValue }) {
  if (!data) {
    // mounted without data early in the page: start loading plotly.js while the server loads the model
    loadPlotly().catch(() => {}); // a failure shows where the chart would be, when one is drawn
    return;
  }
  parentElement.attentionLive = parentElement.attentionLive || new LiveChart(parentElement);
  parentElement.attentionLive.update(data instanceof Uint8Array ? data : new Uint8Array(data), setStateValue);
}
