// The live heatmap's component (webapp/live_chart.py): one LiveChart (live_chart.js) per element Streamlit mounts.

export default function ({ data, parentElement, setStateValue }) {
  if (!data) {
    // mounted without data early in the page: start loading plotly.js while the server loads the model
    loadPlotly().catch(() => {}); // a failure shows where the chart would be, when one is drawn
    return undefined;
  }
  let live = parentElement.attentionLive;
  if (!live) {
    live = parentElement.attentionLive = new LiveChart(parentElement);
    live.renders = 0;
    live.onKey = (event) => askAhead(live, event);
    document.addEventListener("keydown", live.onKey, true); // before Streamlit's own field sees the key
  }
  live.renders += 1;
  live.update(data instanceof Uint8Array ? data : new Uint8Array(data), setStateValue);
  // Streamlit calls the latest of these when the component is unmounted
  return () => {
    document.removeEventListener("keydown", live.onKey, true);
    live.remove();
    delete parentElement.attentionLive;
  };
}

// A new sentence, drawn before Streamlit's rerun (webapp/new_sentence.py). The Enter that would make Streamlit
// rerun the page's fragment posts the sentence to the app's route first, and the chart draws the bytes it
// answers, the bytes that rerun brings. Only then does Streamlit's field get the Enter (passEnter), so that its
// rerun, and the page's work on the rerun's messages, do not compete with the drawing for the server's and the
// browser's time; the rerun then brings the same bytes and draws nothing again. The rerun stays the authority:
// an answer that comes after a rerun (or after a later Enter) is not drawn, and a failure, an answer that is not
// a drawing (a blank sentence) or one slower than ASK_PATIENCE_MS passes the Enter on at once.
const ASK_PATIENCE_MS = 500;

function askAhead(live, event) {
  const asked = live.chrome && live.chrome.new_sentence;
  const field = event.target;
  // not ours: an Enter this chart passes on itself, or one that ends an input method's composition (Hangul, kana)
  if (!asked || !event.isTrusted || event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
  if (!(field instanceof HTMLInputElement)) return;
  const role = asked.roles.find((name) => field.closest(`.st-key-${name}`)); // Streamlit's class for key=name
  if (!role) return;
  event.stopImmediatePropagation(); // Streamlit's field sees it once the drawing is painted
  let passed = false;
  const pass = () => {
    if (!passed) passEnter(field);
    passed = true;
  };
  const patience = setTimeout(pass, ASK_PATIENCE_MS);
  const path = window.location.pathname;
  const ticket = (live.tickets = (live.tickets || 0) + 1);
  const renders = live.renders;
  const askedAt = performance.now();
  // XMLHttpRequest, not fetch: its 'load' comes in one task once the whole answer is in (fetch's headers and
  // body come in two)
  const request = new XMLHttpRequest();
  request.open("POST", window.location.origin + path.slice(0, path.lastIndexOf("/") + 1) + asked.path);
  request.responseType = "arraybuffer";
  request.setRequestHeader("Content-Type", "application/json");
  request.onloadend = () => {
    clearTimeout(patience);
    const current = ticket === live.tickets && renders === live.renders && !live.removed;
    if (request.status !== 200 || !current) return pass();
    const serverMs = Number((/dur=([\d.]+)/.exec(request.getResponseHeader("Server-Timing") || "") || [])[1]);
    live.update(new Uint8Array(request.response), live.setStateValue, { at: askedAt, serverMs });
    live.afterDrawing(pass);
  };
  request.send(JSON.stringify({ token: asked.token, role, text: field.value }));
}

// The Enter to Streamlit's text field, as the key would give it: the field commits its text and reruns the page.
// (Its keydown handler reads ``key``; written for Streamlit's TextInput, see webapp/streamlit_internals.py.)
function passEnter(field) {
  field.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", bubbles: true, cancelable: true }));
}
