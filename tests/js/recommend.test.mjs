// tw.loadHints / tw.recommend and the `tagwise hints` command, end to end
// through the npm package: a small digital-goods shop's log is turned into a
// hint file by the CLI (wasm HintBuilder), loaded into an instance, and
// recommendations are checked against what the log implies.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createTagwise, TagwiseError } from 'tagwise';

const run = promisify(execFile);
const CLI = new URL('../../js/cli.js', import.meta.url).pathname;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

// Steam buyers also buy the other Steam card (same basket); Apple buyers the
// other Apple card; Chinese visitors favour 京东E卡; 原神月卡 sells in the
// last week only (trending).
function shopLog() {
  const lines = [];
  const buy = (user, items, day, country, order) => {
    for (const item of items) {
      lines.push(JSON.stringify({ user_id: user, type: 'purchase', ts: T0 + day * DAY, props: { item, order, country } }));
    }
  };
  for (let u = 0; u < 30; u++) buy(`s${u}`, ['steam-50', 'steam-100'], u % 20, 'US', `os${u}`);
  for (let u = 0; u < 25; u++) buy(`a${u}`, ['apple-25', 'apple-50'], u % 20, 'US', `oa${u}`);
  for (let u = 0; u < 25; u++) buy(`c${u}`, ['京东E卡-100', u % 2 ? 'steam-50' : 'apple-25'], u % 20, 'CN', `oc${u}`);
  for (let u = 0; u < 12; u++) buy(`g${u}`, ['原神月卡'], 40 + (u % 5), 'CN', `og${u}`);
  for (let u = 0; u < 8; u++) buy(`x${u}`, ['xbox-25'], u, 'US', `ox${u}`);
  lines.push('{"user_id": "bad", "type": "purchase", "ts": 1}'); // no props.item: skipped silently
  lines.push('not json');
  return `${lines.join('\n')}\n`;
}

const ITEMS = [
  { item: 'steam-50', name: 'Steam 充值卡 50', category: 'game', price: 50 },
  { item: 'steam-100', name: 'Steam 充值卡 100', category: 'game', price: 100 },
  { item: 'xbox-25', name: 'Xbox card 25', category: 'game', price: 25 },
  { item: 'apple-25', name: 'Apple gift card 25', category: 'gift', price: 25 },
  { item: 'apple-50', name: 'Apple gift card 50', category: 'gift', price: 50, available: false },
  { item: '京东E卡-100', name: '京东E卡 100元', category: 'gift', price: 100 },
  { item: '原神月卡', name: '原神 空月祝福', category: 'game', price: 30 },
];

let built;
async function hintFile() {
  built ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tagwise-hints-'));
    await writeFile(join(dir, 'events.jsonl'), shopLog());
    await writeFile(join(dir, 'items.jsonl'), ITEMS.map((i) => JSON.stringify(i)).join('\n'));
    const out = join(dir, 'shop.twh');
    const { stderr } = await run(process.execPath, [CLI, 'hints', '--events', join(dir, 'events.jsonl'),
      '--items', join(dir, 'items.jsonl'), '--out', out, '--json', join(dir, 'shop.json'),
      '--segment', 'country=props.country', '--catalog-version', 'shop-v1', '--trending-days', '7',
      '--built-at', '2026-03-01T00:00:00Z']);
    return { dir, bytes: new Uint8Array(await readFile(out)), json: JSON.parse(await readFile(join(dir, 'shop.json'), 'utf8')), stderr };
  })();
  return built;
}

async function shop(options = {}) {
  const tw = await createTagwise({ clock: () => T0 + 60 * DAY, ...options });
  tw.loadHints((await hintFile()).bytes);
  return tw;
}

test('tagwise hints builds a file from a JSON Lines log and reports bad lines with their line numbers', async () => {
  const { json, stderr } = await hintFile();
  assert.match(stderr, /line 182/); // "not json"
  assert.match(stderr, /tagwise hints: 180 events used/);
  assert.equal(json.catalog_version, 'shop-v1');
  assert.equal(json.items.length, ITEMS.length);
  const steam = json.items.find((i) => i.id === 'steam-50');
  assert.equal(steam.buyers, 42);
  assert.equal(json.neighbours['steam-100'][0].item, 'steam-50');
});

test('loadHints returns what the file holds and hints reports it', async () => {
  const tw = await createTagwise();
  assert.equal(tw.hints, null);
  const info = tw.loadHints((await hintFile()).bytes);
  assert.equal(info.catalogVersion, 'shop-v1');
  assert.equal(info.items, ITEMS.length);
  assert.equal(info.users, 100);
  assert.deepEqual(tw.hints, info);
});

test('a new visitor gets the fallback chain with reasons; a Chinese visitor gets the CN list first', async () => {
  const tw = await shop();
  const cold = tw.recommend({ k: 3 });
  assert.equal(cold[0].item, '原神月卡');
  assert.deepEqual(cold[0].reasons, [{ code: 'trending' }]);
  assert.equal(cold[1].reasons[0].code, 'popular');
  tw.setProfile({ user_id: 'v1', attributes: { country: 'CN' }, events: [] });
  const cn = tw.recommend({ k: 2 });
  assert.equal(cn[0].item, '京东E卡-100');
  assert.deepEqual(cn[0].reasons, [{ code: 'segment', key: 'country', value: 'CN' }]);
  assert.equal(cn[0].name, '京东E卡 100元');
  assert.equal(cn[0].category, 'gift');
  assert.equal(cn[0].price, 100);
});

test('a purchase tracked in the page turns the list personal and the bought item disappears', async () => {
  const tw = await shop();
  tw.track({ type: 'purchase', props: { item: 'steam-100' } });
  const list = tw.recommend({ k: 3 });
  assert.equal(list[0].item, 'steam-50');
  assert.equal(list[0].reasons[0].code, 'bought_together'); // same orders: the strongest link
  assert.equal(list[0].reasons[0].item, 'steam-100');
  assert.equal(list[0].reasons[0].from, 'history');
  assert.ok(!list.some((r) => r.item === 'steam-100'));
  // Out of stock is never shown.
  assert.ok(!tw.recommend({ k: 7 }).some((r) => r.item === 'apple-50'));
});

test('the page item drives the list and is never recommended to itself', async () => {
  const tw = await shop();
  const list = tw.recommend({ k: 2, context: { item: 'steam-50', cart: [] } });
  assert.equal(list[0].item, 'steam-100');
  assert.equal(list[0].reasons[0].from, 'context');
  assert.ok(!list.some((r) => r.item === 'steam-50'));
  assert.deepEqual(tw.recommend({ k: 2, context: 'steam-50' }).map((r) => r.item), list.map((r) => r.item));
});

test('with personalisation off only non-personal lists are used and every reason says so', async () => {
  const tw = await shop({ purposes: ['necessary'] });
  tw.track({ type: 'purchase', props: { item: 'steam-100' } });
  const list = tw.recommend({ k: 3 });
  for (const r of list) assert.equal(r.reasons[0].code, 'personalization_off');
  assert.equal(list[0].item, '原神月卡');
});

test('filter, exclude, diversity and boosts are business rules on the list', async () => {
  const tw = await shop();
  const cheap = tw.recommend({ k: 7, filter: { '<=': [{ var: 'price' }, 30] } });
  assert.ok(cheap.length > 0);
  for (const r of cheap) assert.ok(r.price <= 30, `${r.item} costs ${r.price}`);
  const excluded = tw.recommend({ k: 7, exclude: ['原神月卡'] });
  assert.ok(!excluded.some((r) => r.item === '原神月卡'));
  const diverse = tw.recommend({ k: 2, diversity: 1 });
  assert.notEqual(diverse[0].category, diverse[1].category);
  // A boost reorders within a list (here the page item's neighbours: steam-100, then 京东E卡).
  const boosted = tw.recommend({ k: 1, context: 'steam-50', boosts: [{ category: 'gift', factor: 100 }] });
  assert.equal(boosted[0].category, 'gift');
  assert.deepEqual(boosted[0].reasons.at(-1), { code: 'boost', label: 'gift', factor: 100 });
});

test('bad recommend options are TagwiseErrors with paths', async () => {
  const tw = await shop();
  const cases = [
    [{ k: 0 }, 'wrong_argument_type', '/k'],
    [{ boosts: [{ category: 'gift', factor: -1 }] }, 'wrong_argument_type', '/boosts/0/factor'],
    [{ context: { page: 'x' } }, 'wrong_argument_type', '/context/page'],
    [{ filter: { nope: [1] } }, 'unknown_operator', '/filter/nope'],
    [{ diversity: 2 }, 'wrong_argument_type', '/diversity'],
    [{ colour: 'red' }, 'wrong_argument_type', '/colour'],
  ];
  for (const [options, code, path] of cases) {
    assert.throws(() => tw.recommend(options), (e) => e instanceof TagwiseError && e.code === code && e.path === path,
      JSON.stringify(options));
  }
  const fresh = await createTagwise();
  assert.throws(() => fresh.recommend(), /No hints are loaded/);
});

test('corrupt, truncated, foreign and other-catalogue hint files are refused and the loaded hints stay', async () => {
  const tw = await shop();
  const { bytes } = await hintFile();
  const flipped = bytes.slice();
  flipped[bytes.length - 3] ^= 0x40;
  const attempts = [
    [flipped, undefined, 'corrupt'],
    [bytes.slice(0, bytes.length - 10), undefined, 'corrupt'],
    [new TextEncoder().encode('{"not": "hints"}'), undefined, 'corrupt'],
    [new Uint8Array(0), undefined, 'corrupt'],
    [bytes, { catalogVersion: 'shop-v2' }, 'catalog_mismatch'],
  ];
  for (const [file, opts, code] of attempts) {
    assert.throws(() => tw.loadHints(file, opts), (e) => e instanceof TagwiseError && e.code === code);
  }
  assert.equal(tw.hints.catalogVersion, 'shop-v1');
  assert.equal(tw.recommend({ k: 1 }).length, 1);
  assert.throws(() => tw.loadHints('shop.twh'), TypeError);
  assert.equal(tw.loadHints(bytes.buffer.slice(0), { catalogVersion: 'shop-v1' }).items, ITEMS.length);
});

test('events naming unknown items are ignored', async () => {
  const tw = await shop();
  tw.track({ type: 'view', props: { item: 'no-such-card' } });
  tw.track({ type: 'view', props: { item: 42 } });
  assert.equal(tw.recommend({ k: 1 })[0].item, '原神月卡');
});

test('tagwise hints fails clearly on an empty log, a missing file and a bad option', async () => {
  const { dir } = await hintFile();
  await writeFile(join(dir, 'empty.jsonl'), '');
  const empty = await run(process.execPath, [CLI, 'hints', '--events', join(dir, 'empty.jsonl'), '--out', join(dir, 'x.twh')])
    .catch((e) => e);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /no item events/);
  const missing = await run(process.execPath, [CLI, 'hints', '--events', join(dir, 'nope.jsonl'), '--out', join(dir, 'x.twh')])
    .catch((e) => e);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.jsonl/);
  const bad = await run(process.execPath, [CLI, 'hints', '--events', 'a', '--out', 'b', '--neighbours', 'many']).catch((e) => e);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--neighbours is a whole number/);
});

test('the README main job\'s recommendation example runs: CN list, bought-together, then consent off', async () => {
  const { stdout } = await run(process.execPath, [new URL('../../demo/recommend_example.mjs', import.meta.url).pathname]);
  assert.match(stdout, /popular in country=CN/);
  assert.match(stdout, /bought together with steam-50/);
  assert.match(stdout, /\(personalisation off\)/);
});

test('tag changes that recommend() notices (time moved on) reach onTagsChanged like tags() would report them', async () => {
  const tw = await shop();
  const r = tw.loadCatalog({ tags: [{ id: 'recent_buyer', when: { '>=': [{ events: [{ type: 'purchase', within: '1d' }] }, 1] } }] });
  assert.equal(r.ok, true);
  tw.track({ type: 'purchase', props: { item: 'steam-100' } });
  const seen = [];
  tw.onTagsChanged((c) => seen.push(c));
  tw.recommend({ k: 1, now: T0 + 62 * DAY });
  assert.deepEqual(seen.map((c) => c.left), [['recent_buyer']]);
});
