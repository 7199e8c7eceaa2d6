// What a run reports: per-line problems as they are found (the first few of
// each kind, with line numbers) and the summary at the end (users, events,
// skipped lines by reason, warnings, per-tag coverage, time), as text for
// people and as JSON for scripts.

/** Why a line was not used, in the summary's words. */
export const SKIP_REASONS = {
  invalid_json: 'not valid JSON',
  not_an_object: 'not a JSON object',
  no_user_id: 'no user id',
  no_type: 'no event type',
  no_ts: 'no event time',
  bad_ts: 'unreadable event time',
  bad_number: 'text where a number belongs',
  bad_value: 'unreadable value',
  short_row: 'fewer fields than the header',
  long_row: 'more fields than the header',
  bad_quote: 'a stray quote in a CSV line',
  too_long: 'id or type longer than 256 bytes',
  unterminated_quote: 'a quoted CSV field never ends',
  duplicate_id: 'repeats an event id the user already has (counted once)',
};

/** Repairs and oddities of lines that were used. */
export const WARNING_REASONS = {
  generated_id: 'no event id; one was derived from type, ts and props',
  ts_in_seconds: 'ts in seconds; read as seconds and converted to ms',
  bad_props: '"props" not an object; event kept without props',
  bad_attributes: '"attributes" not an object; ignored',
  bad_consent: 'unreadable "consent" attribute; default consent used',
  engine: 'reported by the engine while tagging',
};

// Messages shown per reason before the rest are only counted.
const SHOWN_PER_REASON = 5;
// Line numbers kept per reason for the summary.
const LINES_PER_REASON = 10;

export class Report {
  skipped = new Map();

  warnings = new Map();

  #log;

  constructor(log) {
    this.#log = log;
  }

  /** A line (or a record of `lines` lines) that is not used. */
  skip(reason, line, message, lines = 1) {
    this.#add(this.skipped, reason, line, message, 'skipped', lines);
  }

  /** A line used despite a problem (or a repair). */
  warn(reason, line, message) {
    this.#add(this.warnings, reason, line, message, 'kept');
  }

  get skippedTotal() {
    let n = 0;
    for (const r of this.skipped.values()) n += r.count;
    return n;
  }

  /**
   * Takes in the problems of the shards of a parallel run (ShardReport
   * tables, js/cli/shard.js) as if one reader had found them all: logged and
   * listed in reading order, counted in full.
   */
  merge(tablesOfShards) {
    const entries = [];
    const counts = { skipped: new Map(), warnings: new Map() };
    for (const tables of tablesOfShards) {
      for (const name of ['skipped', 'warnings']) {
        for (const [reason, r] of Object.entries(tables[name])) {
          counts[name].set(reason, (counts[name].get(reason) ?? 0) + r.count);
          for (const [key, line, message, lines] of r.entries) entries.push({ key, name, reason, line, message, lines });
        }
      }
    }
    entries.sort((a, b) => a.key - b.key); // stable: a shard's own order for equal keys
    for (const e of entries) {
      if (e.name === 'skipped') this.skip(e.reason, e.line, e.message, e.lines);
      else this.warn(e.reason, e.line, e.message);
    }
    for (const name of ['skipped', 'warnings']) {
      for (const [reason, count] of counts[name]) this[name].get(reason).count = count;
    }
  }

  #add(table, reason, line, message, outcome, lines = 1) {
    let r = table.get(reason);
    if (r === undefined) {
      r = { count: 0, lines: [], shown: 0 };
      table.set(reason, r);
    }
    r.count += lines;
    if (r.lines.length < LINES_PER_REASON && line !== null) r.lines.push(line);
    if (this.#log === null) return;
    const where = line === null ? '' : `line ${line}: `;
    r.shown += 1;
    if (r.shown <= SHOWN_PER_REASON) this.#log(`${where}${message}; ${outcome}`);
    if (r.shown === SHOWN_PER_REASON + 1) {
      this.#log(`  (more lines with this problem [${reason}] are only counted; see the summary)`);
    }
  }
}

/**
 * The problems one shard of a parallel run finds (js/cli/shard.js): per
 * table and reason the count and the first entries a Report would print or
 * list, each with its ordering key (`position.key` when it was found), as
 * plain data for postMessage; Report.merge takes them in.
 */
export class ShardReport {
  tables = { skipped: {}, warnings: {} };

  #position;

  constructor(position) {
    this.#position = position;
  }

  skip(reason, line, message, lines = 1) {
    this.#add(this.tables.skipped, reason, line, message, lines);
  }

  warn(reason, line, message) {
    this.#add(this.tables.warnings, reason, line, message, 1);
  }

  get skippedTotal() {
    let n = 0;
    for (const r of Object.values(this.tables.skipped)) n += r.count;
    return n;
  }

  #add(table, reason, line, message, lines) {
    const r = table[reason] ??= { count: 0, entries: [], withLine: 0 };
    r.count += lines;
    if (r.entries.length <= SHOWN_PER_REASON || (line !== null && r.withLine < LINES_PER_REASON)) {
      r.entries.push([this.#position.key, line, message, lines]);
      if (line !== null) r.withLine += 1;
    }
  }
}

const int = (n) => n.toLocaleString('en-US');
const pct = (n, d) => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : '-');

/** East Asian wide characters take two terminal columns. */
function displayWidth(s) {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

function pad(s, width) {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

function reasonLines(table, words) {
  const out = [];
  const entries = [...table.entries()].sort((a, b) => b[1].count - a[1].count);
  for (const [reason, r] of entries) {
    const more = r.count > r.lines.length ? ', …' : '';
    const lines = r.lines.length > 0 ? `  (line${r.lines.length > 1 ? 's' : ''} ${r.lines.map(int).join(', ')}${more})` : '';
    out.push(`    ${int(r.count).padStart(9)}  ${words[reason] ?? reason} [${reason}]${lines}`);
  }
  return out;
}

/** The summary as text lines. */
export function formatSummary(s) {
  const out = [];
  out.push(`tagwise tag: ${int(s.users)} users tagged as of ${new Date(s.asOf).toISOString()} in ${s.seconds.total.toFixed(1)} s`);
  out.push(`  input     ${s.input.file} (${s.input.format}, ${(s.input.bytes / 1e6).toFixed(1)} MB, ${int(s.input.lines)} lines)`);
  out.push(`  events    ${int(s.events)} used${s.eventsAfterAsOf > 0 ? ` (${int(s.eventsAfterAsOf)} later than --as-of, which rules ignore)` : ''}`);
  out.push(`  skipped   ${int(s.skipped.total)} line${s.skipped.total === 1 ? '' : 's'}${s.skipped.limit ? ` (--max-skipped ${s.skipped.limit})` : ''}`);
  out.push(...reasonLines(s.skippedTable, SKIP_REASONS));
  if (s.warningsTable.size > 0) {
    out.push('  warnings');
    out.push(...reasonLines(s.warningsTable, WARNING_REASONS));
  }
  for (const note of s.notes) out.push(`  note      ${note}`);
  out.push(`  output    ${int(s.output.lines)} lines → ${s.output.file}`);
  out.push(`  coverage  users holding each tag (of ${int(s.users)})`);
  const idWidth = Math.max(...s.coverage.map((c) => c.id.length), 2);
  const nameWidth = Math.max(...s.coverage.map((c) => displayWidth(c.name)), 4);
  const dimWidth = Math.max(...s.coverage.map((c) => c.dimension.length), 9);
  for (const c of s.coverage) {
    out.push(`    ${c.id.padEnd(idWidth)}  ${pad(c.name, nameWidth)}  ${c.dimension.padEnd(dimWidth)}  ${int(c.users).padStart(7)}  ${pct(c.users, s.users).padStart(6)}`);
  }
  const rate = (n, secs) => (secs > 0 ? int(Math.round(n / secs)) : '-');
  const threads = s.threads > 1 ? ` on ${s.threads} threads` : '';
  out.push(`  time      read ${s.seconds.read.toFixed(2)} s · tag ${s.seconds.tag.toFixed(2)} s${threads} · total ${s.seconds.total.toFixed(2)} s`
    + ` (${rate(s.events, s.seconds.total)} events/s, ${rate(s.users, s.seconds.total)} users/s)`);
  return out;
}

/** The summary as a JSON-ready object. */
export function summaryJson(s) {
  const table = (t) => Object.fromEntries([...t.entries()].map(([k, v]) => [k, { count: v.count, lines: v.lines }]));
  return {
    asOf: new Date(s.asOf).toISOString(),
    input: s.input,
    users: s.users,
    events: s.events,
    eventsAfterAsOf: s.eventsAfterAsOf,
    skipped: { total: s.skipped.total, limit: s.skipped.limit, reasons: table(s.skippedTable) },
    warnings: table(s.warningsTable),
    notes: s.notes,
    output: s.output,
    coverage: s.coverage,
    threads: s.threads,
    seconds: s.seconds,
  };
}
