// The screen there is: the width of the page's main area and the window's height, told to the server in
// presentation mode (webapp/screen.py), so that the figures it draws are sized for the projector in the room.
// It tells again when they change by more than SLACK px (a window resized, the sidebar opened), a moment after.

const SLACK = 24; // px: a smaller change does not redraw the page
const SETTLE_MS = 300; // the resize has stopped

// The width of the page's main area inside its padding: where the figures go, whatever the component's own place
function mainWidth() {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!main) return 0;
  const style = getComputedStyle(main);
  return main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

export default function ({ data, setStateValue }) {
  const known = (data && data.known) || [0, 0];
  let timer = null;
  const tell = () => {
    const area = [Math.round(mainWidth()), Math.round(window.innerHeight)];
    if (area[0] > 0 && (Math.abs(area[0] - known[0]) > SLACK || Math.abs(area[1] - known[1]) > SLACK)) {
      known[0] = area[0];
      known[1] = area[1];
      setStateValue("area", area);
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(tell, SETTLE_MS);
  };
  tell();
  const watcher = new ResizeObserver(later);
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (main) watcher.observe(main);
  window.addEventListener("resize", later);
  return () => {
    clearTimeout(timer);
    watcher.disconnect();
    window.removeEventListener("resize", later);
  };
}
