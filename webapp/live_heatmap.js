// The live heatmap's component (webapp/live_chart.py): one LiveChart (live_chart.js) per element Streamlit mounts.

export default function ({ data, parentElement, setStateValue }) {
  if (!data) {
    // mounted without data early in the page: start loading plotly.js while the server loads the model
    loadPlotly().catch(() => {}); // a failure shows where the chart would be, when one is drawn
    return undefined;
  }
  parentElement.attentionLive = parentElement.attentionLive || new LiveChart(parentElement);
  const live = parentElement.attentionLive;
  live.update(data instanceof Uint8Array ? data : new Uint8Array(data), setStateValue);
  // Streamlit calls the latest of these when the component is unmounted
  return () => {
    live.remove();
    delete parentElement.attentionLive;
  };
}
