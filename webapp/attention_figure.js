// The attention heatmap's renderer in the browser: the same rules as attention/heatmap.py's render.
//
// render(data, display) turns the heatmap's data (attention/figures.py's heatmap_data, sent by the
// server as the live payload; its fields are listed in attention/heatmap.py) into the Plotly figure
// under the six display settings: softmax with the temperature and √d_k, transposing, numbers in
// cells, the colour scale, and fitted colours. tests/browser/test_drawing_contract.py checks that it gives
// Python's figure for every combination of them. Arrays are flat, row by row:
// data.scores (n_q × n_k), data.allowed (n_q × n_k, absent when nothing is masked), data.basis (n_k × m).

const STRIP_GAP = 0.03; // attention/heatmap.py's STRIP_GAP
// attention/style.py's layout() and colorbar(): the frame every figure starts from
const MARGIN = { l: 10, r: 10, t: 10, b: 10 };
const BACKGROUND = "white";
const COLORBAR_THICKNESS = 14;
const LABELS_FIT = "allow"; // attention/style.py's LABELS_FIT: labels always have room, plotly.js need not check

// ---- the numbers: the same step 3 as attention/core.py's attention_weights ------------------

// weights[i][j] = softmax_j((scores[i][j] - top_i) * scale / temperature) over the allowed keys
export function attentionWeights(scores, allowed, nQ, nK, scale, temperature) {
  const weights = new Float64Array(nQ * nK);
  const scaled = new Float64Array(nQ * nK);
  for (let i = 0; i < nQ; i++) {
    const row = i * nK;
    let top = -Infinity;
    for (let j = 0; j < nK; j++) if (!allowed || allowed[row + j]) top = Math.max(top, scores[row + j]);
    let sum = 0;
    for (let j = 0; j < nK; j++) {
      const ok = !allowed || allowed[row + j];
      scaled[row + j] = ok ? (scores[row + j] * scale) / temperature : -Infinity;
      const e = ok ? Math.exp(((scores[row + j] - top) * scale) / temperature) : 0;
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

// [raw, scaled] of every cell, in z's order
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

// 0 to 1, or fitted to the smallest allowed weight and the largest (attention/heatmap.py's weight_range)
export function weightRange(weights, allowed, fit) {
  if (!fit) return [0, 1];
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < weights.length; i++) {
    high = Math.max(high, weights[i]);
    if (!allowed || allowed[i]) low = Math.min(low, weights[i]);
  }
  return [low, high];
}

// ---- words: Python's str.format for the templates the data carries --------------------------

// Python's f"{x:.{digits}f}": rounded as toFixed does, except that an exact tie goes to the even digit
function fixed(x, digits) {
  const rounded = x.toFixed(digits);
  const exact = Math.abs(x).toFixed(100); // every digit of the double
  const point = exact.indexOf(".");
  const kept = exact.slice(0, point + 1 + digits);
  if (!/^50*$/.test(exact.slice(point + 1 + digits)) || Number(kept.at(-1)) % 2 === 1) return rounded;
  return (x < 0 ? "-" : "") + kept;
}

function trimZeros(digits) {
  return digits.includes(".") ? digits.replace(/0+$/, "").replace(/\.$/, "") : digits;
}

// Python's f"{x:g}": six significant digits, no trailing zeros, an exponent below 1e-4 or from 1e6
function general(x) {
  const [mantissa, power] = x.toExponential(5).split("e");
  const e = Number(power);
  if (e < -4 || e >= 6) return `${trimZeros(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return trimZeros(fixed(x, 5 - e));
}

// "{low:.2f}", "{temperature:g}", "{name}" filled in from values
export function fill(template, values) {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (_, name, spec) => {
    const value = values[name];
    if (spec === "g") return general(value);
    const digits = spec && /^\.(\d+)f$/.exec(spec);
    return digits ? fixed(value, Number(digits[1])) : String(value);
  });
}

// ---- the figure ---------------------------------------------------------------------------

function hover(...lines) {
  return lines.join("<br>") + "<extra></extra>";
}

// attention/style.py's colorbar(): two decimals on every number, so that the bar keeps its width whatever
// numbers its length gives it (the live chart foretells the margins from the bar's last width)
function colorbar(title, placement) {
  return { title: { text: title, side: "right" }, thickness: COLORBAR_THICKNESS, ticklabeloverflow: LABELS_FIT, tickformat: ".2f", ...placement };
}

// The attention weights of ``data`` under the display's temperature and √d_k (attention/heatmap.py's softmax_of),
// and the raw scores as softmax saw them
export function softmaxOf(data, display) {
  const scale = display.scale ? 1 / Math.sqrt(data.d_k) : 1;
  return attentionWeights(data.scores, data.allowed, data.queries.length, data.keys.length, scale, display.temperature);
}

// ``range``: the weights' colours from and to (figures side by side share one); by default the figure's own
export function render(data, display, range = null) {
  const { words, sizes, queries } = data;
  const nQ = queries.length;
  const nK = data.keys.length;
  const transpose = Boolean(display.transpose);
  const { weights, scaled } = softmaxOf(data, display);
  let scaling = display.scale ? words.scale_sqrt : words.scale_other;
  if (display.temperature !== 1) scaling += fill(words.temperature, { temperature: display.temperature });
  const colours = range || weightRange(weights, data.allowed, display.fit_colors);
  const traces = [weightsTrace(data, weights, scaled, colours, display, scaling)];
  if (data.basis) traces.push(outputTrace(data, outputs(weights, data.basis, nQ, nK, data.components.length), transpose));
  const size = sizes[transpose ? "transposed" : "lecture"];
  const layout = {
    height: size.height,
    margin: { ...MARGIN },
    plot_bgcolor: BACKGROUND,
    width: size.width,
    ...axes(data, transpose, size.angle),
    font: { size: sizes.font },
  };
  return { data: traces, layout };
}

function weightsTrace(data, weights, scaled, [low, high], display, scaling) {
  const { words, queries, keys } = data;
  const [nQ, nK] = [queries.length, keys.length];
  // the lecture draws one column per query: z is weights transposed
  const lecture = !display.transpose;
  const [x, y, who] = lecture ? [queries, keys, ["%{x}", "%{y}"]] : [keys, queries, ["%{y}", "%{x}"]];
  const title = display.fit_colors ? fill(words.weight_fitted, { low, high }) : words.weight;
  const scales = data.colorscales;
  const trace = {
    type: "heatmap",
    z: grid(weights, nQ, nK, lecture),
    x,
    y,
    customdata: hoverData(data.scores, scaled, nQ, nK, lecture),
    zmin: low,
    zmax: high > low ? high : low + 1e-9, // plotly.js needs a range that is not empty
    colorscale: scales[display.colors] || Object.values(scales)[0],
    colorbar: colorbar(title, { len: 0.6, y: 1.0, yanchor: "top" }),
    xgap: data.sizes.gap,
    ygap: data.sizes.gap,
    hovertemplate: hover(
      `${words.query}: ${who[0]}`,
      `${words.key}: ${who[1]}`,
      `${words.raw} = %{customdata[0]:.3f}`,
      `${words.scaled} ${scaling} = %{customdata[1]:.3f}`,
      `${words.softmax} = %{z:.3f}`,
    ),
    name: words.weight,
  };
  if (display.show_values) trace.texttemplate = "%{z:.2f}";
  return trace;
}

function outputTrace(data, out, transpose) {
  const { words, components: names, queries } = data;
  let limit = 0;
  for (let i = 0; i < out.length; i++) limit = Math.max(limit, Math.abs(out[i]));
  limit = limit || 1;
  const [x, y, who] = transpose
    ? [names, queries, `${words.output_of} %{y}<br>%{x}`]
    : [queries, names, `${words.output_of} %{x}<br>%{y}`];
  return {
    type: "heatmap",
    z: grid(out, queries.length, names.length, !transpose),
    x,
    y,
    xaxis: "x2",
    yaxis: "y2",
    colorscale: data.output_colors,
    zmin: -limit,
    zmax: limit,
    xgap: data.sizes.strip_gap,
    ygap: data.sizes.strip_gap,
    name: words.output,
    hovertemplate: hover(`${who} = %{z:.3f}`, `(${words.components})`),
    colorbar: colorbar(words.output, { len: 0.3, y: 0.0, yanchor: "bottom" }),
  };
}

// The weights' axes (x, y) and the output strip's (x2, y2) beside or under them
function axes(data, transpose, angle) {
  const { words, sizes } = data;
  const axis = (size = sizes.tick) => ({ type: "category", automargin: true, tickfont: { size }, dtick: sizes.step, ticklabeloverflow: LABELS_FIT });
  const names = () => ({ ...axis(sizes.strip_tick), dtick: sizes.strip_step }); // the strip's component names
  const title = (text) => ({ text, font: { size: sizes.tick + 1 } });
  const strip = Boolean(data.basis);
  const [share, gap] = [sizes.share, STRIP_GAP];
  const result = transpose
    ? {
        xaxis: { ...axis(), domain: [0, strip ? share - gap / 2 : 1], side: "top", title: title(words.key_title), tickangle: angle },
        yaxis: { ...axis(), autorange: "reversed", title: title(words.query_title) },
        xaxis2: { ...names(), domain: [share + gap / 2, 1], side: "top", anchor: "y2", title: title(words.output) },
        yaxis2: { ...axis(), autorange: "reversed", matches: "y", anchor: "x2", showticklabels: false },
      }
    : {
        xaxis: { ...axis(), side: "top", title: title(words.query_title), tickangle: angle },
        yaxis: { ...axis(), autorange: "reversed", domain: [strip ? 1 - share + gap / 2 : 0, 1], title: title(words.key_title) },
        xaxis2: { ...axis(), matches: "x", anchor: "y2", tickangle: angle, showticklabels: sizes.strip_labels },
        yaxis2: { ...names(), anchor: "x2", autorange: "reversed", domain: [0, 1 - share - gap / 2], title: title(words.output) },
      };
  if (!strip) {
    delete result.xaxis2;
    delete result.yaxis2;
  }
  return result;
}
