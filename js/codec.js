// Marshalling between JS values and the wasm module (wasm/rule_bindings.cpp).
//
// In:  JSON text, UTF-8 encoded straight into wasm memory (TextEncoder.encodeInto
//      into a reusable _malloc'd scratch buffer), passed as (ptr, len).
// Out: JSON text; a rule batch's result is read by js/rules.js (readBatch).

import { TagwiseError, problem } from './errors.js';

const encoder = new TextEncoder();

// Scratch buffers larger than this are released after use, so one huge batch
// does not pin its size in the allocator for the module's lifetime.
const SCRATCH_KEEP_BYTES = 64 << 20;

/**
 * A grow-only UTF-8 buffer in wasm memory, one per module instance. All
 * calls into the module are synchronous, so one buffer serves every call.
 * Usage: begin(), then append with text()/records() (each returns [offset,
 * length]), then ptr(offset) — pointers are only final once appending ends.
 */
/**
 * Copies bytes (a Uint8Array) into a _malloc'd block of wasm memory for one
 * call; returns [ptr, len]. The caller frees it with module._free(ptr).
 */
export function copyBytesIn(module, bytes) {
  const ptr = module._malloc(Math.max(1, bytes.length));
  if (ptr === 0) throw new TagwiseError([problem('too_large', '', `Not enough memory for ${bytes.length} bytes.`)]);
  module.HEAPU8.set(bytes, ptr);
  return [ptr, bytes.length];
}

export class Scratch {
  #module;
  #ptr = 0;
  #capacity = 0;
  #used = 0;
  #bytesPerUnit = 1; // UTF-8 bytes per UTF-16 unit seen last time (Chinese text: ~2-3)

  constructor(module) {
    this.#module = module;
  }

  begin() {
    this.#used = 0;
  }

  ptr(offset) {
    return this.#ptr + offset;
  }

  /** Appends the UTF-8 of `t`; returns [offset, length]. */
  text(t) {
    const start = this.#used;
    if (typeof t !== 'string') {
      // UTF-8 bytes as fetched (Response.arrayBuffer()): copied as they are,
      // no JSON.parse / JSON.stringify / encode on the way in; wasm checks them.
      this.#reserve(t.length);
      this.#module.HEAPU8.set(t, this.#ptr + this.#used);
      this.#used += t.length;
      return [start, t.length];
    }
    this.#encode(t);
    if (t.length > 0) this.#bytesPerUnit = Math.min(3, Math.max(1, (this.#used - start) / t.length));
    return [start, this.#used - start];
  }

  /**
   * Appends a JSON array of the records; returns [offset, length]. Each
   * record is stringified and encoded on its own: one JSON.stringify of the
   * whole batch returns a string V8 must flatten before encoding, which costs
   * more than the stringify itself.
   */
  records(list, single = false) {
    const start = this.#used;
    let units = 0;
    this.#byte(0x5b); // [
    for (let i = 0; i < list.length; i++) {
      if (i > 0) this.#byte(0x2c); // ,
      const t = recordToText(list[i], single ? null : i);
      units += t.length;
      this.#encode(t);
    }
    this.#byte(0x5d); // ]
    if (units > 0) this.#bytesPerUnit = Math.min(3, Math.max(1, (this.#used - start) / units));
    return [start, this.#used - start];
  }

  /**
   * Reserves `bytes` for the caller to fill through the heap (8-byte aligned,
   * as _malloc's blocks are); returns the offset. Take ptr(offset) after the
   * last reservation: a reservation may move the buffer.
   */
  block(bytes) {
    this.#reserve(bytes + 8);
    const start = (this.#used + 7) & ~7;
    this.#used = start + bytes;
    return start;
  }

  /** Writes each string, one after another; returns [ptr, len] pairs, flattened. */
  write(...texts) {
    this.begin();
    const spans = texts.map((t) => this.text(t));
    return spans.flatMap(([offset, len]) => [this.ptr(offset), len]);
  }

  /** Releases an oversized buffer; called after each use. */
  trim() {
    if (this.#capacity > SCRATCH_KEEP_BYTES) {
      this.#module._free(this.#ptr);
      this.#ptr = 0;
      this.#capacity = 0;
      this.#used = 0;
    }
  }

  #byte(b) {
    if (this.#used === this.#capacity) this.#reserve(1);
    this.#module.HEAPU8[this.#ptr + this.#used++] = b;
  }

  #encode(t) {
    this.#reserve(Math.ceil(t.length * this.#bytesPerUnit) + 8);
    let rest = t;
    for (;;) {
      const heap = this.#module.HEAPU8; // re-read: memory growth detaches old views
      const { read, written } = encoder.encodeInto(rest, heap.subarray(this.#ptr + this.#used, this.#ptr + this.#capacity));
      this.#used += written;
      if (read === rest.length) return;
      rest = rest.slice(read); // encodeInto never splits a surrogate pair
      this.#reserve(rest.length * 3 + 8);
    }
  }

  /** Makes room for `extra` more bytes, keeping what was written. */
  #reserve(extra) {
    if (this.#capacity - this.#used >= extra) return;
    const bytes = this.#used + extra;
    const capacity = Math.max(bytes, Math.min(this.#capacity * 2, bytes * 2), 4096);
    const ptr = this.#module._malloc(capacity);
    if (!ptr) {
      throw new TagwiseError([problem('too_large', '', `The input (${bytes} bytes) does not fit in memory.`)]);
    }
    if (this.#used > 0) this.#module.HEAPU8.copyWithin(ptr, this.#ptr, this.#ptr + this.#used);
    if (this.#ptr !== 0) this.#module._free(this.#ptr);
    this.#ptr = ptr;
    this.#capacity = capacity;
  }
}

// ---------------------------------------------------------------- JS -> JSON text

function describe(value) {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `the BigInt ${value}n`;
  if (value === undefined) return 'undefined';
  return `a ${typeof value}`;
}

function escapeToken(token) {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}

class Unrepresentable extends Error {
  constructor(path, reason) {
    super(reason);
    this.path = path;
  }
}

/** JSON.stringify's preparation of one value: toJSON(key), then unboxing. */
function prepare(value, key) {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint') && typeof value.toJSON === 'function') {
    value = value.toJSON(key);
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  return value;
}

/**
 * JSON text of `root` without recursion (JSON.stringify overflows V8's stack
 * near 10,000 levels). Follows JSON.stringify; with `strict` (rules), values
 * JSON cannot carry — NaN, ±Infinity, functions, symbols — are errors with the
 * JSON Pointer of the value instead of becoming null or vanishing. BigInt and
 * cycles are always errors.
 */
function serialize(root, strict) {
  const parts = [];
  const frames = [];
  const open = new Set();

  // Writes a prepared value (or opens a container). Returns false when the
  // value is skipped (undefined/function/symbol as an object property).
  const write = (value, path, inObject) => {
    switch (typeof value) {
      case 'string': parts.push(JSON.stringify(value)); return true;
      case 'boolean': parts.push(value ? 'true' : 'false'); return true;
      case 'number':
        if (Number.isFinite(value)) parts.push(String(value));
        else if (strict) throw new Unrepresentable(path, `The rule holds ${value} at "${path || '/'}", which JSON cannot represent.`);
        else parts.push('null');
        return true;
      case 'bigint':
        throw new Unrepresentable(path, `${strict ? 'The rule' : 'The value'} holds ${describe(value)} at "${path || '/'}", which JSON cannot represent.`);
      case 'undefined':
      case 'function':
      case 'symbol':
        if (strict && typeof value !== 'undefined') {
          throw new Unrepresentable(path, `The rule holds ${describe(value)} at "${path || '/'}", which JSON cannot represent.`);
        }
        if (inObject) return false;
        if (path === '' && strict) throw new Unrepresentable(path, `A rule must be a JSON value, not ${describe(value)}.`);
        parts.push('null');
        return true;
      default:
        break;
    }
    if (value === null) {
      parts.push('null');
      return true;
    }
    if (open.has(value)) throw new Unrepresentable(path, `The value at "${path || '/'}" contains itself (a cycle), which JSON cannot represent.`);
    open.add(value);
    if (Array.isArray(value)) {
      parts.push('[');
      frames.push({ value, keys: null, n: value.length, i: 0, written: 0, path });
    } else {
      parts.push('{');
      const keys = Object.keys(value);
      frames.push({ value, keys, n: keys.length, i: 0, written: 0, path });
    }
    return true;
  };

  if (!write(prepare(root, ''), '', false)) return undefined;
  while (frames.length > 0) {
    const f = frames[frames.length - 1];
    if (f.i === f.n) {
      parts.push(f.keys === null ? ']' : '}');
      open.delete(f.value);
      frames.pop();
      continue;
    }
    const index = f.i++;
    if (f.keys === null) {
      if (index > 0) parts.push(',');
      write(prepare(f.value[index], String(index)), `${f.path}/${index}`, false);
    } else {
      const key = f.keys[index];
      const value = prepare(f.value[key], key);
      const path = `${f.path}/${escapeToken(key)}`;
      const mark = parts.length;
      parts.push(f.written > 0 ? ',' : '', JSON.stringify(key), ':');
      if (write(value, path, true)) f.written++;
      else parts.length = mark;
    }
  }
  return parts.join('');
}

const NOT_JSON = Symbol('not JSON');

/** JSON.stringify replacer that throws at values a rule cannot hold (JSON.stringify would write null or drop them). */
function strictReplacer(key, value) {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw NOT_JSON;
      return value;
    case 'function':
    case 'symbol':
    case 'bigint':
      throw NOT_JSON;
    case 'object':
      if (value instanceof Number && !Number.isFinite(value.valueOf())) throw NOT_JSON;
      return value;
    default:
      return value;
  }
}

/**
 * JSON text of a rule, or a TagwiseError (code invalid_rule, with the JSON
 * Pointer of the offending value) when the rule holds something JSON cannot
 * carry: NaN, ±Infinity, BigInt, functions, symbols, cycles. Rules are JSON.
 */
export function ruleToText(rule) {
  // Fast path: the engine's own JSON.stringify, with a replacer that stops at
  // anything JSON cannot carry (a 50-tag catalog: ~0.1 ms instead of ~1 ms,
  // and far less on a cold page, where this code is not yet optimised). Any
  // stop — or a nesting too deep for JSON.stringify — goes to the serializer
  // below, which finds where the problem is.
  try {
    const text = JSON.stringify(rule, strictReplacer);
    if (text !== undefined) return text;
  } catch {
    // the serializer below reports it
  }
  try {
    return serialize(rule, true);
  } catch (e) {
    if (e instanceof Unrepresentable) throw new TagwiseError([problem('invalid_rule', e.path, e.message)]);
    throw new TagwiseError([problem('invalid_rule', '', `The rule cannot be converted to JSON: ${e.message}`)]);
  }
}

/**
 * The bytes of `data` when it is JSON already: a Uint8Array, another typed
 * array's bytes or an ArrayBuffer of UTF-8 JSON text (what
 * `await response.arrayBuffer()` gives); null for anything else.
 */
export function jsonBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return null;
}

/**
 * JSON text of a catalog: text and UTF-8 bytes (a copy: the caller may reuse
 * its buffer; the session's moveTo() passes it again) are passed as they
 * are; objects must be pure JSON (NaN etc. are errors).
 */
export function catalogToText(catalog) {
  if (typeof catalog === 'string') return catalog;
  const bytes = jsonBytes(catalog);
  return bytes !== null ? bytes.slice() : ruleToText(catalog);
}

/**
 * JSON text of data (records, a profile). Data follows JSON semantics:
 * NaN/±Infinity become null, undefined properties are dropped, toJSON() is
 * honoured (Dates become ISO strings). BigInt and cycles are invalid_json.
 */
export function dataToText(data, what) {
  try {
    return JSON.stringify(data) ?? 'null';
  } catch {
    // A BigInt, a cycle, or deeper than JSON.stringify's recursion allows:
    // the iterative serializer writes it or names the value's path.
  }
  try {
    return serialize(data, false) ?? 'null';
  } catch (e) {
    throw new TagwiseError([problem('invalid_json', e.path ?? '', `The ${what} cannot be converted to JSON: ${e.message}`)]);
  }
}

/** JSON text of one record of a batch (index null: the caller's only record). */
function recordToText(record, index) {
  const where = index === null ? '' : `/${index}`;
  const what = index === null ? 'The data' : `Record ${index}`;
  try {
    return JSON.stringify(record) ?? 'null';
  } catch (e) {
    if (!(e instanceof RangeError)) {
      throw new TagwiseError([problem('invalid_json', where, `${what} cannot be converted to JSON: ${e.message}`)]);
    }
  }
  try {
    return serialize(record, false) ?? 'null';
  } catch (e) {
    throw new TagwiseError([problem('invalid_json', `${where}${e.path ?? ''}`, `${what} cannot be converted to JSON: ${e.message}`)]);
  }
}
