// Type-level test of js/index.d.ts, checked by `tsc --noEmit -p tests/js`
// (run from tests/js/types.test.mjs). Never executed. Lines after a
// ts-expect-error directive must fail to type-check: if the types get too loose, tsc
// reports the unused directive and the test fails.
import { createTagwise, embedState, indexedDBStorage, memoryStorage, queueTagwise, readEmbeddedState, TagwiseError, webStorage } from 'tagwise';
import type {
  CatalogToSqlOptions, ConsentState, DataExport, Diagnostic, DiagnosticCode, HydrateResult, SsrState, StorageAdapter,
  Catalog, CompiledRule, DecisionSource, ErrorCode, EvaluateOptions, Explanation, HeldTag, JsonValue, LintCode,
  LintReport, LoadResult, Problem, Profile, Purpose, Rule, RuleResult, RuleSet, RuleSetResult, Snapshot, TagChanges,
  TagDecision, TaggedProfile, Tagwise, TagwiseOptions, TraceNode, TrackEvent, TrackResult,
  HintsInfo, Recommendation, RecommendReason, BucketRange, TagwiseQueue,
} from 'tagwise';

async function usage(): Promise<void> {
  const options: TagwiseOptions = { clock: () => Date.now(), limits: { maxDepth: 64, maxSteps: 1e6 }, cacheSize: 16 };
  const tw: Tagwise = await createTagwise(options);
  await createTagwise();
  await createTagwise({ wasmUrl: new URL('https://cdn.example/tagwise_wasm.wasm') });
  await createTagwise({ wasmBinary: new Uint8Array(8) });
  await createTagwise({ features: ['experiments', 'offers'], featuresWasmUrl: '/assets/tagwise_features.1a2b.wasm' });
  // @ts-expect-error: not a feature
  await createTagwise({ features: ['experiment'] });
  const same: Tagwise = await tw.ready('recommend', 'conditions');
  const loaded: boolean = tw.has('lint');
  void same, loaded;
  const queued: TagwiseQueue = queueTagwise(createTagwise(options), { clock: () => Date.now() });
  const maybe: TrackResult | undefined = queued.track({ type: 'view_item' });
  queued.trackMany([{ type: 'view_item', ts: 1 }]);
  queued.setPurposes(['necessary', 'security']);
  const ready: Tagwise = await queued.ready;
  const count: number = queued.pending + queued.replayed.length;
  // @ts-expect-error purposes are the closed Purpose union
  queued.setPurposes(['ads']);
  void maybe; void ready; void count;

  const rule: Rule = { '>=': [{ events: [{ type: 'order_paid', within: '30d' }] }, 5] };
  const compiled: CompiledRule = tw.compileRule(rule);
  const profile: Profile = { events: [{ id: 'e1', type: 'order_paid', ts: 1, props: { amount: 3 } }] };
  const opts: EvaluateOptions = { now: new Date(), profile };
  const r: RuleResult = compiled.evaluate({ city: '上海' }, opts);
  compiled.evaluate();
  const j: JsonValue = r;
  void j;
  const warnings: Problem[] = compiled.warnings;
  void warnings;
  compiled.dispose();
  const disposed: boolean = compiled.disposed;
  void disposed;

  const set: RuleSet = tw.compileRules([rule, { var: 'a' }, 'literal', 3, null]);
  const rows: RuleSetResult[][] = set.evaluateMany([{ a: 1 }, { a: 2 }], { now: 0 });
  for (const row of rows) {
    for (const cell of row) {
      if (cell instanceof TagwiseError) {
        const code: ErrorCode = cell.code;
        const thrown: JsonValue | undefined = cell.value;
        void code;
        void thrown;
      }
    }
  }
  const one: RuleSetResult[] = set.evaluate({ a: 1 });
  void one;
  const n: number = set.size;
  void n;

  const problems: Problem[] = tw.validateRule({ nope: [] });
  const conditionProblems: Problem[] = tw.validateCondition({ age: { $gtt: 1 } }, { savedGroups: { beta: ['u1'] } });
  const diagnosticCode: DiagnosticCode = 'malformed_condition';
  void conditionProblems;
  void diagnosticCode;
  for (const p of problems) {
    const sev: 'error' | 'warning' = p.severity;
    const idx: number | undefined = p.ruleIndex;
    void sev;
    void idx;
  }
  const v: RuleResult = tw.evaluate({ var: 'x' }, { x: 1 }, { now: 5 });
  void v;
  const parsed: Rule = tw.parseRuleText('days_since(last_login) > 30');
  const text: string = tw.formatRule(parsed);
  void text;
  const codes: ErrorCode[] = tw.errorCodes;
  void codes;
  const purposeList: Purpose[] = tw.consentPurposes;
  const sources: DecisionSource[] = tw.decisionSources;
  const lintCodes: LintCode[] = tw.lintCodes;
  void purposeList;
  void sources;
  void lintCodes;
  // @ts-expect-error the core's tables are read-only
  tw.consentPurposes = [];
  tw.clearCache();

  try {
    tw.compileRule({ evnets: [] });
  } catch (e) {
    if (e instanceof TagwiseError) {
      const code: ErrorCode = e.code;
      const path: string = e.path;
      const all: Problem[] = e.errors;
      const msg: string = e.message;
      void code, path, all, msg;
    }
  }

  // @ts-expect-error: codes are a closed union
  const badCode: ErrorCode = 'no_such_code';
  void badCode;
  // @ts-expect-error: clock returns a number
  await createTagwise({ clock: () => 'now' });
  // @ts-expect-error: `now` is a number or a Date
  compiled.evaluate({}, { now: '2026-01-01' });
  // @ts-expect-error: compileRules takes an array
  tw.compileRules({ a: 1 });
  // @ts-expect-error: parseRuleText takes text
  tw.parseRuleText({ var: 'a' });
  // @ts-expect-error: rules are JSON values, functions are not
  tw.compileRule(() => true);
  // @ts-expect-error: users never construct TagwiseError themselves
  new TagwiseError([]);
  // @ts-expect-error: size is read-only
  set.size = 3;
}
void usage;

async function catalogUsage(): Promise<void> {
  const tw = await createTagwise({ clock: () => 0, purposes: ['personalization', 'security'] });
  const catalog: Catalog = {
    tagwise: 1,
    groups: [{ id: 'lifecycle', name: '生命周期', exclusive: true }],
    tags: [
      { id: 'active_high', name: '高活跃用户', dimension: 'behavior', when: { '>=': [{ events: [{ type: 'order_paid', within: '30d' }] }, 5] }, parent: 'active' },
      { id: 'active', name: '活跃', group: 'lifecycle', priority: 2, purpose: 'personalization' },
      { id: 'churn', source: 'server', ttl: '7d', purpose: 'analytics', core: true },
    ],
  };
  const loaded: LoadResult = tw.loadCatalog(catalog);
  tw.loadCatalog(JSON.stringify(catalog), { now: 5 });
  if (!loaded.ok) {
    for (const e of loaded.errors) {
      const where: string = e.path;
      void where;
    }
  }
  const snapshot: Snapshot = {
    user_id: 'u1', attributes: { city: '上海' }, as_of: 1, tags: { churn: { value: 0.8, expires_at: 2 } },
    events: [{ id: 'e1', type: 'order_paid', ts: 1 }], rollups: [{ day: 0, type: 'order_paid', count: 3, sums: { amount: 9 } }],
  };
  const set: LoadResult = tw.setProfile(snapshot, { merge: true, now: new Date() });
  void set;
  const back: Snapshot = tw.getProfile();
  void back;
  const event: TrackEvent = { type: 'view' };
  const tracked: TrackResult = tw.track(event);
  const added: number = tracked.added;
  const changes: TagChanges = tracked.changes;
  void added, changes;
  tw.trackMany([event, { id: 'e2', type: 'order_paid', ts: 2, props: { amount: 3 } }], { now: 3 });
  const off: () => void = tw.onTagsChanged(({ entered, left, changed }) => {
    const all: string[] = [...entered, ...left, ...changed];
    void all;
  });
  off();
  const held: HeldTag[] = tw.tags({ now: 1 });
  for (const t of held) {
    const source: 'rule' | 'parentTag' | 'server' = t.source;
    const value: JsonValue = t.value;
    const purpose: Purpose = t.purpose;
    void source, value, purpose;
  }
  const decisions: TagDecision[] = tw.tagDecisions();
  const why: DecisionSource = decisions[0].source;
  const by: string | undefined = decisions[0].suppressedBy;
  void why, by;
  const ex: Explanation = tw.explain('active', { now: 1 });
  const tree: TraceNode | undefined = ex.when;
  const matched: number | undefined = tree?.args?.[0]?.matched;
  void matched;
  const report: LintReport = tw.lintCatalog(catalog, { sample: [snapshot, { events: [] }], now: 1, maxCoreTags: 10 });
  const code: LintCode = report.findings[0].code;
  const share: number = report.coverage[0].share;
  void code, share;
  const purposes: Purpose[] = tw.purposes;
  tw.setPurposes([...purposes, 'marketing']);
  const batch: TaggedProfile[] = tw.tagProfiles([snapshot, { user_id: 'u2' }], { now: 1, purposes: ['analytics'] });
  const first: JsonValue | undefined = batch[0].tags.churn;
  const uid: string | null = batch[0].user_id;
  void first, uid;
  const sqlOptions: CatalogToSqlOptions = { asOf: new Date(0), dialect: 'postgres', eventsTable: 'shop.events' };
  const sql: string | undefined = tw.catalogToSql?.(catalog, sqlOptions);
  void sql;
  // @ts-expect-error: the warehouse query needs its as-of time
  tw.catalogToSql?.(catalog, { dialect: 'duckdb' });
  // @ts-expect-error: dialects are a closed set
  tw.catalogToSql?.(catalog, { asOf: 0, dialect: 'mysql' });

  // @ts-expect-error: purposes are a closed set
  tw.setPurposes(['ads']);
  // @ts-expect-error: purposes are a closed set
  await createTagwise({ purposes: ['marketting'] });
  // @ts-expect-error: an event needs a type
  tw.track({ id: 'x' });
  // @ts-expect-error: explain takes a tag id
  tw.explain({ id: 'x' });
  // @ts-expect-error: a catalog needs its tags
  tw.loadCatalog({ tagwise: 1 });
  // @ts-expect-error: tagProfiles takes an array
  tw.tagProfiles(snapshot);
  // @ts-expect-error: the purpose list is read-only
  tw.purposes = [];
}
void catalogUsage;

// The runtime: storage adapters, consent, privacy rights, SSR hand-off.
async function runtimeUsage(catalog: Catalog) {
  const diagnostics: Diagnostic[] = [];
  const custom: StorageAdapter = {
    name: 'app-kv',
    get: async (key) => localStorage.getItem(key),
    set: (key, value) => { localStorage.setItem(key, value); },
    delete: (key) => { localStorage.removeItem(key); },
  };
  const tw: Tagwise = await createTagwise({
    catalog,
    storage: 'auto',
    storageKey: 'shop-42',
    flushDelay: 100,
    sync: true,
    purposes: ['necessary', 'security'],
    eventPurposes: { search: ['analytics'], '*': ['personalization'] },
    onError: (d) => { diagnostics.push(d); const code: DiagnosticCode = d.code; void code; },
  });
  for (const storage of [memoryStorage(), webStorage(localStorage), indexedDBStorage({ dbName: 'x' }), custom, null, 'memory' as const]) {
    await createTagwise({ storage });
  }
  const state: ConsentState = tw.consent.get();
  const on: boolean = state.personalization;
  await tw.consent.set({ personalization: true, marketing: false });
  const off = tw.consent.onChange((c, info) => { const s: 'local' | 'tab' = info.source; void c.analytics, s; });
  off();
  const decided: boolean = tw.consent.decided;
  const when: number | null = tw.consent.updatedAt;
  const withheld: number = tw.track({ type: 'view' }).withheld;
  await tw.flush();
  const data: DataExport = await tw.exportData({ now: 1 });
  const iso: string | null = data.profile.events[0].time;
  const fp: string | undefined = tw.catalogFingerprint;
  const where: string = tw.storage.adapter;
  const seen: Diagnostic[] = tw.diagnostics();
  await tw.forget();
  tw.setProfile({ user_id: 'u1', events: [] }, { merge: 'union' });
  const ssr: SsrState = tw.ssrState({ now: 1 });
  const html: string = embedState(ssr, { id: 'tw' });
  const back: SsrState | null = readEmbeddedState('tw', document);
  const hydrated: HydrateResult = tw.hydrate(back ?? ssr, { catalogMismatch: 'load' });
  const diff: JsonValue | undefined = hydrated.mismatches[0]?.server;
  await tw.close();
  void on, decided, when, withheld, iso, fp, where, seen, html, diff, hydrated.warnings;

  // @ts-expect-error: consent values are booleans
  await tw.consent.set({ personalization: 'yes' });
  // @ts-expect-error: not a purpose
  await tw.consent.set({ ads: true });
  // @ts-expect-error: not a storage kind
  await createTagwise({ storage: 'disk' });
  // @ts-expect-error: merge modes are a closed set
  tw.setProfile({}, { merge: 'both' });
}
void runtimeUsage;

// Recommendations: loadHints / hints / recommend.
async function recommendUsage(bytes: Uint8Array) {
  const tw = await createTagwise();
  const info: HintsInfo = tw.loadHints(bytes, { catalogVersion: 'v1' });
  const loaded: HintsInfo | null = tw.hints;
  const list: Recommendation[] = tw.recommend({
    k: 10,
    context: { item: 'A1', cart: ['B2'] },
    exclude: ['C3'],
    excludePurchased: true,
    filter: { '<=': [{ var: 'price' }, 20] },
    diversity: 0.5,
    boosts: [{ tag: 'vip', category: '礼品卡', factor: 1.5 }],
    segments: { country: 'CN' },
    weights: { view: 0.3 },
    now: 1,
  });
  const why: RecommendReason['code'] = list[0].reasons[0].code;
  void info.items, loaded, why, list[0].score, list[0].name;
  tw.recommend();
  tw.recommend({ context: 'A1' });
  // @ts-expect-error: a boost needs a factor
  tw.recommend({ boosts: [{ tag: 'vip' }] });
  // @ts-expect-error: hint files are bytes
  tw.loadHints('file.twh');
}
void recommendUsage;

// Experiments: GrowthBook-compatible bucketing.
async function experimentsUsage() {
  const tw = await createTagwise();
  const h: number | null = tw.experiments.hash('seed', '用户-1', 2);
  const ranges: BucketRange[] = tw.experiments.bucketRanges(2, 0.5, [0.5, 0.5]);
  const v: number = tw.experiments.chooseVariation(h ?? 0, ranges);
  const inside: boolean = tw.experiments.inNamespace('u1', ['pricing', 0, 0.5]);
  void v, inside, tw.experiments.bucketRanges(3);
  // @ts-expect-error: a namespace is [id, start, end]
  tw.experiments.inNamespace('u1', ['pricing', 0]);
}
void experimentsUsage;
