// The consent purposes (DESIGN.md section 6): the one JS copy of the core's
// table (core/include/tagwise/purposes.h). Every module in js/ that checks,
// lists or defaults purposes imports it from here; tests/js/core_tables.test.mjs
// checks it equals the core's list (tw.consentPurposes) and the Purpose union
// of index.d.ts.

/** Every consent purpose, in the core's order. `necessary` is always granted. */
export const PURPOSES = Object.freeze(['necessary', 'security', 'personalization', 'marketing', 'analytics']);
