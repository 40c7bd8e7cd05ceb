// plotly.js for every live component, loaded once from the app itself (a classroom may be offline): each
// component's Python module puts this file in front of its own, as one module.

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
