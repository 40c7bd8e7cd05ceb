// The Next Word page's live part (a Streamlit component, v2 API): the next-token bars, the causal map of
// one head, what the last token looks at in every head, and which heads look at a clicked cell.
//
// The server sends, once per prompt, every head's map and the next token's 49,152 logits (see
// attention/next_word.py's payload for the bytes). Everything the controls change is drawn here, in the
// browser: the layer, the head or the layer's average redraw the map; the temperature, top-k and top-p
// reshape the bars (nextTokenDistribution, the same rule as attention/decoder.py's
// next_token_distribution, and tested against it). Once the picture is drawn, the new choice goes to the
// server, a moment later, so that the link and the downloads follow.

const TELL_AFTER_MS = 400; // the server hears of a change once the controls rest this long

// loadPlotly, the payload's bytes (unpackPayload, decodeMaps) and the maps (headMap, weightAt) are
// webapp/head_maps.js's, which webapp/next_word_chart.py puts in front of this file, as one module.

// ---- the numbers --------------------------------------------------------------------------

// The most likely tokens first; ties keep the lower id first (numpy's stable argsort of -logits).
function ranking(logits) {
  const order = Array.from(logits.keys());
  order.sort((a, b) => logits[b] - logits[a] || a - b);
  return Int32Array.from(order);
}

function softmaxKept(logits, kept, temperature) {
  let top = -Infinity;
  for (let i = 0; i < logits.length; i++) if (kept[i]) top = Math.max(top, logits[i] / temperature);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = kept[i] ? Math.exp(logits[i] / temperature - top) : 0;
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

// The probabilities the next token is drawn from: temperature (0: greedy), then top-k (0 or null: off),
// then top-p (null or 1: off), as attention/decoder.py's next_token_distribution does.
export function nextTokenDistribution(logits, temperature, topK, topP, order = null) {
  const scores = Float64Array.from(logits);
  order = order || ranking(scores);
  if (temperature === 0) {
    const greedy = new Float64Array(scores.length);
    greedy[order[0]] = 1;
    return greedy;
  }
  const kept = new Uint8Array(scores.length).fill(1);
  if (topK) for (let r = topK; r < order.length; r++) kept[order[r]] = 0;
  let probabilities = softmaxKept(scores, kept, temperature);
  if (topP !== null && topP !== undefined && topP < 1) {
    let total = 0;
    for (let r = 0; r < order.length; r++) {
      const p = probabilities[order[r]];
      total += p;
      if (total - p >= topP) kept[order[r]] = 0; // the mass of the tokens ranked above reached top-p
    }
    probabilities = softmaxKept(scores, kept, temperature);
  }
  return probabilities;
}

// ---- words --------------------------------------------------------------------------------

function percent(p) {
  return `${(100 * p).toFixed(p >= 0.995 || p === 0 ? 0 : 1)}%`;
}

const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#x27;": "'" };
function unescaped(label) {
  return String(label).replace(/&(lt|gt|amp|quot|#x27);/g, (e) => ENTITIES[e]);
}

// ---- the figures --------------------------------------------------------------------------

// The masked cells (a key after its query) as one polygon: x the query's column, y the key's row
export function maskOutline(t) {
  const xs = [-0.5, -0.5];
  const ys = [t - 0.5, 0.5];
  for (let i = 0; i < t - 1; i++) {
    xs.push(i + 0.5, i + 0.5);
    ys.push(i + 0.5, i + 1.5);
  }
  xs.push(-0.5);
  ys.push(t - 0.5);
  return [xs, ys];
}

const MAX_PREDICTION_LABELS = 40; // attention/next_word.py's
const STAGGER_FROM = 12;

// about how wide the longest label is, in px (attention/style.py's tick_angle)
function widest(labels, size) {
  return Math.max(0, ...labels.map((label) => unescaped(label).length)) * size * 0.6;
}

// The column labels' angle: level where the widest fits its cell; slanted where neighbours stay a line apart
// across the slant (cell × sin 45° ≥ 1.3 lines); upright otherwise (a cell of 1.3 lines holds one line).
function columnLabelAngle(labels, size, cell) {
  if (widest(labels, size) <= cell) return 0;
  return cell * Math.SQRT1_2 >= 1.3 * size ? -45 : -90;
}

// The map of (layer, head) in the lecture's layout: z[key][query], null where the key is after the query
export function mapFigure(model, view, cell, fontScale) {
  const { words, sizes, tokens, predictions, colors } = model;
  const t = model.n_tokens;
  const head = view.decoder_average ? null : view.decoder_head;
  const weights = headMap(model, view.decoder_layer, head);
  const z = [];
  for (let k = 0; k < t; k++) {
    const row = new Array(t);
    for (let q = 0; q < t; q++) row[q] = k <= q ? weights[q * t + k] : null;
    z.push(row);
  }
  const ticks = [];
  for (let i = 0; i < t; i += sizes.step) ticks.push(i);
  const tickText = ticks.map((i) => tokens[i]);
  const predicted = predictions.map(([token, p]) => fill(words.predicted, { token, probability: percent(p) }));
  const custom = [];
  for (let k = 0; k < t; k++) custom.push(tokens.map((query, q) => [query, tokens[k], predicted[q]]));
  // the predictions under the columns while they can be read: alternating between two rows where the
  // columns are narrower than a word; beyond MAX_PREDICTION_LABELS tokens, or in tiny cells, in the hover only
  const labelled = t <= MAX_PREDICTION_LABELS && cell >= 14;
  const stagger = labelled && (t > STAGGER_FROM || cell < 44 * fontScale);
  const below = labelled ? (60 + 34 * stagger) * fontScale : 10;
  const annotations = labelled
    ? predictions.map(([token, p], i) => ({
        x: i,
        xref: "x",
        y: 0,
        yref: "paper",
        yanchor: "top",
        yshift: -6 - 34 * fontScale * (stagger && i % 2),
        text: `${token}<br>${percent(p)}`,
        showarrow: false,
        font: { size: sizes.prediction, color: colors.purple },
      }))
    : [];
  const [xs, ys] = maskOutline(t);
  const title = head === null ? fill(words.title_average, { layer: view.decoder_layer })
    : fill(words.title_head, { layer: view.decoder_layer, head });
  const axis = { tickfont: { size: sizes.tick }, automargin: true, showgrid: false, zeroline: false, tickvals: ticks, ticktext: tickText };
  return {
    data: [
      {
        type: "heatmap",
        z,
        x: [...Array(t).keys()],
        y: [...Array(t).keys()],
        zmin: 0,
        zmax: 1,
        colorscale: colors.weights,
        xgap: sizes.gap,
        ygap: sizes.gap,
        customdata: custom,
        hovertemplate: hover(`${words.query}: %{customdata[0]}`, `${words.key}: %{customdata[1]}`, `${words.weight} = %{z:.3f}`, "%{customdata[2]}"),
        hoverongaps: false,
        colorbar: { title: { text: words.weight, side: "right" }, thickness: 14, len: 0.6, y: 1, yanchor: "top" },
        name: words.weight,
        showlegend: false,
      },
      {
        type: "scatter",
        x: xs,
        y: ys,
        mode: "lines",
        fill: "toself",
        fillcolor: "rgba(0,0,0,0)",
        fillpattern: { shape: "/", fgcolor: colors.mask, bgcolor: "#f4f4f4", size: 8, solidity: 0.3 },
        line: { width: 0 },
        hoverinfo: "skip",
        name: words.masked,
        showlegend: true,
      },
    ],
    layout: {
      width: Math.round(t * cell + 300 * fontScale), // the key labels, the colour bar and the legend beside
      height: Math.round(t * cell + 200 + below),
      margin: { l: 10, r: 10, t: 10, b: 40 + below },
      plot_bgcolor: "white",
      font: { size: sizes.font },
      title: { text: title, font: { size: Math.round(15 * fontScale) }, yref: "container", y: 0.01, yanchor: "bottom", x: 0.02, xanchor: "left" },
      xaxis: { ...axis, side: "top", range: [-0.5, t - 0.5], tickangle: columnLabelAngle(tickText, sizes.tick, cell), title: { text: words.query_title } },
      yaxis: { ...axis, range: [t - 0.5, -0.5], title: { text: words.key_title } },
      legend: { x: 1.02, xanchor: "left", y: 0, yanchor: "bottom", font: { size: sizes.font } },
      annotations,
    },
  };
}

// The next-token bars under the sampling settings
function barsFigure(model, probabilities, fontScale) {
  const { words, colors } = model;
  const shown = [];
  for (let r = 0; r < model.top_ids.length && shown.length < model.n_bars; r++) {
    const p = probabilities[model.top_ids[r]];
    if (p > 0) shown.push([model.top_tokens[r], p]);
  }
  const size = Math.round(14 * fontScale);
  return {
    shown,
    figure: {
      data: [
        {
          type: "bar",
          orientation: "h",
          y: shown.map((_, r) => r), // by rank: two tokens may look alike
          x: shown.map(([, p]) => p),
          text: shown.map(([, p]) => percent(p)),
          textposition: "outside",
          cliponaxis: false,
          marker: { color: shown.map((_, r) => (r ? "#9e86c8" : colors.purple)) },
          customdata: shown.map(([token]) => token),
          hovertemplate: hover(`%{customdata}: %{x:.4f}`),
        },
      ],
      layout: {
        height: Math.round(60 + shown.length * 24 * fontScale),
        margin: { l: 10, r: 40, t: 10, b: 40 },
        font: { size },
        plot_bgcolor: "white",
        xaxis: {
          range: [0, 1.18],
          tickformat: ".0%",
          title: { text: words.probability, standoff: 6 },
          automargin: true,
          fixedrange: true,
          showgrid: true,
          gridcolor: "#eee",
        },
        yaxis: {
          autorange: "reversed",
          automargin: true,
          tickvals: shown.map((_, r) => r),
          ticktext: shown.map(([token]) => token),
          tickfont: { size: size + 2, family: "monospace" },
          fixedrange: true,
        },
        bargap: 0.25,
      },
    },
  };
}

// the chosen head's strip, outlined in purple (none for a layer's average)
function outline(model, view) {
  const step = model.n_tokens + 1;
  if (view.decoder_average) return [];
  const [x0, y0] = [view.decoder_head * step - 0.5, view.decoder_layer - 0.5];
  return [{ type: "rect", x0, x1: x0 + model.n_tokens, y0, y1: y0 + 1, line: { color: model.colors.purple, width: 3 } }];
}

// The last query's weights in every head: one strip per head, keys along it; layers down, heads across
function lastFigure(model, view, fontScale) {
  const { n_layers: nLayers, n_heads: nHeads, n_tokens: t, words, tokens, colors } = model;
  const step = t + 1;
  const z = [];
  const text = [];
  for (let l = 0; l < nLayers; l++) {
    const row = new Array(nHeads * step - 1).fill(null);
    const hovered = new Array(nHeads * step - 1).fill("");
    for (let h = 0; h < nHeads; h++) {
      for (let j = 0; j < t; j++) {
        row[h * step + j] = weightAt(model, l, h, t - 1, j);
        hovered[h * step + j] = `${words.layer} ${l}, ${words.head} ${h}<br>${words.key}: ${tokens[j]}`;
      }
    }
    z.push(row);
    text.push(hovered);
  }
  const shapes = outline(model, view);
  return {
    data: [
      {
        type: "heatmap",
        z,
        text,
        zmin: 0,
        zmax: 1,
        colorscale: colors.weights,
        hovertemplate: hover("%{text}", `${words.weight} = %{z:.3f}`),
        hoverongaps: false,
        ygap: 2,
        colorbar: { title: { text: words.weight, side: "right" }, thickness: 12 },
      },
    ],
    layout: {
      height: Math.round(nLayers * 16 * fontScale + 80),
      margin: { l: 10, r: 10, t: 40, b: 10 },
      font: { size: Math.round(12 * fontScale) },
      plot_bgcolor: "white",
      xaxis: { side: "top", tickvals: [...Array(nHeads).keys()].map((h) => h * step + (t - 1) / 2), ticktext: [...Array(nHeads).keys()].map((h) => `${words.head} ${h}`), showgrid: false, zeroline: false, automargin: true },
      yaxis: { autorange: "reversed", tickvals: [...Array(nLayers).keys()].filter((l) => l % 2 === 0), ticktext: [...Array(nLayers).keys()].filter((l) => l % 2 === 0).map((l) => `${words.layer} ${l}`), showgrid: false, zeroline: false, automargin: true },
      shapes,
    },
  };
}

// ---- the controls -------------------------------------------------------------------------

function element(tag, className, html) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (html !== undefined) node.innerHTML = html;
  return node;
}

class NextWordChart {
  constructor(parent) {
    this.root = element("div", "next-word");
    this.root.innerHTML = `
      <div class="nw-top">
        <div class="nw-bars-part">
          <div class="nw-heading" data-part="bars-title"></div>
          <div class="nw-controls nw-sampling">
            <label data-setting="next_temperature"><span class="name"></span> <input type="range"> <output></output></label>
            <label data-setting="top_k"><span class="name"></span> <input type="number" min="0" step="1"></label>
            <label data-setting="top_p"><span class="name"></span> <input type="range"> <output></output></label>
          </div>
          <div class="nw-bars"></div>
          <div class="nw-note" data-part="bars-note"></div>
        </div>
        <div class="nw-map-part">
          <div class="nw-heading" data-part="map-heading"></div>
          <div class="nw-controls nw-heads">
            <label data-setting="decoder_layer"><span class="name"></span> <select></select></label>
            <label data-setting="decoder_head"><span class="name"></span> <select></select></label>
            <label data-setting="decoder_average"><input type="checkbox"> <span class="name"></span></label>
          </div>
          <div class="nw-note nw-kv" data-part="kv"></div>
          <div class="nw-note" data-part="encoding"></div>
          <div class="nw-map"></div>
          <div class="nw-look">
            <div class="nw-heading" data-part="look-title"></div>
            <div class="nw-note" data-part="look"></div>
            <ol class="nw-look-list"></ol>
          </div>
        </div>
      </div>
      <div class="nw-last-part">
        <div class="nw-heading" data-part="last-title"></div>
        <div class="nw-note" data-part="last-caption"></div>
        <div class="nw-last"></div>
      </div>`;
    parent.appendChild(this.root);
    this.part = (name) => this.root.querySelector(`[data-part="${name}"]`);
    this.bars = this.root.querySelector(".nw-bars");
    this.map = this.root.querySelector(".nw-map");
    this.last = this.root.querySelector(".nw-last");
    this.map.dataset.draws = "0";
    this.bars.dataset.draws = "0";
    this.sent = [];
    this.removed = false;
    this.bindControls();
  }

  control(name) {
    return this.root.querySelector(`label[data-setting="${name}"]`);
  }

  bindControls() {
    const on = (name, event, read) =>
      this.control(name).querySelector("input, select").addEventListener(event, (e) => this.change({ [name]: read(e.target) }));
    on("next_temperature", "input", (input) => Number(input.value));
    on("top_k", "change", (input) => Math.max(0, Math.round(Number(input.value) || 0)));
    on("top_p", "input", (input) => Number(input.value));
    on("decoder_layer", "change", (input) => Number(input.value));
    on("decoder_head", "change", (input) => Number(input.value));
    on("decoder_average", "change", (input) => input.checked);
  }

  remove() {
    this.removed = true;
    clearTimeout(this.timer);
    if (window.Plotly) for (const div of [this.bars, this.map, this.last]) window.Plotly.purge(div);
    this.root.remove();
  }

  update(bytes, setStateValue) {
    this.setStateValue = setStateValue;
    const [head, at] = readJson(bytes, 0);
    const payload = bytes.subarray(at);
    const chrome = JSON.stringify(head.chrome);
    let whole = chrome !== this.chromeJson;
    this.chrome = head.chrome;
    this.chromeJson = chrome;
    if (payload.length !== (this.payloadLength || 0) || head.chrome.prompt_id !== this.promptId) {
      this.receivedAt = performance.now();
      this.promptId = head.chrome.prompt_id;
      this.payloadLength = payload.length;
      const data = unpackPayload(payload);
      data.values = decodeMaps(data);
      data.order = ranking(Float64Array.from(data.logits));
      this.model = data;
      whole = true;
    }
    const incoming = JSON.stringify(head.view);
    if (!this.view || (incoming !== this.incoming && !this.sent.includes(incoming))) {
      this.view = { ...head.view };
      whole = true;
    }
    this.incoming = incoming;
    if (whole) {
      this.showControls();
      this.look = null;
      // the bars and the map first; the 270 small strips after them, so that they do not hold up the map
      this.draw(["bars", "map"]).then(() => this.draw(["last"]));
    }
  }

  showControls() {
    const { words } = this.model;
    const { ranges } = this.chrome;
    const view = this.view;
    this.root.classList.toggle("present", Boolean(this.chrome.present));
    this.root.style.setProperty("--nw-font", `${0.9 * Math.sqrt(this.chrome.font_scale || 1)}rem`);
    const names = { next_temperature: words.temperature, top_k: words.top_k, top_p: words.top_p, decoder_layer: words.layer, decoder_head: words.head, decoder_average: words.average };
    for (const [name, label] of Object.entries(names)) this.control(name).querySelector(".name").textContent = label;
    const temperature = this.control("next_temperature").querySelector("input");
    Object.assign(temperature, { min: ranges.next_temperature[0], max: ranges.next_temperature[1], step: ranges.next_temperature[2] });
    temperature.value = view.next_temperature;
    temperature.title = words.greedy;
    const topP = this.control("top_p").querySelector("input");
    Object.assign(topP, { min: ranges.top_p[0], max: ranges.top_p[1], step: ranges.top_p[2] });
    topP.value = view.top_p;
    const topK = this.control("top_k").querySelector("input");
    topK.max = ranges.top_k[1];
    topK.value = view.top_k;
    const layer = this.control("decoder_layer").querySelector("select");
    if (layer.options.length !== this.model.n_layers) layer.replaceChildren(...[...Array(this.model.n_layers).keys()].map((l) => new Option(String(l), String(l))));
    layer.value = String(view.decoder_layer);
    const headMenu = this.control("decoder_head").querySelector("select");
    if (headMenu.options.length !== this.model.n_heads) headMenu.replaceChildren(...[...Array(this.model.n_heads).keys()].map((h) => new Option(String(h), String(h))));
    headMenu.value = String(view.decoder_head);
    headMenu.disabled = Boolean(view.decoder_average);
    this.control("decoder_average").querySelector("input").checked = Boolean(view.decoder_average);
    this.showOutputs();
    this.part("bars-title").textContent = words.bars_title;
    this.part("map-heading").textContent = words.map_heading;
    this.part("last-title").textContent = words.last_title;
    this.part("last-caption").textContent = words.last_caption;
    this.part("look-title").textContent = words.look_title;
    this.part("encoding").textContent = this.model.encoding === "uint8" ? words.encoding_uint8 : "";
  }

  showOutputs() {
    const { words, kv_heads: kv } = this.model;
    const view = this.view;
    this.control("next_temperature").querySelector("output").textContent =
      view.next_temperature === 0 ? words.greedy : view.next_temperature.toFixed(2);
    this.control("top_p").querySelector("output").textContent = view.top_p >= 1 ? words.off : view.top_p.toFixed(2);
    const head = view.decoder_head;
    const shared = kv.map((g, h) => [g, h]).filter(([g]) => g === kv[head]).map(([, h]) => h);
    this.part("kv").textContent = view.decoder_average ? "" : fill(words.kv_line, { head, kv: kv[head], shared: shared.join(", ") });
  }

  // A control moved: draw now, tell the server once the controls rest.
  change(values) {
    const changed = Object.keys(values).filter((name) => this.view[name] !== values[name]);
    if (!changed.length) return;
    this.view = { ...this.view, ...values };
    this.changedAt = performance.now();
    if (changed.includes("decoder_average")) this.control("decoder_head").querySelector("select").disabled = Boolean(this.view.decoder_average);
    this.showOutputs();
    const sampling = changed.some((name) => ["next_temperature", "top_k", "top_p"].includes(name));
    if (sampling) this.draw(["bars"]);
    else this.draw(["map"]).then(() => this.draw(["outline"])); // the small strips' outline after the map
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tell(), TELL_AFTER_MS);
  }

  tell() {
    if (this.removed || !this.setStateValue) return;
    const said = JSON.stringify(this.view);
    this.sent = [...this.sent.slice(-20), said];
    this.setStateValue("view", this.view);
  }

  choose(layer, head) {
    this.change({ decoder_layer: layer, decoder_head: head, decoder_average: false });
    this.control("decoder_layer").querySelector("select").value = String(layer);
    this.control("decoder_head").querySelector("select").value = String(head);
    this.control("decoder_average").querySelector("input").checked = false;
  }

  fit() {
    const scale = this.chrome.font_scale || 1;
    const t = this.model.n_tokens;
    let cell = this.model.sizes.cell;
    const room = this.map.clientWidth - 330; // the key labels, the colour bar and the mask's legend beside
    if (room > 0) cell = Math.min(cell, room / t);
    if (this.chrome.present) {
      // on a projector the map fits the screen's height where it can, but never below a cell that holds a
      // label (a map crushed to fit a short screen reads as nothing: the class scrolls instead)
      const top = this.map.getBoundingClientRect().top + window.scrollY;
      const labelled = t <= MAX_PREDICTION_LABELS ? 100 * scale : 10;
      // slanted labels a line apart, and room under each column for its prediction
      const readable = Math.min(cell, 2.2 * this.model.sizes.tick);
      cell = Math.max(readable, Math.min(cell, (window.innerHeight - top - 220 - labelled) / t));
    }
    return [Math.max(cell, 1), scale];
  }

  async draw(parts) {
    const Plotly = await loadPlotly();
    if (this.removed) return;
    const started = performance.now();
    const config = { ...this.chrome.config, responsive: false };
    const font = getComputedStyle(this.root);
    const style = (figure) => {
      figure.layout.font = { ...figure.layout.font, family: font.fontFamily, color: font.color };
      if (this.chrome.dark) figure.layout.plot_bgcolor = figure.layout.paper_bgcolor = "rgba(0,0,0,0)";
      return figure;
    };
    const [cell, scale] = this.fit();
    const jobs = [];
    if (parts.includes("bars")) {
      const view = this.view;
      const topK = view.top_k || null;
      const topP = view.top_p >= 1 ? null : view.top_p;
      const probabilities = nextTokenDistribution(this.model.logits, view.next_temperature, topK, topP, this.model.order);
      let kept = 0;
      for (let i = 0; i < probabilities.length; i++) if (probabilities[i] > 0) kept++;
      const { shown, figure } = barsFigure(this.model, probabilities, scale);
      this.part("bars-note").textContent = fill(this.model.words.bars_note, { kept: kept.toLocaleString(), total: probabilities.length.toLocaleString() });
      jobs.push(
        Plotly.react(this.bars, style(figure).data, figure.layout, { ...config, displayModeBar: false }).then(() => {
          this.bars.dataset.bars = JSON.stringify(shown.map(([token, p]) => [unescaped(token), p]));
          this.bars.dataset.view = JSON.stringify({ next_temperature: view.next_temperature, top_k: view.top_k, top_p: view.top_p });
          this.bars.dataset.draws = String(Number(this.bars.dataset.draws) + 1);
        }),
      );
    }
    if (parts.includes("map")) {
      const view = { ...this.view };
      const figure = style(mapFigure(this.model, view, cell, scale));
      jobs.push(
        Plotly.react(this.map, figure.data, figure.layout, config).then(() => {
          if (!this.map.clickBound) {
            this.map.on("plotly_click", (event) => this.showLook(event));
            this.map.clickBound = true;
          }
          this.map.dataset.view = JSON.stringify({ layer: view.decoder_layer, head: view.decoder_average ? null : view.decoder_head });
          this.map.dataset.draws = String(Number(this.map.dataset.draws) + 1);
        }),
      );
    }
    if (parts.includes("last")) {
      const figure = style(lastFigure(this.model, this.view, scale));
      jobs.push(
        Plotly.react(this.last, figure.data, figure.layout, { ...config, displayModeBar: false }).then(() => {
          if (!this.last.clickBound) {
            this.last.on("plotly_click", (event) => {
              const point = event.points[0];
              const step = this.model.n_tokens + 1;
              const head = Math.floor(point.x / step);
              if (point.x % step !== this.model.n_tokens) this.choose(point.y, head);
            });
            this.last.clickBound = true;
          }
        }),
      );
    }
    if (parts.includes("outline") && this.last.data) jobs.push(Plotly.relayout(this.last, { shapes: outline(this.model, this.view) }));
    await Promise.all(jobs);
    if (!this.look) this.part("look").textContent = fill(this.model.words.look_hint, { n: this.model.n_layers * this.model.n_heads });
    const done = performance.now();
    this.root.dataset.lastDrawMs = String(done - started);
    if (this.changedAt) this.root.dataset.sinceChangeMs = String(done - this.changedAt);
    if (this.receivedAt) this.root.dataset.sinceDataMs = String(done - this.receivedAt);
    this.changedAt = this.receivedAt = null;
  }

  // The five heads, of all L × H, with the most weight from the clicked cell's query on its key
  showLook(event) {
    const point = event.points && event.points[0];
    if (!point || point.curveNumber !== 0 || point.z === null || point.z === undefined) return;
    const [query, key] = [point.x, point.y];
    const { n_layers: nLayers, n_heads: nHeads, words, tokens } = this.model;
    const all = [];
    for (let l = 0; l < nLayers; l++) for (let h = 0; h < nHeads; h++) all.push([l, h, weightAt(this.model, l, h, query, key)]);
    all.sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]);
    this.look = { query, key, heads: all.slice(0, 5) };
    this.part("look").innerHTML = fill(words.look_cell, { query: `<b>${tokens[query]}</b>`, key: `<b>${tokens[key]}</b>`, n: nLayers * nHeads });
    const list = this.root.querySelector(".nw-look-list");
    list.replaceChildren(
      ...this.look.heads.map(([l, h, w]) => {
        const item = element("li");
        const button = element("button", "nw-head-button");
        button.textContent = fill(words.look_row, { layer: l, head: h, weight: w.toFixed(2) });
        button.addEventListener("click", () => this.choose(l, h));
        item.appendChild(button);
        return item;
      }),
    );
    list.dataset.look = JSON.stringify(this.look);
  }
}

export default function ({ data, parentElement, setStateValue }) {
  if (!data) return undefined;
  parentElement.nextWord = parentElement.nextWord || new NextWordChart(parentElement);
  const chart = parentElement.nextWord;
  chart.update(data instanceof Uint8Array ? data : new Uint8Array(data), setStateValue);
  return () => {
    chart.remove();
    delete parentElement.nextWord;
  };
}
