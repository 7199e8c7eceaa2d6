// "为什么？" for shoppers: one plain sentence in their language, built from
// tw.explain(id) — why the tag holds (its rule with the number it counted,
// a child tag it inherits from) or why not (another stage of an exclusive
// group, a purpose not consented). The rule tree with each step's value is
// for operators and stays in the console.
import { WHY_TEXT, tagName } from './i18n.js';
import { escapeHtml, price } from './render.js';

/** The value of the first `events` aggregate in an explanation tree (what the rule counted), or null. */
function counted(node) {
  if (node === null || typeof node !== 'object') return null;
  if (node.op === 'events') return typeof node.value === 'number' ? node.value : null;
  for (const a of node.args ?? []) {
    const v = counted(a);
    if (v !== null) return v;
  }
  return null;
}

/** Why the tag holds or not, as one sentence. */
export function whyText(ex, meta, lang) {
  const w = WHY_TEXT[lang === 'en' ? 'en' : 'zh'];
  const name = (id) => tagName(id, meta, lang);
  switch (ex.source) {
    case 'rule': {
      const say = w.tags[ex.id];
      if (!ex.holds || say === undefined) return ex.holds ? w.holds : w.notHeld;
      return say({ n: counted(ex.when), value: ex.value, money: price });
    }
    case 'parentTag':
      return w.inherited((ex.children_holding ?? []).map(name));
    case 'exclusiveLoser':
      return w.otherStage(name(ex.suppressed_by));
    case 'consentDenied':
      return w.noConsent;
    default:
      return w.notHeld;
  }
}

/** The "为什么？" panel of tag `id` as HTML. */
export function explainHtml(tw, id, meta, lang) {
  return `<p class="verdict">${escapeHtml(whyText(tw.explain(id), meta, lang))}</p>`;
}
