// The JavaScript of the features the full module brings (FEATURES in
// tagwise.js). A chunk of its own in a page's bundle: tagwise.js imports it
// dynamically, together with the full module on the first tw.ready(feature),
// so what createTagwise() fetches holds the tag path only. index.node.js
// imports it up front (Node loads everything at once). Each call reaches it
// through WasmContext.need(feature, call), which throws not_loaded before.
export { conditionReporter, evaluateCondition, validateCondition } from './conditions.js';
export { Experiments } from './experiments.js';
export { lintCatalog } from './lint.js';
export { Offers } from './offers.js';
export { loadHints, recommend } from './recommend.js';
export { CompiledRule, RuleCache, RuleSet, compile } from './rules.js';
