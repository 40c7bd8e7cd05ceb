// Every head's map, sent once and drawn in the browser: the machinery the live pages share (the twin of
// attention/head_maps.py). webapp/head_map_chart.py and webapp/next_word_chart.py put this file in front of
// their component's own, as one module.
//
// - unpackPayload, decodeMaps: attention.heatmap_payload.pack's bytes, and every map of attention.head_maps.encode_maps
//   (float16 or uint8; each map whole, or its lower triangle for a causal map) as numbers;
// - headMap, weightAt: one head's map, a layer's average, one weight;
// - render: a head's map as a Plotly figure, attention/head_maps.py's render (tests/browser/
//   test_head_maps_contract.py holds the two to the same figure).

// ---- the bytes (readJson: webapp/component_start.js) ------------------------------------

// IEEE half precision to a number
function half(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * Math.pow(2, -14) * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * Math.pow(2, exponent - 15) * (1 + fraction / 1024);
}

const TYPES = { float64: Float64Array, float32: Float32Array, float16: Uint16Array, uint8: Uint8Array };

// attention.heatmap_payload.pack's bytes: the header's fields and its arrays (a copy each, aligned)
export function unpackPayload(bytes) {
  const [{ arrays, ...data }, start] = readJson(bytes, 0);
  for (const item of arrays) {
    const count = item.shape.reduce((a, b) => a * b, 1);
    const Type = TYPES[item.dtype];
    const from = start + item.offset;
    data[item.name] = new Type(bytes.slice(from, from + count * Type.BYTES_PER_ELEMENT).buffer);
    data[item.name + "_dtype"] = item.dtype;
  }
  return data;
}

// every map as numbers, in encode_maps's order: (L, H, Q·K), or (L, H, Q(Q+1)/2) for a causal map
export function decodeMaps(data) {
  const raw = data.maps;
  const out = new Float32Array(raw.length);
  if (data.maps_dtype === "float16") {
    const table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = half(h);
    for (let i = 0; i < raw.length; i++) out[i] = table[raw[i]];
  } else {
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] / 255;
  }
  return out;
}

// ---- the numbers --------------------------------------------------------------------------

function perMap(model) {
  const { n_queries: q, n_keys: k } = model;
  return model.causal ? (q * (q + 1)) / 2 : q * k;
}

// weights[i * K + j]: how much query i attends to key j in (layer, head), or the layer's average (head
// null), as attention/head_maps.py's head_map (summed head by head, then divided: numpy's order)
export function headMap(model, layer, head) {
  const { n_queries: nQ, n_keys: nK, n_heads: nHeads, values } = model;
  const per = perMap(model);
  const weights = new Float64Array(nQ * nK);
  const heads = head === null ? [...Array(nHeads).keys()] : [head];
  for (const h of heads) {
    let at = (layer * nHeads + h) * per;
    if (model.causal) {
      for (let i = 0; i < nQ; i++) for (let j = 0; j <= i; j++) weights[i * nK + j] += values[at++];
    } else {
      for (let c = 0; c < per; c++) weights[c] += values[at++];
    }
  }
  if (heads.length > 1) for (let c = 0; c < weights.length; c++) weights[c] /= heads.length;
  return weights;
}

// one weight of (layer, head): query i, key j (j <= i in a causal map)
export function weightAt(model, layer, head, i, j) {
  const at = (layer * model.n_heads + head) * perMap(model);
  return model.values[at + (model.causal ? (i * (i + 1)) / 2 + j : i * model.n_keys + j)];
}

// ---- the figure ---------------------------------------------------------------------------

const MAX_NOTES = 40; // attention/head_maps.py's MAX_NOTES
const NOTES_STAGGER_FROM = 10; // attention/head_maps.py's STAGGER_FROM
const NOTE_SIZE = 11;
const FONT_SIZE = 12; // the figure's text (plotly.js's own)
const TITLE_SIZE = 15;

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

function hover(...lines) {
  return lines.join("<br>") + "<extra></extra>";
}

// The title: which layer and head, the marked head said as such
export function titleOf(data, layer, head) {
  const { words } = data;
  if (head === null) return fill(words.title_average, { layer });
  const marked = Array.isArray(data.marked) && data.marked[0] === layer && data.marked[1] === head;
  return fill(marked ? words.title_marked : words.title_head, { layer, head });
}

// The figure of one map (weights: Q·K, query-major) under a view {layer, head, transpose}: the lecture's
// layout (columns are queries, z[key][query]) or, transposed, rows are queries; each query's note under
// its column (beside its row, transposed). attention/head_maps.py's render, field for field.
export function render(data, weights, view) {
  const { words, sizes, colors, queries, keys } = data;
  const [nQ, nK] = [queries.length, keys.length];
  const transpose = Boolean(view.transpose);
  const { cell, top } = sizes;
  const grow = sizes.grow ?? 1; // the room for text grows with it
  let width = Math.trunc(nQ * cell + 260);
  let height = Math.trunc(nK * cell + 140 + top);
  const hovers = data.hovers && data.hovers.length ? data.hovers : null;
  const weight = [`${words.weight} = %{z:.4f}`, ...(hovers ? ["%{customdata}"] : [])];
  const axis = () => ({ type: "category", automargin: true, tickfont: { size: sizes.tick }, dtick: sizes.step, ticklabeloverflow: "allow" });
  const colorbar = { title: { text: words.weight, side: "right" }, thickness: 14, ticklabeloverflow: "allow" };
  let trace, xaxis, yaxis;
  if (transpose) {
    const z = [];
    for (let i = 0; i < nQ; i++) {
      const row = new Array(nK);
      for (let j = 0; j < nK; j++) row[j] = Math.fround(weights[i * nK + j]);
      z.push(row);
    }
    trace = {
      z,
      x: keys,
      y: queries,
      hovertemplate: hover(`${words.query}: %{y}`, `${words.key}: %{x}`, ...weight),
      colorbar: { ...colorbar, thickness: 12, orientation: "h", y: -0.04, yanchor: "top" },
    };
    if (hovers) trace.customdata = hovers.map((line) => new Array(nK).fill(line));
    xaxis = { ...axis(), side: "top", title: { text: words.key_title }, tickangle: nK > 8 ? -45 : 0 };
    yaxis = { ...axis(), autorange: "reversed", title: { text: words.query_title } };
    width += 140;
    height += 60;
  } else {
    const z = [];
    for (let j = 0; j < nK; j++) {
      const row = new Array(nQ);
      for (let i = 0; i < nQ; i++) row[i] = Math.fround(weights[i * nK + j]);
      z.push(row);
    }
    trace = {
      z,
      x: queries,
      y: keys,
      hovertemplate: hover(`${words.query}: %{x}`, `${words.key}: %{y}`, ...weight),
      colorbar,
    };
    if (hovers) trace.customdata = keys.map(() => [...hovers]);
    xaxis = { ...axis(), side: "top", title: { text: words.query_title }, tickangle: sizes.angle };
    yaxis = { ...axis(), autorange: "reversed", title: { text: words.key_title } };
  }
  Object.assign(trace, { type: "heatmap", zmin: 0, zmax: 1, colorscale: colors.weights, xgap: 1, ygap: 1 });
  const notes = data.notes && data.notes.length ? data.notes : null;
  const labelled = Boolean(notes) && nQ <= MAX_NOTES;
  const stagger = labelled && !transpose && nQ > NOTES_STAGGER_FROM;
  let bottom = 10 + (transpose ? 110 : 40);
  height += 40;
  const right = labelled && transpose ? 10 + 150 : 10;
  if (labelled && !transpose) {
    const below = (50 + 30 * stagger) * grow;
    bottom += below;
    height += below;
  }
  const layout = {
    height,
    width,
    margin: { l: 10, r: right, t: top, b: bottom },
    plot_bgcolor: "white",
    font: { size: sizes.font ?? FONT_SIZE },
    title: {
      text: titleOf(data, view.layer, view.head),
      font: { size: sizes.title ?? TITLE_SIZE },
      pad: { t: 8 },
      yref: "container",
      y: 0.01,
      yanchor: "bottom",
      x: 0.02,
      xanchor: "left",
    },
    xaxis,
    yaxis,
  };
  if (labelled) {
    layout.annotations = notes.map(([what, much], i) => {
      const where = transpose
        ? { x: 1.0, xref: "paper", xanchor: "left", xshift: 6, y: queries[i], yref: "y", text: `${what} ${much}` }
        : { x: queries[i], xref: "x", y: 0, yref: "paper", yanchor: "top", yshift: -6 - 30 * grow * (stagger && i % 2), text: `${what}<br>${much}` };
      return { ...where, showarrow: false, font: { size: sizes.note ?? NOTE_SIZE, color: colors.notes } };
    });
  }
  return { data: [trace], layout };
}
