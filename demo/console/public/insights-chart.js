// Chart.js 4 is served as a UMD file at /vendor/chart.js/ (same origin, so the
// page's CSP allows it). It is loaded on first use only: the console opens on
// the rule builder, which has no charts.
let loading = null;

/** Resolves to window.Chart, appending the <script> once. */
export function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  loading ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/vendor/chart.js/chart.umd.min.js';
    s.addEventListener('load', () => resolve(window.Chart));
    s.addEventListener('error', () => { loading = null; reject(new Error('Chart.js did not load')); });
    document.head.append(s);
  });
  return loading;
}

/**
 * A canvas in a box of fixed height (Chart.js with maintainAspectRatio:false
 * fills its parent; the box gives it a height that fits the data). The canvas
 * is an image whose description points at the table holding the same numbers.
 */
export function chartBox(height, label, tableId) {
  const box = document.createElement('div');
  box.className = 'insights-chart';
  box.style.height = `${height}px`;
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  if (tableId) canvas.setAttribute('aria-describedby', tableId);
  box.append(canvas);
  return { box, canvas };
}
