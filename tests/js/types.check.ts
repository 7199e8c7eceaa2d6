// Type-level test of js/index.d.ts, checked by `tsc --noEmit -p tests/js`
// (run from tests/js/types.test.mjs). Never executed. Lines after a
// ts-expect-error directive must fail to type-check: if the types get too loose, tsc
// reports the unused directive and the test fails.
import { createTagwise, TagwiseError } from 'tagwise';
import type {
  CompiledRule, ErrorCode, EvaluateOptions, JsonValue, Problem, Profile, Rule, RuleResult,
  RuleSet, RuleSetResult, Tagwise, TagwiseOptions,
} from 'tagwise';

async function usage(): Promise<void> {
  const options: TagwiseOptions = { clock: () => Date.now(), limits: { maxDepth: 64, maxSteps: 1e6 }, cacheSize: 16 };
  const tw: Tagwise = await createTagwise(options);
  await createTagwise();
  await createTagwise({ wasmUrl: new URL('https://cdn.example/tagwise_wasm.wasm') });
  await createTagwise({ wasmBinary: new Uint8Array(8) });

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
