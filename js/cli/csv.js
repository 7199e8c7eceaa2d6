// CSV input: RFC 4180 records assembled from physical lines (a quoted field
// may hold commas, "" and line breaks), and the column mapping that turns a
// record into a user's event and attributes (the --csv-map file, documented
// in examples/README.md). forEachCsvRecord / csvTextRecords are the one CSV
// reader of the repository: the CLI, tools/retail/to_events.mjs,
// demo/data/build.mjs, the benchmarks and the tests reading the retail
// reference files all use them.

import { forEachLine } from './lines.js';

const MAP_FIELDS = ['tagwise_csv_map', 'description', 'delimiter', 'user_id', 'id', 'type', 'ts', 'props', 'attributes'];
const SPEC_FIELDS = ['column', 'type', 'trim', 'case', 'template', 'multiply', 'round', 'const', 'cases', 'default',
  'format', 'zone', 'pick'];

/** A problem in the --csv-map file; `path` is a JSON Pointer into it. */
export class MapError extends Error {
  constructor(path, message) {
    super(message);
    this.path = path;
  }
}

/**
 * Joins physical lines into CSV records. push(line, lineNo) returns the
 * fields of a complete record (and sets `.line` to its first line number), or
 * null while a quoted field continues on the next line.
 */
export class CsvRecords {
  #delimiter;
  #pending = null;
  #pendingLine = 0;

  constructor(delimiter = ',') {
    this.#delimiter = delimiter;
  }

  push(text, lineNo) {
    let record = text;
    let start = lineNo;
    if (this.#pending !== null) {
      record = `${this.#pending}\n${text}`;
      start = this.#pendingLine;
    }
    if (record.indexOf('"') >= 0 && !quotesBalanced(record)) {
      this.#pending = record;
      this.#pendingLine = start;
      return null;
    }
    this.#pending = null;
    this.line = start;
    return splitRecord(record, this.#delimiter);
  }

  /** The unterminated record left at the end of the input, if any: { line, text }. */
  leftover() {
    return this.#pending === null ? null : { line: this.#pendingLine, text: this.#pending };
  }
}

/**
 * Turns physical lines into the header and the data records: the first
 * complete record is the header, later blank records (one empty or
 * whitespace-only field) are skipped. line(text, lineNo) takes each line;
 * end() returns { header (null for an empty input), leftover }.
 */
function csvLines(delimiter, onHeader, onRecord) {
  const records = new CsvRecords(delimiter);
  let header = null;
  return {
    line(text, lineNo) {
      const fields = records.push(text, lineNo);
      if (fields === null) return;
      if (header === null) {
        header = fields;
        onHeader(fields, records.line);
      } else if (fields.length > 1 || fields[0].trim() !== '') {
        onRecord(fields, records.line);
      }
    },
    end() {
      return { header, leftover: records.leftover() };
    },
  };
}

const ignore = () => {};

/**
 * Streams a CSV file (`path`, "-" = stdin; line handling as forEachLine:
 * "\r\n" or "\n", a leading byte-order mark dropped): onHeader(fields, line)
 * for the first record, then onRecord(fields, line) for every non-blank
 * record, where `line` is the record's first line (a quoted field may span
 * lines). Either callback may throw to stop reading. onBytes(n) reports
 * progress. Resolves with { lines, bytes, header, leftover }: `header` is null
 * for an empty input, `leftover` is { line, text } when a quoted field never
 * ends, else null.
 */
export async function forEachCsvRecord(path, { delimiter = ',', onHeader = ignore, onRecord, onBytes } = {}) {
  const reader = csvLines(delimiter, onHeader, onRecord);
  const { lines, bytes } = await forEachLine(path, (text, lineNo) => reader.line(text, lineNo), onBytes);
  return { lines, bytes, ...reader.end() };
}

/**
 * A whole CSV text read as forEachCsvRecord reads a file: { header, records:
 * [{ fields, line }], leftover }. For small reference files; stream large ones.
 */
export function csvTextRecords(text, delimiter = ',') {
  const records = [];
  const reader = csvLines(delimiter, ignore, (fields, line) => records.push({ fields, line }));
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  if (lines.at(-1) === '') lines.pop(); // the final line break ends the last line
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i];
    reader.line(t.endsWith('\r') ? t.slice(0, -1) : t, i + 1);
  }
  return { ...reader.end(), records };
}

function quotesBalanced(s) {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n % 2 === 0;
}

/** Fields of one complete record. */
export function splitRecord(s, delimiter = ',') {
  if (s.indexOf('"') < 0) return s.split(delimiter);
  const fields = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
    } else if (c === '"') {
      quoted = true;
      i++;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      i++;
    } else {
      field += c;
      i++;
    }
  }
  fields.push(field);
  return fields;
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
  const userId = compileSpec(map.user_id, '/user_id', col, notes);
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

  const mapRow = (f, line) => {
    if (f.length < width) {
      return { skip: 'short_row', message: `has ${f.length} field${f.length === 1 ? '' : 's'}; the header has ${width}` };
    }
    try {
      const u = userId(f, line);
      if (u === null || u === '') return { skip: 'no_user_id', message: `no user id (${describe(map.user_id)} is empty)` };
      const t = type(f, line);
      if (t === null || t === '') return { skip: 'no_type', message: `no event type (${describe(map.type)} is empty)` };
      if (f[ts.column].trim() === '') return { skip: 'no_ts', message: `no event time (${describe(map.ts)} is empty)` };
      const time = ts(f);
      if (time === null) {
        return { skip: 'bad_ts', message: `${describe(map.ts)} is ${JSON.stringify(f[ts.column])}, not a time of the form ${ts.format}` };
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
      return { userId: String(u), id: String(id(f, line)), type: String(t), ts: time, props: p, attributes: a };
    } catch (e) {
      if (e instanceof CellError) return { skip: e.reason, message: e.message };
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
  return { map: mapRow, notes, picks, delimiter: map.delimiter ?? ',' };
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
 * hundreds of thousands of times; keeping one copy of each (a fresh string,
 * not a slice of the chunk it was read from) makes the grouped log several
 * times smaller, so reading a large file spends far less time collecting
 * garbage.
 */
function interner() {
  const seen = new Map();
  let on = true;
  return (s) => {
    if (!on) return s;
    let v = seen.get(s);
    if (v === undefined) {
      if (seen.size >= INTERN_LIMIT) {
        on = false;
        seen.clear();
        return s;
      }
      v = s.length > 12 ? Buffer.from(s, 'utf8').toString('utf8') : s;
      seen.set(v, v);
    }
    return v;
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
      + 'give --csv-map FILE (see examples/retail-csv-map.json) or name the columns user_id, id, type, ts');
  }
  const props = {};
  for (const n of names) {
    if (!['user_id', 'id', 'type', 'ts'].includes(n) && n !== '') props[n] = { column: n, type: 'auto' };
  }
  return { user_id: 'user_id', type: 'type', ts: 'ts', ...(names.includes('id') ? { id: 'id' } : {}), props };
}
