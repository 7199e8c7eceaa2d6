// CSV input: the record layer is csv-parse (RFC 4180: quoted fields may hold
// the delimiter, "" and line breaks), strict about field counts and quotes,
// behind a line-split fast path for the lines it reads the same (csv_fast.js),
// with the line number of every record and every problem; and the column
// mapping that turns a record into a user's event and attributes (the
// --csv-map file, described in docs/cli.md, "The column map").
// forEachCsvRecord / csvTextRecords are the one CSV reader of the
// repository: the CLI, tools/retail/to_events.mjs, the benchmarks and the
// tests reading the retail reference files all use them.

import { parse } from 'csv-parse';

import { FastPass } from './csv_fast.js';
import { OTHER_USER } from './jsonl.js';
import { byteSource } from './lines.js';

const MAP_FIELDS = ['tagwise_csv_map', 'description', 'delimiter', 'user_id', 'id', 'type', 'ts', 'props', 'attributes'];
const SPEC_FIELDS = ['column', 'type', 'trim', 'case', 'template', 'multiply', 'round', 'const', 'cases', 'default',
  'format', 'zone', 'pick'];

const LF = 0x0a;

/** A problem in the --csv-map file; `path` is a JSON Pointer into it. */
export class MapError extends Error {
  constructor(path, message) {
    super(message);
    this.path = path;
  }
}

/** Why csv-parse rejected a record, in the CLI's words. */
function quoteProblem(err) {
  if (err.code === 'INVALID_OPENING_QUOTE') return 'a quote inside an unquoted field (quote the whole field and double the quote: "5"" ruler")';
  if (err.code === 'CSV_INVALID_CLOSING_QUOTE') return 'text after the closing quote of a field (a quoted field ends at the delimiter)';
  return `unreadable CSV (${err.message})`;
}

/** Line breaks in a record's fields as csv-parse counts them (\r\n twice) and as lines are (\r\n once, a lone \r not). */
function breaksIn(fields) {
  let parser = 0;
  let real = 0;
  for (const f of fields) {
    if (f.indexOf('\n') < 0 && f.indexOf('\r') < 0) continue;
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c === 0x0a) {
        parser++;
        real++;
      } else if (c === 0x0d) {
        parser++;
      }
    }
  }
  return { parser, real };
}

/**
 * One pass of csv-parse over bytes that start at line `firstLine` (the
 * whole input, or what follows a quote that never closed). Fed with
 * write(buffer) and end(); csv-parse works synchronously inside them, so
 * every record is handed on before they return. Records go to
 * ctx.record(fields, line), problems to ctx.skip(reason, line, message,
 * lines).
 */
class Pass {
  #ctx;
  #parser;
  #first;
  // Lines as csv-parse counts them minus real lines, so far (it counts a
  // \r\n inside a quoted field twice).
  #drift = 0;
  // csv-parse's line (1-based in this pass) of the last record handed on.
  #lastEnd = 0;
  // Byte offset (in this pass) just after that record, and the bytes kept from there.
  #lastEndByte = 0;
  #kept = [];
  #keptStart = 0;
  #pending = [];
  #unclosed = false;
  #endedWithLf = false;
  // A callback's exception, rethrown by write() / end() (an exception in a
  // stream's event handler would not reach the caller).
  #failure = null;
  bytes = 0;

  constructor(ctx, firstLine, delimiter) {
    this.#ctx = ctx;
    this.#first = firstLine;
    this.#parser = parse({
      delimiter,
      bom: firstLine === 1,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true, // counted against the header below, with the line number
      skip_records_with_error: true,
      on_skip: (err) => this.#guard(() => this.#onError(err)),
    });
    this.#parser.on('data', (fields) => this.#guard(() => this.#onRecord(fields)));
  }

  #guard(f) {
    if (this.#failure !== null) return;
    try {
      f();
    } catch (e) {
      this.#failure = e;
    }
  }

  #check() {
    if (this.#failure !== null) throw this.#failure;
  }

  write(buf) {
    if (buf.length === 0) return;
    this.#kept.push(buf);
    this.bytes += buf.length;
    this.#endedWithLf = buf[buf.length - 1] === LF;
    this.#parser.write(buf);
    this.#check();
    // Keep only the bytes from the last record on: what a quote that never
    // closes would need to be read again.
    while (this.#kept.length > 1 && this.#keptStart + this.#kept[0].length <= this.#lastEndByte) {
      this.#keptStart += this.#kept.shift().length;
    }
  }

  /** Ends the pass; returns the number of real lines it read. */
  end() {
    this.#parser.end();
    this.#check();
    const cpLines = this.#parser.info.lines - (this.#endedWithLf ? 1 : 0);
    const lines = this.bytes === 0 ? 0 : cpLines - this.#drift;
    if (this.#unclosed || this.#pending.length > 0) this.#settle(cpLines + 1, this.bytes, this.#unclosed);
    return lines;
  }

  #line(cpLine) {
    return this.#first - 1 + cpLine - this.#drift;
  }

  #onError(err) {
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      this.#unclosed = true;
      return;
    }
    this.#pending.push({ cpLine: err.lines, message: quoteProblem(err) });
  }

  #onRecord(fields) {
    const info = this.#parser.info;
    const end = info.lines;
    if (end - this.#lastEnd === 1 && this.#pending.length === 0) {
      this.#lastEnd = end;
      this.#lastEndByte = info.bytes;
      this.#ctx.record(fields, this.#line(end), 1);
      return;
    }
    // A record over several lines, or records dropped before it.
    const b = breaksIn(fields);
    const start = end - b.parser;
    if (this.#pending.length > 0 && this.#settle(start, info.bytes, false)) {
      // The lines were read again, this record included.
      this.#lastEnd = end;
      this.#lastEndByte = info.bytes;
      return;
    }
    const line = this.#line(start);
    this.#drift += b.parser - b.real;
    this.#lastEnd = end;
    this.#lastEndByte = info.bytes;
    this.#ctx.record(fields, line, b.real + 1);
  }

  /**
   * Reports the records csv-parse dropped after the last good record, up to
   * csv-parse line `to` (excluded). Dropped records of one line each are
   * skipped as they are. A broken quote that ran over several lines (one
   * that never closes, or closes lines later followed by text) would skip
   * them all: then only its first line is skipped and the bytes after it, up
   * to `endByte`, are read again by a new pass. Returns true when it did so.
   */
  #settle(to, endByte, unclosed) {
    const from = this.#lastEnd + 1;
    const pending = this.#pending;
    this.#pending = [];
    if (!unclosed && to - from <= pending.length) {
      for (const p of pending) this.#ctx.skip('bad_quote', this.#line(Math.max(p.cpLine, from)), p.message, 1);
      return false;
    }
    const bytes = Buffer.concat(this.#kept).subarray(this.#lastEndByte - this.#keptStart, endByte - this.#keptStart);
    const nl = bytes.indexOf(LF);
    const line = this.#line(from);
    const first = pending[0];
    if (first !== undefined && first.cpLine === from) {
      this.#ctx.skip('bad_quote', line, first.message, 1);
    } else {
      const text = bytes.subarray(0, nl < 0 ? bytes.length : nl).toString('utf8').replace(/\r$/, '');
      this.#ctx.leftover ??= { line, text };
      this.#ctx.skip('unterminated_quote', line, unclosed
        ? 'a quoted field opened on this line never ends (a missing closing "); the lines after it are read on their own'
        : 'a quoted field opened on this line does not end at a delimiter; the lines after it are read on their own', 1);
    }
    if (nl >= 0 && nl + 1 < bytes.length) {
      const pass = new Pass(this.#ctx, line + 1, this.#ctx.delimiter);
      pass.write(bytes.subarray(nl + 1));
      pass.end();
    }
    return true;
  }
}

/**
 * The reading state shared by the passes over one input: the header, the
 * strict field count, and the callbacks.
 */
function reader(delimiter, { onHeader, onRecord, onSkip }) {
  const ctx = {
    delimiter,
    header: null,
    leftover: null,
    record(fields, line, span) {
      if (ctx.header === null) {
        ctx.header = fields;
        onHeader(fields, line);
        return;
      }
      if (fields.length === 1 && fields[0].trim() === '') return; // a blank line
      if (fields.length !== ctx.header.length) {
        const n = fields.length;
        const width = ctx.header.length;
        onSkip(n < width ? 'short_row' : 'long_row', line,
          `has ${n} field${n === 1 ? '' : 's'}; the header has ${width}${n > width ? ' (an unquoted delimiter in a value?)' : ''}`, span);
        return;
      }
      onRecord(fields, line);
    },
    skip(reason, line, message, lines) {
      onSkip(reason, line, message, lines);
    },
  };
  return ctx;
}

const ignore = () => {};

/** The default for callers without onSkip: a broken record stops the reading. */
function throwSkip(reason, line, message) {
  throw new Error(`line ${line}: ${message} [${reason}]`);
}

/**
 * Streams a CSV file (\`path\`, "-" = stdin, or chunks: see byteSource; "\r\n" or "\n" line endings, a
 * leading byte-order mark dropped): onHeader(fields, line) for the first
 * record, then onRecord(fields, line) for every non-blank record with as many
 * fields as the header, where \`line\` is the record's first line (a quoted
 * field may span lines). Every other record goes to onSkip(reason, line,
 * message, lines): "short_row" / "long_row" (field count), "bad_quote" (a
 * stray quote), "unterminated_quote" (a quote that never closes: that line is
 * skipped and the lines after it are read again); \`lines\` is how many input
 * lines it covers. Without onSkip such a record throws. Any callback may
 * throw to stop reading. quickSkip(line, lineNumber) may consume a plain
 * line before it is split (see FastPass). onBytes(n) reports progress. Resolves with { lines,
 * bytes, header, leftover }: \`header\` is null for an empty input,
 * \`leftover\` is { line, text } of the first quote that never closes, else
 * null.
 */
export async function forEachCsvRecord(path, { delimiter = ',', onHeader = ignore, onRecord, onSkip = throwSkip, onBytes, quickSkip } = {}) {
  const ctx = reader(delimiter, { onHeader, onRecord, onSkip });
  const pass = new FastPass(ctx, delimiter, (line) => new Pass(ctx, line, delimiter), quickSkip);
  for await (const chunk of byteSource(path)) {
    pass.write(chunk);
    onBytes?.(pass.bytes);
  }
  const lines = pass.end();
  return { lines, bytes: pass.bytes, header: ctx.header, leftover: ctx.leftover };
}

/**
 * A whole CSV text read as forEachCsvRecord reads a file: { header, lines, records:
 * [{ fields, line }], leftover, skipped: [{ reason, line, message, lines }] }.
 * For small reference files; stream large ones.
 */
export function csvTextRecords(text, delimiter = ',') {
  return csvChunkRecords([Buffer.from(text, 'utf8')], delimiter);
}

/**
 * csvTextRecords over bytes written in the given chunks; with `fast: false`
 * csv-parse reads every line (the tests compare the two readers).
 */
export function csvChunkRecords(chunks, delimiter = ',', { fast = true } = {}) {
  const records = [];
  const skipped = [];
  const ctx = reader(delimiter, {
    onHeader: ignore,
    onRecord: (fields, line) => records.push({ fields, line }),
    onSkip: (reason, line, message, lines) => skipped.push({ reason, line, message, lines }),
  });
  const pass = fast ? new FastPass(ctx, delimiter, (line) => new Pass(ctx, line, delimiter)) : new Pass(ctx, 1, delimiter);
  for (const chunk of chunks) pass.write(chunk);
  const lines = pass.end();
  return { header: ctx.header, records, leftover: ctx.leftover, skipped, lines };
}

// ---------------------------------------------------------------- time formats

const TOKEN = /YYYY|MM|M|DD|D|HH|H|mm|m|ss|s|SSS/g;

/** A parser for a date pattern such as "YYYY-MM-DD HH:mm:ss" or "M/D/YYYY H:mm"; returns text → ms | null. */
function patternParser(format, offsetMs) {
  const parts = [];
  let re = '^\\s*';
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    re += escapeRe(format.slice(last, m.index));
    const t = m[0];
    re += t === 'YYYY' ? '(\\d{4})' : t === 'SSS' ? '(\\d{1,3})' : t.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
    parts.push(t);
    last = m.index + t.length;
  }
  re += `${escapeRe(format.slice(last))}\\s*$`;
  const regex = new RegExp(re);
  if (!parts.includes('YYYY')) return null;
  // Lines of one order share its time: remember the last answer.
  let lastText = null;
  let lastMs = null;
  return (text) => {
    if (text === lastText) return lastMs;
    lastText = text;
    lastMs = parse(text);
    return lastMs;
  };

  function parse(text) {
    const m = regex.exec(text);
    if (m === null) return null;
    const v = { Y: 1970, M: 1, D: 1, H: 0, m: 0, s: 0, S: 0 };
    for (let i = 0; i < parts.length; i++) {
      const t = parts[i];
      const n = Number(m[i + 1]);
      if (t === 'YYYY') v.Y = n;
      else if (t[0] === 'M') v.M = n;
      else if (t[0] === 'D') v.D = n;
      else if (t[0] === 'H') v.H = n;
      else if (t[0] === 'm') v.m = n;
      else if (t === 'SSS') v.S = Number(m[i + 1].padEnd(3, '0'));
      else v.s = n;
    }
    if (v.M < 1 || v.M > 12 || v.D < 1 || v.D > 31 || v.H > 23 || v.m > 59 || v.s > 59) return null;
    const ms = Date.UTC(v.Y, v.M - 1, v.D, v.H, v.m, v.s, v.S);
    if (new Date(ms).getUTCDate() !== v.D) return null; // 31/02
    return ms - offsetMs;
  }
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function zoneOffsetMs(zone, path) {
  if (zone === undefined || /^(utc|z|gmt)$/i.test(zone)) return 0;
  const m = typeof zone === 'string' ? /^([+-])(\d{2}):?(\d{2})$/.exec(zone) : null;
  if (m === null) throw new MapError(`${path}/zone`, `"zone" is "UTC" or an offset such as "+08:00", not ${JSON.stringify(zone)}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

// ---------------------------------------------------------------- the mapping

/** Round half away from zero to `digits` decimals (as C++ std::round does). */
export function roundTo(x, digits) {
  const f = 10 ** digits;
  return Math.sign(x) * Math.round(Math.abs(x) * f) / f;
}

/**
 * Compiles a --csv-map object against the CSV header. Returns
 * { map(fields, lineNo) → row, notes: [text], picks: {attribute: "first" | "last"} }
 * where row is { userId, id, type, ts, props, attributes } or
 * { skip: reason, message }. `ts` is ms, or with the "iso" format the cell's
 * text or number (the caller applies the JSON Lines checks: ISO text, ms,
 * seconds detected). Throws MapError for a map that cannot work with this
 * header.
 */
export function compileCsvMap(map, header) {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new MapError('', 'a CSV map is an object like {"user_id": "CustomerID", "ts": {...}, "type": ..., "props": {...}}');
  }
  const version = map.tagwise_csv_map;
  if (version !== undefined && version !== 1) {
    throw new MapError('/tagwise_csv_map', `this map is format version ${JSON.stringify(version)}; this tagwise reads version 1`);
  }
  const notes = [];
  for (const key of Object.keys(map)) {
    if (!MAP_FIELDS.includes(key)) notes.push(`the CSV map field "${key}" is unknown and ignored (fields: ${MAP_FIELDS.join(', ')})`);
  }
  const columns = new Map(header.map((name, i) => [name.trim(), i]));
  const col = (name, path) => {
    const i = columns.get(name);
    if (i === undefined) {
      const hint = [...columns.keys()].find((c) => c.toLowerCase() === String(name).toLowerCase());
      throw new MapError(path, `column "${name}" is not in the CSV header${hint ? `; did you mean "${hint}"?` : ''} (columns: ${[...columns.keys()].join(', ')})`);
    }
    return i;
  };

  for (const key of ['user_id', 'type', 'ts']) {
    if (map[key] === undefined) throw new MapError(`/${key}`, `the CSV map needs "${key}" (which column gives each event's ${key})`);
  }
  const userColumns = new Set();
  const userId = compileSpec(map.user_id, '/user_id', (name, path) => {
    const i = col(name, path);
    userColumns.add(i);
    return i;
  }, notes);
  const type = compileSpec(map.type, '/type', col, notes);
  const ts = compileTs(map.ts, '/ts', col);
  let id;
  if (map.id === undefined) {
    notes.push('the CSV map has no "id": each line is its own event, with the id "line-<line number>"');
    id = (f, line) => `line-${line}`;
  } else {
    id = compileSpec(map.id, '/id', col, notes);
  }
  const props = compileObject(map.props, '/props', col, notes);
  const attributes = compileObject(map.attributes, '/attributes', col, notes);
  const width = header.length;

  // `owns(userId)`, when given, says whether this reader keeps the user's
  // lines (js/cli/shard.js); for another reader's user the row is OTHER_USER,
  // mapped no further.
  const mapRow = (f, line, owns) => {
    if (f.length !== width) {
      return { skip: f.length < width ? 'short_row' : 'long_row', message: `has ${f.length} field${f.length === 1 ? '' : 's'}; the header has ${width}` };
    }
    // Skips found once the user is known name the user (the shard that keeps them reports it).
    let user;
    try {
      const u = userId(f, line);
      if (u === null || u === '') return { skip: 'no_user_id', message: `no user id (${describe(map.user_id)} is empty)` };
      user = String(u);
      if (owns !== undefined && !owns(user)) return OTHER_USER;
      const t = type(f, line);
      if (t === null || t === '') return { skip: 'no_type', message: `no event type (${describe(map.type)} is empty)`, userId: user };
      if (f[ts.column].trim() === '') return { skip: 'no_ts', message: `no event time (${describe(map.ts)} is empty)`, userId: user };
      const time = ts(f);
      if (time === null) {
        return { skip: 'bad_ts', message: `${describe(map.ts)} is ${JSON.stringify(f[ts.column])}, not a time of the form ${ts.format}`, userId: user };
      }
      const p = {};
      for (const [name, spec] of props) {
        const v = spec(f, line);
        if (v !== null) p[name] = v;
      }
      const a = {};
      for (const [name, spec] of attributes) {
        const v = spec(f, line);
        if (v !== null) a[name] = v;
      }
      return { userId: user, id: String(id(f, line)), type: String(t), ts: time, props: p, attributes: a };
    } catch (e) {
      if (e instanceof CellError) return { skip: e.reason, message: e.message, userId: user };
      throw e;
    }
  };
  const picks = {};
  if (map.attributes !== undefined) {
    for (const [name, spec] of Object.entries(map.attributes)) {
      const pick = spec !== null && typeof spec === 'object' ? spec.pick ?? 'last' : 'last';
      if (pick !== 'first' && pick !== 'last') {
        throw new MapError(`/attributes/${name}/pick`, '"pick" is "last" (the value of the user\'s latest line) or "first"');
      }
      picks[name] = pick;
    }
  }
  const delimiter = map.delimiter ?? ',';
  return { map: mapRow, notes, picks, delimiter, userOfLine: lineUser(userColumns, userId, width, delimiter) };
}

/**
 * The user of a plain CSV line (no quote, exactly `width` fields) read
 * without splitting it, when the user id comes from one column: a reader
 * skips other threads' lines with it (js/cli/shard.js). The function
 * returns undefined whenever the full reading must decide (another shape,
 * no user id, an unreadable cell); undefined itself when the id needs
 * several columns.
 */
function lineUser(columns, userId, width, delimiter) {
  if (columns.size !== 1 || delimiter.length !== 1) return undefined;
  const [column] = columns;
  const cells = new Array(width);
  return (line, lineNumber) => {
    if (line.indexOf('"') >= 0) return undefined;
    let start = 0;
    let n = 0;
    for (;;) {
      const end = line.indexOf(delimiter, start);
      if (n === column) cells[column] = line.slice(start, end < 0 ? line.length : end);
      if (end < 0) break;
      n++;
      start = end + 1;
    }
    if (n + 1 !== width) return undefined;
    try {
      const u = userId(cells, lineNumber);
      return u === null || u === '' ? undefined : String(u);
    } catch {
      return undefined;
    }
  };
}

/** A cell that cannot be read as its map says; the line is skipped for `reason`. */
class CellError extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

function describe(spec) {
  if (typeof spec === 'string') return `column ${spec}`;
  if (spec && typeof spec === 'object' && typeof spec.column === 'string') return `column ${spec.column}`;
  return 'the mapped value';
}

function compileObject(obj, path, col, notes) {
  if (obj === undefined) return [];
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new MapError(path, `"${path.slice(1)}" is an object of name → column (or value spec)`);
  }
  return Object.entries(obj).map(([name, spec]) => [name, compileSpec(spec, `${path}/${name}`, col, notes)]);
}

function compileTs(spec, path, col) {
  const s = typeof spec === 'string' ? { column: spec } : spec;
  if (s === null || typeof s !== 'object' || typeof s.column !== 'string') {
    throw new MapError(path, '"ts" is a column name or {"column", "format", "zone"}');
  }
  const i = col(s.column, `${path}/column`);
  const format = s.format ?? 'iso';
  const offset = zoneOffsetMs(s.zone, path);
  let parse;
  if (format === 'iso') {
    // The caller applies the JSON Lines rules (ISO text; numbers as ms, seconds detected).
    parse = (f) => {
      const t = f[i].trim();
      if (t === '') return null;
      return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
    };
  } else if (format === 'epoch_ms' || format === 'epoch_s') {
    const scale = format === 'epoch_s' ? 1000 : 1;
    parse = (f) => {
      const n = Number(f[i].trim());
      return f[i].trim() === '' || !Number.isFinite(n) ? null : Math.round(n * scale);
    };
  } else {
    const p = typeof format === 'string' ? patternParser(format, offset) : null;
    if (p === null) {
      throw new MapError(`${path}/format`, `"format" is "iso", "epoch_ms", "epoch_s" or a pattern with YYYY, MM, DD, HH, mm, ss (e.g. "YYYY-MM-DD HH:mm:ss"), not ${JSON.stringify(format)}`);
    }
    parse = (f) => p(f[i]);
  }
  parse.column = i;
  parse.format = format === 'iso' ? 'ISO 8601 or ms' : format;
  return parse;
}

// Distinct values remembered per column before interning stops (a column of
// unique values, such as an order id, gains nothing from it).
const INTERN_LIMIT = 100_000;

/**
 * A function returning one shared copy of each distinct string of a column.
 * Shop logs repeat the same few thousand product names, codes and countries
 * hundreds of thousands of times; keeping one copy of each makes the grouped
 * log several times smaller, so reading a large file spends far less time
 * collecting garbage.
 */
function interner() {
  const seen = new Map();
  let on = true;
  return (s) => {
    if (!on) return s;
    const v = seen.get(s);
    if (v !== undefined) return v;
    if (seen.size >= INTERN_LIMIT) {
      on = false;
      seen.clear();
      return s;
    }
    seen.set(s, s);
    return s;
  };
}

const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function compileSpec(spec, path, col, notes) {
  if (typeof spec === 'string') {
    const i = col(spec, path);
    const intern = interner();
    return (f) => intern(f[i]);
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new MapError(path, 'a value is a column name or an object such as {"column": "Quantity", "type": "number"}');
  }
  for (const key of Object.keys(spec)) {
    if (!SPEC_FIELDS.includes(key)) notes.push(`${path}: "${key}" is unknown and ignored`);
  }
  if ('const' in spec) {
    const v = spec.const;
    return () => v;
  }
  if (spec.template !== undefined) {
    if (typeof spec.template !== 'string') throw new MapError(`${path}/template`, '"template" is text such as "{InvoiceNo}/{$line}"');
    const pieces = [];
    let last = 0;
    for (const m of spec.template.matchAll(/\{([^{}]+)\}/g)) {
      pieces.push(spec.template.slice(last, m.index));
      pieces.push(m[1] === '$line' ? -1 : col(m[1], `${path}/template`));
      last = m.index + m[0].length;
    }
    pieces.push(spec.template.slice(last));
    return (f, line) => {
      let s = '';
      for (const p of pieces) s += typeof p === 'string' ? p : p < 0 ? line : f[p];
      return s;
    };
  }
  if (spec.multiply !== undefined) {
    if (!Array.isArray(spec.multiply) || spec.multiply.length < 2) {
      throw new MapError(`${path}/multiply`, '"multiply" lists two or more numeric columns, e.g. ["Quantity", "UnitPrice"]');
    }
    const factors = spec.multiply.map((c, k) => {
      const i = col(c, `${path}/multiply/${k}`);
      return (f) => readNumber(f[i], c);
    });
    const digits = roundDigits(spec.round, path);
    return (f) => {
      let x = 1;
      for (const factor of factors) {
        const v = factor(f);
        if (v === null) return null;
        x *= v;
      }
      return digits === null ? x : roundTo(x, digits);
    };
  }
  if (typeof spec.column !== 'string') throw new MapError(path, 'the value spec needs "column" (or "template", "multiply", "const")');
  const i = col(spec.column, `${path}/column`);
  const name = spec.column;
  let read;
  const trim = spec.trim === true;
  const kind = spec.type ?? 'string';
  if (kind === 'number' || kind === 'integer') {
    const digits = roundDigits(spec.round, path);
    const integer = kind === 'integer';
    read = (f) => {
      let v = readNumber(f[i], name);
      if (v === null) return null;
      if (integer && !Number.isInteger(v)) throw new CellError('bad_number', `column ${name} is ${JSON.stringify(f[i])}, not a whole number`);
      if (digits !== null) v = roundTo(v, digits);
      return v;
    };
  } else if (kind === 'auto') {
    // Default map only: numeric text becomes a number, the rest stays text.
    read = (f) => (f[i] !== '' && NUMBER_TEXT.test(f[i]) ? Number(f[i]) : f[i]);
  } else if (kind === 'boolean') {
    read = (f) => {
      const t = f[i].trim().toLowerCase();
      if (t === '') return null;
      if (['true', '1', 'yes', 'y'].includes(t)) return true;
      if (['false', '0', 'no', 'n'].includes(t)) return false;
      throw new CellError('bad_value', `column ${name} is ${JSON.stringify(f[i])}, not true/false`);
    };
  } else if (kind === 'string') {
    const upper = spec.case === 'upper';
    const lower = spec.case === 'lower';
    if (spec.case !== undefined && !upper && !lower) throw new MapError(`${path}/case`, '"case" is "upper" or "lower"');
    const intern = interner();
    read = (f) => {
      let s = f[i];
      if (trim) s = s.trim();
      if (upper) s = s.toUpperCase();
      else if (lower) s = s.toLowerCase();
      return intern(s);
    };
  } else {
    throw new MapError(`${path}/type`, `"type" is string, number, integer or boolean, not ${JSON.stringify(kind)}`);
  }
  if (spec.cases !== undefined) {
    if (!Array.isArray(spec.cases)) throw new MapError(`${path}/cases`, '"cases" is a list like [{"prefix": "C", "value": "order_refunded"}]');
    const tests = spec.cases.map((c, k) => compileCase(c, `${path}/cases/${k}`));
    const fallback = 'default' in spec ? spec.default : undefined;
    const base = read;
    read = (f) => {
      const v = base(f);
      const text = v === null ? '' : String(v);
      for (const [test, value] of tests) if (test(text)) return value;
      return fallback === undefined ? v : fallback;
    };
  }
  return read;
}

function compileCase(c, path) {
  if (c === null || typeof c !== 'object' || !('value' in c)) {
    throw new MapError(path, 'a case is {"prefix" | "equals" | "regex": text, "value": result}');
  }
  if (typeof c.prefix === 'string') return [(t) => t.startsWith(c.prefix), c.value];
  if (typeof c.equals === 'string') return [(t) => t === c.equals, c.value];
  if (typeof c.regex === 'string') {
    let re;
    try {
      re = new RegExp(c.regex);
    } catch (e) {
      throw new MapError(`${path}/regex`, `not a regular expression: ${e.message}`);
    }
    return [(t) => re.test(t), c.value];
  }
  throw new MapError(path, 'a case needs "prefix", "equals" or "regex"');
}

function roundDigits(round, path) {
  if (round === undefined) return null;
  if (!Number.isInteger(round) || round < 0 || round > 12) throw new MapError(`${path}/round`, '"round" is a number of decimals, 0 to 12');
  return round;
}

function readNumber(text, column) {
  if (text.length === 0 || text.trim() === '') return null;
  if (!NUMBER_TEXT.test(text)) throw new CellError('bad_number', `column ${column} is ${JSON.stringify(text)}, not a number`);
  return Number(text);
}

/**
 * The mapping used when a CSV comes without --csv-map: columns user_id, type
 * and ts are required, id is used when present, every other column becomes a
 * prop (numeric text as a number).
 */
export function defaultCsvMap(header) {
  const names = header.map((h) => h.trim());
  const missing = ['user_id', 'type', 'ts'].filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new MapError('', `this CSV has no --csv-map and lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; `
      + 'give --csv-map FILE (tagwise tag --help; docs/cli.md, "The column map") or name the columns user_id, id, type, ts');
  }
  const props = {};
  for (const n of names) {
    if (!['user_id', 'id', 'type', 'ts'].includes(n) && n !== '') props[n] = { column: n, type: 'auto' };
  }
  return { user_id: 'user_id', type: 'type', ts: 'ts', ...(names.includes('id') ? { id: 'id' } : {}), props };
}
