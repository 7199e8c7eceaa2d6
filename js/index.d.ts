// Hand-written types of the tagwise package (checked by tests/js/types.check.ts
// through `tsc --noEmit -p tests/js`). The unions of the core's closed sets
// must list exactly the core's values, which the wasm module reports
// (tests/js/core_tables.test.mjs compares them): ErrorCode
// (core/include/tagwise/error.h, `tw.errorCodes`), Purpose
// (core/include/tagwise/purposes.h, `tw.consentPurposes`, also js/purposes.js),
// DecisionSource (`tw.decisionSources`) and LintCode's own codes
// (core/include/tagwise/lint.h, `tw.lintCodes`).

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
 * - `costly_rule` (warning, from validateRule): the rule's work grows faster than its data
 * - `out_of_memory`: the wasm heap could not grow for the call (the budgets keep rules far below that; a
 *   huge input can still reach it); the instance stays usable
 * - `budget_exceeded`: the rules of one call (`limits.maxSteps`, `limits.maxBuiltBytes`) did more work or
 *   built more strings and lists together than its budget, or one rule built more than 32 MiB (the path is
 *   the node)
 * - `unsupported_version`: data written by a newer tagwise format version
 * - `duplicate_id`: two catalog entries share an id
 * - `cycle`: tags depend on each other in a loop
 * - `corrupt`: binary data (a hint file) failed its checksum, is truncated or malformed
 * - `catalog_mismatch`: hints built for another catalogue version than the one expected
 * - `not_loaded`: in a browser, a feature used before {@link Tagwise.ready} loaded it
 * - `wasm_fetch_failed`: `createTagwise()` could not fetch or read the `.wasm` (network, HTTP 404, missing file)
 * - `wasm_compile_failed`: the `.wasm` did not compile or link (not a tagwise module, or a browser
 *   without WebAssembly exception handling: before Chrome 95, Firefox 100, Safari 15.2)
 * - `csp_blocked`: the page's Content-Security-Policy forbids compiling WebAssembly (`script-src` needs `'wasm-unsafe-eval'`)
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
  | 'budget_exceeded'
  | 'out_of_memory'
  | 'costly_rule'
  | 'unsupported_version'
  | 'duplicate_id'
  | 'cycle'
  | 'corrupt'
  | 'catalog_mismatch'
  | 'not_loaded'
  | 'wasm_fetch_failed'
  | 'wasm_compile_failed'
  | 'csp_blocked';

/** One problem found in a rule (or in data / a profile). */
export interface Problem {
  /** What went wrong, from a closed set (`not_loaded`: in a browser, a feature used before {@link Tagwise.ready} loaded it). */
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
   * boundary crossing for the whole batch. The profile and `now` apply to
   * every record. In Node, a set whose rules the column evaluator covers
   * sends only the fields its rules read, as typed columns; otherwise (and in
   * the browser's module) each record is serialized as JSON.
   * @throws TagwiseError only for batch-wide problems: a record (in Node: a
   *   field a rule reads) or the profile cannot become JSON (`invalid_json`)
   *   or nests more than 1,000 levels (`too_deep`, path `"/<record index>"`
   *   or `"/profile"`).
   */
  evaluateMany(records: readonly unknown[], options?: EvaluateOptions): RuleSetResult[][];
}

/** Engine limits (positive integers; defaults suit rules written by people). */
export interface Limits {
  /** Deepest nesting of operations in a rule (default 128). */
  maxDepth?: number;
  /** Most nodes in one rule (default 100,000). */
  maxNodes?: number;
  /**
   * Evaluation steps one call may take (default 20,000,000, about 0.2 s in
   * V8): one `evaluate`, each record of `evaluateMany` (its rules
   * together), one pass over the catalog (`setProfile`, `track`, `tags`, each
   * profile of `tagProfiles`), one experiment or offers call. A rule past it
   * fails with `evaluation_limit`, the rules after it in the same call with
   * `budget_exceeded`; a tag whose rule failed is not held and its decision
   * says why. The heaviest real pass measured needs 412,187 steps.
   */
  maxSteps?: number;
  /**
   * Bytes of strings and lists the rules of one call may build (default
   * 64 MiB; one rule at most 32 MiB). Past it: `budget_exceeded` at the node.
   */
  maxBuiltBytes?: number;
}

// ---------------------------------------------------------------- tag catalog

/**
 * A consent purpose (DESIGN.md section 6). `necessary` is always on;
 * `security` covers risk and fraud tags. Listed in the core's order, which
 * {@link Tagwise.consentPurposes} reports at run time.
 */
/**
 * What the browser's page runtime leaves to the full module, fetched on first
 * use ({@link Tagwise.ready}): explain (the rule tree behind a tag, for a
 * "why?" panel), rules (ad-hoc rules: compileRule, compileRules,
 * evaluate; the page runtime evaluates its catalog's rules itself and checks
 * rules with validateRule), experiments (run, convert, report, bucketing),
 * offers, recommend (loadHints, recommend), conditions (evaluateCondition),
 * lint (lintCatalog, lintCodes), text (parseRuleText, formatRule), batch
 * (tagProfiles: many visitors at once, a server's or the console's job).
 */
export type Feature = 'explain' | 'rules' | 'experiments' | 'offers' | 'recommend' | 'conditions' | 'lint' | 'text' | 'batch';

export type Purpose = 'necessary' | 'security' | 'personalization' | 'marketing' | 'analytics';

/** One tag of a {@link Catalog} (DESIGN.md section 5). */
export interface TagDefinition {
  /** Unique id, used by `tag`/`tag_value`, `parent` and in results. */
  id: string;
  /** Display name (often Chinese: 高活跃用户); default the id. */
  name?: string;
  /** Free text; conventionally basic, behavior, preference, value, lifecycle or risk. */
  dimension?: string;
  /** Membership rule; absent: held only through child tags or the server. */
  when?: Rule;
  /** Value rule (a score, an RFM code...); absent: the value is `true` while held. */
  value?: Rule;
  /** Holding this tag implies holding the parent (and its ancestors). */
  parent?: string | null;
  /** Group id; in an `exclusive` group at most one member holds. */
  group?: string | null;
  /** Inside an exclusive group the highest priority wins, then catalog order (default 0). */
  priority?: number;
  /** Consent purpose the tag serves (default `personalization`). */
  purpose?: Purpose;
  /** `server`: membership and value come from the snapshot's `tags` (default `client`). */
  source?: 'client' | 'server';
  /** Server tags: lifetime after the snapshot's `as_of` when the entry has no `expires_at` ("7d" or ms). */
  ttl?: string | number | null;
  /** Part of the small core set (lint warns past 50). */
  core?: boolean;
  description?: string;
}

/** A group of tags; `exclusive: true` lets at most one member hold. */
export interface TagGroup {
  id: string;
  name?: string;
  exclusive?: boolean;
  description?: string;
}

/** A tag catalog: `{ "tagwise": 1, "groups": [...], "tags": [...] }`. */
export interface Catalog {
  /** Format version; 1. Missing is a warning. */
  tagwise?: 1;
  name?: string;
  description?: string;
  version?: JsonValue;
  groups?: TagGroup[];
  tags: TagDefinition[];
}

/** JSON text as UTF-8 bytes: what `await response.arrayBuffer()` gives (any typed array's bytes work too). */
export type JsonBytes = ArrayBuffer | ArrayBufferView;

/** Result of {@link Tagwise.loadCatalog} and {@link Tagwise.setProfile}: problems as values, never thrown. */
export interface LoadResult {
  /** True when the input was taken; false leaves the previous state unchanged. */
  ok: boolean;
  /** Why it was refused (empty when `ok`). Paths are JSON Pointers into the input (`/tags/3/when/and/0`). */
  errors: Problem[];
  /** Problems that did not stop it (unknown fields, repaired timestamps, skipped events). */
  warnings: Problem[];
}

/** A server-computed tag in a snapshot. */
export type ServerTag = {
  /** The tag's value (default `true`). */
  value?: JsonValue;
  /** When it stops holding (ms since the epoch); default `as_of` + the tag's `ttl`, else never. */
  expires_at?: number;
};

/** Compacted history: the count and numeric sums of one event type on one day. */
export type DayRollup = {
  /** Start of the day (ms, in the profile's `tz_offset_min`). */
  day: number;
  type: string;
  count: number;
  sums?: { [prop: string]: number };
};

/**
 * A profile in the store's JSON form, or a server snapshot of one (a
 * profile plus `as_of` and server-computed `tags`). {@link Tagwise.getProfile}
 * returns this form, so it can be stored and given back to
 * {@link Tagwise.setProfile}.
 */
export interface Snapshot extends Profile {
  /** Profile format version (1); a newer version is refused with `unsupported_version`. */
  tagwise_profile?: number;
  rollups?: DayRollup[];
  /** Every event at or before this time is counted in `rollups`. */
  compacted_through?: number | null;
  /** Time up to which the server counted this user's events (required to merge). */
  as_of?: number;
  /** Server-computed tags by id. */
  tags?: { [id: string]: ServerTag };
}

/** An event given to {@link Tagwise.track}. */
export interface TrackEvent {
  /**
   * Unique per user; an event whose id the profile already has is ignored.
   * When absent, the id is derived from the content —
   * `"auto:<type>:<ts>:<FNV-1a 64 of the props JSON>"` — so delivering the
   * identical event (same type, ts and props) twice still counts once.
   */
  id?: string;
  type: string;
  /** Milliseconds since the epoch (seconds are detected and converted, with a warning). Default: the `now` of the call. */
  ts?: number;
  props?: { [key: string]: JsonValue };
}

/** The tags that changed, by id (catalog order within each list). */
export interface TagChanges {
  /** Now held, previously not. */
  entered: string[];
  /** Previously held, now not. */
  left: string[];
  /** Held before and after, with a different value. */
  changed: string[];
}

/** Result of {@link Tagwise.track} / {@link Tagwise.trackMany}. */
export interface TrackResult {
  /** False when any event was unusable (those are in `errors`; the others were still added). */
  ok: boolean;
  /** Events added to the profile. */
  added: number;
  /** Events already counted (same id, or at or before the profile's snapshot/compaction time). */
  duplicates: number;
  /** Events not recorded because no consent purpose the visitor granted needs their type (DESIGN.md section 6). */
  withheld: number;
  /** One per unusable event; paths `"/<index>/type"` ({@link Tagwise.trackMany}) or `"/type"` ({@link Tagwise.track}). */
  errors: Problem[];
  /** Repairs made (e.g. `ts` in seconds read as milliseconds). */
  warnings: Problem[];
  /** What the re-evaluation changed (also sent to {@link Tagwise.onTagsChanged} listeners when not empty). */
  changes: TagChanges;
}

/**
 * Why a tag holds or not (closed set, in the core's order; {@link Tagwise.decisionSources}
 * reports it at run time):
 * - `rule`: its own `when` rule decided
 * - `parentTag`: held because a child tag holds
 * - `exclusiveLoser`: its rule held but another member of its exclusive group won (`suppressedBy`)
 * - `consentDenied`: its purpose is switched off, so it was not computed
 * - `expired`: server tag past its expiry
 * - `server`: server tag from the snapshot (held while present and not expired)
 * - `error`: its rule failed (e.g. `throw`); treated as not held (`error` says why)
 */
export type DecisionSource = 'rule' | 'parentTag' | 'exclusiveLoser' | 'consentDenied' | 'expired' | 'server' | 'error';

/** A tag the user holds ({@link Tagwise.tags}). */
export interface HeldTag {
  id: string;
  name: string;
  dimension: string;
  purpose: Purpose;
  /**
   * The `value` rule's result, `true` for a tag without one, or the server's
   * value. `null` when the value rule failed (see `error`) or returned null.
   * Non-finite numbers arrive as null.
   */
  value: JsonValue;
  /** How it came to hold. */
  source: 'rule' | 'parentTag' | 'server';
  /** Server tags: when it expires (ms), if known. */
  expiresAt?: number;
  /** The value rule failed with this message (the tag still holds). */
  error?: string;
}

/** The decision on one catalog tag, held or not ({@link Tagwise.tagDecisions}). */
export interface TagDecision {
  id: string;
  name: string;
  dimension: string;
  purpose: Purpose;
  holds: boolean;
  /** As {@link HeldTag.value} while held; null otherwise. */
  value: JsonValue;
  source: DecisionSource;
  /** `exclusiveLoser`: the id of the group member that won. */
  suppressedBy?: string;
  /** `error`: what failed (or, while held, the value rule's failure). */
  error?: string;
  /** Server tags: when it expires (ms), if known. */
  expiresAt?: number;
}

/** One evaluated node of a rule tree in an {@link Explanation}. */
export interface TraceNode {
  /** The operation (`>=`, `events`, `var`, ...) or `literal`. */
  op: string;
  /** JSON Pointer of the node inside the rule. */
  path: string;
  /** What the node evaluated to. */
  value: JsonValue;
  /** `events` nodes: how many events (and rollup counts) matched. */
  matched?: number;
  /** Evaluated arguments; nodes a short-circuit skipped are absent. */
  args?: TraceNode[];
}

/** Why a user holds a tag or not: the core's Engine::Explain JSON (snake_case). */
export interface Explanation {
  id: string;
  name: string;
  dimension: string;
  purpose: Purpose;
  holds: boolean;
  value: JsonValue;
  source: DecisionSource;
  /** `exclusiveLoser`: the winning group member's id. */
  suppressed_by?: string;
  /** The rule's failure, if any. */
  error?: string;
  parent?: string;
  group?: string;
  /** Child tags that hold (and so make this one hold by inheritance). */
  children_holding?: string[];
  /** The `when` rule with each evaluated node's value (absent for server tags and switched-off purposes). */
  when?: TraceNode;
  /** The `value` rule, traced the same way. */
  value_rule?: TraceNode;
}

/** Options of calls that evaluate or change state at a time. */
export interface TimeOptions {
  /** Evaluation time in ms since the epoch (or a Date); default: the instance's clock. */
  now?: number | Date;
}

/** Options of {@link Tagwise.setProfile}. */
export interface SetProfileOptions extends TimeOptions {
  /**
   * - `false` (default): replace the profile (with persistence, this starts a
   *   new generation: other tabs adopt the replacement).
   * - `true`: merge a server snapshot: local events later than its `as_of`
   *   are kept, the rest are taken as counted by the server (never double
   *   counted); the snapshot's attributes win. The snapshot must have `as_of`.
   * - `"union"`: merge another copy of this user's profile (another device,
   *   an SSR state) by event id; refused for another user's profile.
   */
  merge?: boolean | 'union';
}

/**
 * Code of a {@link LintFinding}: lint's own codes (core/include/tagwise/lint.h,
 * which {@link Tagwise.lintCodes} reports at run time), plus any
 * {@link ErrorCode} the catalog loader reports (`unknown_operator`,
 * `bad_duration`, `invalid_rule` for unknown fields, ...).
 *
 * Structure and rules (no sample needed):
 * - `duplicate_id` (error): two tags, or two groups, share an id
 * - `unknown_parent` (error): `parent` names no tag
 * - `self_parent` (error): a tag is its own parent
 * - `unknown_group` (error): `group` names no group
 * - `unknown_tag_reference` (error): `{"tag": [id]}` / `{"tag_value": [id]}` names no tag
 * - `cycle` (error): tags wait on each other in a loop (rule references, parent chains, exclusive groups)
 * - `exclusive_ancestor` (error): a tag and one of its ancestors are in the same exclusive group
 * - `same_priority_exclusive` (warning): two members of an exclusive group have the same priority and may both hold
 * - `never_holds` / `always_holds` (warning): a rule, a condition in it or an `events` filter is never / always true
 * - `too_many_core_tags` (warning): more tags have `core: true` than {@link LintOptions.maxCoreTags}
 * - `unused_tag` (warning): nothing can give the tag (no `when`, no child tags, not server-sourced)
 * - `unused_group` (warning): no tag belongs to the group
 * - `costly_rule` (warning): work that grows faster than the data: a list iterated inside another, or `reduce` building a text or list from the accumulator read twice
 * - `too_deep` (error): a rule nests too deep to analyse
 * - `too_many_findings` (warning): the finding limit was reached; later findings are dropped
 * - `lint_failed` (error): an unexpected failure (e.g. out of memory) stopped the check
 *
 * With a sample ({@link LintOptions.sample}):
 * - `dead_tag` (warning): no user of the sample holds the tag
 * - `low_coverage` (warning): fewer than {@link LintOptions.lowCoverage} of the sample hold it
 * - `rule_error` (warning): the tag's rule failed for some users of the sample
 * - `sample_skipped` (warning): the catalog has errors, so the sample was not evaluated
 */
export type LintCode =
  | 'duplicate_id' | 'unknown_parent' | 'self_parent' | 'unknown_group' | 'unknown_tag_reference' | 'cycle'
  | 'exclusive_ancestor' | 'same_priority_exclusive' | 'never_holds' | 'always_holds' | 'too_many_core_tags'
  | 'unused_tag' | 'unused_group' | 'costly_rule' | 'too_deep' | 'too_many_findings' | 'lint_failed'
  | 'dead_tag' | 'low_coverage' | 'rule_error' | 'sample_skipped'
  | ErrorCode;

/** One finding of {@link Tagwise.lintCatalog}. */
export interface LintFinding {
  severity: 'error' | 'warning';
  code: LintCode;
  /** The tag the finding is about; `""` for catalog-wide findings. */
  tagId: string;
  /** JSON Pointer into the catalog (`/tags/3/when/and/1`). */
  path: string;
  /** One sentence for an operator, naming tags by their name. */
  message: string;
}

/** How many users of the lint sample hold a tag. */
export interface TagCoverage {
  tagId: string;
  users: number;
  /** users / sampleSize (0 for an empty sample). */
  share: number;
}

/** The catalog's hygiene report. */
export interface LintReport {
  /** Errors first in the core's stable order (see lint.h). */
  findings: LintFinding[];
  /** Per tag in catalog order; only with a sample and a loadable catalog. */
  coverage: TagCoverage[];
  /** Profiles of the sample that were evaluated. */
  sampleSize: number;
  /** Sample profiles that could not be read (skipped); paths `"/sample/<index>/..."`. */
  warnings: Problem[];
}

/** Options of {@link Tagwise.lintCatalog}. */
export interface LintOptions extends TimeOptions {
  /** Profiles or snapshots to measure coverage on (evaluated at `now`, every purpose on). */
  sample?: readonly (Profile | Snapshot)[] | null;
  /** More `core: true` tags than this is a warning (default 50). */
  maxCoreTags?: number;
  /** With a sample: held by fewer than this share of users is `low_coverage` (default 0.001). */
  lowCoverage?: number;
}

/** One user's result of {@link Tagwise.tagProfiles}. */
export interface TaggedProfile {
  /** The profile's `user_id` (numbers become text), or null. */
  user_id: string | null;
  /** Held tags: id → value (`true` for tags without a value, or whose value is null). */
  tags: { [id: string]: JsonValue };
  /** The profile could not be read (then `tags` is empty). */
  errors?: Problem[];
  /** Repairs and skipped data, at most 20 (paths into this profile). */
  warnings?: Problem[];
  /** Total warnings when more than 20. */
  warningCount?: number;
}

/** Options of {@link Tagwise.catalogToSql} (Node only; docs/sql.md). */
export interface CatalogToSqlOptions {
  /** The evaluation time, the engine's `now`: ms since 1970 or a Date. Windows and days_since count back from it. */
  asOf: number | Date;
  /** Default `duckdb`. DuckDB and PostgreSQL are tested by running the query; Spark SQL at the text level. */
  dialect?: 'duckdb' | 'postgres' | 'spark';
  /** The events table, `events(user_id, id, type, ts, props)` (default `events`; `schema.table` works). */
  eventsTable?: string;
  /** The users table, `users(user_id, attributes)` (default `users`). */
  usersTable?: string;
}

/** Options of {@link Tagwise.tagProfiles}. */
export interface TagProfilesOptions extends TimeOptions {
  /** Consent purposes for this batch (default: the instance's, see {@link Tagwise.setPurposes}). */
  purposes?: readonly Purpose[];
}

/**
 * Where the runtime keeps its state. Methods may return values or promises.
 * `update(key, fn)` must run fn(old) -> new (null deletes) atomically with
 * respect to other tabs; without it the runtime reads then writes. Quota
 * errors must be thrown with `name === "QuotaExceededError"`.
 */
export interface StorageAdapter {
  readonly name: string;
  get(key: string): string | null | Promise<string | null>;
  set(key: string, value: string): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  update?(key: string, fn: (old: string | null) => string | null): void | Promise<void>;
  keys?(): string[] | Promise<string[]>;
}

/** A store in memory (the Node default); share one between instances to share state. */
export declare function memoryStorage(): StorageAdapter;
/** `window.localStorage` (or another Web Storage object) as an adapter. */
export declare function webStorage(storage?: Storage): StorageAdapter;
/** IndexedDB as an adapter (database `tagwise`, object store `kv` by default). */
export declare function indexedDBStorage(options?: { dbName?: string; storeName?: string; indexedDB?: IDBFactory }): StorageAdapter & { close(): Promise<void> };

/** Codes of {@link Diagnostic}: problems the runtime handled without throwing. */
export type DiagnosticCode =
  | 'store_damaged'      // checksum/format problems: the intact part was kept (see problems, eventsDropped)
  | 'store_unsupported'  // written by a newer version: not loaded
  | 'storage_unreadable' // the adapter failed to read: started empty
  | 'storage_failed'     // a write failed: state kept in memory, retried on the next change
  | 'quota_exceeded'     // storage full: compacted (`step: "compacted"`) or dropped the oldest day summaries (`"dropped"`)
  | 'sync_failed'        // a message to other tabs failed
  | 'ssr_rejected'       // createTagwise({ hydrate }) could not use the state (see errors)
  | 'malformed_condition'; // evaluateCondition / experiments.run met a malformed condition and evaluated it as GrowthBook does (see problems; once per distinct condition)

/** What {@link TagwiseOptions.onError} receives. */
export interface Diagnostic {
  code: DiagnosticCode;
  message: string;
  /** Date.now() when it happened. */
  at: number;
  problems?: Problem[];
  errors?: Problem[];
  truncated?: boolean;
  eventsKept?: number;
  eventsDropped?: number;
  headerLost?: boolean;
  step?: 'compacted' | 'dropped';
  events?: number;
  error?: unknown;
  /** `malformed_condition` from {@link Experiments.run}: the experiment's key (problem paths start with "/condition"). */
  experiment?: string;
}

/** The visitor's consent per purpose. */
export type ConsentState = { [P in Purpose]: boolean };

/** tw.consent: read, change and observe consent (DESIGN.md section 6). */
export interface Consent {
  /** Every purpose with its state; `necessary` is always true. */
  get(): ConsentState;
  /**
   * Switches purposes (those not named keep their state). Effective at once:
   * tags of purposes switched off leave tags(); events only they need stop
   * being recorded; data kept only for them is deleted from memory and storage.
   * The returned promise resolves once the choice is stored (other tabs follow).
   * @throws TypeError for an unknown purpose, a non-boolean, or `necessary: false`.
   */
  set(choice: Partial<ConsentState>, options?: TimeOptions): Promise<void>;
  /** Called on every change, from this tab (`"local"`) or another (`"tab"`). @returns unsubscribe */
  onChange(listener: (consent: ConsentState, info: { source: 'local' | 'tab' }) => void): () => void;
  /** True once the visitor has chosen (the choice is persisted). */
  readonly decided: boolean;
  /** When the visitor chose (ms), or null. */
  readonly updatedAt: number | null;
}

/** What {@link Tagwise.exportData} returns: everything stored, readable. */
export interface DataExport {
  format: 'tagwise-export';
  version: 1;
  exportedAt: string | null;
  about: string;
  storage: { adapter: string; key: string; bytes: number };
  consent: { decided: boolean; updatedAt: string | null; purposes: { [P in Purpose]: boolean | null } };
  profile: {
    userId: string | null;
    timeZoneOffsetMinutes: number;
    attributes: { [key: string]: JsonValue };
    events: { id: string; type: string; time: string | null; ts: number; props: { [key: string]: JsonValue } }[];
    daySummaries: { day: string | null; dayStart: number; type: string; count: number; sums: { [field: string]: number } }[];
    summarizedThrough: string | null;
    serverSnapshotTime: string | null;
    serverTags: { [id: string]: JsonValue };
  };
  tags: { id: string; name: string; purpose: Purpose; dimension: string; value: JsonValue }[];
  /** Sticky experiment assignments (each one the user's exposure). */
  experiments: { experiment: string; variation: number; variationKey: string; assignedAt: string | null }[];
  conversions: (ExperimentConversion & { time: string | null })[];
  /** Offer records kept for caps. */
  offers: (OfferRecord & { time: string | null })[];
  problems: Problem[];
}

/** The state a server embeds for the browser (see {@link Tagwise.ssrState}). */
export interface SsrState {
  v: 1;
  fingerprint: string;
  now: number;
  purposes: Purpose[];
  profile: Snapshot;
  tags: [string, JsonValue][];
}

/** Options of {@link Tagwise.hydrate}. */
export interface HydrateOptions {
  /**
   * A state made with another catalog (a deploy between render and load):
   * `"refuse"` (default) rejects it with `catalog_mismatch`; `"load"` loads
   * the profile anyway (a warning) and lists the tags that differ.
   */
  catalogMismatch?: 'refuse' | 'load';
}

/** What {@link Tagwise.hydrate} returns. */
export interface HydrateResult {
  ok: boolean;
  /** Why the state was refused (`wrong_argument_type`, `unsupported_version`, `catalog_mismatch`, ... with JSON Pointers). */
  errors: Problem[];
  /** `catalog_unverified`, `purposes_differ`, `visitor_changed`, `catalog_mismatch` (with `"load"`), profile repairs. */
  warnings: Problem[];
  /** Tags whose browser value differs from the server's (e.g. local events the server did not have). */
  mismatches: { id: string; server: JsonValue | undefined; browser: JsonValue | undefined }[];
}

// ---- Experiments (DESIGN.md section 7) ----

/** A variation's share of the hash space, [start, end). */
export type BucketRange = [number, number];

/**
 * GrowthBook-compatible bucketing: each function gives exactly what its
 * namesake in GrowthBook's SDK gives (checked against @growthbook/growthbook),
 * so a user lands in the same variation in both. Ids are hashed as UTF-16
 * code units, as JavaScript strings are.
 */
export interface Experiments {
  /** FNV-1a based hash in [0, 1): version 1 (GrowthBook's original) or 2; null for any other version. */
  hash(seed: string, value: string, version: number): number | null;
  /**
   * One range per variation from the weights (equal when absent) scaled by
   * coverage (default 1). As in GrowthBook, coverage is clamped to [0, 1] and
   * weights of the wrong length or not summing to 1 (±0.01) become equal weights.
   */
  bucketRanges(numVariations: number, coverage?: number, weights?: number[] | null): BucketRange[];
  /** The index of the range holding n, or -1 when n is outside every range. */
  chooseVariation(n: number, ranges: readonly BucketRange[]): number;
  /** Whether the user's hash value falls in the namespace's [start, end) (mutually exclusive experiments). */
  inNamespace(hashValue: string, namespace: [string, number, number]): boolean;
  /**
   * Runs an experiment for the instance's user, in GrowthBook's steps (same
   * variation as GrowthBook for the same definition and attributes). The
   * first time the user is in it, the assignment is kept (sticky across
   * reloads, tabs and later weight changes) and the onExposure listeners hear
   * of it, once per user per experiment. A malformed `condition` does not
   * throw: it is evaluated as GrowthBook does (see
   * {@link Tagwise.evaluateCondition}; where GrowthBook throws, the user is
   * not in the experiment, reason "condition") and reported once as a
   * `malformed_condition` {@link Diagnostic} with `experiment` and paths
   * under `/condition`.
   * @throws TagwiseError for a bad definition, every problem with its path
   *   (`/weights`: not summing to 1; `/coverage`: outside [0, 1];
   *   `/variations`: fewer than 2; `/rule/...`).
   */
  run<T extends JsonValue = JsonValue>(definition: ExperimentDefinition<T>, options?: ExperimentRunOptions): ExperimentResult<T>;
  /** Hears first exposures: fn(definition, result). Returns an unsubscribe function. */
  onExposure(listener: (definition: ExperimentDefinition, result: ExperimentResult) => void): () => void;
  /** Records a conversion for the user's variation in `experiment`. */
  convert(experiment: string, options?: { metric?: string; value?: number; id?: string; now?: number }): ConversionOutcome;
  /**
   * The user's assignments and conversions, to send to the shop's server and aggregate with
   * {@link Experiments.report}. Needs the experiments module on a page (`not_loaded` before `tw.ready('experiments')`).
   */
  results(): ExperimentResults;
  /**
   * Compares variations against the control (the first): rate, Wilson interval, uplift, p-value,
   * chance to beat control (Beta-Binomial posterior, uniform prior) and whether the comparison has
   * `minConversions` (default 30, control + variation) — below it there is no winner.
   */
  report(input: { variations: { id: string; users: number; conversions: number }[]; confidence?: number; minConversions?: number }
    | { experiment: string; results: readonly ExperimentResults[]; metric?: string; confidence?: number; minConversions?: number }): ExperimentReport;
}

/** An experiment as GrowthBook defines it (camelCase JSON), plus tagwise's `rule` and `purpose`. */
export interface ExperimentDefinition<T extends JsonValue = JsonValue> {
  key: string;
  /** At least 2; the first is the control. */
  variations: T[];
  /** One per variation, summing to 1. Default: equal. */
  weights?: number[];
  /** Share of users in the experiment, 0..1 (default 1). */
  coverage?: number;
  /** Attribute hashed to bucket the user (default `"id"`: the profile's user id). */
  hashAttribute?: string;
  hashVersion?: 1 | 2;
  /** Hash seed (default the key). */
  seed?: string;
  /** Mutually exclusive experiments: [namespaceId, start, end]. */
  namespace?: [string, number, number];
  ranges?: BucketRange[];
  /** MongoDB-style targeting on the attributes (GrowthBook's syntax). */
  condition?: Condition;
  /** Tagwise rule targeting: tags (`{"tag": ["vip"]}`), events, attributes. */
  rule?: Rule;
  /** Everyone in coverage gets this variation (no exposure is reported). */
  force?: number | null;
  active?: boolean;
  status?: 'draft' | 'running' | 'stopped';
  meta?: { key?: string; name?: string; passthrough?: boolean }[];
  /** Raise to re-randomise everyone (sticky assignments are per bucket version). */
  bucketVersion?: number;
  disableStickyBucketing?: boolean;
  /** Consent purpose the experiment needs (default `"analytics"`): without it the user gets the control, not in the experiment. */
  purpose?: Purpose;
  name?: string;
  description?: string;
  phase?: string;
}

export interface ExperimentRunOptions {
  /** Extra or overriding attributes. The user's attributes, `id` (user id) and `tags` (held tag ids) are there already. */
  attributes?: { [key: string]: JsonValue };
  /** QA / dev tools: experiment key → variation index. */
  forcedVariations?: { [key: string]: number };
  /** Nobody enters experiments (forced variations still apply). */
  qaMode?: boolean;
  /** The page URL: `?<key>=<n>` forces variation n, as in GrowthBook. */
  url?: string;
  enabled?: boolean;
  /** Saved groups for `$inGroup` / `$notInGroup` in conditions. */
  savedGroups?: { [groupId: string]: JsonValue[] };
  now?: number;
}

export interface ExperimentResult<T extends JsonValue = JsonValue> {
  inExperiment: boolean;
  variationId: number;
  value: T;
  hashUsed: boolean;
  /** The variation's meta key, or its index as text. */
  key: string;
  hashAttribute: string;
  hashValue: JsonValue;
  stickyBucketUsed: boolean;
  /**
   * Why: "assigned", "sticky", "forced", "querystring", "force", or why not in:
   * "disabled", "consent", "inactive", "no_hash_attribute", "namespace",
   * "condition", "rule", "rule_error", "coverage", "qa_mode", "stopped".
   */
  reason: string;
  bucket?: number;
  name?: string;
  passthrough?: boolean;
  detail?: string;
}

export interface ConversionOutcome {
  recorded: boolean;
  variation?: number;
  variationKey?: string;
  reason?: 'not_in_experiment' | 'consent' | 'duplicate';
}

export interface ExperimentConversion {
  experiment: string;
  metric: string;
  at: number;
  variation: number;
  value?: number;
}

export interface ExperimentResults {
  assignments: { experiment: string; hashAttribute: string; hashValue: string; variation: number; variationKey: string; at: number }[];
  conversions: ExperimentConversion[];
}

export interface VariationReport {
  id: string;
  users: number;
  conversions: number;
  rate: number;
  ciLow: number;
  ciHigh: number;
  uplift?: number;
  diff?: number;
  diffCiLow?: number;
  diffCiHigh?: number;
  pValue?: number;
  /** P(rate > control rate) under the Beta posteriors Beta(1 + conversions, 1 + users - conversions). */
  chanceToBeatControl?: number;
  significant: boolean;
  /** Control and variation together have at least `minConversions` conversions; null for the control. */
  enoughData?: boolean | null;
}

export interface ExperimentReport {
  confidence: number;
  /** Conversions (control + variation) a comparison needs before it may name a winner. */
  minConversions: number;
  variations: VariationReport[];
  /** A variation significantly better than the control with enough data, and best among those, or "". */
  winner: string;
}

// ---- Offers (DESIGN.md section 7) ----

export type OfferAction = 'shown' | 'clicked' | 'redeemed';

export interface QuietHoursDefinition {
  /** Local "HH:MM" in the user's time zone; may span midnight ("22:00" to "08:00"). */
  start: string;
  end: string;
}

export interface OfferDefinition {
  id: string;
  name?: string;
  /** Tagwise rule over the user (tags welcome); absent: everyone. */
  audience?: Rule;
  /** Default `"marketing"`: with that purpose off, the offer is not eligible and nothing is recorded. */
  purpose?: Purpose;
  /** Higher first (default 0). */
  priority?: number;
  /** Counts of "shown" per user: total, per local day, per local ISO week (Monday). */
  caps?: { total?: number; perDay?: number; perWeek?: number };
  /** Never again after this action (true = "shown"): new-user rewards, once-per-user messages. */
  once?: boolean | OfferAction;
  /** Mutually exclusive group: only its best-ranked eligible offer is eligible. */
  group?: string;
  /** ISO 8601 or ms; end must be after start. */
  start?: string | number;
  end?: string | number;
  /** Overrides the global quiet hours; null: none for this offer. */
  quietHours?: QuietHoursDefinition | null;
  payload?: JsonValue;
}

export interface OfferDefinitions {
  offers: OfferDefinition[];
  /** At most this many offers shown per user per local day, across offers (the seeds recommend 2). */
  dailyCap?: number;
  quietHours?: QuietHoursDefinition;
}

export interface EligibleOffer {
  id: string;
  name: string;
  priority: number;
  payload: JsonValue;
  rank: number;
  /** Why: "audience" or "everyone", "priority 10", "group welcome"... */
  reasons: string[];
  /** Used and limit per cap: { total?, perDay?, perWeek? }. */
  caps: { [cap: string]: { used: number; limit: number } };
}

export interface IneligibleOffer {
  id: string;
  name: string;
  /**
   * Every failing reason: "consent", "not_started", "ended", "audience",
   * "audience_error", "quiet_hours", "once", "cap_total", "cap_day",
   * "cap_week", "daily_cap", "group".
   */
  reasons: string[];
  message: string;
  details: { [key: string]: JsonValue };
}

export interface OfferRecord {
  offer: string;
  action: OfferAction;
  at: number;
}

export interface Offers {
  /**
   * Loads offer definitions, replacing the previous ones.
   * @throws TagwiseError listing every problem with its path (e.g.
   *   `/offers/0/end` before start, `/offers/2/caps/perDay`); the previous offers stay.
   */
  load(definitions: OfferDefinition[] | OfferDefinitions): { warnings: Problem[] };
  /** The offers the user may see now, best first; `.ineligible` says why each other one may not. */
  eligible(context?: { tzOffsetMinutes?: number; attributes?: { [key: string]: JsonValue }; now?: number }):
    EligibleOffer[] & { readonly ineligible: IneligibleOffer[] };
  /** Records an action; caps hold across reloads and tabs. Not recorded when the offer's purpose is off. */
  record(id: string, action: OfferAction, options?: { now?: number; id?: string }):
    { recorded: boolean; reason?: 'consent' | 'duplicate'; record: (OfferRecord & { id: string }) | null };
  /** The user's offer records kept for caps. Needs the offers module on a page (`not_loaded` before `tw.ready('offers')`). */
  history(): OfferRecord[];
}

// ---- Targeting conditions (GrowthBook's MongoDB-style syntax, DESIGN.md section 7) ----

/**
 * A GrowthBook targeting condition: attribute paths ("country", "user.age",
 * "items.0.sku") mapped to a literal or an object of operators ($eq $ne $lt
 * $lte $gt $gte $in $nin $ini $nini $all $alli $size $elemMatch $exists $type
 * $not $regex $regexi $veq $vne $vgt $vgte $vlt $vlte $inGroup $notInGroup),
 * plus $and, $or, $nor, $not and $savedGroup at condition level.
 */
export type Condition = { [key: string]: JsonValue };

/** GrowthBook's savedGroups payload: plain lists (for $inGroup/$notInGroup) or v2 list/condition groups. */
export type SavedGroups = {
  [groupId: string]:
    | JsonValue[]
    | { type: 'list'; values: JsonValue[]; attributeKey?: string }
    | { type: 'condition'; condition: Condition };
};

/** Options of {@link Tagwise.evaluateCondition} and {@link Tagwise.validateCondition}. */
export interface EvaluateConditionOptions {
  /** Saved groups that $inGroup, $notInGroup and $savedGroup refer to. An unknown id is an empty group. */
  savedGroups?: SavedGroups | null;
}

// ---- Recommendations (DESIGN.md section 8) ----

/** What a loaded hint file holds ({@link Tagwise.loadHints}). */
export interface HintsInfo {
  /** The item catalogue version the hints were built for (given to `tagwise hints`, or a fingerprint of the item ids). */
  catalogVersion: string;
  items: number;
  users: number;
  interactions: number;
  /** Neighbour plus bought-together links. */
  links: number;
  segments: number;
  trending: number;
  /** ms since 1970: when the file was built, and the first and last event it counts. */
  builtAt: number;
  dataFrom: number;
  dataTo: number;
}

/** Options of {@link Tagwise.loadHints}. */
export interface LoadHintsOptions {
  /** Refuse hints built for another item catalogue version (`catalog_mismatch`). */
  catalogVersion?: string;
}

/** A boost: multiplies the scores of an item category or of listed items, optionally only while the visitor holds a tag. */
export interface RecommendBoost {
  tag?: string;
  category?: string;
  items?: string[];
  /** A number greater than 0 (above 1 raises, below 1 lowers). */
  factor: number;
}

/** Options of {@link Tagwise.recommend}. */
export interface RecommendOptions extends TimeOptions {
  /** How many items (1..1000; default 10). */
  k?: number;
  /** The page's item, or the page item and the cart: strongest signal, never recommended themselves. */
  context?: string | string[] | { item?: string | null; cart?: string[] };
  /** Item ids never to recommend. */
  exclude?: string[];
  /** Leave out items the visitor bought (`purchase`/`order_paid` events). Default true. */
  excludePurchased?: boolean;
  /** A rule over the item ({ id, name, category, price, available, buyers }); items where it is falsy are left out. */
  filter?: Rule;
  /** 0 (off, default) to 1 (one item per category): at most max(1, round(k * (1 - diversity))) items of a category, unless too few others remain. */
  diversity?: number;
  boosts?: RecommendBoost[];
  /** The visitor's segments for the segment lists, e.g. { country: "CN" }. Default: the profile attribute of each segment key of the hints, and the held tags for the key "tag". */
  segments?: Record<string, string>;
  /** Weights of item event types (default view 0.5, cart_add 1, purchase 1, order_paid 1). */
  weights?: Record<string, number>;
}

/**
 * Why an item was recommended:
 * - `similar` / `bought_together`: linked to `item`, from the visitor's `history` or the page `context` (`from`); `share` of the score
 * - `segment`: from the popular list of segment `key` = `value`
 * - `trending`, `popular`: the non-personal fallbacks
 * - `boost`: a boost (`label` = its tag or category, `factor`)
 * - `personalization_off`: consent for personalisation is off, so only non-personal lists were used
 */
export interface RecommendReason {
  code: 'similar' | 'bought_together' | 'segment' | 'trending' | 'popular' | 'boost' | 'personalization_off';
  item?: string;
  from?: 'history' | 'context';
  share?: number;
  key?: string;
  value?: string;
  label?: string;
  factor?: number;
}

/** One recommended item. `score` orders items within a list; it is not comparable across lists. */
export interface Recommendation {
  item: string;
  score: number;
  reasons: RecommendReason[];
  name?: string;
  category?: string;
  price?: number;
}

/** Options of {@link createTagwise}. */
export interface TagwiseOptions {
  /** Clock used when a call gives no `now` (default `Date.now`). */
  clock?: () => number;
  /** Engine limits. */
  limits?: Limits;
  /** Compiled rules kept by {@link Tagwise.evaluate} (LRU; default 256; 0 disables). */
  cacheSize?: number;
  /**
   * Where to load the .wasm from. Browser: the page runtime
   * (`js/dist/tagwise_page.wasm`); Node: the full module
   * (`js/dist/tagwise_wasm.wasm`, file URL or path). Default: next to the glue.
   */
  wasmUrl?: string | URL;
  /** Browser: where to load the full module (`js/dist/tagwise_features.wasm`) that {@link Tagwise.ready} fetches. Default: next to its glue. */
  featuresWasmUrl?: string | URL;
  /** The full module's bytes (`tagwise/wasm-inline`, or `js/dist/tagwise_wasm.wasm`): everything loads from memory, no .wasm request. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * The full module already compiled: a `WebAssembly.Module` of `tagwise/wasm/node.wasm`
   * (`js/dist/tagwise_wasm.wasm`). For runtimes that cannot compile from bytes (Cloudflare
   * Workers and other edge runtimes import a `.wasm` as a Module) and for workers handed a
   * module by the page. Everything is loaded; {@link Tagwise.ready} resolves at once.
   */
  wasmModule?: WebAssembly.Module;
  /**
   * Browser: features the page uses at once. With any named, createTagwise()
   * fetches the full module instead of the page runtime (one download, not
   * two). Without, the page runtime holds the tag path and the first
   * {@link Tagwise.ready} fetches the rest. Ignored in Node (everything is loaded).
   * @throws TypeError (rejecting createTagwise) for a name that is not a {@link Feature}.
   */
  features?: readonly Feature[];
  /**
   * Consent purposes switched on until the visitor chooses (a stored choice
   * wins). Default: in browsers `["necessary", "security"]` (opt-in); in Node
   * all five (servers run under the shop's own legal basis). Tags whose
   * `purpose` is off are not computed (decision source `consentDenied`).
   * @throws TypeError (rejecting createTagwise) for a name that is not a {@link Purpose}.
   */
  purposes?: readonly Purpose[];
  /**
   * Where the state persists: `"auto"` (browser default: IndexedDB, else
   * localStorage, else memory), `"indexedDB"`, `"localStorage"`, `"memory"`
   * (a fresh {@link memoryStorage}), a {@link StorageAdapter}, or `null`
   * (nothing kept). Node's default (option absent) is the instance's own
   * memory: nothing is written, `storage.adapter` says `"memory"`.
   */
  storage?: 'auto' | 'indexedDB' | 'localStorage' | 'memory' | StorageAdapter | null;
  /** Key of the state in the storage, and name of the tab channel (default `"tagwise"`). */
  storageKey?: string;
  /** Debounce of writes after track() in ms (default 250); pagehide/hidden flush at once. */
  flushDelay?: number;
  /** Share tracked events, consent and forget() with other tabs (BroadcastChannel). Default: true in browsers, false in Node. */
  sync?: boolean;
  /** Hears every problem the runtime handled (damaged store, full storage...). Default: console.warn. */
  onError?: (diagnostic: Diagnostic) => void;
  /**
   * Purposes of event types no tag reads, e.g. `{ view: ["personalization"] }`;
   * `"*"` sets the purposes of types nothing names (default personalization).
   */
  eventPurposes?: { [type: string]: readonly Purpose[] };
  /** A catalog to load before the stored state (so consent knows which events each purpose needs). */
  catalog?: Catalog | string;
  /** A server's {@link Tagwise.ssrState} to start from (see {@link Tagwise.hydrate}). */
  hydrate?: SsrState | null;
  /** Defaults for {@link Experiments.run} and a first-exposure listener. */
  experiments?: Omit<ExperimentRunOptions, 'now' | 'attributes' | 'url'> & {
    onExposure?: (definition: ExperimentDefinition, result: ExperimentResult) => void;
  };
  /** The user's offset east of UTC in minutes for offers (UTC+8 is 480). Default: the runtime's zone at each call. */
  timeZoneOffset?: number;
}

/** A tagwise engine instance. */
export interface Tagwise {
  /**
   * Compiles a rule once for many evaluations. In a browser it needs the full
   * module: `await tw.ready('rules')` first (the page runtime runs catalogs).
   * @throws TagwiseError listing every problem (`errors`), the first in `code`/`path`.
   */
  compileRule(rule: Rule): CompiledRule;
  /**
   * Compiles rules evaluated together ({@link RuleSet.evaluateMany}). In a
   * browser it needs the full module: `await tw.ready('rules')` first.
   * @throws TagwiseError listing every problem of every rule (paths `"/<index>/..."`).
   */
  compileRules(rules: readonly Rule[]): RuleSet;
  /**
   * Every problem of a rule (errors and warnings) without throwing; `[]` for a good rule. With the full
   * module (Node, or a page after {@link Tagwise.ready}) it adds `costly_rule` warnings: shapes whose
   * work grows faster than their data (a list iterated inside another iteration; `reduce` building a text
   * or list from the accumulator read twice), which the evaluation budgets would stop.
   */
  validateRule(rule: unknown): Problem[];
  /**
   * One-shot: compile (cached by the rule's JSON text) and evaluate. In a
   * browser it needs the full module: `await tw.ready('rules')` first.
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
  /** Every consent purpose, in the core's order (the values of {@link Purpose}). */
  readonly consentPurposes: Purpose[];
  /** Every source a tag decision can give (the values of {@link DecisionSource}), in the core's order. */
  readonly decisionSources: DecisionSource[];
  /**
   * Every code lint's own checks report, in the core's order: the literal
   * values of {@link LintCode} (findings may also carry an {@link ErrorCode}
   * of the catalog loader; `duplicate_id`, `cycle` and `too_deep` are both).
   */
  readonly lintCodes: LintCode[];
  /** Frees the compiled rules cached by {@link Tagwise.evaluate}. */
  clearCache(): void;

  // ---- Tag catalog runtime: one user's tags kept fresh from events ----
  //
  // The instance holds one catalog, one user's profile (with server tags)
  // and the last evaluation. Every time-dependent call takes `{ now }`
  // (default: the `clock` option). Listeners registered with onTagsChanged
  // hear about every change the runtime observes: after loadCatalog,
  // setProfile, setPurposes, track/trackMany, and when tags()/tagDecisions()
  // at another time than the last evaluation find tags that started or
  // stopped holding as time passed. (track re-evaluates only the tags its
  // events can affect, at the call's time; the others catch up with the
  // clock at the next tags() call.)

  /**
   * Compiles a tag catalog (an object, JSON text, or its UTF-8 bytes as
   * `await response.arrayBuffer()` gives them) and, when it has no
   * errors, uses it from now on in place of the previous one, re-evaluating
   * the user's tags. Every problem is listed with a JSON Pointer
   * (`/tags/2/parent`), including cycles (`cycle`) and unknown references
   * (`unknown_tag`); unknown fields are warnings. Never throws for a bad catalog.
   *
   * @example
   * const r = tw.loadCatalog({ tagwise: 1, tags: [{ id: "vip", name: "会员", when: { var: "vip" } }] });
   * if (!r.ok) console.error(r.errors);
   */
  loadCatalog(catalog: Catalog | string | JsonBytes, options?: TimeOptions): LoadResult;
  /**
   * The catalog's hygiene report (cycles, dangling references, same-priority
   * exclusive members, rules that can never or always hold, unused tags, too
   * many core tags) and, with `sample`, each tag's coverage and dead tags.
   * Does not change the loaded catalog. An unreadable catalog is a finding.
   * @throws TagwiseError only when the sample cannot be read at all: a profile that cannot become
   *   JSON (BigInt, cycles; path `"/sample/<index>"`) or nests more than 1,000 levels (`too_deep`).
   */
  lintCatalog(catalog: Catalog | string, options?: LintOptions): LintReport;
  /**
   * Loads the user's profile or server snapshot (`{ user_id, attributes,
   * events, rollups, as_of, tags }`), replacing the current one (or merging
   * into it with `{ merge: true }`), and re-evaluates. Bad parts are skipped
   * or repaired with warnings (paths like `/events/3/ts`); a profile that
   * cannot be used at all (not an object, a newer format) is refused in
   * `errors` and the current profile stays.
   *
   * JSON text or its UTF-8 bytes are read as they are: a page that fetches
   * the profile skips JSON.parse and JSON.stringify (several ms for 1,000
   * events on a cold page) by passing `await response.arrayBuffer()`.
   *
   * @example
   * tw.setProfile(await (await fetch("/api/me/profile")).arrayBuffer());
   */
  setProfile(profile: Profile | Snapshot | string | JsonBytes, options?: SetProfileOptions): LoadResult;
  /** The user's profile as held now (events, rollups, server tags) in the {@link Snapshot} form. */
  getProfile(): Snapshot;
  /**
   * Adds one event to the profile and re-evaluates only the tags whose
   * rules read its type (and the tags depending on those). Re-delivering an
   * event (same id) is a no-op; `ts` defaults to `now`; without an `id` one
   * is derived from the content (see {@link TrackEvent.id}). When more than
   * 5,000 events are held, the oldest (and those older than 90 days) are
   * folded into day rollups. An unusable event is reported in `errors`, never thrown.
   */
  track(event: TrackEvent, options?: TimeOptions): TrackResult;
  /** {@link Tagwise.track} for many events in one call (one re-evaluation). */
  trackMany(events: readonly TrackEvent[], options?: TimeOptions): TrackResult;
  /**
   * Registers `listener`, called with `{ entered, left, changed }` whenever
   * the user's tags change (never with all three empty). A listener that
   * throws does not stop the others; its error is rethrown asynchronously.
   * @returns A function that unsubscribes this registration.
   */
  onTagsChanged(listener: (changes: TagChanges) => void): () => void;
  /**
   * The tags the user holds at `now`, in catalog order. Repeated calls at the
   * same time with no change in between reuse the last evaluation.
   * `[]` before a catalog is loaded.
   */
  tags(options?: TimeOptions): HeldTag[];
  /** Every catalog tag's decision at `now` (held or not) with its source: suppressed, consent denied, expired, failed... */
  tagDecisions(options?: TimeOptions): TagDecision[];
  /**
   * Why the user holds tag `id` or not at `now`: the rule tree with each
   * node's value (and, for `events`, how many events matched), inheritance
   * (`children_holding`) and suppression (`suppressed_by`). In a browser it
   * needs the full module: `await tw.ready('explain')` first.
   * @throws TagwiseError code `unknown_tag` when the catalog has no such tag;
   *   code `not_loaded` in a browser before `tw.ready('explain')`.
   */
  explain(id: string, options?: TimeOptions): Explanation;
  /** The consent purposes switched on (always including `necessary`). */
  readonly purposes: Purpose[];
  /**
   * Switches consent purposes as configuration (not a visitor's choice: see
   * {@link Tagwise.consent}): tags of purposes not listed are not computed,
   * and data kept only for purposes switched off is deleted.
   * @throws TypeError for a name that is not a {@link Purpose}.
   */
  setPurposes(purposes: readonly Purpose[], options?: TimeOptions): void;
  /**
   * Resolves to this instance once `features` can be used. In browsers the
   * page runtime holds the tag path only; the first ready() fetches the full
   * module (once per page) and moves the visitor's session into it: same
   * catalog, profile, tags, consent and activity; no onTagsChanged call; rules
   * compiled before keep working. In Node, and with `wasmBinary`, everything
   * is loaded from the start and it resolves at once. Until then, a feature's
   * call throws a {@link TagwiseError} with code `not_loaded`.
   * @throws TypeError for a name that is not a {@link Feature}.
   */
  ready(...features: Feature[]): Promise<Tagwise>;
  /** Whether `feature` can be used now, without awaiting {@link Tagwise.ready}. */
  has(feature: Feature): boolean;
  /**
   * Tags many users with the loaded catalog: for each profile (or snapshot)
   * `{ user_id, tags: { id: value-or-true } }`, in input order, in ONE call
   * into wasm (each profile serialized once). Does not touch the instance's
   * own profile. A profile that cannot be read gets `errors` and no tags;
   * the batch goes on. Without a loaded catalog every `tags` is empty.
   * In a browser it needs the full module: `await tw.ready('batch')` first.
   * @throws TagwiseError when a profile cannot become JSON (BigInt, cycles;
   *   path `"/<index>"`) or nests more than 1,000 levels (`too_deep`).
   */
  tagProfiles(profiles: readonly (Profile | Snapshot)[], options?: TagProfilesOptions): TaggedProfile[];
  /**
   * Node only (`undefined` in browsers): the catalog compiled to one SQL
   * SELECT that tags every user where the data lives, with this engine's
   * results (docs/sql.md). It reads `events(user_id, id, type, ts, props)` and
   * `users(user_id, attributes)` and returns one row `(user_id, tag, value)`
   * per held tag, `value` as JSON text (`true` for tags without a value).
   * Every tag is computed as if every purpose were granted.
   * @throws TagwiseError with every problem: the catalog's own errors, or
   *   `not_compilable_to_sql` at each construct SQL cannot mean exactly (map,
   *   filter, a computed `var` path, server-sourced tags...), with its JSON Pointer.
   * @throws TypeError for bad options (asOf missing, an unknown dialect).
   */
  readonly catalogToSql?: (catalog: Catalog | string, options: CatalogToSqlOptions) => string;
  /** A hash of the loaded catalog's content (same however it is formatted); undefined before one loads. */
  readonly catalogFingerprint: string | undefined;

  // ---- Experiments ----

  /** GrowthBook-compatible experiments: bucketing helpers, run(), onExposure(), convert(), results(), report(). */
  readonly experiments: Experiments;
  /**
   * Whether the attributes satisfy a GrowthBook targeting condition: exactly
   * what GrowthBook's evalCondition(attributes, condition, savedGroups) returns
   * (checked against @growthbook/growthbook), malformed conditions included:
   * an unknown operator, $in/$nin/$all without a list, a regex JavaScript
   * rejects or a $type that is no type name give GrowthBook's answer, and
   * where GrowthBook's own code throws (a null where a condition belongs) the
   * condition does not match. Each malformed condition is reported once as a
   * `malformed_condition` {@link Diagnostic} (diagnostics(), `onError`) whose
   * `problems` carry JSON Pointers into the condition (e.g. "/$and/1/age/$gtt");
   * {@link Tagwise.validateCondition} checks strictly. Regexes run in linear
   * time, so no pattern can hang the page; a valid pattern that would need
   * backtracking (backreferences, lookaround) makes the condition not match.
   * Objects compare by content whatever their key order. TypeError when
   * `condition` or `attributes` is not a plain object; TagwiseError for values
   * JSON cannot carry (NaN).
   */
  evaluateCondition(condition: Condition, attributes?: { [key: string]: unknown }, options?: EvaluateConditionOptions): boolean;
  /**
   * Every problem of a targeting condition, checked strictly, without
   * evaluating or throwing: what evaluateCondition evaluates as GrowthBook
   * does is an `error` here (with a "did you mean"), plus warnings (an unknown
   * saved group). `[]` for a good condition. Needs the 'conditions' feature.
   * TypeError when `options.savedGroups` is not an object.
   */
  validateCondition(condition: unknown, options?: EvaluateConditionOptions): Problem[];
  /** Tag-targeted offers with caps, quiet hours and consent: load(), eligible(), record(), history(). */
  readonly offers: Offers;

  // ---- Recommendations ----

  /**
   * Loads a hint file built by `tagwise hints` (replacing the previous one).
   * @throws TagwiseError `corrupt` (checksum, truncated), `unsupported_version`
   *   (a newer format) or `catalog_mismatch`; the previous hints stay loaded.
   */
  loadHints(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: LoadHintsOptions): HintsInfo;
  /** What the loaded hint file holds, or null. */
  readonly hints: HintsInfo | null;
  /**
   * The top-k items for the visitor from the loaded hints: the profile's item
   * events (`props.item`; newest baskets weigh most), the page/cart context,
   * segments and tags, under consent (personalisation off: non-personal lists
   * only). Fallback chain when there is no personal signal: segment lists,
   * trending, popular. Deterministic ties (score, buyers, id).
   * @throws TagwiseError for bad options (paths such as `/boosts/0/factor`,
   *   `/filter/...`) or when no hints are loaded.
   */
  recommend(options?: RecommendOptions): Recommendation[];

  // ---- Runtime: persistence, consent, privacy rights, SSR hand-off ----

  /** The visitor's consent: get(), set({ personalization: false }), onChange(fn). */
  readonly consent: Consent;
  /** Where the state is kept. */
  readonly storage: { adapter: string; key: string };
  /** Problems the runtime handled, newest last (also sent to `onError`). */
  diagnostics(): Diagnostic[];
  /** Writes pending changes now (merging what other tabs wrote). Never rejects. */
  flush(): Promise<void>;
  /**
   * Erases everything stored for the visitor, in memory and storage and in
   * every tab; consent returns to the configured default. The store keeps
   * only a random generation id, so another tab's older copy cannot restore the data.
   */
  forget(): Promise<void>;
  /**
   * Everything stored for the visitor (consent, events, day summaries, server data, tags, experiment
   * and offer records), as readable JSON. In a browser on the page runtime it first loads the full
   * module ({@link Tagwise.ready}), which reads the experiment and offer records.
   */
  exportData(options?: TimeOptions): Promise<DataExport>;
  /** Writes pending changes and stops syncing with other tabs and listening to page events. */
  close(): Promise<void>;
  /**
   * {@link Tagwise.close}, then frees the visitor's session in wasm memory at once (not when the
   * garbage collector gets to it): an SSR server making one instance per request calls it. At
   * run time the instance also has `Symbol.asyncDispose` / `Symbol.dispose` where the engine
   * defines them (`await using`); they are not declared here, so the types work with any `lib`.
   * Every later call throws. Idempotent.
   */
  dispose(): Promise<void>;
  /** The compact state a server embeds so the browser starts with the same tags (Node side of the SSR hand-off). */
  ssrState(options?: TimeOptions): SsrState;
  /**
   * Starts from a server's state (browser side): checks its shape and the
   * catalog fingerprint, loads its profile (merged by event id with what this
   * browser stored for the same visitor; replacing another visitor's), and
   * compares the tags at the server's time. Never throws for a bad state.
   */
  hydrate(state: SsrState | string, options?: HydrateOptions): HydrateResult;
}

/** The HTML `<script type="application/json">` that carries an {@link SsrState}, escaped for embedding. */
export declare function embedState(state: SsrState, options?: { id?: string }): string;
/** Reads the state {@link embedState} wrote (null when absent or malformed). */
export declare function readEmbeddedState(id?: string, doc?: Document): SsrState | null;

/**
 * Loads the wasm module (once, shared by every instance) and returns an
 * instance with its own clock, limits and compile cache.
 *
 * @example
 * import { createTagwise } from "tagwise";
 * const tw = await createTagwise();
 * const vip = tw.compileRule({ ">=": [{ var: "orders" }, 5] });
 * vip.evaluate({ orders: 7 }); // true
 */
export declare function createTagwise(options?: TagwiseOptions): Promise<Tagwise>;

/**
 * A stand-in usable at once, before the module has loaded (as analytics
 * snippets are): `track`, `trackMany` and `setPurposes` calls made before
 * `pending` resolves are queued and replayed in order once it has. An event
 * without `ts` gets the time of the call, not of the replay. Once the
 * instance is ready the calls go straight to it and return what it returns.
 *
 * @example
 * const q = queueTagwise(createTagwise({ storage: "auto" }));
 * q.track({ type: "view_item", props: { item: "A1" } });  // before the .wasm is in
 * const tw = await q.ready;                                 // the event is counted
 */
export declare function queueTagwise(pending: Promise<Tagwise>, options?: { clock?: () => number }): TagwiseQueue;

/** What {@link queueTagwise} returns. */
export interface TagwiseQueue {
  /** The instance, once every queued call has been replayed; rejects as `pending` does (queued calls are then dropped). */
  readonly ready: Promise<Tagwise>;
  /** What the replayed calls returned, in call order (`undefined` for `setPurposes`). */
  readonly replayed: ReadonlyArray<TrackResult | undefined>;
  /** Calls waiting for the instance. */
  readonly pending: number;
  /** {@link Tagwise.track}: `undefined` while queued. */
  track(event: TrackEvent): TrackResult | undefined;
  /** {@link Tagwise.trackMany}: `undefined` while queued. */
  trackMany(events: readonly TrackEvent[]): TrackResult | undefined;
  /** {@link Tagwise.setPurposes}. */
  setPurposes(purposes: readonly Purpose[]): void;
}
