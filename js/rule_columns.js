// A batch of records as typed columns (core/include/tagwise/rule_columns.h):
// what compileRules(...).evaluateMany sends when the rule set has a column
// form (Node's module; the browser's modules keep the JSON path). Instead of
// one JSON text per record, each `var` path the rules read becomes one cell
// per record — a kind byte and a float64 — strings become ids into one table
// per batch (the set's own literal strings first, so equal strings get equal
// ids), and arrays of plain values go to a pool. Nothing is stringified and
// nothing is parsed on the wasm side.
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
const DESC_BYTES = 48; // 9 words, padded to keep what follows 8-byte aligned

const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const encoder = new TextEncoder();
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

export class ColumnForm {
  /** From the module's RuleSet.columns(): { paths, strings }. */
  constructor({ paths, strings }) {
    this.paths = paths.map((p) => p.split('.'));
    this.seed = strings.map((s, i) => [s, i]); // the batch's strings follow the set's own
    // `__proto__` on a path reads the prototype, not a field: JSON path.
    this.usable = this.paths.length > 0 && !this.paths.some((segs) => segs.includes('__proto__'));
  }

  /**
   * Writes `records` as columns into `scratch` (after scratch.begin()) and
   * returns the description's pointer; the indices of records to evaluate
   * through the JSON path instead are pushed to `slow`.
   */
  write(records, scratch, module, slow) {
    const paths = this.paths;
    const cols = paths.length;
    const n = records.length;
    const kinds = new Uint8Array(n * cols);
    const values = new Float64Array(n * cols);
    let pool = new Float64Array(64);
    let used = 0; // of pool
    const room = (extra) => {
      if (used + extra <= pool.length) return;
      const bigger = new Float64Array(Math.max(pool.length * 2, used + extra));
      bigger.set(pool);
      pool = bigger;
    };
    // Each distinct string once (the set's own literals keep their ids), so
    // the text sent stays small; a cell's string that is the column's
    // previous one reuses its id without the lookup. (Strings compare by text
    // in wasm, so this is for bytes and speed, not for correctness.)
    const ids = new Map(this.seed);
    const fresh = [];
    const intern = (s) => {
      let id = ids.get(s);
      if (id === undefined) {
        if (!wellFormed(s)) return -1;
        id = ids.size;
        ids.set(s, id);
        fresh.push(s);
      }
      return id;
    };
    const lastString = new Array(cols).fill(undefined);
    const lastId = new Float64Array(cols);
    for (let r = 0; r < n; r++) {
      const rec = records[r];
      const base = r * cols;
      let skip = rec === null || typeof rec !== 'object' || !isPlain(rec);
      for (let c = 0; c < cols && !skip; c++) {
        const segs = paths[c];
        const last = segs.length - 1;
        let cur = rec;
        let i = 0;
        for (; i < last; i++) {
          cur = cur[segs[i]];
          if (typeof cur !== 'object' || cur === null) break;
          if (!isPlain(cur)) { // an array, a Date, a class instance: the JSON path reads those
            skip = true;
            break;
          }
        }
        if (skip) break;
        if (i < last) {
          // Stopped on the way: null, a number, a boolean or nothing is a missing field;
          // a string ("s.length") or a BigInt (JSON.stringify throws) is the JSON path's.
          if (typeof cur === 'string' || typeof cur === 'bigint') skip = true;
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
            let id;
            if (v === lastString[c]) {
              id = lastId[c];
            } else {
              id = intern(v);
              if (id < 0) {
                skip = true;
              } else {
                lastString[c] = v;
                lastId[c] = id;
              }
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
              const len = v.length;
              kinds[at] = COL_ARRAY;
              values[at] = used;
              room(1 + 2 * len);
              pool[used++] = len;
              for (let j = 0; j < len && !skip; j++, used += 2) {
                const e = v[j];
                switch (typeof e) {
                  case 'number':
                    if (Number.isFinite(e)) {
                      pool[used] = COL_NUMBER;
                      pool[used + 1] = e === 0 ? 0 : e;
                    } else {
                      pool[used] = COL_NULL;
                    }
                    break;
                  case 'string': {
                    const id = intern(e);
                    if (id < 0) skip = true;
                    pool[used] = COL_STRING;
                    pool[used + 1] = id;
                    break;
                  }
                  case 'boolean':
                    pool[used] = e ? COL_TRUE : COL_FALSE;
                    break;
                  case 'object':
                    if (e === null) pool[used] = COL_NULL;
                    else skip = true;
                    break;
                  case 'bigint':
                    skip = true;
                    break;
                  default: // undefined, a function, a symbol: JSON.stringify writes null in a list
                    pool[used] = COL_NULL;
                }
              }
            } else {
              skip = true;
            }
            break;
          case 'bigint':
            skip = true;
            break;
          default: // undefined, a function, a symbol: not in the JSON text
        }
      }
      if (skip) {
        kinds[base] = COL_SKIP;
        slow.push(r);
      }
    }

    // The batch's own strings, as one UTF-8 text and their end offsets.
    const offsets = new Uint32Array(fresh.length + 1);
    let bytes = 0;
    for (let i = 0; i < fresh.length; i++) {
      bytes += utf8Length(fresh[i]);
      offsets[i + 1] = bytes;
    }
    const valuesAt = DESC_BYTES;
    const poolAt = valuesAt + values.length * 8;
    const offsetsAt = poolAt + used * 8;
    const kindsAt = offsetsAt + offsets.length * 4;
    const blobAt = kindsAt + kinds.length;
    const start = scratch.block(blobAt + bytes);
    const ptr = scratch.ptr(start);
    const heap = module.HEAPU8;
    const buffer = heap.buffer;
    new Float64Array(buffer, ptr + valuesAt, values.length).set(values);
    new Float64Array(buffer, ptr + poolAt, used).set(pool.subarray(0, used));
    new Uint32Array(buffer, ptr + offsetsAt, offsets.length).set(offsets);
    heap.set(kinds, ptr + kindsAt);
    if (bytes > 0) {
      const { written } = encoder.encodeInto(fresh.join(''), heap.subarray(ptr + blobAt, ptr + blobAt + bytes));
      if (written !== bytes) throw new Error('tagwise: internal error: string table size mismatch'); // invariant
    }
    const desc = new Uint32Array(buffer, ptr, DESC_BYTES / 4);
    desc[W_RECORDS] = n;
    desc[W_COLUMNS] = cols;
    desc[W_KINDS] = ptr + kindsAt;
    desc[W_VALUES] = ptr + valuesAt;
    desc[W_POOL] = ptr + poolAt;
    desc[W_POOL_SIZE] = used;
    desc[W_STRINGS] = fresh.length;
    desc[W_OFFSETS] = ptr + offsetsAt;
    desc[W_BLOB] = ptr + blobAt;
    return ptr;
  }
}
