// A live head map (a Streamlit component, v2 API): one head's map of many, chosen in the browser.
//
// The server sends every head's map once (attention/head_maps.py's encode_maps, in the page's payload) with
// the map's plain fields; the layer, the head, the layer's average and the transpose are this component's
// own controls, drawn here at once with render() from head_maps.js (webapp/head_map_chart.py puts that file
// in front of this one, as one module). Once the controls rest, the new view goes to the server, so that the
// link and the downloads follow.

const TELL_AFTER_MS = 400; // the server hears of a change once the controls rest this long

function element(tag, className, html) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (html !== undefined) node.innerHTML = html;
  return node;
}

class HeadMapChart {
  constructor(parent) {
    this.root = element("div", "head-map");
    this.root.innerHTML = `
      <div class="hm-controls">
        <label data-setting="layer"><span class="name"></span> <select></select></label>
        <label data-setting="head"><span class="name"></span> <select></select></label>
        <label data-setting="average"><input type="checkbox"> <span class="name"></span></label>
        <label data-setting="transpose"><input type="checkbox"> <span class="name"></span></label>
      </div>
      <div class="hm-map"></div>`;
    parent.appendChild(this.root);
    this.map = this.root.querySelector(".hm-map");
    this.map.dataset.draws = "0";
    this.sent = [];
    this.removed = false;
    const on = (name, read) => {
      const input = this.control(name).querySelector("input, select");
      input.addEventListener("change", () => this.change({ [name]: read(input) }));
    };
    on("layer", (input) => Number(input.value));
    on("head", (input) => Number(input.value));
    on("average", (input) => input.checked);
    on("transpose", (input) => input.checked);
  }

  control(name) {
    return this.root.querySelector(`label[data-setting="${name}"]`);
  }

  remove() {
    this.removed = true;
    clearTimeout(this.timer);
    if (window.Plotly) window.Plotly.purge(this.map);
    this.root.remove();
  }

  update(bytes, setStateValue) {
    this.setStateValue = setStateValue;
    const [head, at] = readJson(bytes, 0);
    const chrome = JSON.stringify(head.chrome);
    let whole = chrome !== this.chromeJson;
    this.chrome = head.chrome;
    this.chromeJson = chrome;
    if (head.chrome.payload_id !== this.payloadId) {
      this.receivedAt = performance.now();
      this.payloadId = head.chrome.payload_id;
      const data = unpackPayload(bytes.subarray(at));
      data.values = decodeMaps(data);
      this.model = data;
      whole = true;
    }
    const incoming = JSON.stringify(head.view);
    // the server's view wins unless it is an echo of what this chart sent (the controls may be further on)
    if (!this.view || (incoming !== this.incoming && !this.sent.includes(incoming))) {
      this.view = { ...head.view };
      whole = true;
    }
    this.incoming = incoming;
    if (whole) {
      this.showControls();
      this.draw();
    }
  }

  showControls() {
    const { labels } = this.chrome;
    const nLayers = this.model.n_layers;
    const view = this.view;
    this.root.classList.toggle("present", Boolean(this.chrome.present));
    this.root.style.setProperty("--hm-font", `${0.9 * Math.sqrt(this.chrome.font_scale || 1)}rem`);
    for (const name of ["layer", "head", "average", "transpose"]) {
      this.control(name).querySelector(".name").textContent = labels[name] || "";
      this.control(name).hidden = (this.chrome.hidden || []).includes(name); // a control the page does not offer
    }
    const layer = this.control("layer").querySelector("select");
    if (layer.options.length !== nLayers) layer.replaceChildren(...[...Array(nLayers).keys()].map((l) => new Option(String(l), String(l))));
    layer.value = String(view.layer);
    this.showHeads();
    const heads = this.control("head").querySelector("select");
    heads.value = String(view.head);
    heads.disabled = Boolean(view.average);
    this.control("average").querySelector("input").checked = Boolean(view.average);
    this.control("transpose").querySelector("input").checked = Boolean(view.transpose);
  }

  // the head menu: the marked head (the alignment head) named as such in its layer
  showHeads() {
    const { n_heads: nHeads, marked } = this.model;
    const menu = this.control("head").querySelector("select");
    const names = [...Array(nHeads).keys()].map((h) =>
      marked && marked[0] === this.view.layer && marked[1] === h ? fill(this.chrome.labels.marked_head, { head: h }) : String(h),
    );
    const now = [...menu.options].map((option) => option.textContent);
    if (JSON.stringify(now) !== JSON.stringify(names)) {
      menu.replaceChildren(...names.map((name, h) => new Option(name, String(h))));
      menu.value = String(this.view.head);
    }
  }

  // A control moved: draw now, tell the server once the controls rest.
  change(values) {
    const changed = Object.keys(values).filter((name) => this.view[name] !== values[name]);
    if (!changed.length) return;
    this.view = { ...this.view, ...values };
    this.changedAt = performance.now();
    this.control("head").querySelector("select").disabled = Boolean(this.view.average);
    if (changed.includes("layer")) this.showHeads();
    this.draw();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tell(), TELL_AFTER_MS);
  }

  tell() {
    if (this.removed || !this.setStateValue) return;
    this.sent = [...this.sent.slice(-20), JSON.stringify(this.view)];
    this.setStateValue("view", this.view);
  }

  async draw() {
    const Plotly = await loadPlotly();
    if (this.removed) return;
    const view = { ...this.view };
    const head = view.average ? null : view.head;
    const started = performance.now();
    const figure = render(this.model, headMap(this.model, view.layer, head), { layer: view.layer, head, transpose: view.transpose });
    const page = getComputedStyle(this.root); // the app's font and text colour (light or dark theme)
    const layout = figure.layout;
    layout.font = { ...layout.font, family: page.fontFamily, color: page.color };
    if (this.chrome.dark) layout.plot_bgcolor = layout.paper_bgcolor = "rgba(0,0,0,0)";
    const room = this.map.clientWidth;
    if (room > 0 && layout.width > room) layout.width = room; // never wider than the page (as Streamlit's charts)
    await Plotly.react(this.map, figure.data, layout, { ...this.chrome.config, responsive: false });
    const done = performance.now();
    this.map.dataset.view = JSON.stringify({ layer: view.layer, head, transpose: Boolean(view.transpose) });
    this.map.dataset.draws = String(Number(this.map.dataset.draws) + 1);
    this.root.dataset.lastDrawMs = String(done - started);
    if (this.changedAt) this.root.dataset.sinceChangeMs = String(done - this.changedAt);
    if (this.receivedAt) this.root.dataset.sinceDataMs = String(done - this.receivedAt);
    this.changedAt = this.receivedAt = null;
  }
}

export default function ({ data, parentElement, setStateValue }) {
  if (!data) return undefined;
  parentElement.headMap = parentElement.headMap || new HeadMapChart(parentElement);
  const chart = parentElement.headMap;
  chart.update(data instanceof Uint8Array ? data : new Uint8Array(data), setStateValue);
  return () => {
    chart.remove();
    delete parentElement.headMap;
  };
}
