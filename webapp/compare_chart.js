// The live compare chart (a Streamlit component, v2 API; webapp/compare_chart.py): A and B side by side on one
// colour range, and their difference B − A, under one set of display controls.
//
// The server sends both sides' scores once (attention/compare_figures.py's comparison_payload); a change of the
// temperature, √d_k, transposing, numbers or colours is drawn here, in the browser, by renderComparison
// (compare_figure.js) into the three charts, and then told to the server, as the live heatmap does (live_chart.js,
// whose LiveChart this extends: the controls, the drawing and the talk with the server are the same).

function element(tag, className, parent) {
  const made = document.createElement(tag);
  made.className = className;
  if (parent) parent.appendChild(made);
  return made;
}

class CompareChart extends LiveChart {
  constructor(parent) {
    super(parent);
    this.fitToSlot = true; // each side has half of the page
    this.chart.className = "attention-compare";
    const row = element("div", "attention-compare-sides", this.chart);
    this.sides = [0, 1].map(() => {
      const side = element("div", "attention-compare-side", row);
      const title = element("div", "attention-compare-title", side);
      return { side, title, chart: element("div", "attention-compare-chart", side) };
    });
    this.range = element("div", "attention-compare-caption", this.chart);
    this.differenceBox = element("div", "attention-compare-difference", this.chart);
    this.differenceTitle = element("div", "attention-compare-heading", this.differenceBox);
    this.differenceChart = element("div", "attention-compare-chart", this.differenceBox);
    this.differenceCaption = element("div", "attention-compare-caption", this.differenceBox);
    this.drawnFor = new Map(); // chart -> what its last drawing depended on: a chart that would not change is not redrawn
  }

  // Whether ``chart`` must be drawn for ``reason`` (the data, the chrome and the display settings its figure
  // depends on): a fitted colour range leaves the difference as it was, a pinned side keeps its temperature
  unchanged(chart, reason) {
    const [data, chrome, settings] = reason;
    const last = this.drawnFor.get(chart);
    this.drawnFor.set(chart, reason);
    return Boolean(last) && last[0] === data && last[1] === chrome && last[2] === settings;
  }

  // The payload: a JSON head (pins, the difference's data, each side's byte count), then each side's heatmap payload
  unpack(payload) {
    const [head, start] = readJson(payload, 0);
    let at = start;
    const sides = head.sizes.map((size) => {
      const side = size ? unpack(payload.subarray(at, at + size)) : null;
      at += size;
      return side;
    });
    return { sides, pinned: head.pinned, difference: head.difference };
  }

  figures() {
    const { sides, difference } = renderComparison(this.data, this.display);
    // what each side's figure depends on: the display and the side's pins; B's head only where B holds every head
    const sideDisplays = this.data.pinned.map((pin, i) => {
      const { layer_b, head_b, ...display } = { ...this.display, ...pin };
      return this.data.sides[i] && this.data.sides[i].every_scores ? { ...display, layer_b, head_b } : display;
    });
    const range = (figure) => [figure.data[0].zmin, figure.data[0].zmax];
    this.chart.style.fontSize = `${Math.sqrt(this.chrome.font_scale || 1)}rem`; // a little larger on a projector
    const texts = this.chrome.texts;
    const drawings = [];
    sides.forEach((figure, i) => {
      const slot = this.sides[i];
      const name = this.chrome.sides[i];
      const strong = element("strong", "");
      strong.textContent = name.name;
      slot.title.replaceChildren(strong, document.createTextNode(` ${name.sentences}`)); // the user's text, literally
      slot.chart.classList.toggle("attention-compare-problem", !figure);
      if (figure) {
        const settings = JSON.stringify([sideDisplays[i], range(figure)]);
        if (!this.unchanged(slot.chart, [this.data, this.chrome, settings])) {
          drawings.push({ chart: slot.chart, figure, config: this.chrome.configs[i] });
        }
      } else {
        this.drawnFor.delete(slot.chart);
        this.clear(slot.chart);
        slot.chart.textContent = name.problem || ""; // why this side has no map, in its place
      }
    });
    const shown = sides.find(Boolean);
    const [low, high] = shown ? [shown.data[0].zmin, shown.data[0].zmax] : [0, 1];
    this.range.textContent = fill(texts.same_colors, { low, high });
    this.differenceBox.hidden = !difference;
    if (difference) {
      this.differenceTitle.textContent = texts.difference;
      this.differenceCaption.textContent = fill(texts.difference_caption, { largest: largestChange(difference) });
      const settings = JSON.stringify(sideDisplays.map(({ temperature, scale, transpose, layer_b, head_b }) => [temperature, scale, transpose, layer_b, head_b]));
      if (!this.unchanged(this.differenceChart, [this.data, this.chrome, settings])) {
        drawings.push({ chart: this.differenceChart, figure: difference, config: this.chrome.configs[2] });
      }
    } else {
      this.drawnFor.delete(this.differenceChart);
      this.clear(this.differenceChart);
    }
    return drawings;
  }

  clear(chart) {
    if (window.Plotly) window.Plotly.purge(chart);
    chart.replaceChildren();
  }
}

export default function ({ data, parentElement, setStateValue }) {
  if (!data) return undefined;
  parentElement.attentionCompare = parentElement.attentionCompare || new CompareChart(parentElement);
  const chart = parentElement.attentionCompare;
  chart.update(data instanceof Uint8Array ? data : new Uint8Array(data), setStateValue);
  // Streamlit calls the latest of these when the component is unmounted
  return () => {
    chart.remove();
    delete parentElement.attentionCompare;
  };
}
