// The rule builder's plain-language summary of a rule ("90 天内下单的不同
// invoice 数 ≥ 3 且 country = "United Kingdom""), for operators who read
// the rule rather than its rows. Pure: a tree of builder-model.js in, a
// sentence out.

const SYMBOLS = { '==': '=', '!=': '≠', '>': '>', '>=': '≥', '<': '<', '<=': '≤', '===': '=', '!==': '≠' };

const WORDS = {
  zh: {
    and: ' 且 ', or: ' 或 ', open: '（', close: '）', not: (s) => `不满足（${s}）`, empty: '（没有条件）', raw: '（其他条件）',
    units: { s: '秒', m: '分钟', h: '小时', d: '天', w: '周' },
    within: (d) => `${d}内`,
    types: { order_paid: '下单', view: '浏览', cart_add: '加购', purchase: '购买', order_refunded: '退款' },
    anyType: '事件',
    where: (prop, op, value) => `（${prop} ${op} ${value}）`,
    count: (what) => what, exists: (what) => `有${what}`,
    distinct: (what, field) => `${what}的不同 ${field} 数`, sum: (what, field) => `${what}的 ${field} 合计`,
    avg: (what, field) => `${what}的 ${field} 平均`, min: (what, field) => `${what}的 ${field} 最小值`,
    max: (what, field) => `${what}的 ${field} 最大值`,
    first_ts: (what) => `首次${what}时间`, last_ts: (what) => `最近一次${what}时间`,
    daysSince: { first_ts: (what) => `距首次${what}的天数`, last_ts: (what) => `距最近一次${what}的天数` },
    hasTag: (id) => `持有标签 ${id}`, tagValue: (id) => `标签 ${id} 的值`, isSet: (s) => `${s} 有值`,
    in: (left, list) => `${left} 属于 ${list}`, contains: (left, v) => `${left} 包含 ${v}`,
    times: (s, op, v) => `${s} ${op} ${v} 次`,
  },
  en: {
    and: ' and ', or: ' or ', open: '(', close: ')', not: (s) => `none of (${s})`, empty: '(no conditions)', raw: '(another condition)',
    units: { s: ' s', m: ' min', h: ' h', d: ' days', w: ' weeks' },
    within: (d) => ` in ${d}`,
    types: { order_paid: 'orders', view: 'views', cart_add: 'cart adds', purchase: 'purchases', order_refunded: 'refunds' },
    anyType: 'events',
    where: (prop, op, value) => ` (${prop} ${op} ${value})`,
    count: (what) => `number of ${what}`, exists: (what) => `any ${what}`,
    distinct: (what, field) => `distinct ${field} of ${what}`, sum: (what, field) => `total ${field} of ${what}`,
    avg: (what, field) => `average ${field} of ${what}`, min: (what, field) => `smallest ${field} of ${what}`,
    max: (what, field) => `largest ${field} of ${what}`,
    first_ts: (what) => `time of the first of ${what}`, last_ts: (what) => `time of the latest of ${what}`,
    daysSince: { first_ts: (what) => `days since the first of ${what}`, last_ts: (what) => `days since the last of ${what}` },
    hasTag: (id) => `holds tag ${id}`, tagValue: (id) => `value of tag ${id}`, isSet: (s) => `${s} is set`,
    in: (left, list) => `${left} is one of ${list}`, contains: (left, v) => `${left} contains ${v}`,
    times: (s, op, v) => `${s} ${op} ${v}`,
  },
};

const shown = (v) => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(shown).join(', ')}]` : String(v));

/** "30d" → "30 天"; a number of ms or anything else as written. */
function duration(w, within) {
  const m = /^(\d+)\s*([smhdw])$/.exec(String(within).trim());
  return m ? `${m[1]}${w.units[m[2]]}`.replace(/^(\d+)([^\d\s])/, '$1 $2') : String(within);
}

function eventsText(w, left) {
  const types = String(left.type ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let what = types.length === 0 ? w.anyType : types.map((x) => w.types[x] ?? x).join('/');
  if (left.where) what += w.where(left.where.prop, left.where.op === 'contains' ? '∋' : SYMBOLS[left.where.op] ?? left.where.op, shown(left.where.value));
  const agg = left.agg || 'count';
  const s = left.daysSince && w.daysSince[agg] ? w.daysSince[agg](what)
    : ['distinct', 'sum', 'avg', 'min', 'max'].includes(agg) ? w[agg](what, left.field) : w[agg](what);
  return left.within ? (w === WORDS.zh ? `${w.within(duration(w, left.within))}${s}` : `${s}${w.within(duration(w, left.within))}`) : s;
}

function condText(w, node) {
  const { left, op, value } = node;
  const l = left.kind === 'var' ? left.name
    : left.kind === 'tag' ? w.hasTag(left.id)
      : left.kind === 'tag_value' ? w.tagValue(left.id)
        : eventsText(w, left);
  if (op === 'truthy') return left.kind === 'var' ? w.isSet(l) : l;
  if (op === 'in') return w.in(l, shown(value));
  if (op === 'contains') return w.contains(l, shown(value));
  const sym = SYMBOLS[op] ?? op;
  if (left.kind === 'events' && (left.agg || 'count') === 'count' && !left.daysSince) return w.times(l, sym, shown(value));
  return `${l} ${sym} ${shown(value)}`;
}

/** The rule of builder tree `root` in plain words of `lang` ('zh' | 'en'). */
export function summaryOf(root, lang) {
  const w = WORDS[lang === 'en' ? 'en' : 'zh'];
  const text = (node, nested) => {
    if (node.kind === 'raw') return w.raw;
    if (node.kind === 'cond') return condText(w, node);
    const parts = node.children.map((c) => text(c, true));
    if (parts.length === 0) return w.empty;
    if (node.op === 'not') return w.not(parts.join(w.or));
    const joined = parts.join(w[node.op]);
    return nested && parts.length > 1 ? `${w.open}${joined}${w.close}` : joined;
  };
  return text(root, false);
}
