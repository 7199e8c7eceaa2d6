// Node's module keeps each session's last tags() and tagDecisions() answer
// (one of each): VisitorSession.tags asks the core for the tags only when its
// revision (wasm/session_binding.h TagsSince, tagwise/session.h
// TagsAt::revision) says they may differ from the kept answer's, so a
// track() that changes no tag, or a repeated call at the same time, costs
// neither writing ~3 KB of JSON in wasm nor copying it out. The caller
// (js/session.js) still parses one full answer each time, so every call
// gets objects of its own. The browser's modules keep nothing (bytes).

const TAGS = ',"tags":';

/** Wraps `module.VisitorSession.prototype.tags` (Node's module only). */
export function keepTagsAnswers(module) {
  const proto = module.VisitorSession.prototype;
  const kept = new WeakMap(); // session handle -> [[revision, tags text] | undefined, ...] by `all`
  proto.tags = function tags(now, all) {
    let mine = kept.get(this);
    if (mine === undefined) kept.set(this, (mine = []));
    const last = mine[+all];
    const out = this.tagsSince(now, all, last?.[0] ?? 0);
    const at = out.indexOf(TAGS);
    // The answer's head holds only fixed keys, numbers and JSON strings
    // (tag ids, with any quote escaped), so the first match is the field.
    const revision = /"revision":(\d+)/.exec(out);
    if (revision === null) return out; // an error
    if (at >= 0) {
      mine[+all] = [Number(revision[1]), out.slice(at + TAGS.length, -1)];
      return out;
    }
    return `${out.slice(0, -1)}${TAGS}${last[1]}}`;
  };
}
