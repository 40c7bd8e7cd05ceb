// The compare page's renderer in the browser: the same rules as attention/compare_figures.py's render_comparison.
//
// renderComparison(data, display) draws A and B (render() of attention_figure.js, which comes first in the same
// module) on one colour range, and their difference B − A, from comparison_data: each side's heatmap data, the
// display settings each side holds fixed (its pins: what the sides differ in), and the difference's labels and
// sizes. tests/browser/test_drawing_contract.py checks that it gives Python's figures for every display.

const DIFFERENCE_TICKS = "+.3f"; // attention/compare_figures.py's DIFFERENCE_TICKS

// A's and B's figures (null for a side without data) and the difference's (null when the sides are not
// comparable): each side under the display and its pins, fitted colours from the smallest allowed weight of both
// to the largest of both, so that one colour means one weight in both
export function renderComparison(data, display) {
  const drawn = data.sides.map((chosen, i) => {
    if (!chosen) return null;
    const side = headOf(chosen, display);
    const own = { ...display, ...data.pinned[i] };
    return { side, display: own, weights: softmaxOf(side, own).weights };
  });
  const present = drawn.filter(Boolean);
  let [low, high] = [0, 1];
  if (present.length && display.fit_colors) {
    const ranges = present.map(({ side, weights }) => weightRange(weights, side.allowed, true));
    low = Math.min(...ranges.map(([smallest]) => smallest));
    high = Math.max(...ranges.map(([, largest]) => largest));
  }
  const sides = drawn.map((d) => d && render(d.side, d.display, [low, high]));
  let difference = null;
  if (data.difference && present.length === 2) {
    const [a, b] = [drawn[0].weights, drawn[1].weights];
    const change = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) change[i] = b[i] - a[i];
    difference = renderDifference(data.difference, change, Boolean(display.transpose));
  }
  return { sides, difference };
}

// ``side`` as the display's head draws it: where the side holds every head's numbers (every_heads [L, H], every_scores
// (L, H, n_q, n_k) and every_basis (L, H, n_k, m), flat), its scores and output strip are those of the head the
// display names (layer_b, head_b): attention/compare_figures.py's head_of
function headOf(side, display) {
  if (!side.every_scores) return side;
  const at = Number(display.layer_b) * side.every_heads[1] + Number(display.head_b);
  const cut = (array, size) => Float64Array.from(array.subarray(at * size, (at + 1) * size));
  const chosen = { ...side, scores: cut(side.every_scores, side.queries.length * side.keys.length) };
  if (side.every_basis) chosen.basis = cut(side.every_basis, side.keys.length * side.components.length);
  return chosen;
}

// B − A (n_q × n_k, flat) on a diverging scale, white at 0 and red where B gives more weight, symmetric around 0;
// columns are queries, as in the lecture, unless ``transpose`` (attention/compare_figures.py's render_difference)
export function renderDifference(data, difference, transpose) {
  const { words, queries, keys } = data;
  const size = data.sizes[transpose ? "transposed" : "lecture"];
  let limit = 1e-9;
  for (let i = 0; i < difference.length; i++) limit = Math.max(limit, Math.abs(difference[i]));
  const [x, y] = transpose ? [keys, queries] : [queries, keys];
  const [queryAxis, keyAxis] = transpose ? ["y", "x"] : ["x", "y"];
  const axis = { type: "category", automargin: true, tickfont: { size: size.tick }, dtick: size.step, ticklabeloverflow: LABELS_FIT };
  const title = (text) => ({ font: { size: size.tick + 1 }, text });
  const heatmap = {
    type: "heatmap",
    z: grid(difference, queries.length, keys.length, !transpose),
    x,
    y,
    zmin: -limit,
    zmax: limit,
    zmid: 0,
    colorscale: data.colors,
    xgap: 1,
    ygap: 1,
    colorbar: colorbar(words.name, { tickformat: DIFFERENCE_TICKS }),
    hovertemplate: hover(`${words.query}: %{${queryAxis}}`, `${words.key}: %{${keyAxis}}`, `${words.name} = %{z:+.4f}`),
    name: words.name,
  };
  const layout = {
    height: size.height,
    margin: { ...MARGIN, t: size.top },
    plot_bgcolor: BACKGROUND,
    width: size.width,
    title: words.title,
    xaxis: { ...axis, side: "top", tickangle: size.angle, title: title(transpose ? words.key : words.query) },
    yaxis: { ...axis, autorange: "reversed", title: title(transpose ? words.query : words.key) },
  };
  return { data: [heatmap], layout };
}

// The largest |B − A| of a difference figure (its colour range's end)
export function largestChange(figure) {
  return figure.data[0].zmax;
}
