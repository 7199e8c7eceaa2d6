// tw.explain(id) rendered for people: why the tag holds or not (its rule,
// inheritance from a child tag, suppression in an exclusive group, consent),
// then the rule tree with each node's value and, for `events` aggregates,
// how many events matched. Leaves are written in the rule's text form
// (tw.formatRule), e.g. `events(view, within 7d)`.
import { tagName } from './i18n.js';
import { escapeHtml, valueText } from './render.js';

/** The sub-rule at a JSON Pointer ("/and/1/>=/0") of a rule. */
function ruleAt(rule, pointer) {
  if (pointer === '') return rule;
  let node = rule;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(key)] : node[key];
  }
  return node;
}

function shown(value) {
  if (value === true || value === false || value === null) return String(value);
  const v = valueText(value);
  return v.length > 80 ? `${v.slice(0, 77)}…` : v;
}

function nodeHtml(node, rule, tw, lang) {
  const hasArgs = Array.isArray(node.args) && node.args.length > 0;
  let label = node.op;
  if (!hasArgs) {
    try {
      label = node.op === 'literal' ? JSON.stringify(node.value) : tw.formatRule(ruleAt(rule, node.path));
    } catch {
      label = node.op;
    }
  }
  const matched = typeof node.matched === 'number'
    ? ` <span class="matched">${lang === 'en' ? `${node.matched} events matched` : `匹配 ${node.matched} 条事件`}</span>` : '';
  const children = hasArgs ? `<ul>${node.args.map((a) => nodeHtml(a, rule, tw, lang)).join('')}</ul>` : '';
  const truth = node.value === true ? ' is-true' : node.value === false ? ' is-false' : '';
  return `<li><code>${escapeHtml(label)}</code> → <b class="node-value${truth}">${escapeHtml(shown(node.value))}</b>${matched}${children}</li>`;
}

function verdict(ex, meta, lang) {
  const en = lang === 'en';
  const name = (id) => tagName(id, meta, lang);
  switch (ex.source) {
    case 'rule':
      return ex.holds ? (en ? 'Holds: its rule is true.' : '持有：规则成立。') : (en ? 'Not held: its rule is false.' : '未持有：规则不成立。');
    case 'parentTag':
      return en ? `Holds because a child tag holds (${(ex.children_holding ?? []).map(name).join(', ')}).`
        : `持有：子标签（${(ex.children_holding ?? []).map(name).join('、')}）持有，继承而来。`;
    case 'exclusiveLoser':
      return en ? `Not held: its rule is true, but ${name(ex.suppressed_by)} wins the exclusive group ${ex.group}.`
        : `未持有：规则成立，但同一互斥组（${ex.group}）中「${name(ex.suppressed_by)}」优先级更高。`;
    case 'consentDenied':
      return en ? `Not computed: purpose "${ex.purpose}" is not consented.` : `未计算：用途「${ex.purpose}」未获同意。`;
    case 'error':
      return (en ? 'Not held: its rule failed: ' : '未持有：规则出错：') + (ex.error ?? '');
    default:
      return ex.source;
  }
}

/** The explanation of tag `id` as HTML. `catalog` gives the rules (for the text form of leaves). */
export function explainHtml(tw, id, catalog, meta, lang) {
  const ex = tw.explain(id);
  const def = (catalog.tags ?? []).find((t) => t.id === id) ?? {};
  const en = lang === 'en';
  const parts = [`<p class="verdict">${escapeHtml(verdict(ex, meta, lang))}</p>`];
  if (ex.source !== 'parentTag' && ex.children_holding?.length) {
    parts.push(`<p>${escapeHtml(en ? 'Child tags holding: ' : '持有的子标签：')}${escapeHtml(ex.children_holding.map((c) => tagName(c, meta, lang)).join(en ? ', ' : '、'))}</p>`);
  }
  if (ex.parent) parts.push(`<p class="muted">${escapeHtml(en ? 'Parent: ' : '父标签：')}${escapeHtml(tagName(ex.parent, meta, lang))}</p>`);
  if (ex.when) {
    parts.push(`<p class="muted">${escapeHtml(en ? 'Rule, each step with its value:' : '规则（每一步及其取值）：')}</p><ul class="trace">${nodeHtml(ex.when, def.when, tw, lang)}</ul>`);
  }
  if (ex.value_rule) {
    parts.push(`<p class="muted">${escapeHtml(en ? 'Value:' : '取值：')}</p><ul class="trace">${nodeHtml(ex.value_rule, def.value, tw, lang)}</ul>`);
  }
  return parts.join('');
}
