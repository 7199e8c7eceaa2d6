// The rule builder's tree model: a JSON rule <-> a tree of groups and
// condition rows that the visual builder can show. Pure (no DOM, no tagwise)
// so the same functions serve rendering, the JSON/text sync and the tests.
//
//   group: { kind: 'group', id, op: 'and' | 'or' | 'not', children: [...] }
//   cond:  { kind: 'cond', id, left, op, value }
//          left: { kind: 'var', name } |
//                { kind: 'tag' | 'tag_value', id } |
//                { kind: 'events', type, agg, field, within, where: null | { prop, op, value },
//                  daysSince }   (daysSince: `days_since` of a first_ts/last_ts aggregate)
//   raw:   { kind: 'raw', id, json }   a part the builder cannot show as a row
//                                      (kept verbatim; edited in the JSON/text views)
//
// The root is always a group. A root and/or group with exactly one child is
// written as that child alone (so `{"==": …}` round-trips unchanged), an
// empty root is `null` (no rule). A NOT group means "none of": with one
// child it is `{"!": [child]}`, with several `{"!": [{"or": [...]}]}`, and
// both read back as a NOT group.

let nextId = 1;
const newId = () => `n${nextId++}`;

export const AGGS = ['count', 'sum', 'avg', 'min', 'max', 'distinct', 'exists', 'first_ts', 'last_ts'];
/** Aggregates that read a prop of the events (`field`). */
export const AGGS_WITH_FIELD = new Set(['sum', 'avg', 'min', 'max', 'distinct']);
export const COMPARE_OPS = ['==', '!=', '>', '>=', '<', '<=', 'in', 'contains', 'truthy'];
/** Operators without a value (the left side alone is the condition). */
export const UNARY_OPS = new Set(['truthy']);
const BINARY = new Set(['==', '!=', '>', '>=', '<', '<=', '===', '!==']);
const EVENT_KEYS = new Set(['type', 'within', 'where', 'agg', 'field']);

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isLiteral = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
/** The single operator of a one-key object, else null. */
function opOf(rule) {
  if (!isObject(rule)) return null;
  const keys = Object.keys(rule);
  return keys.length === 1 ? keys[0] : null;
}
/** Arguments as a list (JsonLogic allows a lone argument without brackets). */
const argsOf = (rule, op) => (Array.isArray(rule[op]) ? rule[op] : [rule[op]]);

export function newGroup(op = 'and', children = []) {
  return { kind: 'group', id: newId(), op, children };
}
export function newCond() {
  return { kind: 'cond', id: newId(), left: { kind: 'var', name: 'country' }, op: '==', value: '' };
}
export function newEventsLeft() {
  return { kind: 'events', type: 'order_paid', agg: 'count', field: '', within: '30d', where: null, daysSince: false };
}
/** A fresh left side of a kind ('var' | 'events' | 'tag' | 'tag_value'). */
export function newLeft(kind) {
  if (kind === 'events') return newEventsLeft();
  if (kind === 'tag' || kind === 'tag_value') return { kind, id: '' };
  return { kind: 'var', name: 'country' };
}
/** Aggregates that give a time, so "days since" applies. */
export const TIME_AGGS = new Set(['first_ts', 'last_ts']);

// ------------------------------------------------------------ JSON -> tree

function varName(rule) {
  const op = opOf(rule);
  if (op !== 'var') return null;
  const args = argsOf(rule, op);
  return args.length === 1 && typeof args[0] === 'string' && args[0] !== '' ? args[0] : null;
}

function readWhere(where) {
  if (where === undefined) return null;
  const op = opOf(where);
  if (!op) return undefined;
  const args = argsOf(where, op);
  if (args.length !== 2) return undefined;
  // `"X" in description` is "description contains X" (how the catalog writes it).
  if (op === 'in' && isLiteral(args[0]) && varName(args[1])) return { prop: varName(args[1]), op: 'contains', value: args[0] };
  if ((BINARY.has(op) || op === 'in') && varName(args[0])) {
    if (op === 'in' && Array.isArray(args[1]) && args[1].every(isLiteral)) return { prop: varName(args[0]), op, value: args[1] };
    if (isLiteral(args[1])) return { prop: varName(args[0]), op, value: args[1] };
  }
  return undefined;
}

function readEvents(rule) {
  if (opOf(rule) !== 'events') return null;
  const args = argsOf(rule, 'events');
  if (args.length !== 1 || !isObject(args[0])) return null;
  const spec = args[0];
  if (Object.keys(spec).some((k) => !EVENT_KEYS.has(k))) return null; // half_life etc.: JSON view only
  const typeList = Array.isArray(spec.type) && spec.type.length > 0 && spec.type.every((x) => typeof x === 'string' && !x.includes(','));
  if (typeof spec.type !== 'string' && !typeList) return null;
  if (spec.agg !== undefined && !AGGS.includes(spec.agg)) return null;
  if (spec.field !== undefined && typeof spec.field !== 'string') return null;
  if (spec.within !== undefined && typeof spec.within !== 'string' && typeof spec.within !== 'number') return null;
  const where = readWhere(spec.where);
  if (where === undefined) return null;
  return {
    kind: 'events', type: typeList ? spec.type.join(', ') : spec.type, agg: spec.agg ?? 'count', field: spec.field ?? '',
    within: spec.within ?? '', where, daysSince: false,
  };
}

function readLeft(rule) {
  const name = varName(rule);
  if (name) return { kind: 'var', name };
  const op = opOf(rule);
  if (op === 'tag' || op === 'tag_value') {
    const args = argsOf(rule, op);
    return args.length === 1 && typeof args[0] === 'string' ? { kind: op, id: args[0] } : null;
  }
  if (op === 'days_since') {
    const args = argsOf(rule, op);
    const inner = args.length === 1 ? readEvents(args[0]) : null;
    return inner && TIME_AGGS.has(inner.agg) ? { ...inner, daysSince: true } : null;
  }
  return readEvents(rule);
}

function readCond(rule) {
  const op = opOf(rule);
  if (!op) return null;
  // A bare `events` aggregate or `tag` is a condition on its own (`exists`, count > 0, holds).
  if (op === 'events' || op === 'tag') {
    const left = op === 'tag' ? readLeft(rule) : readEvents(rule);
    return left && { kind: 'cond', id: newId(), left, op: 'truthy', value: '' };
  }
  const args = argsOf(rule, op);
  if (op === '!!' && args.length === 1) {
    const left = readLeft(args[0]);
    return left && { kind: 'cond', id: newId(), left, op: 'truthy', value: '' };
  }
  if (args.length !== 2) return null;
  if (op === 'in') {
    const left = readLeft(args[0]);
    if (left && Array.isArray(args[1]) && args[1].every(isLiteral)) return { kind: 'cond', id: newId(), left, op: 'in', value: args[1] };
    const right = readLeft(args[1]);
    if (right && isLiteral(args[0])) return { kind: 'cond', id: newId(), left: right, op: 'contains', value: args[0] };
    return null;
  }
  if (!BINARY.has(op) || op === '===' || op === '!==') return null;
  const left = readLeft(args[0]);
  if (!left || !isLiteral(args[1])) return null;
  return { kind: 'cond', id: newId(), left, op, value: args[1] };
}

function readNode(rule) {
  const op = opOf(rule);
  if ((op === 'and' || op === 'or') && Array.isArray(rule[op])) return newGroup(op, rule[op].map(readNode));
  if (op === '!') {
    const args = argsOf(rule, op);
    if (args.length === 1) {
      const inner = args[0];
      const innerOp = opOf(inner);
      if (innerOp === 'or' && Array.isArray(inner.or) && inner.or.length > 1) return newGroup('not', inner.or.map(readNode));
      return newGroup('not', [readNode(inner)]);
    }
  }
  return readCond(rule) ?? { kind: 'raw', id: newId(), json: rule };
}

/** The tree of a rule (`null`/absent: an empty AND group). */
export function treeFromRule(rule) {
  if (rule === null || rule === undefined) return newGroup('and');
  const node = readNode(rule);
  return node.kind === 'group' && node.op !== 'not' ? node : newGroup('and', [node]);
}

/**
 * Rows whose value can never match their left side: an `events` aggregate
 * (a count, sum, time or day count) compared as more/less/equal with text
 * that is not a number ("two"), which JsonLogic reads as NaN, so the row is
 * always false. Returns [{ id, path, value }] (path: the value's JSON Pointer).
 */
export function valueTypeProblems(root, paths) {
  const out = [];
  const visit = (node) => {
    if (node.kind === 'group') {
      node.children.forEach(visit);
      return;
    }
    if (node.kind !== 'cond' || node.left.kind !== 'events' || node.left.agg === 'exists') return;
    if (!BINARY.has(node.op) || typeof node.value !== 'string') return;
    if (node.value.trim() !== '' && Number.isFinite(Number(node.value))) return; // "3" compares as 3
    out.push({ id: node.id, path: paths.get(`${node.id}:value`) ?? '', value: node.value });
  };
  visit(root);
  return out;
}

/** Number of parts of the tree that only the JSON/text views can edit. */
export function countRaw(node) {
  if (node.kind === 'raw') return 1;
  if (node.kind === 'group') return node.children.reduce((n, c) => n + countRaw(c), 0);
  return 0;
}

// ------------------------------------------------------------ tree -> JSON

const escapePointer = (s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

/** Whether a left side is a condition by itself (written bare for "holds / is set"). */
const bareTruthy = (left) => left.kind === 'tag' || (left.kind === 'events' && !left.daysSince);

function writeLeft(left) {
  if (left.kind === 'var') return { var: left.name };
  if (left.kind === 'tag' || left.kind === 'tag_value') return { [left.kind]: [left.id] };
  const types = String(left.type).split(',').map((x) => x.trim()).filter((x) => x !== '');
  const spec = { type: types.length > 1 ? types : left.type.trim() };
  if (left.within !== '') spec.within = left.within; // a number (ms) typed in JSON stays a number
  if (left.where) {
    const w = left.where;
    spec.where = w.op === 'contains' ? { in: [w.value, { var: w.prop }] } : { [w.op]: [{ var: w.prop }, w.value] };
  }
  if (left.agg !== 'count') spec.agg = left.agg;
  if (AGGS_WITH_FIELD.has(left.agg) || left.field !== '') spec.field = left.field;
  return left.daysSince ? { days_since: [{ events: [spec] }] } : { events: [spec] };
}

/**
 * The JSON of a node; `paths` (Map node id -> JSON Pointer) receives where
 * each node and each row's parts landed, so validation paths map to rows.
 */
function writeNode(node, path, paths) {
  paths.set(node.id, path);
  if (node.kind === 'raw') return node.json;
  if (node.kind === 'cond') {
    const left = writeLeft(node.left);
    let leftPath;
    let json;
    if (node.op === 'truthy') {
      if (bareTruthy(node.left)) { json = left; leftPath = path; } else { json = { '!!': [left] }; leftPath = `${path}/!!/0`; }
    } else if (node.op === 'contains') {
      json = { in: [node.value, left] }; leftPath = `${path}/in/1`;
      paths.set(`${node.id}:value`, `${path}/in/0`);
    } else {
      json = { [node.op]: [left, node.value] }; leftPath = `${path}/${escapePointer(node.op)}/0`;
      paths.set(`${node.id}:value`, `${path}/${escapePointer(node.op)}/1`);
    }
    if (node.left.kind === 'events') {
      const spec = `${node.left.daysSince ? `${leftPath}/days_since/0` : leftPath}/events/0`;
      for (const k of ['type', 'within', 'agg', 'field', 'where']) paths.set(`${node.id}:${k}`, `${spec}/${k}`);
    } else if (node.left.kind === 'var') paths.set(`${node.id}:name`, leftPath);
    else paths.set(`${node.id}:tagId`, `${leftPath}/${node.left.kind}/0`);
    return json;
  }
  if (node.op === 'not') {
    if (node.children.length === 1) return { '!': [writeNode(node.children[0], `${path}/!/0`, paths)] };
    return { '!': [{ or: node.children.map((c, i) => writeNode(c, `${path}/!/0/or/${i}`, paths)) }] };
  }
  return { [node.op]: node.children.map((c, i) => writeNode(c, `${path}/${node.op}/${i}`, paths)) };
}

/** `{ rule, paths }` for a tree (see writeNode); an empty root is `null`. */
export function ruleFromTree(root) {
  const paths = new Map();
  if (root.children.length === 0 && root.op !== 'not') {
    paths.set(root.id, '');
    return { rule: null, paths };
  }
  if (root.children.length === 1 && root.op !== 'not') {
    paths.set(root.id, '');
    return { rule: writeNode(root.children[0], '', paths), paths };
  }
  return { rule: writeNode(root, '', paths), paths };
}

/**
 * The key in `paths` (a node id, or `id:part`) that best owns a problem's
 * JSON Pointer: the longest recorded path that is the pointer or a prefix of
 * it at a segment boundary.
 */
export function ownerOfPath(paths, pointer) {
  let best = null;
  let bestLength = -1;
  for (const [key, p] of paths) {
    const owns = pointer === p || p === '' || pointer.startsWith(`${p}/`);
    // Prefer a row's part over the row itself at equal length.
    if (owns && (p.length > bestLength || (p.length === bestLength && key.includes(':')))) {
      best = key;
      bestLength = p.length;
    }
  }
  return best;
}

// ------------------------------------------------------------ values typed in

/**
 * A value typed in a row's value box: numbers, true/false/null as such,
 * "quoted" text as that string, anything else as the text itself. For `in`
 * a comma-separated list.
 */
export function parseValue(text, op) {
  if (op === 'in') return text.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => parseValue(s, '=='));
  const t = text.trim();
  if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  return text;
}

/** How a value shows in its box (the reverse of parseValue). */
export function showValue(value) {
  if (Array.isArray(value)) return value.map((v) => showValue(v)).join(', ');
  if (typeof value === 'string') {
    // Text that would read back as a number/keyword keeps its quotes.
    return parseValue(value, '==') === value ? value : `"${value}"`;
  }
  return value === undefined ? '' : String(value);
}

// ------------------------------------------------------------ edits

/** The group holding `id` and its index there, or null. */
export function findParent(root, id) {
  for (let i = 0; i < root.children.length; i++) {
    const c = root.children[i];
    if (c.id === id) return { parent: root, index: i };
    if (c.kind === 'group') {
      const found = findParent(c, id);
      if (found) return found;
    }
  }
  return null;
}

export function findNode(root, id) {
  if (root.id === id) return root;
  if (root.kind !== 'group') return null;
  for (const c of root.children) {
    const found = findNode(c, id);
    if (found) return found;
  }
  return null;
}

/**
 * Keyboard moves: 'up' / 'down' within the group, 'out' to just after the
 * enclosing group, 'in' to the end of the group just above. Returns whether
 * anything moved.
 */
export function moveNode(root, id, how) {
  const at = findParent(root, id);
  if (!at) return false;
  const { parent, index } = at;
  const list = parent.children;
  if (how === 'up' || how === 'down') {
    const to = how === 'up' ? index - 1 : index + 1;
    if (to < 0 || to >= list.length) return false;
    [list[index], list[to]] = [list[to], list[index]];
    return true;
  }
  if (how === 'out') {
    const outer = findParent(root, parent.id);
    if (!outer) return false;
    const [node] = list.splice(index, 1);
    outer.parent.children.splice(outer.index + 1, 0, node);
    return true;
  }
  if (how === 'in') {
    const target = list[index - 1];
    if (!target || target.kind !== 'group') return false;
    const [node] = list.splice(index, 1);
    target.children.push(node);
    return true;
  }
  return false;
}
