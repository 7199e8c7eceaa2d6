// The A/B backtest: which variation each sample customer would have been
// assigned (GrowthBook-compatible hashing through tw.experiments.run), whom
// each variation's strategy would have targeted at asOf (the two rules as tags
// over the current catalog, so they may name its tags), and who of those
// ordered in the 30 days after. Plain data in, plain data out; problems come
// back as { field, message } instead of being thrown.
import { engineMessage } from './engine-text.js';
export const PURPOSES = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];
export const VARIATIONS = ['A', 'B'];
const STRATEGY_ID = (v) => `__strategy_${v}`;

/** Where a definition problem belongs in the form (run() reports JSON Pointers into the definition). */
function fieldOfPath(path) {
  const top = /^\/([^/]+)/.exec(path)?.[1];
  return ['key', 'weights', 'coverage', 'hashAttribute'].includes(top) ? top : 'general';
}

/**
 * Loads the catalog plus the two strategy tags into the backtest's own
 * instance. Errors in the strategies go to their rule fields; if only the
 * current catalog is broken, strategies that name no tag still run.
 */
function loadStrategies(tw, catalog, rules) {
  const base = Array.isArray(catalog?.tags) ? catalog.tags : [];
  const strategies = VARIATIONS.map((v, i) => ({ id: STRATEGY_ID(v), name: `strategy ${v}`, purpose: 'necessary', when: rules[i] }));
  const full = tw.loadCatalog({ ...catalog, tagwise: 1, tags: [...base, ...strategies] });
  if (full.ok) return [];
  const problems = [];
  for (const e of full.errors) {
    const m = /^\/tags\/(\d+)(\/.*)?$/.exec(e.path);
    const i = m ? Number(m[1]) - base.length : -1;
    if (i >= 0 && i < VARIATIONS.length) problems.push({ field: `rule${VARIATIONS[i]}`, message: `${engineMessage(e)} (${m[2] ?? '/'})` });
  }
  if (problems.length) return problems;
  // The catalog itself does not load: try the strategies on their own.
  const alone = tw.loadCatalog({ tagwise: 1, tags: strategies });
  if (alone.ok) return [];
  return [{ field: 'general', message: 'catalog', catalogBroken: true }];
}

/**
 * input: { key, weights, coverage, hashAttribute, rules: [ruleA, ruleB],
 * catalog, profiles, outcomes, asOf }. Returns { problems } or
 * { counts, report }.
 */
function definitionOf({ key, weights, coverage, hashAttribute }) {
  return {
    key, variations: VARIATIONS, weights, coverage, hashAttribute,
    // Every run hashes afresh: a backtest must not be skewed by assignments an
    // earlier run (with other weights) left in the instance's ledger.
    disableStickyBucketing: true,
  };
}

/** The experiment definition's problems, by form field ([] when run() accepts it). */
export function definitionProblems(tw, input) {
  try {
    tw.experiments.run(definitionOf(input), { attributes: { id: 'check' }, now: input.asOf });
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) return [{ field: 'general', message: error.message }];
    return error.errors.map((e) => ({ field: fieldOfPath(e.path), message: engineMessage(e) }));
  }
}

export function runBacktest(tw, input) {
  const { rules, catalog, profiles, outcomes, asOf } = input;
  const definition = definitionOf(input);
  // Check the definition once before anything else (run() refuses bad ones with paths).
  let problems = definitionProblems(tw, input);
  if (problems.length) return { problems };
  problems = loadStrategies(tw, catalog, rules);
  if (problems.length) return { problems };

  const tagged = tw.tagProfiles(profiles, { now: asOf, purposes: PURPOSES });
  const counts = { excluded: 0, reasons: {} };
  for (const v of VARIATIONS) counts[v] = { assigned: 0, targeted: 0, converted: 0 };
  profiles.forEach((p, i) => {
    // The hash attribute is read from the customer's attributes, with `id` the user id (as run() does for the instance's own user).
    const r = tw.experiments.run(definition, { attributes: { ...p.attributes, id: p.user_id }, now: asOf });
    counts.reasons[r.reason] = (counts.reasons[r.reason] ?? 0) + 1;
    if (!r.inExperiment) {
      counts.excluded += 1;
      return;
    }
    const v = VARIATIONS[r.variationId];
    const c = counts[v];
    c.assigned += 1;
    if (!(STRATEGY_ID(v) in tagged[i].tags)) return;
    c.targeted += 1;
    if ((outcomes?.[p.user_id]?.orders ?? 0) > 0) c.converted += 1;
  });
  let report = null;
  let reportError = null;
  try {
    report = tw.experiments.report({ variations: VARIATIONS.map((v) => ({ id: v, users: counts[v].targeted, conversions: counts[v].converted })) });
  } catch (error) {
    reportError = error.message;
  }
  return { counts, report, reportError };
}
