// What every live component's bundle starts with (each component's Python module puts this file in front of its
// own, as one module): plotly.js, loaded once from the app itself (a classroom may be offline), and the reading
// of the bytes the server sends (webapp/component_data.py: a 4-byte length, JSON, then the payload).

const PLOTLY_FILE = "app/static/plotly.min.js";

// One plotly.js for the whole page, loaded once: every chart of this module shares the promise.
let plotlyLoading = null;
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const path = window.location.pathname;
      const script = document.createElement("script");
      script.src = window.location.origin + path.slice(0, path.lastIndexOf("/") + 1) + PLOTLY_FILE;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        plotlyLoading = null;
        reject(new Error("plotly.js could not be loaded from " + script.src));
      };
      document.head.appendChild(script);
    });
  }
  return plotlyLoading;
}

// The JSON at ``at`` in ``bytes`` (its 4-byte little-endian length first), and where the bytes after it start
function readJson(bytes, at) {
  const length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(at + 4, at + 4 + length)));
  return [json, at + 4 + length];
}
