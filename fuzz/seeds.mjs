#!/usr/bin/env node
// Builds the seed corpora of the fuzz targets (fuzz/*_fuzzer.cpp) into a
// build directory, from files read in place: tests/ fixtures and the inline
// JSON of tests/core/*.cpp, examples/, demo/shop/, build-demo/ (when built),
// and ../shared/conformance/ (JsonLogic). Nothing is copied into the repository.
//
//   node fuzz/seeds.mjs /tmp/fuzzbuild/corpus
//
// Writes <out>/<target>/seed-<sha1 prefix> (one file per input, duplicates
// merged) and prints how many seeds each target got. Multi-part inputs use a
// NUL byte between parts, as fuzz/fuzz_support.h SplitParts expects.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '..', 'shared');
const out = resolve(process.argv[2] ?? '/tmp/fuzzbuild/corpus');
const MAX_SEED_BYTES = 64 * 1024;  // tools/fuzz.sh runs with -max_len 65536

const seeds = new Map();  // target -> Map(hash -> Buffer)
function add(target, parts) {
  const buf = Buffer.concat((Array.isArray(parts) ? parts : [parts]).flatMap((p, i) => {
    const b = Buffer.isBuffer(p) ? p : Buffer.from(typeof p === 'string' ? p : JSON.stringify(p));
    return i === 0 ? [b] : [Buffer.from([0]), b];
  }));
  if (buf.length === 0 || buf.length > MAX_SEED_BYTES) return;
  if (!seeds.has(target)) seeds.set(target, new Map());
  seeds.get(target).set(createHash('sha1').update(buf).digest('hex').slice(0, 16), buf);
}
const readJson = (p) => { try { return JSON.parse(readFileSync(p, 'utf8')); } catch { return undefined; } };
function walk(dir, pred) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, pred) : pred(p) ? [p] : [];
  });
}
// The raw strings R"(...)" of a C++ test file that are JSON.
function rawJsonStrings(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const m of text.matchAll(/R"\(([\s\S]*?)\)"/g)) {
    try { found.push(JSON.parse(m[1])); } catch { /* not JSON */ }
  }
  return found;
}
const isCatalog = (j) => j && typeof j === 'object' && !Array.isArray(j) && Array.isArray(j.tags);
const isProfile = (j) => j && typeof j === 'object' && !Array.isArray(j) &&
  ('events' in j || 'tagwise_profile' in j || 'rollups' in j || 'as_of' in j);

// ------------------------------------------------------------- rules (JSON)
const rules = [];
const jl = readJson(join(shared, 'conformance/jsonlogic/tests.json')) ?? [];
for (const c of jl) if (Array.isArray(c)) { rules.push(c[0]); add('rule_json', [c[0], c[1]]); }
for (const f of walk(join(shared, 'conformance/jsonlogic/community'), (p) => p.endsWith('.json'))) {
  for (const c of readJson(f) ?? []) {
    if (c && typeof c === 'object' && 'rule' in c) { rules.push(c.rule); add('rule_json', [c.rule, c.data ?? null]); }
  }
}
const profiles = [];
for (const f of walk(join(root, 'tests/fixtures'), (p) => p.endsWith('.json'))) {
  const d = readJson(f);
  for (const c of d?.cases ?? []) {
    if ('rule' in c) { rules.push(c.rule); add('rule_json', c.data !== undefined ? [c.rule, c.data] : [c.rule]); }
    if (c.profile) profiles.push(c.profile);
  }
}
const catalogs = [];
for (const f of [join(root, 'demo/shop/catalog.json'), join(root, 'examples/retail-catalog.json'),
  ...walk(join(root, 'demo'), (p) => /catalog[^/]*\.json$/.test(p) && !p.includes('node_modules'))]) {
  const c = readJson(f);
  if (isCatalog(c)) catalogs.push(c);
}
const conditions = [];
for (const f of walk(join(root, 'tests/core'), (p) => p.endsWith('.cpp'))) {
  const name = f.split('/').pop();
  for (const j of rawJsonStrings(f)) {
    if (name.startsWith('condition')) conditions.push(j);
    else if (isCatalog(j)) catalogs.push(j);
    else if (isProfile(j)) profiles.push(j);
    else if (/compiler|bad_input|rule_text|events_agg|engine|lint/.test(name)) rules.push(j);
  }
}
for (const c of catalogs) {
  add('catalog', JSON.stringify(c, null, 1));
  for (const t of c.tags ?? []) {
    if (t?.when !== undefined) { rules.push(t.when); add('rule_json', t.when); }
    if (t?.value !== undefined) add('rule_json', t.value);
  }
}
for (const r of rules) add('rule_json', r);

// ------------------------------------------------------------- rule text
const texts = [
  'events(order_paid, within 30d) >= 5 and days_since(last_login) > 30',
  'events(page_view, within 7d) >= 3 and not events(order_paid, within 7d)',
  'events(order_paid, within 30d, where amount > 20, agg sum of amount, half_life 7d) > 100',
  'events([view, cart_add], within 7d, agg distinct, field item) >= 3',
  'if age >= 18 then "adult" else if age >= 13 then "teen" else "child"',
  '1 + if vip then 2 else 3 < 4 < 5',
  'user.age in [18, 19, 20] || 用户.城市 == "上海"  # comment',
  'tag(vip) and tag_value(rfm_score) >= 4',
  '{"var": ""} == {"-": [1, 2, 3]}',
  "-(5) * -5 % 3 / 2 - +1 !== !!x",
  "max(1, 2.0, -0.0, 1e300, 'text', null, true, false,)",
  'map(items, {"*": [{"var": "price"}, 2]})',
];
const rtTest = join(root, 'tests/core/rule_text_test.cpp');
if (existsSync(rtTest)) {
  for (const m of readFileSync(rtTest, 'utf8').matchAll(/\{\s*"((?:[^"\\\n]|\\.)*)",/g)) {
    try { texts.push(JSON.parse(`"${m[1]}"`)); } catch { /* C escapes JSON lacks */ }
  }
}
for (const t of texts) add('rule_text', t);

// ------------------------------------------------------------- catalog: done above

// ------------------------------------------------------------- conditions
const groups = {
  vip: ['u1', 'u7', 7, true, '王者'], empty: [],
  countries: { type: 'list', values: ['CN', 'SG', 'cn'], attributeKey: 'country' },
  adults: { type: 'condition', condition: { age: { $gte: 18 } } },
  loop: { type: 'condition', condition: { $or: [{ $savedGroup: { id: 'loop' } }, { vip: true }] } },
};
const attributes = { id: 'u1', age: 34, country: 'CN', tags: ['a', 'b'], version: '2.1.0-beta+7', user: { name: '张伟' } };
conditions.push(
  { country: { $in: ['CN', 'SG'] }, 'app.version': { $vgte: '2.1.0' }, $or: [{ vip: true }, { id: { $inGroup: 'vip' } }] },
  { $and: [{ age: { $gt: 17, $lt: 65 } }, { tags: { $elemMatch: { $eq: 'a' } } }], name: { $regex: '^张', $exists: true } },
  { $savedGroup: { id: 'adults' }, $nor: [{ country: { $type: 'string', $size: 2 } }] },
  { tags: { $all: ['a'], $size: { $gte: 1 } }, 'user.name': { $not: { $regexi: 'X+' } } },
);
for (const c of conditions) {
  add('condition', c);
  add('condition', [c, attributes, groups]);
}

// ------------------------------------------------------------- profiles
const events = [
  { id: 'x1', type: 'order_paid', ts: 1763800000000, props: { amount: 30, item: 'A1' } },
  { type: 'view', ts: 1763800000, props: { item: 'B2', category: 'shoes' } },
  { id: 'x3', type: 'cart_add', ts: '2026-11-20T10:00:00+08:00', props: 'bad' },
];
for (const p of profiles) { add('profile', p); add('profile', [p, events]); }
add('profile', [{ tagwise_profile: 1, user_id: 'u1', as_of: 1763700000000, compacted_through: 1763000000000,
  rollups: [{ day: 1762992000000, type: 'order_paid', count: 3, sums: { amount: 90 } }],
  tags: { churn_risk: { value: 0.8, expires_at: 1763900000000 } } }, events]);
add('profile', ['{}', events[0]]);
const customers = join(root, 'build-demo/customers.jsonl');
if (existsSync(customers)) {
  // The first users' events as event lists (the file is JSON Lines of events).
  const lines = readFileSync(customers, 'utf8').split('\n', 400).filter(Boolean);
  for (let i = 0; i < lines.length; i += 40) add('profile', ['{"user_id": "12346"}', `[${lines.slice(i, i + 40).join(',')}]`]);
}

// ------------------------------------------------------------- hints
const twh = join(root, 'build-demo/shop.twh');
if (existsSync(twh)) add('hints', readFileSync(twh));
add('hints', Buffer.from('TWHINTS\n\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00', 'latin1'));

// ------------------------------------------------------------- store
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
function store(profile, consent, ledger) {
  const { events, ...rest } = profile;
  const evs = Array.isArray(events) ? events : []; // a rule's {"events": {...}} looks like a profile too
  const header = { generation: 'g1', generation_at: 1763000000000, saved_at: 1763800000000, consent, profile: rest };
  if (ledger) header.ledger = ledger;
  let text = 'TAGWISE-STORE 1\n';
  const line = (tag, j) => { const s = JSON.stringify(j); text += `${tag} ${crc32(Buffer.from(s))} ${s}\n`; };
  line('H', header);
  for (const e of evs) line('E', e);
  text += `END ${crc32(Buffer.from(text))} ${evs.length}\n`;
  return text;
}
const consent = { purposes: ['necessary', 'analytics'], updated_at: 1763000000000 };
for (const p of profiles.slice(0, 30)) add('store', store(p, consent));
add('store', store({ tagwise_profile: 1, user_id: 'u1', events }, null,
  { tagwise_ledger: 1, records: [{ id: 'r1', kind: 'offer', key: 'o1', action: 'shown', at: 1763800000000 }] }));
add('store', 'TAGWISE-STORE 1\n');
for (const f of walk(join(root, 'tests/core'), (p) => p.endsWith('store_test.cpp'))) {
  for (const m of readFileSync(f, 'utf8').matchAll(/"(TAGWISE-STORE[^"]*)"/g)) add('store', m[1].replace(/\\n/g, '\n'));
}

// ------------------------------------------------------------- session
// Steps of fuzz/session_fuzzer.cpp: one byte picks the step (0 track a list,
// 1 track one, 2 consent bits, 3 profile, 4 store round trip, 5 merge a
// store, 6 shrink, 7 forget, 8 hours pass, 9 experiment), then its argument.
const step = (op, arg = '') => Buffer.concat([Buffer.from([op]), Buffer.from(typeof arg === 'string' ? arg : JSON.stringify(arg))]);
const sessionEvents = [
  { id: 'o1', type: 'order_paid', ts: 1763790000000, props: { amount: 30, page: 'a' } },
  { id: 'v1', type: 'view', ts: 1763799000000, props: { page: 'b' } },
  { id: 'v2', type: 'view', ts: 1763799100000, props: { page: 'c' } },
  { id: 'v3', type: 'view', ts: 1763799200000 },
  { id: 'r1', type: 'refund', ts: 1763799300000 },
  { id: 'c1', type: 'coupon_click', ts: 1763799400000 },
];
add('session', [step(0, sessionEvents), step(2, String.fromCharCode(0x01)), step(4), step(8, '\x30'), step(6)]);
add('session', [step(1, sessionEvents[0]), step(1, { type: 'order_paid' }), step(2, String.fromCharCode(0x8f)), step(7, 'g2')]);
add('session', [step(3, { user_id: 'u1', as_of: 1763700000000, events: sessionEvents, tags: { churn: { value: 0.8 } } }),
  step(13, { user_id: 'u1', events: sessionEvents.slice(0, 2) }), step(2, String.fromCharCode(0x02)), step(4)]);
add('session', [step(0, sessionEvents), step(9, { definition: { key: 'e1', variations: [0, 1], rule: { tag: ['old'] } } }), step(2, '\x00')]);
for (const p of profiles.slice(0, 10)) add('session', [step(3, p), step(4), step(2, String.fromCharCode(0x04))]);
add('session', [step(5, store({ tagwise_profile: 1, user_id: 'u1', events: sessionEvents }, consent)), step(4)]);

// ------------------------------------------------------------- write
for (const [target, m] of [...seeds].sort()) {
  const dir = join(out, target);
  mkdirSync(dir, { recursive: true });
  for (const [h, buf] of m) writeFileSync(join(dir, `seed-${h}`), buf);
  console.log(`${target}: ${m.size} seeds`);
}
