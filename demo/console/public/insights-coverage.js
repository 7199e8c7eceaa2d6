// Coverage per tag: a horizontal Chart.js bar chart (one bar per tag, dead
// and low-coverage tags in warning colours) and the same numbers as a table,
// which is what screen readers and the tests read.
import { h, pct, scrollTable } from './insights-dom.js';
import { chartBox, loadChart } from './insights-chart.js';

const COLOURS = { dead: '#cf222e', low: '#bf8700', ok: '#0969da' };

/** status of each tag from the lint findings (the core decides what is dead or low). */
export function coverageStatus(findings) {
  const status = new Map();
  for (const f of findings) {
    if (f.code === 'dead_tag') status.set(f.tagId, 'dead');
    else if (f.code === 'low_coverage' && status.get(f.tagId) !== 'dead') status.set(f.tagId, 'low');
  }
  return status;
}

/**
 * Renders into `el`; returns the Chart instance (or null) so the caller can
 * destroy it before the next render.
 */
export async function renderCoverage(el, { coverage, sampleSize, findings, tagsById, lang, t }) {
  if (coverage.length === 0) {
    el.replaceChildren(h('p', { class: 'insights-note' }, t.noCoverage));
    return null;
  }
  const status = coverageStatus(findings);
  const label = (id) => (lang === 'zh' ? tagsById.get(id)?.name ?? id : id);
  const table = h('table', { class: 'insights-table', id: 'coverage-table' },
    h('caption', { class: 'visually-hidden' }, t.coverageTable),
    h('thead', {}, h('tr', {}, [t.colTag, t.colName, t.colUsers, t.colShare, t.colStatus].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, coverage.map((c) => {
      const s = status.get(c.tagId) ?? 'ok';
      return h('tr', { class: `insights-cov-${s}`, dataset: { tag: c.tagId, users: String(c.users) } },
        h('th', { scope: 'row' }, h('code', {}, c.tagId)), h('td', {}, tagsById.get(c.tagId)?.name ?? ''),
        h('td', { class: 'num' }, String(c.users)), h('td', { class: 'num' }, pct(c.share)),
        h('td', {}, s === 'ok' ? t.ok : h('span', { class: `insights-badge insights-${s}` }, t[s])));
    })));
  const { box, canvas } = chartBox(coverage.length * 24 + 60, t.coverageChart(sampleSize), 'coverage-table');
  canvas.id = 'coverage-chart';
  el.replaceChildren(box, scrollTable(table, t.coverageTable));
  let Chart;
  try {
    Chart = await loadChart();
  } catch {
    box.replaceWith(h('p', { class: 'insights-note' }, t.chartFailed));
    return null;
  }
  if (!canvas.isConnected) return null; // a newer render replaced this one while Chart.js loaded
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: coverage.map((c) => label(c.tagId)),
      datasets: [{
        label: t.colUsers,
        data: coverage.map((c) => c.users),
        backgroundColor: coverage.map((c) => COLOURS[status.get(c.tagId) ?? 'ok']),
      }],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false, // the numbers matter, not the motion (and it keeps tests free of timing)
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => `${item.raw} (${pct(coverage[item.dataIndex].share)})` } },
      },
      scales: {
        x: { beginAtZero: true, suggestedMax: sampleSize, title: { display: true, text: t.customers } },
        y: { ticks: { autoSkip: false } },
      },
    },
  });
}
