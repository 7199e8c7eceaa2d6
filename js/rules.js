// Ad-hoc rules (feature "rules"): what tw.compileRule, compileRules and
// evaluate return and run, over the wasm RuleSet handle, and the reader of
// their batch results. It comes with the full module (js/features.js): the
// page runtime evaluates only its catalog's rules, inside the session, and
// never reads a rule batch.
//
// A batch result is a header of uint32 words in wasm memory pointing at one
// kind byte and one float64 per slot, plus one JSON text ("table") holding
// the rare strings and complex values. Reading it costs one
// TextDecoder.decode + one JSON.parse per batch, whatever its size.

import { dataToText } from './codec.js';
import { TagwiseError } from './errors.js';

const decoder = new TextDecoder();

// Result slot kinds; keep in sync with `enum Kind` in core/include/tagwise/rule_batch.h.
const KIND_NULL = 0;
const KIND_FALSE = 1;
const KIND_TRUE = 2;
const KIND_NUMBER = 3;
const KIND_TABLE = 4;
const KIND_PATCHED = 5;
const KIND_ERROR = 6;

// Header words; keep in sync with `enum HeaderWord` in wasm/rule_binding.h.
const H_STATUS = 0;
const H_SLOTS = 1;
const H_KINDS = 2;
const H_NUMS = 3;
const H_TEXT = 4;
const H_TEXT_LEN = 5;
const H_RECORDS = 6;

const EMPTY = Object.freeze([]);
const VIEWS = new WeakMap(); // module -> { heap, u32, f64 }

/**
 * Uint32/Float64 views of wasm memory, rebuilt only after memory growth
 * (which replaces module.HEAPU8: comparing it is cheaper than its .buffer).
 */
export function viewsOf(module) {
  const heap = module.HEAPU8;
  let v = VIEWS.get(module);
  if (v === undefined || v.heap !== heap) {
    v = { heap, u32: new Uint32Array(heap.buffer), f64: new Float64Array(heap.buffer) };
    VIEWS.set(module, v);
  }
  return v;
}

function applyPatches(value, patches) {
  for (const [path, name] of patches) {
    const n = name === 'NaN' ? NaN : name === 'Infinity' ? Infinity : -Infinity;
    if (path.length === 0) return n;
    let parent = value;
    for (let i = 0; i < path.length - 1; i++) parent = parent[path[i]];
    parent[path[path.length - 1]] = n;
  }
  return value;
}

function errorFromEntry(entry) {
  const p = { code: entry.code, path: entry.path, message: entry.message, severity: 'error' };
  if ('value' in entry) p.value = entry.value;
  return new TagwiseError([p]);
}

/**
 * Reads the batch result the module left at `headerPtr` into an array of
 * `records` arrays of `rules` values (`single`: the batch was one record the
 * caller passed on its own). A failed rule evaluation (a `throw`
 * rule, an evaluation limit) is a TagwiseError in its slot; a failed batch
 * (bad records JSON, bad profile) throws. `readTable` parses the table's
 * JSON bytes (js/rule_columns.js has a faster one for one record).
 */
export function readBatch(module, headerPtr, rules, single = false, readTable = (bytes) => JSON.parse(decoder.decode(bytes))) {
  const heap = module.HEAPU8;
  const views = viewsOf(module);
  const u32 = views.u32;
  const h = headerPtr >>> 2;
  const status = u32[h + H_STATUS];
  const slots = u32[h + H_SLOTS];
  const records = u32[h + H_RECORDS];
  const textPtr = u32[h + H_TEXT];
  const textLen = u32[h + H_TEXT_LEN];
  const table = textLen > 2 ? readTable(heap.subarray(textPtr, textPtr + textLen)) : EMPTY;
  if (status !== 0) {
    // Paths point into the records array ("/3/..."); for a one-record call
    // the caller passed the record itself, so drop the "/0".
    const fix = (path) => (single && /^\/0(\/|$)/.test(path) ? path.slice(2) : path);
    throw new TagwiseError(table.map((e) => ({ ...e, path: fix(e.path), severity: 'error' })));
  }
  const kinds = u32[h + H_KINDS];
  const f64 = views.f64;
  const nums = u32[h + H_NUMS] >>> 3;
  const out = new Array(records);
  let slot = 0;
  for (let r = 0; r < records; r++) {
    const row = new Array(rules);
    for (let k = 0; k < rules; k++, slot++) {
      switch (heap[kinds + slot]) {
        case KIND_FALSE: row[k] = false; break;
        case KIND_TRUE: row[k] = true; break;
        case KIND_NUMBER: row[k] = f64[nums + slot]; break;
        case KIND_TABLE: row[k] = table[f64[nums + slot]]; break;
        case KIND_PATCHED: {
          const [value, patches] = table[f64[nums + slot]];
          row[k] = applyPatches(value, patches);
          break;
        }
        case KIND_ERROR: row[k] = errorFromEntry(table[f64[nums + slot]]); break;
        case KIND_NULL:
        default: row[k] = null;
      }
    }
    out[r] = row;
  }
  if (slots !== slot) throw new Error('tagwise: internal error: result size mismatch'); // invariant
  return out;
}

// Frees the C++ rule set of a wrapper the program dropped without dispose().
const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((handle) => {
    try { handle.delete(); } catch { /* already freed */ }
  })
  : null;

/**
 * Owns one embind RuleSet handle. Not exported: users get CompiledRule and
 * RuleSet wrappers, whose dispose() (or garbage collection) frees it.
 */
class Handle {
  constructor(wasm, handle, count) {
    this.wasm = wasm;
    // The module the rules were compiled in, which they keep running in
    // whatever module the instance uses later.
    this.module = wasm.module;
    this.scratch = wasm.scratch;
    this.handle = handle;
    this.count = count;
    // Batches go over as typed columns when the module and the rules allow it
    // (js/rule_columns.js); otherwise as JSON text.
    // Node's entry puts the column form (js/rule_columns.js) on its module: a
    // page's modules have neither it nor its binding, and keep their bytes.
    const Columns = this.module.__tagwiseColumnForm;
    this.columns = Columns === undefined || count === 0 ? null : Columns.of(this);
  }

  /** Evaluates every rule on every record in one call into wasm. */
  run(records, opts, single = false) {
    if (this.columns !== null && opts?.profile == null && records.length > 0) return this.columns.run(records, opts, single);
    return this.runJson(records, opts, single);
  }

  /** The batch as JSON text (`single`: one record the caller passed on its own). */
  runJson(records, opts, single = false) {
    const { module, scratch } = this;
    const now = this.wasm.now(opts);
    const profile = opts?.profile;
    const profileText = profile == null ? null : dataToText(profile, 'profile');
    try {
      scratch.begin();
      const [recOffset, recLen] = scratch.records(records, single);
      const [profOffset, profLen] = profileText === null ? [0, 0] : scratch.text(profileText);
      const header = this.handle.evaluate(scratch.ptr(recOffset), recLen, now,
        profLen > 0 ? scratch.ptr(profOffset) : 0, profLen, this.wasm.maxSteps, this.wasm.maxBuiltBytes);
      return readBatch(module, header, this.count, single);
    } finally {
      scratch.trim();
    }
  }

  /** The first rule's value on one record; throws the TagwiseError of a failed evaluation (code "thrown" for `throw`). */
  evaluate(data, opts) {
    const value = this.run([data === undefined ? {} : data], opts, true)[0][0];
    if (value instanceof TagwiseError) throw value;
    return value;
  }
}

class Disposable {
  #handle;
  #source;

  constructor(handle) {
    this.#handle = handle;
    finalizer?.register(this, handle.handle, this);
  }

  /** The live handle, or a clear error once disposed. */
  get _handle() {
    if (this.#handle === null) throw new Error('tagwise: this compiled rule was disposed');
    return this.#handle;
  }

  get disposed() {
    return this.#handle === null;
  }

  /** Frees the compiled rules now (otherwise garbage collection does). Idempotent. */
  dispose() {
    if (this.#handle === null) return;
    finalizer?.unregister(this);
    this.#handle.handle.delete();
    this.#handle = null;
  }

  _sources() {
    if (this.#source === undefined) {
      const h = this._handle.handle;
      this.#source = Array.from({ length: this._handle.count }, (_, i) => JSON.parse(h.source(i)));
    }
    return this.#source;
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Disposable.prototype[Symbol.dispose] = Disposable.prototype.dispose;
}

/** One compiled rule. */
export class CompiledRule extends Disposable {
  constructor(handle, warnings) {
    super(handle);
    this.warnings = warnings;
  }

  /** The rule as compiled (canonical JSON). */
  get rule() {
    return this._sources()[0];
  }

  /**
   * Evaluates the rule on `data`. Throws TagwiseError (code "thrown", `.value`
   * the thrown value) when the rule executes `throw`.
   */
  evaluate(data, opts) {
    return this._handle.evaluate(data, opts);
  }
}

/** A list of compiled rules evaluated together. */
export class RuleSet extends Disposable {
  constructor(handle, warnings) {
    super(handle);
    this.warnings = warnings;
  }

  /** Number of rules. */
  get size() {
    return this._handle.count;
  }

  /** The rules as compiled (canonical JSON). */
  get rules() {
    return this._sources();
  }

  /** Results of every rule on one record, in rule order. */
  evaluate(record, opts) {
    return this._handle.run([record === undefined ? {} : record], opts, true)[0];
  }

  /**
   * Results of every rule on every record: out[i][k] is rule k on records[i].
   * One call into wasm for the whole batch. A rule that fails on a record
   * (executes `throw`, hits a limit) leaves a TagwiseError in that slot.
   */
  evaluateMany(records, opts) {
    if (!Array.isArray(records)) throw new TypeError('tagwise: evaluateMany(records) needs an array');
    return this._handle.run(records, opts);
  }
}

/**
 * Compiles rule text (`many`: a list of rules) in the instance's module:
 * { handle, warnings }; throws a TagwiseError listing every problem.
 */
export function compile(wasm, text, many) {
  const { module, scratch } = wasm;
  const handle = new module.RuleSet();
  let result;
  try {
    const [ptr, len] = scratch.write(text);
    result = JSON.parse(handle.compile(ptr, len, many, wasm.maxDepth, wasm.maxNodes));
  } catch (e) {
    handle.delete();
    throw e;
  } finally {
    scratch.trim();
  }
  if (!result.ok) {
    handle.delete();
    throw new TagwiseError(result.errors);
  }
  return { handle: new Handle(wasm, handle, handle.size()), warnings: result.warnings };
}

/** tw.evaluate's compiled rules, most recently used last, at most wasm.cacheSize of them. */
export class RuleCache {
  #wasm;
  #handles = new Map(); // rule text -> Handle

  constructor(wasm) {
    this.#wasm = wasm;
  }

  evaluate(text, data, opts) {
    const cacheSize = this.#wasm.cacheSize;
    let handle = this.#handles.get(text);
    if (handle !== undefined) {
      this.#handles.delete(text); // re-insert: most recently used last
    } else {
      handle = compile(this.#wasm, text, false).handle;
    }
    if (cacheSize > 0) {
      this.#handles.set(text, handle);
      while (this.#handles.size > cacheSize) {
        const [oldest, h] = this.#handles.entries().next().value;
        this.#handles.delete(oldest);
        if (h !== handle) h.handle.delete();
      }
    }
    try {
      return handle.evaluate(data, opts);
    } finally {
      if (cacheSize === 0) handle.handle.delete();
    }
  }

  clear() {
    for (const h of this.#handles.values()) h.handle.delete();
    this.#handles.clear();
  }
}
