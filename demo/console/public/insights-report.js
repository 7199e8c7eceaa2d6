// Renders a backtest's results: assignment counts, the comparison report as
// a table, and the rates with their confidence intervals as a Chart.js chart
// (bars for the rates, whiskers with caps for the intervals) described by
// the table above it.
import { h, num, pct, scrollTable } from './insights-dom.js';
import { chartBox, loadChart } from './insights-chart.js';
import { VARIATIONS } from './insights-backtest.js';

export function renderCounts(counts, sampleSize, t) {
  const total = VARIATIONS.reduce((s, v) => s + counts[v].assigned, 0) + counts.excluded;
  const table = h('table', { class: 'insights-table', id: 'exp-counts' },
    h('thead', {}, h('tr', {}, [t.colVariation, t.colAssigned, t.colTargeted, t.colConverted].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, VARIATIONS.map((v) => h('tr', { dataset: { variation: v } },
      h('th', { scope: 'row' }, t.variationName(v)),
      h('td', { class: 'num', dataset: { field: 'assigned' } }, String(counts[v].assigned)),
      h('td', { class: 'num', dataset: { field: 'targeted' } }, String(counts[v].targeted)),
      h('td', { class: 'num', dataset: { field: 'converted' } }, String(counts[v].converted))))));
  return [
    scrollTable(table, t.counts),
    h('p', { id: 'exp-excluded', dataset: { count: String(counts.excluded) } }, t.excluded(counts.excluded),
      // run()'s reasons for leaving customers out (coverage, or no value for the hash attribute).
      counts.excluded ? ` (${Object.entries(counts.reasons).filter(([r]) => r !== 'assigned').map(([r, n]) => `${r}: ${n}`).join(', ')})` : ''),
    h('p', { class: 'muted' }, t.total(total, sampleSize)),
  ];
}

/**
 * The winner; that the control wins when the treatment is significantly worse;
 * or — before the minimum sample — that there is not enough data, whatever the p-value.
 */
function winnerText(report, t) {
  if (report.winner) return t.winner(t.variationName(report.winner));
  const [control, ...rest] = report.variations;
  const short = rest.find((r) => r.enoughData === false);
  if (short) return t.notEnoughData(control.conversions + short.conversions, report.minConversions);
  const worse = rest.filter((r) => r.significant && r.diff < 0);
  return worse.length ? t.controlBetter(t.variationName(report.variations[0].id)) : t.winner('');
}

export function renderReportTable(report, t) {
  const cols = [t.colVariation, t.colTargeted, t.colConverted, t.colRate, t.colCi, t.colUplift, t.colP, t.colChance, t.colSig];
  const table = h('table', { class: 'insights-table', id: 'exp-report' },
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, report.variations.map((r, i) => h('tr', { dataset: { variation: r.id } },
      h('th', { scope: 'row' }, t.variationName(r.id)),
      h('td', { class: 'num' }, String(r.users)),
      h('td', { class: 'num' }, String(r.conversions)),
      h('td', { class: 'num' }, pct(r.rate)),
      h('td', { class: 'num' }, `${pct(r.ciLow)} – ${pct(r.ciHigh)}`),
      // The control is the baseline: it has no uplift, p-value or chance of its own.
      h('td', { class: 'num' }, i === 0 ? '—' : pct(r.uplift)),
      h('td', { class: 'num', dataset: { field: 'pValue' } }, i === 0 ? '—' : num(r.pValue)),
      // Chance to beat control (Beta posterior) and significance only once the sample is large enough.
      h('td', { class: 'num', dataset: { field: 'chance' } }, i === 0 ? '—' : r.enoughData === false ? t.notEnough : pct(r.chanceToBeatControl)),
      h('td', {}, i === 0 ? '—' : r.enoughData === false ? t.notEnough : r.significant ? t.yes : t.no)))));
  return [
    h('p', { class: 'insights-winner', id: 'exp-winner', dataset: { winner: report.winner, enough: String(report.variations.slice(1).every((r) => r.enoughData !== false)) } }, winnerText(report, t)),
    scrollTable(table, t.report),
  ];
}

/** Draws the chart into `box`; returns the Chart (or null when Chart.js is unavailable). */
export async function renderReportChart(holder, report, t) {
  const { box, canvas } = chartBox(260, t.reportChart, 'exp-report');
  canvas.id = 'exp-chart';
  holder.replaceChildren(box);
  let Chart;
  try {
    Chart = await loadChart();
  } catch {
    holder.replaceChildren(h('p', { class: 'insights-note' }, t.chartFailed));
    return null;
  }
  if (!canvas.isConnected) return null;
  const rows = report.variations;
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((r) => t.variationName(r.id)),
      datasets: [
        { label: t.rate, data: rows.map((r) => r.rate), backgroundColor: ['#8c959f', '#c2410c'], barPercentage: 0.6 },
      ],
    },
    // The interval as an interval: a whisker with caps from ciLow to ciHigh over each bar.
    plugins: [intervalWhiskers(rows)],
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => `${t.rate}: ${pct(item.raw)} · ${t.ci}: ${pct(rows[item.dataIndex].ciLow)} – ${pct(rows[item.dataIndex].ciHigh)}`,
          },
        },
      },
      // Room for a whisker above the highest bar.
      scales: { y: { beginAtZero: true, suggestedMax: Math.min(1, Math.max(...rows.map((r) => r.ciHigh)) * 1.05), ticks: { callback: (v) => pct(v, 0) } } },
    },
  });
}

/** A Chart.js plugin drawing each row's [ciLow, ciHigh] as a vertical line with end caps. */
function intervalWhiskers(rows) {
  return {
    id: 'intervalWhiskers',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      const y = chart.scales.y;
      ctx.save();
      ctx.strokeStyle = '#1f2328';
      ctx.lineWidth = 2;
      chart.getDatasetMeta(0).data.forEach((bar, i) => {
        const top = y.getPixelForValue(rows[i].ciHigh);
        const bottom = y.getPixelForValue(rows[i].ciLow);
        const cap = Math.min(14, bar.width / 4);
        ctx.beginPath();
        ctx.moveTo(bar.x, top);
        ctx.lineTo(bar.x, bottom);
        ctx.moveTo(bar.x - cap, top);
        ctx.lineTo(bar.x + cap, top);
        ctx.moveTo(bar.x - cap, bottom);
        ctx.lineTo(bar.x + cap, bottom);
        ctx.stroke();
      });
      ctx.restore();
    },
  };
}
