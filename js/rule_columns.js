// A batch of records as typed columns (core/include/tagwise/rule_columns.h):
// what compileRules(...).evaluateMany sends when the rule set has a column
// form (Node's module; the browser's modules keep the JSON path). Instead of
// one JSON text per record, each `var` path the rules read becomes one cell
// per record — a kind byte and a float64 — strings become ids into one table
// per batch (the set's own literal strings first; wasm compares strings by
// text, so ids are a saving, not a contract), and arrays of plain values go
// to a pool. Nothing is stringified and nothing is parsed on the wasm side.
// The Handle of js/rules.js hands its batches to ColumnForm.run when the set
// has a column form (ColumnForm.of).
//
// The cells hold exactly what JSON.stringify would have sent for the fields
// the rules read: a missing field, undefined, a function or a symbol is
// missing; NaN and ±Infinity are null; -0 is 0; array elements that JSON
// writes as null are null. A record whose read fields the cells cannot hold
// the same way (an object or an array of objects where a rule reads a value,
// a string or an array on the way down a path, a BigInt, a class instance, a
// toJSON method, a lone surrogate) is marked and evaluated through the JSON
// path instead, so results and errors stay what they were. Fields the rules
// do not read are not looked at.

import { TagwiseError } from './errors.js';
import { readBatch, viewsOf } from './rules.js';

// Cell kinds; keep in sync with `enum ColumnKind` in core/include/tagwise/rule_columns.h.
const COL_NULL = 1;
const COL_FALSE = 2;
const COL_TRUE = 3;
const COL_NUMBER = 4;
const COL_STRING = 5;
const COL_ARRAY = 6;
const COL_SKIP = 7;

// Description words; keep in sync with `enum ColumnWord` in wasm/rule_binding.h.
const W_RECORDS = 0;
const W_COLUMNS = 1;
const W_KINDS = 2;
const W_VALUES = 3;
const W_POOL = 4;
const W_POOL_SIZE = 5;
const W_STRINGS = 6;
const W_OFFSETS = 7;
const W_BLOB = 8;
const W_BLOB_SIZE = 9;
const DESC_BYTES = 48; // 10 words, padded to keep what follows 8-byte aligned

const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
// Strings up to this many UTF-16 units / bytes are coded in JS: TextEncoder
// and TextDecoder cost more than the work itself on a few bytes.
const SHORT = 64;
// Cells (and pool entries, strings) a rule set keeps between calls; a larger
// batch's buffers are dropped after it.
const KEEP_CELLS = 1 << 16;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const wellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !LONE_SURROGATE.test(s);

/** A plain object whose JSON text is its own enumerable fields. */
function isPlain(o) {
  const proto = Object.getPrototypeOf(o);
  return (proto === OBJECT_PROTO || proto === null) && typeof o.toJSON !== 'function';
}

/** UTF-8 length of a well-formed string. */
function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else {
      n += 2; // 3 bytes for one unit; 4 for a surrogate pair's two
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
  }
  return n;
}

/** Writes a short well-formed string's UTF-8 at u8[at]; returns the end. */
function encodeShort(s, u8, at) {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      u8[at++] = c;
    } else if (c < 0x800) {
      u8[at++] = 0xc0 | (c >> 6);
      u8[at++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      u8[at++] = 0xf0 | (c >> 18);
      u8[at++] = 0x80 | ((c >> 12) & 0x3f);
      u8[at++] = 0x80 | ((c >> 6) & 0x3f);
      u8[at++] = 0x80 | (c & 0x3f);
    } else {
      u8[at++] = 0xe0 | (c >> 12);
      u8[at++] = 0x80 | ((c >> 6) & 0x3f);
      u8[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}

/**
 * A one-record result's table (JSON text in wasm memory). Most hold one
 * string without escapes (a rule's "gold"), read without JSON.parse.
 */
function readTable(bytes) {
  const n = bytes.length;
  if (n <= SHORT && bytes[0] === 0x5b && bytes[1] === 0x22 && bytes[n - 2] === 0x22 && bytes[n - 1] === 0x5d) {
    let plain = true;
    for (let i = 2; i < n - 2 && plain; i++) plain = bytes[i] !== 0x22 && bytes[i] !== 0x5c; // no quote, no backslash
    if (plain) return [decodeText(bytes.subarray(2, n - 2))];
  }
  return JSON.parse(decodeText(bytes));
}

/** Text of the module's UTF-8 (well-formed: wasm wrote it). */
function decodeText(bytes) {
  if (bytes.length > SHORT) return decoder.decode(bytes);
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i++];
    if (b < 0x80) {
      out += String.fromCharCode(b);
    } else if (b < 0xe0) {
      out += String.fromCharCode(((b & 0x1f) << 6) | (bytes[i++] & 0x3f));
    } else if (b < 0xf0) {
      out += String.fromCharCode(((b & 0x0f) << 12) | ((bytes[i++] & 0x3f) << 6) | (bytes[i++] & 0x3f));
    } else {
      out += String.fromCodePoint(((b & 0x07) << 18) | ((bytes[i++] & 0x3f) << 12) | ((bytes[i++] & 0x3f) << 6)
        | (bytes[i++] & 0x3f));
    }
  }
  return out;
}

export class ColumnForm {
  // Per call: the cells, the array pool and the strings being written.
  #kinds = new Uint8Array(0);
  #values = new Float64Array(0);
  #pool = new Float64Array(64);
  #used = 0; // of #pool
  #ids = null; // string -> id; null: every string its own id (one record)
  #fresh = [];
  #freshCount = 0;
  #lastString = [];
  #lastId = new Float64Array(0);

  /** The column form of a js/rules.js Handle's rule set, or null when it has none. */
  static of(handle) {
    const set = handle.handle;
    if (typeof set.columns !== 'function') return null;
    const form = JSON.parse(set.columns());
    if (form === null) return null;
    const columns = new ColumnForm(form, handle);
    // `__proto__` on a path reads the prototype, not a field: the JSON path.
    return columns.paths.some((segs) => segs.includes('__proto__')) ? null : columns;
  }

  /** `form`: the module's RuleSet.columns(), { paths, strings, now }. */
  constructor({ paths, strings, now }, handle) {
    this.paths = paths.map((p) => p.split('.'));
    this.readsTime = now;
    this.seed = strings.map((s, i) => [s, i]); // the batch's strings follow the set's own
    this.handle = handle;
    this.address = handle.handle.address(); // for the plain C call (wasm/rule_bindings.cpp)
  }

  /** Handle.run for a set with a column form (`single`: `records` is the caller's one record). */
  run(records, opts, single) {
    return single ? this.#runOne(records, opts) : this.#runMany(records, opts);
  }

  /** The evaluation time; the clock is not asked when no rule reads it. */
  #now(opts) {
    return this.readsTime || opts?.now !== undefined ? this.handle.wasm.now(opts) : 0;
  }

  #runOne(records, opts) {
    const { handle } = this;
    const now = this.#now(opts);
    const { module, scratch } = handle;
    try {
      scratch.begin();
      this.#begin(1);
      if (this.#record(records[0], 0)) {
        return readBatch(module, this.#evaluate(this.#flush(1, scratch, module), now), handle.count, true, readTable);
      }
    } finally {
      scratch.trim();
    }
    return handle.runJson(records, opts, true);
  }

  /** The records the columns cannot hold go through the JSON path; their rows (or errors) take their places. */
  #runMany(records, opts) {
    const { handle } = this;
    const now = this.#now(opts);
    const { module, scratch } = handle;
    const cols = this.paths.length;
    const n = records.length;
    const slow = [];
    let rows;
    try {
      scratch.begin();
      this.#begin(n);
      for (let r = 0; r < n; r++) {
        if (!this.#record(records[r], r * cols)) {
          this.#kinds[r * cols] = COL_SKIP;
          slow.push(r);
        }
      }
      rows = readBatch(module, this.#evaluate(this.#flush(n, scratch, module), now), handle.count);
    } finally {
      scratch.trim();
      this.#release();
    }
    if (slow.length === 0) return rows;
    let slowRows;
    try {
      slowRows = handle.runJson(slow.map((i) => records[i]), opts);
    } catch (e) {
      if (!(e instanceof TagwiseError)) throw e;
      // Paths name the record's place in the sub-batch: name its place in `records`.
      const at = (path) => path.replace(/^\/(\d+)/, (_, k) => `/${slow[Number(k)]}`);
      throw new TagwiseError(e.errors.map((p) => ({ ...p, path: at(p.path) })));
    }
    for (let i = 0; i < slow.length; i++) rows[slow[i]] = slowRows[i];
    return rows;
  }

  /** Drops a large batch's buffers and strings, so the rule set does not keep them alive. */
  #release() {
    this.#ids = null;
    if (this.#kinds.length > KEEP_CELLS) {
      this.#kinds = new Uint8Array(0);
      this.#values = new Float64Array(0);
    }
    if (this.#pool.length > KEEP_CELLS) this.#pool = new Float64Array(64);
    if (this.#fresh.length > KEEP_CELLS) this.#fresh = [];
  }

  #evaluate(desc, now) {
    return this.handle.module._tagwise_rules_evaluate_columns(this.address, desc, now, this.handle.wasm.maxSteps);
  }

  #begin(n) {
    const cols = this.paths.length;
    const cells = n * cols;
    if (this.#kinds.length !== cells) {
      this.#kinds = new Uint8Array(cells);
      this.#values = new Float64Array(cells);
    } else {
      this.#kinds.fill(0);
    }
    this.#used = 0;
    this.#freshCount = 0;
    // A lone record's strings are few: no map, no per-column cache.
    if (n === 1) {
      this.#ids = null;
      return;
    }
    this.#ids = new Map(this.seed);
    if (this.#lastString.length === cols) this.#lastString.fill(undefined);
    else this.#lastString = new Array(cols).fill(undefined);
    if (this.#lastId.length !== cols) this.#lastId = new Float64Array(cols);
  }

  /** A string's id (-1: a lone surrogate, which JSON would send as an escape). */
  #intern(s) {
    const ids = this.#ids;
    let id = ids === null ? undefined : ids.get(s);
    if (id === undefined) {
      if (!wellFormed(s)) return -1;
      id = this.seed.length + this.#freshCount;
      this.#fresh[this.#freshCount++] = s;
      if (ids !== null) ids.set(s, id);
    }
    return id;
  }

  #room(extra) {
    if (this.#used + extra <= this.#pool.length) return;
    const bigger = new Float64Array(Math.max(this.#pool.length * 2, this.#used + extra));
    bigger.set(this.#pool);
    this.#pool = bigger;
  }

  /** Writes one record's cells from `base`; false when the JSON path must take it. */
  #record(rec, base) {
    if (rec === null || typeof rec !== 'object' || !isPlain(rec)) return false;
    const paths = this.paths;
    const kinds = this.#kinds;
    const values = this.#values;
    for (let c = 0; c < paths.length; c++) {
      const segs = paths[c];
      const last = segs.length - 1;
      let cur = rec;
      let i = 0;
      for (; i < last; i++) {
        cur = cur[segs[i]];
        if (typeof cur !== 'object' || cur === null) break;
        if (!isPlain(cur)) return false; // an array, a Date, a class instance: the JSON path reads those
      }
      if (i < last) {
        // Stopped on the way: null, a number, a boolean or nothing is a missing field;
        // a string ("s.length") or a BigInt (JSON.stringify throws) is the JSON path's.
        if (typeof cur === 'string' || typeof cur === 'bigint') return false;
        continue; // kinds[] is 0: missing
      }
      const v = cur[segs[last]];
      const at = base + c;
      switch (typeof v) {
        case 'number':
          if (Number.isFinite(v)) {
            kinds[at] = COL_NUMBER;
            values[at] = v === 0 ? 0 : v;
          } else {
            kinds[at] = COL_NULL;
          }
          break;
        case 'string': {
          // Most columns repeat a few strings: the column's previous one spares the lookup.
          let id;
          if (this.#ids === null) {
            id = this.#intern(v);
            if (id < 0) return false;
          } else if (v === this.#lastString[c]) {
            id = this.#lastId[c];
          } else {
            id = this.#intern(v);
            if (id < 0) return false;
            this.#lastString[c] = v;
            this.#lastId[c] = id;
          }
          kinds[at] = COL_STRING;
          values[at] = id;
          break;
        }
        case 'boolean':
          kinds[at] = v ? COL_TRUE : COL_FALSE;
          break;
        case 'object':
          if (v === null) {
            kinds[at] = COL_NULL;
          } else if (Array.isArray(v) && Object.getPrototypeOf(v) === ARRAY_PROTO && typeof v.toJSON !== 'function') {
            kinds[at] = COL_ARRAY;
            values[at] = this.#used;
            if (!this.#list(v)) return false;
          } else {
            return false;
          }
          break;
        case 'bigint':
          return false;
        default: // undefined, a function, a symbol: not in the JSON text
      }
    }
    return true;
  }

  /** Appends a list to the pool: [length, kind, value, ...]; false when the JSON path must take it. */
  #list(v) {
    const len = v.length;
    this.#room(1 + 2 * len);
    const pool = this.#pool;
    let at = this.#used;
    pool[at++] = len;
    for (let j = 0; j < len; j++, at += 2) {
      const e = v[j];
      pool[at + 1] = 0;
      switch (typeof e) {
        case 'number':
          if (Number.isFinite(e)) {
            pool[at] = COL_NUMBER;
            pool[at + 1] = e === 0 ? 0 : e;
          } else {
            pool[at] = COL_NULL;
          }
          break;
        case 'string': {
          const id = this.#intern(e);
          if (id < 0) return false;
          pool[at] = COL_STRING;
          pool[at + 1] = id;
          break;
        }
        case 'boolean':
          pool[at] = e ? COL_TRUE : COL_FALSE;
          break;
        case 'object':
          if (e !== null) return false;
          pool[at] = COL_NULL;
          break;
        case 'bigint':
          return false;
        default: // undefined, a function, a symbol: JSON.stringify writes null in a list
          pool[at] = COL_NULL;
      }
    }
    this.#used = at;
    return true;
  }

  /** Copies the cells, the pool and the strings into the scratch buffer; returns the description's pointer. */
  #flush(n, scratch, module) {
    const kinds = this.#kinds;
    const values = this.#values;
    const fresh = this.#fresh;
    const count = this.#freshCount;
    const used = this.#used;
    let room = 0; // for the strings' UTF-8: exact for long ones, at most 3 bytes a unit for short ones
    for (let i = 0; i < count; i++) room += fresh[i].length <= SHORT ? 3 * fresh[i].length : utf8Length(fresh[i]);
    const valuesAt = DESC_BYTES;
    const poolAt = valuesAt + values.length * 8;
    const offsetsAt = poolAt + used * 8;
    const kindsAt = offsetsAt + (count + 1) * 4;
    const blobAt = kindsAt + kinds.length;
    const ptr = scratch.ptr(scratch.block(blobAt + room));
    const { heap: u8, u32, f64 } = viewsOf(module);
    const cells = values.length;
    if (cells <= 16) {
      const v = (ptr + valuesAt) >>> 3;
      for (let i = 0; i < cells; i++) {
        f64[v + i] = values[i];
        u8[ptr + kindsAt + i] = kinds[i];
      }
    } else {
      f64.set(values, (ptr + valuesAt) >>> 3);
      u8.set(kinds, ptr + kindsAt);
    }
    if (used > 0) f64.set(this.#pool.subarray(0, used), (ptr + poolAt) >>> 3);
    // The batch's own strings: their UTF-8 one after another, and where each ends.
    const offsets = (ptr + offsetsAt) >>> 2;
    const blob = ptr + blobAt;
    let end = blob;
    u32[offsets] = 0;
    for (let i = 0; i < count; i++) {
      const text = fresh[i];
      if (text.length <= SHORT) {
        end = encodeShort(text, u8, end);
      } else {
        end += encoder.encodeInto(text, u8.subarray(end, blob + room)).written;
      }
      u32[offsets + i + 1] = end - blob;
    }
    const desc = ptr >>> 2;
    u32[desc + W_RECORDS] = n;
    u32[desc + W_COLUMNS] = this.paths.length;
    u32[desc + W_KINDS] = ptr + kindsAt;
    u32[desc + W_VALUES] = ptr + valuesAt;
    u32[desc + W_POOL] = ptr + poolAt;
    u32[desc + W_POOL_SIZE] = used;
    u32[desc + W_STRINGS] = count;
    u32[desc + W_OFFSETS] = ptr + offsetsAt;
    u32[desc + W_BLOB] = blob;
    u32[desc + W_BLOB_SIZE] = end - blob;
    return ptr;
  }

}
