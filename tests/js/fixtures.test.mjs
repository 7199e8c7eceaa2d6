// The shared rule fixtures (tests/fixtures/rules/*.json), the same cases the
// native and wasm GoogleTest suites run, so every layer gives the same result.
// Case: {description, rule, data?, now?, profile?, expect? | error?: {code, path?}}.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTagwise, TagwiseError } from 'tagwise';
import { ruleFixtures } from './helpers.mjs';

const fixtures = ruleFixtures();

test('the shared rule fixtures exist', () => {
  assert.ok(fixtures.length > 0, 'tests/fixtures/rules/*.json');
  for (const f of fixtures) {
    assert.equal(f.specVersion, 1, `${f.file}: specVersion`);
    assert.ok(Array.isArray(f.cases) && f.cases.length > 0, `${f.file}: cases`);
  }
});

for (const { file, cases } of fixtures) {
  test(`rule fixtures in ${file} give the expected result or error through the JS API`, async () => {
    const tw = await createTagwise({ clock: () => 0 });
    const failures = [];
    for (const c of cases) {
      const opts = { now: c.now ?? 0, profile: c.profile ?? null };
      const data = 'data' in c ? c.data : {};
      try {
        if (c.error) {
          assert.throws(() => tw.compileRule(c.rule).evaluate(data, opts), (e) => {
            assert.ok(e instanceof TagwiseError, `not a TagwiseError: ${e}`);
            assert.equal(e.code, c.error.code);
            if ('path' in c.error) assert.equal(e.path, c.error.path);
            return true;
          });
        } else {
          const compiled = tw.compileRule(c.rule);
          assert.deepStrictEqual(compiled.evaluate(data, opts), c.expect);
          // The batch path must agree with the single-record path.
          const set = tw.compileRules([c.rule, c.rule]);
          assert.deepStrictEqual(set.evaluateMany([data, data], opts), [[c.expect, c.expect], [c.expect, c.expect]]);
          set.dispose();
          compiled.dispose();
        }
      } catch (e) {
        failures.push(`"${c.description}": ${e.message.split('\n').slice(0, 6).join(' ')}`);
      }
    }
    assert.deepEqual(failures, []);
  });
}
