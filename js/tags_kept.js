// Node's module keeps each session's last tags() and tagDecisions() answer
// (one of each) as parsed objects: VisitorSession.tagsAnswer, which
// js/session.js calls where it exists, asks the core for the tags only when
// its revision (wasm/session_binding.h TagsSince, tagwise/session.h
// TagsAt::revision) says they may differ from the kept answer's. A track()
// that changes no tag, or a repeated call at the same time, then costs
// neither writing ~3 KB of JSON in wasm, nor copying it out, nor parsing it:
// the caller gets a copy of the kept tags (objects of its own to change).
// The browser's modules keep nothing (their bytes): no tagsAnswer there.

/** A copy of answered tags: each object and any list or object value. */
function copyTags(tags) {
  return tags.map((t) => ({ ...t, value: Object(t.value) === t.value ? JSON.parse(JSON.stringify(t.value)) : t.value }));
}

/** Adds `module.VisitorSession.prototype.tagsAnswer` (Node's module only). */
export function keepTagsAnswers(module) {
  const kept = new WeakMap(); // session handle -> [{ revision, tags } | undefined, ...] by `all`
  module.VisitorSession.prototype.tagsAnswer = function tagsAnswer(now, all) {
    let mine = kept.get(this);
    if (mine === undefined) kept.set(this, (mine = []));
    const r = JSON.parse(this.tagsSince(now, all, mine[+all]?.revision ?? 0));
    if (!r.ok) return r;
    if (r.tags !== undefined) mine[+all] = { revision: r.revision, tags: r.tags };
    r.tags = copyTags(mine[+all].tags);
    return r;
  };
}
