// `tagwise tag`, the batch-tagging CLI (js/cli.js): on the real UCI Online
// Retail log its output must agree, user by user, with an independent
// computation written here in plain JS over the CSV (no tagwise code); small
// files cover JSON Lines input, malformed lines, consent, CSV quirks, exit
// codes and the usage text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(root, 'js/cli.js');
// Read in place (never copied): ../shared/data next to the repository.
const RETAIL_CSV = fileURLToPath(new URL('../../../shared/data/online-retail/online_retail.csv', import.meta.url));
const RETAIL_CATALOG = join(root, 'examples/retail-catalog.json');
const RETAIL_MAP = join(root, 'examples/retail-csv-map.json');
const AS_OF = '2011-12-10T00:00:00Z';
const DAY = 86_400_000;

/** Runs the CLI; resolves { code, stdout, stderr } (never rejects on a non-zero exit). */
function runCli(args, { cwd = root } = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, maxBuffer: 256 << 20, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function readJsonLines(text) {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

// ---------------------------------------------------------------- the independent computation

/** RFC 4180 records of a whole CSV text (quoted fields with commas, "" and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Expected tags of every customer, computed from the raw CSV with the rules
 * examples/README.md states in words (amounts in integer pence, so no
 * floating-point sums decide a threshold here).
 */
function expectedRetailTags() {
  const [header, ...rows] = parseCsv(readFileSync(RETAIL_CSV, 'utf8'));
  const at = Object.fromEntries(header.map((h, i) => [h, i]));
  const now = Date.parse(AS_OF);
  const users = new Map();
  let events = 0;
  for (const r of rows) {
    const customer = r[at.CustomerID];
    if (customer === undefined || customer === '') continue;
    events++;
    const id = String(parseInt(customer, 10));
    let u = users.get(id);
    if (u === undefined) {
      u = { paid: new Set(), paid90: new Set(), paid7: new Set(), refunds: new Set(), paidPence: 0, refundPence: 0,
        first: Infinity, last: -Infinity, country: '', countryTs: -Infinity, lines: 0, christmas: 0 };
      users.set(id, u);
    }
    const [date, time] = r[at.InvoiceDate].split(' ');
    const [y, mo, d] = date.split('-').map(Number);
    const [h, mi, s] = time.split(':').map(Number);
    const ts = Date.UTC(y, mo - 1, d, h, mi, s);
    const product = Number(r[at.Quantity]) * Number(r[at.UnitPrice]);
    const pence = Math.sign(product) * Math.round(Math.abs(product) * 100);
    if (ts >= u.countryTs) {
      u.countryTs = ts;
      u.country = r[at.Country];
    }
    const invoice = r[at.InvoiceNo];
    if (invoice.startsWith('C')) {
      u.refunds.add(invoice);
      u.refundPence += pence;
      continue;
    }
    u.paid.add(invoice);
    if (ts >= now - 90 * DAY) u.paid90.add(invoice);
    if (ts >= now - 7 * DAY) u.paid7.add(invoice);
    u.paidPence += pence;
    u.first = Math.min(u.first, ts);
    u.last = Math.max(u.last, ts);
    u.lines++;
    if (r[at.Description].includes('CHRISTMAS')) u.christmas++;
  }
  const EU = new Set(['Austria', 'Belgium', 'Cyprus', 'Czech Republic', 'Denmark', 'EIRE', 'European Community', 'Finland',
    'France', 'Germany', 'Greece', 'Italy', 'Lithuania', 'Malta', 'Netherlands', 'Poland', 'Portugal', 'Spain', 'Sweden']);
  const expected = new Map();
  for (const [id, u] of users) {
    const tags = {};
    const customer = u.paid.size > 0;
    if (customer) tags.customer = true;
    if (u.country === 'United Kingdom') tags.country_uk = true;
    if (u.country !== '' && u.country !== 'United Kingdom' && u.country !== 'Unspecified') tags.country_international = true;
    if (EU.has(u.country)) tags.country_eu = true;
    if (u.paid90.size >= 5) tags.frequent_buyer = true;
    if (u.paid7.size >= 2) tags.recent_burst = true;
    if (u.paid.size === 1) tags.one_time_buyer = true;
    if (customer && u.christmas >= 5 && u.christmas >= 0.15 * u.lines) tags.christmas_fan = true;
    if (customer) {
      const sinceLast = (now - u.last) / DAY;
      const sinceFirst = (now - u.first) / DAY;
      tags.rfm_r = sinceLast < 14 ? 5 : sinceLast < 30 ? 4 : sinceLast < 60 ? 3 : sinceLast < 120 ? 2 : 1;
      const n = u.paid.size;
      tags.rfm_f = n >= 16 ? 5 : n >= 8 ? 4 : n >= 4 ? 3 : n >= 2 ? 2 : 1;
      const p = u.paidPence;
      tags.rfm_m = p >= 400000 ? 5 : p >= 170000 ? 4 : p >= 70000 ? 3 : p >= 30000 ? 2 : 1;
      tags.rfm_segment = `R${tags.rfm_r}F${tags.rfm_f}M${tags.rfm_m}`;
      const lifecycle = sinceFirst < 30 ? 'lc_new' : sinceLast <= 60 ? 'lc_active' : sinceLast > 180 ? 'lc_lost' : 'lc_churning';
      tags[lifecycle] = true;
    }
    const net = u.paidPence + u.refundPence;
    if (net >= 500000) tags.high_value = net / 100;
    if (u.refunds.size >= 2 && -u.refundPence * 10 >= u.paidPence) tags.refund_heavy = true;
    expected.set(id, tags);
  }
  return { expected, events };
}

// The tags compared user by user: value tags (RFM tiers, net spend) and
// membership tags (lifecycle group members, refund-heavy, country segments
// with a parent/child pair, windowed counts, a description-keyword share).
const CHECKED = ['customer', 'country_uk', 'country_international', 'country_eu', 'frequent_buyer', 'recent_burst',
  'one_time_buyer', 'christmas_fan', 'rfm_r', 'rfm_f', 'rfm_m', 'rfm_segment', 'lc_new', 'lc_active', 'lc_churning',
  'lc_lost', 'high_value', 'refund_heavy'];

test('tags the real retail log exactly like an independent computation, user by user', {
  skip: !existsSync(RETAIL_CSV) && `${RETAIL_CSV} is not there`,
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'tags.jsonl');
  const summaryFile = join(dir, 'summary.json');
  // A quarter of the log has no CustomerID (guest orders): allowed explicitly.
  const run = runCli(['tag', '--catalog', RETAIL_CATALOG, '--events', RETAIL_CSV, '--csv-map', RETAIL_MAP,
    '--as-of', AS_OF, '--out', out, '--json', summaryFile, '--max-skipped', '25%']);
  const { expected, events } = expectedRetailTags(); // computed while the CLI runs
  const { code, stdout, stderr } = await run;
  assert.equal(code, 0, stderr);
  assert.equal(stdout, '', 'with --out nothing goes to stdout');

  const lines = readJsonLines(readFileSync(out, 'utf8'));
  assert.equal(lines.length, 4372);
  assert.equal(new Set(lines.map((l) => l.user_id)).size, 4372, 'one line per customer');
  assert.deepEqual(new Set(lines.map((l) => l.user_id)), new Set(expected.keys()));

  const mismatches = [];
  let compared = 0;
  for (const { user_id: id, tags } of lines) {
    const want = expected.get(id);
    for (const tag of CHECKED) {
      compared++;
      const got = tags[tag];
      const ok = tag === 'high_value'
        ? (got === undefined) === (want[tag] === undefined) && (got === undefined || Math.abs(got - want[tag]) < 0.005)
        : got === want[tag];
      if (!ok) mismatches.push(`${id} ${tag}: CLI ${JSON.stringify(got)}, expected ${JSON.stringify(want[tag])}`);
    }
    const lifecycle = ['lc_new', 'lc_active', 'lc_churning', 'lc_lost'].filter((g) => tags[g] !== undefined);
    assert.ok(lifecycle.length <= 1, `user ${id} holds ${lifecycle.join(' and ')} of an exclusive group`);
    if (tags.country_eu) assert.equal(tags.country_international, true, `user ${id}: a child tag implies its parent`);
    if (tags.christmas_fan || tags.easter_fan) assert.equal(tags.seasonal_shopper, true, `user ${id}: parent without a rule`);
  }
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} of ${compared} tag decisions differ`);

  // Sanity of the comparison itself: each checked tag is held by some users and not by all.
  for (const tag of ['frequent_buyer', 'refund_heavy', 'country_international', 'lc_churning', 'lc_lost', 'high_value']) {
    const n = lines.filter((l) => l.tags[tag] !== undefined).length;
    assert.ok(n > 20 && n < 4000, `${tag} held by ${n} users`);
  }

  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  assert.equal(summary.users, 4372);
  assert.equal(summary.events, events);
  assert.equal(summary.events, 406_829);
  assert.equal(summary.input.lines, 541_910, 'header + 541,909 data lines');
  assert.deepEqual(Object.keys(summary.skipped.reasons), ['no_user_id']);
  assert.equal(summary.skipped.reasons.no_user_id.count, 135_080);
  assert.equal(summary.skipped.limit, '25%');
  assert.equal(summary.coverage.find((c) => c.id === 'country_uk').users, lines.filter((l) => l.tags.country_uk).length);
  assert.match(stderr, /4,372 users tagged as of 2011-12-10T00:00:00\.000Z/);
  assert.match(stderr, /135,080 {2}no user id \[no_user_id\] {2}\(lines 624, 1,445,/);
  assert.match(stderr, /rfm_champion +重要价值客户 +value/);
  assert.doesNotMatch(stderr, /\r|\x1b\[/, 'no progress bar when stderr is not a terminal');
});

// ---------------------------------------------------------------- small files

const SMALL_CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'buyer', name: '买家', dimension: 'behavior', when: { '>=': [{ events: [{ type: 'order_paid', within: '30d' }] }, 1] } },
    { id: 'spend', name: '消费', dimension: 'value', when: { tag: ['buyer'] },
      value: { events: [{ type: 'order_paid', agg: 'sum', field: 'amount' }] } },
    { id: 'gold', name: '金卡', dimension: 'basic', when: { '==': [{ var: 'tier' }, 'gold'] } },
    { id: 'refunder', name: '退款', dimension: 'risk', purpose: 'security',
      when: { '>=': [{ events: [{ type: 'order_refunded' }] }, 1] } },
    { id: 'promo', name: '促销对象', dimension: 'behavior', purpose: 'marketing', when: { tag: ['buyer'] } },
  ],
};
const SMALL_AS_OF = '2023-11-20T00:00:00Z';
const T = Date.parse('2023-11-14T22:13:20Z'); // 1,700,000,000,000

function smallFiles(t, files) {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(SMALL_CATALOG));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const jsonl = (...objects) => `${objects.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n')}\n`;

test('JSON Lines input: groups by user in order of first appearance and writes one line per user', async (t) => {
  const dir = smallFiles(t, {
    'events.jsonl': jsonl(
      { user_id: 'u1', id: 'e1', type: 'order_paid', ts: T, props: { amount: 30 } },
      { user_id: 'u2', attributes: { tier: 'gold' } },
      { user_id: 'u1', id: 'e2', type: 'order_paid', ts: '2023-11-15T00:00:00Z', props: { amount: 12.5 } },
      { user_id: 7, id: 'e1', type: 'order_refunded', ts: T - 40 * DAY },
      { user_id: 'u1', id: 'late', type: 'order_paid', ts: Date.parse('2023-12-01T00:00:00Z'), props: { amount: 1000 } },
    ),
  });
  const { code, stdout, stderr } = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl',
    '--as-of', SMALL_AS_OF], { cwd: dir });
  assert.equal(code, 0, stderr);
  assert.deepEqual(readJsonLines(stdout), [
    { user_id: 'u1', tags: { buyer: true, spend: 42.5, promo: true } },
    { user_id: 'u2', tags: { gold: true } },
    { user_id: '7', tags: { refunder: true } },
  ]);
  assert.match(stderr, /events {4}4 used \(1 later than --as-of, which rules ignore\)/);
});

test('malformed lines are skipped and counted with line numbers; repairs are warned; nothing crashes', async (t) => {
  const dir = smallFiles(t, {
    'events.jsonl': jsonl(
      { user_id: 'u1', id: 'e1', type: 'order_paid', ts: T, props: { amount: 30 } }, // 1
      { user_id: 'u1', id: 'e2', type: 'order_paid', ts: T / 1000, props: { amount: 5 } }, // 2 seconds
      'this is not json', // 3
      { id: 'e9', type: 'order_paid', ts: T }, // 4 no user
      { user_id: 'u1', id: 'e1', type: 'order_paid', ts: T, props: { amount: 30 } }, // 5 duplicate
      { user_id: 'u3', type: 'order_paid', ts: T, props: { amount: 5 } }, // 6 no id
      { user_id: 'u3', type: 'order_paid', props: { amount: 5 } }, // 7 no ts
      { user_id: 'u3', id: 'x', ts: T }, // 8 no type
      '[1, 2]', // 9
      '', // 10 blank
      { user_id: 'u4', id: 'e1', type: 'order_paid', ts: 'last tuesday' }, // 11
      { user_id: 'u4', id: 'e2', type: 'order_paid', ts: T, props: [1] }, // 12
      '{"user_id": "u5", "id": "e1", "type": "order_paid", "ts": 1700000000000', // 13 truncated
    ),
  });
  const { code, stdout, stderr } = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl',
    '--as-of', SMALL_AS_OF, '--json', 'summary.json', '--max-skipped', '100%'], { cwd: dir });
  assert.equal(code, 0, stderr);
  assert.deepEqual(readJsonLines(stdout), [
    { user_id: 'u1', tags: { buyer: true, spend: 35, promo: true } }, // the seconds were read as seconds
    { user_id: 'u3', tags: { buyer: true, spend: 5, promo: true } },
    { user_id: 'u4', tags: { buyer: true, spend: 0, promo: true } },
  ]);
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  const lines = (table) => Object.fromEntries(Object.entries(table).map(([k, v]) => [k, v.lines]));
  assert.deepEqual(lines(s.skipped.reasons), {
    invalid_json: [3, 13], no_user_id: [4], no_ts: [7], no_type: [8], not_an_object: [9], bad_ts: [11], duplicate_id: [5],
  });
  assert.equal(s.skipped.total, 8);
  assert.deepEqual(lines(s.warnings), { ts_in_seconds: [2], generated_id: [6], bad_props: [12] });
  assert.equal(s.events, 4);
  assert.match(stderr, /line 2: "ts" 1700000000 looks like seconds since 1970; read as 1700000000000 ms \(2023-11-14T22:13:20\.000Z\); kept/);
  assert.match(stderr, /line 3: not valid JSON \(.+\); skipped/);
  assert.match(stderr, /line 5: user u1 already has an event with id "e1" \(line 1\); skipped/);
  assert.match(stderr, /line 6: no "id"; using "gen-[0-9a-f]{8}", derived from type, ts and props, so an identical line repeated later counts once; kept/);
  assert.match(stderr, /line 7: no "ts"/);
  assert.match(stderr, /line 8: no "type"/);
});

test('only the first five lines of each problem are printed; the summary counts them all', async (t) => {
  const bad = Array.from({ length: 12 }, () => '{oops');
  const dir = smallFiles(t, { 'events.jsonl': jsonl(...bad, { user_id: 'u1', id: 'a', type: 'order_paid', ts: T }) });
  const { code, stderr } = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl',
    '--as-of', SMALL_AS_OF, '--max-skipped', '12'], { cwd: dir });
  assert.equal(code, 0, stderr);
  assert.equal(stderr.match(/^line \d+: not valid JSON/gm).length, 5);
  assert.match(stderr, /more lines with this problem \[invalid_json\] are only counted/);
  assert.match(stderr, / {8}12 {2}not valid JSON \[invalid_json\] {2}\(lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …\)/);
});

test('consent comes from a "consent" attribute when present; --default-consent covers the rest', async (t) => {
  const paid = (u) => ({ user_id: u, id: `${u}-1`, type: 'order_paid', ts: T, props: { amount: 10 } });
  const refund = (u) => ({ user_id: u, id: `${u}-2`, type: 'order_refunded', ts: T });
  const dir = smallFiles(t, {
    'events.jsonl': jsonl(
      paid('all'), refund('all'),
      { user_id: 'list', attributes: { consent: ['security'] } }, paid('list'), refund('list'),
      { user_id: 'obj', attributes: { consent: { marketing: false } } }, paid('obj'), refund('obj'),
      { user_id: 'odd', attributes: { consent: 'yes' } }, paid('odd'),
    ),
  });
  const args = ['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl', '--as-of', SMALL_AS_OF];
  const all = await runCli(args, { cwd: dir });
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(readJsonLines(all.stdout), [
    { user_id: 'all', tags: { buyer: true, spend: 10, refunder: true, promo: true } },
    { user_id: 'list', tags: { refunder: true } }, // security only: no personalization or marketing tags
    { user_id: 'obj', tags: { buyer: true, spend: 10, refunder: true } }, // everything but marketing
    { user_id: 'odd', tags: { buyer: true, spend: 10, promo: true } }, // unreadable: the default (all)
  ]);
  assert.match(all.stderr, /user odd: "consent" is "yes"; write a list of purposes/);

  const none = await runCli([...args, '--default-consent', 'security'], { cwd: dir });
  assert.equal(none.code, 0, none.stderr);
  assert.deepEqual(readJsonLines(none.stdout).map((l) => l.tags), [
    { refunder: true },
    { refunder: true },
    { refunder: true }, // the object only switches marketing off, on top of the default
    {},
  ]);
});

test('CSV without a map needs user_id, type and ts columns; quoted fields may hold commas and line breaks', async (t) => {
  const dir = smallFiles(t, {
    'events.csv': [
      'user_id,type,ts,amount,note',
      'u1,order_paid,2023-11-14T10:00:00Z,30,"hello, ""world"""',
      'u1,order_paid,1700000000,12,x', // seconds
      'u2,order_paid,,5,x', // no ts
      ',order_paid,1700000000000,5,x', // no user
      'u3,order_paid,1700000000000,7,"two',
      'lines"',
      'u3,order_paid', // short
      'u4,order_paid,1700000000000,1,"never closed',
      'u5,order_paid,1700000000000,2,x', // read again after the quote that never closes
      'u6,order_paid,1700000000000,3,x,extra', // an extra field: skipped, not shifted
      'u7,order_paid,2023-11-14T10:00:00,5Z,4,x', // an unquoted comma in a time: 6 fields
      'u7,order_paid,"2023-11-14T10:00:00,5Z",4,x', // the core reads ",5" fractions
      '',
    ].join('\n'),
    'nouser.csv': 'customer,type,ts\nu1,order_paid,1700000000000\n',
  });
  // --summary-json: the deprecated name of --json, still working.
  const { code, stdout, stderr } = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'events.csv',
    '--as-of', SMALL_AS_OF, '--summary-json', 'summary.json', '--max-skipped', '100%'], { cwd: dir });
  assert.equal(code, 0, stderr);
  assert.match(stderr, /--summary-json is deprecated; write --json FILE/);
  assert.deepEqual(readJsonLines(stdout), [
    { user_id: 'u1', tags: { buyer: true, spend: 42, promo: true } },
    { user_id: 'u3', tags: { buyer: true, spend: 7, promo: true } },
    { user_id: 'u5', tags: { buyer: true, spend: 2, promo: true } },
    { user_id: 'u7', tags: { buyer: true, spend: 4, promo: true } },
  ]);
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.deepEqual(Object.fromEntries(Object.entries(s.skipped.reasons).map(([k, v]) => [k, v.lines])),
    { no_ts: [4], no_user_id: [5], short_row: [8], unterminated_quote: [9], long_row: [11, 12] });
  assert.equal(s.skipped.total, 6);
  assert.deepEqual(s.warnings.ts_in_seconds.lines, [3]);

  const missing = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'nouser.csv', '--as-of', SMALL_AS_OF], { cwd: dir });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /lacks the column user_id; give --csv-map FILE/);
});

test('a CSV map names columns, formats, templates and cases; a map that does not fit the header is an error with its path', async (t) => {
  const map = {
    user_id: { column: 'Customer', type: 'integer' },
    id: { template: '{Invoice}/{$line}' },
    type: { column: 'Invoice', cases: [{ prefix: 'C', value: 'order_refunded' }], default: 'order_paid' },
    ts: { column: 'When', format: 'D/M/YYYY H:mm', zone: '+08:00' },
    props: { amount: { multiply: ['Qty', 'Price'], round: 2 } },
    attributes: { tier: { column: 'Tier', pick: 'last' } },
  };
  const dir = smallFiles(t, {
    'orders.csv': [
      'Invoice,Customer,When,Qty,Price,Tier',
      '1001,42.0,15/11/2023 8:05,3,0.1,silver',
      'C1002,42.0,16/11/2023 9:00,-1,0.1,gold',
      '1003,42.0,14/11/2023 9:00,2,abc,bronze', // not a number
      '1004,43.5,14/11/2023 9:00,1,1,gold', // not a whole user id
      '1005,44,31/02/2023 9:00,1,1,gold', // no such day
    ].join('\n'),
    'map.json': JSON.stringify(map),
    'badmap.json': JSON.stringify({ ...map, props: { amount: { column: 'Amount', type: 'number' } } }),
  });
  const { code, stdout, stderr } = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'orders.csv',
    '--csv-map', 'map.json', '--as-of', SMALL_AS_OF, '--json', 'summary.json', '--max-skipped', '3'], { cwd: dir });
  assert.equal(code, 0, stderr);
  // 0.3 paid (3 x 0.1 rounded to pence), a refund, tier from the latest line.
  assert.deepEqual(readJsonLines(stdout), [{ user_id: '42', tags: { buyer: true, spend: 0.3, gold: true, refunder: true, promo: true } }]);
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.deepEqual(Object.fromEntries(Object.entries(s.skipped.reasons).map(([k, v]) => [k, v.lines])),
    { bad_number: [4, 5], bad_ts: [6] });
  assert.match(stderr, /line 4: column Price is "abc", not a number; skipped/);

  const bad = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'orders.csv', '--csv-map', 'badmap.json',
    '--as-of', SMALL_AS_OF], { cwd: dir });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /the CSV map badmap\.json does not fit orders\.csv: \/props\/amount\/column: column "Amount" is not in the CSV header/);
});

test('batch size and worker threads never change the output', async (t) => {
  const events = [];
  for (let u = 0; u < 40; u++) {
    for (let k = 0; k <= u % 5; k++) {
      events.push({ user_id: `u${u}`, id: `e${k}`, type: k % 3 === 2 ? 'order_refunded' : 'order_paid', ts: T - k * DAY * 9, props: { amount: u + k } });
    }
  }
  events.reverse(); // out of order, users interleaved
  events.splice(10, 0, { user_id: 'u3', attributes: { tier: 'gold', consent: ['personalization'] } });
  const dir = smallFiles(t, { 'events.jsonl': jsonl(...events) });
  const base = ['tag', '--catalog', 'catalog.json', '--events', 'events.jsonl', '--as-of', SMALL_AS_OF, '--quiet'];
  const one = await runCli([...base, '--jobs', '1', '--batch', '1000'], { cwd: dir });
  const many = await runCli([...base, '--jobs', '3', '--batch', '2'], { cwd: dir });
  assert.equal(one.code, 0, one.stderr);
  assert.equal(many.code, 0, many.stderr);
  assert.equal(readJsonLines(one.stdout).length, 40);
  assert.equal(many.stdout, one.stdout);
  assert.equal(one.stderr, '', '--quiet prints nothing');
});

/** Runs the CLI with `input` on stdin; resolves { code, stdout, stderr }. */
function runCliWithStdin(args, input, { cwd = root } = {}) {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd, maxBuffer: 256 << 20, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The summary without what depends on the thread count and the clock. */
function comparableSummary(stderr) {
  return stderr.replace(/ in \d+\.\d s$/m, '').replace(/^ {2}time .*$/m, '');
}

test('threads split the log by user and never change the output, the problems reported or the summary', async (t) => {
  const lines = [];
  for (let u = 0; u < 30; u++) {
    for (let k = 0; k < 4; k++) {
      const ts = k === 3 && u % 4 === 0 ? Math.round((T - u * DAY) / 1000) : T - (u + k) * DAY; // some in seconds
      lines.push({ user_id: `u${u}`, id: `e${k % 3}`, type: k === 2 ? 'order_refunded' : 'order_paid', ts, props: { amount: u + k } });
    }
    if (u % 3 === 0) lines.push({ user_id: `u${u}`, type: 'order_paid', ts: T }); // no type problem: no id, generated
    if (u % 5 === 0) lines.push({ user_id: `u${u}`, id: 'x', ts: T }); // no type: skipped by the user's thread
    if (u % 7 === 0) lines.push('{"user_id": broken');                // not JSON: skipped by the first thread
    if (u % 6 === 0) lines.push({ id: 'y', type: 'order_paid', ts: T }); // no user
    if (u % 8 === 0) lines.push({ user_id: `u${u}`, attributes: { consent: 'yes' } });
    // Lines a thread may pass over unparsed (quickUserOfLine) and lines it must not:
    if (u % 9 === 0) lines.push(`{"user_id":"u${u}" broken`); // starts like u's line, not JSON: reported once, by u's thread
    if (u % 10 === 0) lines.push(`{"user_id":"u${u}","user_id":"u${u + 1}","id":"k${u}","type":"order_paid","ts":${T}}`); // the last key wins
    if (u % 11 === 0) lines.push(`{"user_id":"u${u}","user\\u005fid":"u${u + 2}","id":"m${u}","type":"order_paid","ts":${T}}`); // so does an escaped one
    if (u % 4 === 1) lines.push(`{"user_id":${1000 + u},"id":"n${u}","type":"order_paid","ts":${T}}`); // a numeric id
    if (u % 12 === 1) lines.push(`{"user_id":1.0,"id":"f${u}","type":"order_paid","ts":${T}}`); // the user "1"
  }
  const dir = smallFiles(t, { 'events.jsonl': jsonl(...lines) });
  const base = ['tag', '--catalog', 'catalog.json', '--as-of', SMALL_AS_OF, '--max-skipped', '100%', '--batch', '4'];
  const runs = await Promise.all([
    runCli([...base, '--events', 'events.jsonl', '--jobs', '1', '--json', 'one.json'], { cwd: dir }),
    runCli([...base, '--events', 'events.jsonl', '--jobs', '3', '--json', 'three.json'], { cwd: dir }),
    runCliWithStdin([...base, '--events', '-', '--jobs', '1'], jsonl(...lines), { cwd: dir }),
    runCliWithStdin([...base, '--events', '-', '--jobs', '2'], jsonl(...lines), { cwd: dir }),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const [one, three, stdinOne, stdinTwo] = runs;
  assert.equal(readJsonLines(one.stdout).length, 30 + 8 + 1); // u0…u29, 1001…1029 (every 4th), "1"
  assert.ok(readJsonLines(one.stdout).some((r) => r.user_id === '1001'));
  assert.equal(three.stdout, one.stdout);
  assert.equal(stdinOne.stdout, one.stdout);
  assert.equal(stdinTwo.stdout, one.stdout);
  // Every kind of problem is there, in reading order, with the same counts and lines.
  for (const reason of ['duplicate_id', 'no_type', 'invalid_json', 'no_user_id', 'ts_in_seconds', 'generated_id', 'bad_consent']) {
    assert.match(one.stderr, new RegExp(`\\[${reason}\\]`), reason);
  }
  assert.match(one.stderr, /more lines with this problem \[duplicate_id\]/);
  assert.equal(comparableSummary(three.stderr), comparableSummary(one.stderr));
  assert.equal(comparableSummary(stdinTwo.stderr), comparableSummary(stdinOne.stderr));
  const summary = (file) => {
    const s = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    delete s.seconds;
    delete s.threads;
    return s;
  };
  assert.deepEqual(summary('three.json'), summary('one.json'));
  assert.equal(JSON.parse(readFileSync(join(dir, 'three.json'), 'utf8')).threads, 3);

  // CSV: short rows and unreadable cells are reported once, by the thread that owns the line.
  const csv = ['user_id,id,type,ts,amount'];
  for (let u = 0; u < 20; u++) {
    csv.push(`u${u},a${u},order_paid,${T - u * DAY},${u}`);
    if (u % 3 === 0) csv.push(`u${u},b${u},order_paid,soon,1`);
    if (u % 4 === 0) csv.push(`u${u},c${u},order_paid`);
    if (u % 5 === 0) csv.push(`,d${u},order_paid,${T},1`);
    if (u % 6 === 0) csv.push(`u${u},a${u},order_paid,${T},2`);
  }
  writeFileSync(join(dir, 'events.csv'), `${csv.join('\n')}\n`);
  const [csvOne, csvThree] = await Promise.all(['1', '3'].map((jobs) => runCli(
    [...base, '--events', 'events.csv', '--jobs', jobs], { cwd: dir })));
  assert.equal(csvOne.code, 0, csvOne.stderr);
  assert.equal(csvThree.code, 0, csvThree.stderr);
  assert.equal(csvThree.stdout, csvOne.stdout);
  for (const reason of ['bad_ts', 'short_row', 'no_user_id', 'duplicate_id']) assert.match(csvOne.stderr, new RegExp(`\\[${reason}\\]`), reason);
  assert.equal(comparableSummary(csvThree.stderr), comparableSummary(csvOne.stderr));

  // Over --max-skipped before tagging: the same refusal with every thread count.
  const strict = ['tag', '--catalog', 'catalog.json', '--as-of', SMALL_AS_OF, '--events', 'events.jsonl', '--max-skipped', '2'];
  const [failOne, failThree] = await Promise.all(['1', '3'].map((jobs) => runCli([...strict, '--jobs', jobs], { cwd: dir })));
  assert.equal(failOne.code, 1);
  assert.equal(failThree.code, 1);
  assert.equal(failThree.stdout, '');
  assert.equal(failThree.stderr, failOne.stderr);
});

test('a catalog with errors is refused with every error and its path (exit 1)', async (t) => {
  const dir = smallFiles(t, {
    'bad.json': JSON.stringify({ tagwise: 1, tags: [
      { id: 'a', when: { evnets: [{ type: 'x' }] } },
      { id: 'a', when: true },
    ] }),
    'broken.json': '{"tagwise": 1, "tags": [\n  {"id": "a",}\n]}\n',
    'events.jsonl': jsonl({ user_id: 'u1', id: 'e1', type: 'order_paid', ts: T }),
  });
  const bad = await runCli(['tag', '--catalog', 'bad.json', '--events', 'events.jsonl', '--as-of', SMALL_AS_OF], { cwd: dir });
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /the catalog bad\.json has 2 errors:/);
  assert.match(bad.stderr, /\/tags\/0\/when\/evnets: unknown operator "evnets"; did you mean "events"\? \[unknown_operator\]/);
  assert.match(bad.stderr, /\/tags\/1\/id: .* \[duplicate_id\]/);

  const broken = await runCli(['tag', '--catalog', 'broken.json', '--events', 'events.jsonl', '--as-of', SMALL_AS_OF], { cwd: dir });
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /--catalog broken\.json is not valid JSON at line 2, column \d+/);

  const missing = await runCli(['tag', '--catalog', 'bad.json', '--events', 'nothere.jsonl', '--as-of', SMALL_AS_OF], { cwd: dir });
  assert.equal(missing.code, 1);
});

test('a missing events file is an error (exit 1)', async (t) => {
  const dir = smallFiles(t, {});
  const r = await runCli(['tag', '--catalog', 'catalog.json', '--events', 'nothere.jsonl', '--as-of', SMALL_AS_OF], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot read --events nothere\.jsonl: no such file/);
});

test('command-line mistakes print the usage text and exit with 2', async () => {
  // Without a command the main usage (every command) is shown.
  for (const [args, message] of [[[], /no command given/], [['tagg'], /unknown command "tagg" \(the commands are "tag", "hints", "eval" and "sql"\)/]]) {
    const r = await runCli(args);
    assert.equal(r.code, 2);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: tagwise <command> \[options\]/);
    assert.equal(r.stdout, '');
  }
  const cases = [
    [['tag', '--catalgo', 'x'], /unknown option --catalgo \(did you mean --catalog\?\)/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl'], /--as-of is required/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', 'yesterday'], /--as-of "yesterday" is not a time/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-02-30'], /--as-of "2011-02-30" is not a time/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-12-10T00:00:00 Z'], /--as-of "2011-12-10T00:00:00 Z" is not a time/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-12-10', '--max-skipped', 'lots'], /--max-skipped is a number of lines/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-12-10', '--max-skipped', '101%'], /--max-skipped is a number of lines/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-12-10', '--json', 'a', '--summary-json', 'b'], /--summary-json and --json are the same option/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-12-10', '--batch', '0'], /--batch is a whole number/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-12-10', '--format', 'xml'], /--format is jsonl or csv/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-12-10', '--default-consent', 'ads'], /"ads" is not a purpose/],
    [['tag', '--catalog', 'c.json', '--events', 'e.jsonl', '--as-of', '2011-12-10', 'extra'], /unexpected argument "extra"/],
    [['tag', '--catalog'], /--catalog needs a value/],
  ];
  const results = await Promise.all(cases.map(([args]) => runCli(args)));
  for (const [i, [args, message]] of cases.entries()) {
    const r = results[i];
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: tagwise tag --catalog FILE --events FILE --as-of TIME/);
    assert.equal(r.stdout, '');
  }
  const help = await runCli(['tag', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: tagwise tag/);
  assert.match(help.stdout, /--csv-map FILE/);
});

test('the package declares the tagwise bin and ships the CLI modules', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.bin.tagwise, 'js/cli.js');
  assert.ok(pkg.files.includes('js/cli/*.js'));
  assert.match(readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});
