// Hand-written types of the tagwise package (checked by tests/js/types.check.ts
// through `tsc --noEmit -p tests/js`). The ErrorCode union must list exactly
// the codes of core/include/tagwise/error.h (tests/js/error_codes.test.mjs).

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A rule: JsonLogic-compatible JSON plus tagwise's operators (`events`,
 * `days_since`, `bucket`, `logistic`, ...). Literals are valid rules: the
 * string `"abc"` is a rule whose value is `"abc"`. NaN, ±Infinity, BigInt,
 * functions and symbols are rejected (code `invalid_rule`): rules are JSON.
 */
export type Rule = JsonValue;

/**
 * Every code a {@link TagwiseError} or {@link Problem} can carry.
 * - `invalid_json`: text is not JSON, or data cannot be converted to JSON (BigInt, cycles)
 * - `invalid_utf8`: a string is not valid UTF-8
 * - `invalid_rule`: a rule has the wrong shape (or holds a value JSON cannot represent)
 * - `unknown_operator`: operator name not known (the message suggests the closest)
 * - `wrong_argument_count`: too few or too many arguments for an operator
 * - `wrong_argument_type`: an argument that must be a literal of some type is not
 * - `bad_duration`: a duration is not "90s", "15m", "12h", "30d", "2w" or ms
 * - `bad_date`: a date is not ISO 8601
 * - `unknown_tag`: `tag`/`tag_value` names a tag the catalog lacks
 * - `too_deep`: a rule nests operations deeper than `limits.maxDepth`, or any JSON
 *   input (rule, record, profile) nests arrays/objects more than 1,000 levels
 * - `too_large`: rule, string, array or input larger than the limit (or than memory)
 * - `syntax`: text-form rule does not parse (path is "line:column")
 * - `thrown`: the rule executed `throw` (evaluation time; see {@link TagwiseError.value})
 * - `evaluation_limit`: evaluation exceeded its step budget
 * - `unsupported_version`: data written by a newer tagwise format version
 * - `duplicate_id`: two catalog entries share an id
 * - `cycle`: tags depend on each other in a loop
 */
export type ErrorCode =
  | 'invalid_json'
  | 'invalid_utf8'
  | 'invalid_rule'
  | 'unknown_operator'
  | 'wrong_argument_count'
  | 'wrong_argument_type'
  | 'bad_duration'
  | 'bad_date'
  | 'unknown_tag'
  | 'too_deep'
  | 'too_large'
  | 'syntax'
  | 'thrown'
  | 'evaluation_limit'
  | 'unsupported_version'
  | 'duplicate_id'
  | 'cycle';

/** One problem found in a rule (or in data / a profile). */
export interface Problem {
  /** What went wrong, from a closed set. */
  code: ErrorCode;
  /**
   * Where: a JSON Pointer into what was passed (`"/and/1/>=/0"`; `""` is the
   * whole input; for {@link Tagwise.compileRules} it starts with the rule's
   * index, `"/3/and/0"`), or `"line:column"` for the text form.
   */
  path: string;
  /** UTF-8 text written for the person who wrote the rule. */
  message: string;
  /** Errors stop compilation; warnings do not. */
  severity: 'error' | 'warning';
  /** For {@link Tagwise.compileRules}: index of the rule the problem is in. */
  ruleIndex?: number;
  /** For code `thrown`: the value the rule threw. */
  value?: JsonValue;
}

/** The error tagwise throws for rule, rule text and data problems. */
export declare class TagwiseError extends Error {
  readonly name: 'TagwiseError';
  /** Code of the first problem. */
  readonly code: ErrorCode;
  /** Path of the first problem (JSON Pointer, or "line:column" for the text form). */
  readonly path: string;
  /** Every problem found (the first one gives code, path and message). */
  readonly errors: Problem[];
  /** For code `thrown`: the value the rule threw (`{"throw": "out of stock"}` → `"out of stock"`). */
  readonly value?: JsonValue;
  private constructor(errors: Problem[]);
}

/** One event of a user (DESIGN.md section 3). */
export interface ProfileEvent {
  id: string;
  type: string;
  /** Milliseconds since the Unix epoch. */
  ts: number;
  props?: { [key: string]: JsonValue };
}

/** A user's history as `events` aggregates read it. */
export interface Profile {
  user_id?: string;
  attributes?: { [key: string]: JsonValue };
  events?: ProfileEvent[];
  rollups?: JsonValue;
  /** Offset of the user's time zone from UTC, for day rollups. */
  tz_offset_min?: number;
}

/** Per-call evaluation options. */
export interface EvaluateOptions {
  /** Evaluation time in ms since the epoch (or a Date); default: the instance's clock. */
  now?: number | Date;
  /** The user's events for `events` aggregates; none means no events. */
  profile?: Profile | null;
}

/**
 * A rule result. Data and results follow JSON semantics, except that numbers
 * keep NaN, ±Infinity and -0 exactly as the rule computed them.
 *
 * Data passed in is serialized as JSON.stringify does: NaN/±Infinity become
 * null, undefined properties vanish, Dates become ISO strings; BigInt and
 * cycles are `invalid_json`; arrays/objects may nest at most 1,000 levels
 * (`too_deep`). Lone UTF-16 surrogates in strings become U+FFFD.
 */
export type RuleResult = JsonValue;

/** Frees wasm memory now instead of at garbage collection. */
export interface Disposable {
  /** Frees the compiled rules now (garbage collection does it otherwise). Idempotent; later use throws. */
  dispose(): void;
  /** True after {@link dispose}. */
  readonly disposed: boolean;
}

/** One compiled rule: immutable, evaluate as often as needed. */
export interface CompiledRule extends Disposable {
  /** The rule as compiled (canonical JSON). */
  readonly rule: Rule;
  /** Non-fatal problems found at compile time. */
  readonly warnings: Problem[];
  /**
   * Evaluates the rule on `data` (what `var`/`val` read; default `{}`).
   * @throws TagwiseError code `thrown` (with `.value`) when the rule executes
   *   `throw`; `evaluation_limit` past the step budget; `invalid_json` for data
   *   that cannot become JSON (BigInt, cycles) or a bad profile.
   */
  evaluate(data?: unknown, options?: EvaluateOptions): RuleResult;
}

/**
 * A result slot of {@link RuleSet.evaluateMany}: the rule's value, or — when
 * that rule failed on that record (executed `throw`, hit the step budget) — a
 * {@link TagwiseError} instance in its place. Test with `instanceof TagwiseError`;
 * the other slots of the batch are unaffected.
 */
export type RuleSetResult = RuleResult | TagwiseError;

/** Several compiled rules evaluated together, in one call into wasm per batch. */
export interface RuleSet extends Disposable {
  /** Number of rules. */
  readonly size: number;
  /** The rules as compiled (canonical JSON), in order. */
  readonly rules: Rule[];
  /** Non-fatal problems found at compile time (paths start with the rule index). */
  readonly warnings: Problem[];
  /** Every rule's result on one record, in rule order. */
  evaluate(record?: unknown, options?: EvaluateOptions): RuleSetResult[];
  /**
   * Every rule on every record: `out[i][k]` is rule `k` on `records[i]`. One
   * boundary crossing for the whole batch (the records are serialized once).
   * The profile and `now` apply to every record.
   * @throws TagwiseError only for batch-wide problems: a record or the profile
   *   cannot become JSON (`invalid_json`) or nests more than 1,000 levels
   *   (`too_deep`, path `"/<record index>"` or `"/profile"`).
   */
  evaluateMany(records: readonly unknown[], options?: EvaluateOptions): RuleSetResult[][];
}

/** Engine limits (positive integers; defaults suit rules written by people). */
export interface Limits {
  /** Deepest nesting of operations in a rule (default 128). */
  maxDepth?: number;
  /** Most nodes in one rule (default 100,000). */
  maxNodes?: number;
  /** Evaluation steps per rule evaluation (default 50,000,000). */
  maxSteps?: number;
}

/** Options of {@link createTagwise}. */
export interface TagwiseOptions {
  /** Clock used when a call gives no `now` (default `Date.now`). */
  clock?: () => number;
  /** Engine limits. */
  limits?: Limits;
  /** Compiled rules kept by {@link Tagwise.evaluate} (LRU; default 256; 0 disables). */
  cacheSize?: number;
  /** Where to load the .wasm from (browser: URL; Node: file URL or path). Default: next to the glue. */
  wasmUrl?: string | URL;
  /** The .wasm bytes, when the application loads them itself. */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

/** A tagwise engine instance. */
export interface Tagwise {
  /**
   * Compiles a rule once for many evaluations.
   * @throws TagwiseError listing every problem (`errors`), the first in `code`/`path`.
   */
  compileRule(rule: Rule): CompiledRule;
  /**
   * Compiles rules evaluated together ({@link RuleSet.evaluateMany}).
   * @throws TagwiseError listing every problem of every rule (paths `"/<index>/..."`).
   */
  compileRules(rules: readonly Rule[]): RuleSet;
  /** Every problem of a rule (errors and warnings) without throwing; `[]` for a good rule. */
  validateRule(rule: unknown): Problem[];
  /**
   * One-shot: compile (cached by the rule's JSON text) and evaluate.
   * @throws TagwiseError as {@link Tagwise.compileRule} and {@link CompiledRule.evaluate} do.
   */
  evaluate(rule: Rule, data?: unknown, options?: EvaluateOptions): RuleResult;
  /**
   * Parses the readable text form (`events(order_paid, within 30d) >= 5`) into the JSON rule.
   * @throws TagwiseError code `syntax` (or another code) with `path` "line:column".
   */
  parseRuleText(text: string): Rule;
  /** Writes a JSON rule in the readable text form (`parseRuleText` reverses it). */
  formatRule(rule: Rule): string;
  /** Every code the engine can report, in the core's order. */
  readonly errorCodes: ErrorCode[];
  /** Frees the compiled rules cached by {@link Tagwise.evaluate}. */
  clearCache(): void;
}

/**
 * Loads the engine (the wasm module is loaded once and shared) and returns an
 * instance with its own clock, limits and compile cache.
 *
 * @example
 * import { createTagwise } from "tagwise";
 * const tw = await createTagwise();
 * const vip = tw.compileRule({ ">=": [{ var: "orders" }, 5] });
 * vip.evaluate({ orders: 7 }); // true
 */
export declare function createTagwise(options?: TagwiseOptions): Promise<Tagwise>;
