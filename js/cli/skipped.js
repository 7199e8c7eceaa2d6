// --max-skipped N|P%: how many unusable input lines a run accepts before it
// fails. A log where most lines are skipped (a wrong --csv-map, a shifted
// column, the wrong file) must not end with exit status 0 and a handful of
// tagged users.

import { SKIP_REASONS } from './summary.js';
import { UsageError } from './usage_error.js';

export const DEFAULT_MAX_SKIPPED = '1%';

/** Parses "N" (lines) or "P%" (percent of input lines) → { lines } | { percent }, with the text. */
export function parseMaxSkipped(text = DEFAULT_MAX_SKIPPED) {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (m !== null) {
    const percent = Number(m[1]);
    if (percent <= 100) return { percent, text };
  } else if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) {
    return { lines: Number(text), text };
  }
  throw new UsageError(`--max-skipped is a number of lines (e.g. 100) or a percentage of the input lines from 0% to 100% (e.g. 1%), not "${text}"`);
}

/** True when `skipped` of `total` input lines is more than the limit allows. */
export function overLimit(limit, skipped, total) {
  if (limit.lines !== undefined) return skipped > limit.lines;
  return skipped > 0 && skipped * 100 > limit.percent * total;
}

const int = (n) => n.toLocaleString('en-US');

// Reasons shown in the failure message, most frequent first.
const SHOWN_REASONS = 5;

/** "tagwise <command>: N of M input lines (P%) could not be used, more than --max-skipped L allows; <outcome>". */
export function limitHeadline(command, limit, skipped, total, outcome) {
  const share = total > 0 ? ` (${((100 * skipped) / total).toFixed(1)}%)` : '';
  return `tagwise ${command}: ${int(skipped)} of ${int(total)} input line${total === 1 ? '' : 's'}${share} could not be used, `
    + `more than --max-skipped ${limit.text} allows; ${outcome}`;
}

/**
 * The failure message: how many lines were skipped of how many, and why (the
 * most frequent reasons with their first line numbers).
 */
export function limitMessage(command, limit, skipped, total, table, outcome) {
  const out = [`${limitHeadline(command, limit, skipped, total, outcome)}. Why:`];
  const entries = [...table.entries()].sort((a, b) => b[1].count - a[1].count);
  for (const [reason, r] of entries.slice(0, SHOWN_REASONS)) {
    const more = r.count > r.lines.length ? ', …' : '';
    const lines = r.lines.length > 0 ? ` (line${r.lines.length > 1 ? 's' : ''} ${r.lines.slice(0, 5).map(int).join(', ')}${r.lines.length > 5 ? ', …' : more})` : '';
    out.push(`  ${int(r.count).padStart(9)}  ${SKIP_REASONS[reason] ?? reason} [${reason}]${lines}`);
  }
  if (entries.length > SHOWN_REASONS) out.push(`  … and ${entries.length - SHOWN_REASONS} more reasons`);
  out.push('Fix the input (or the --csv-map), or allow more with --max-skipped, e.g. --max-skipped 30% or --max-skipped 1000.');
  return out;
}
