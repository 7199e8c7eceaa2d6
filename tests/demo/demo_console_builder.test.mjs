// The console's rule builder in headless Chromium: a rule built by clicks and
// typing only previews the same coverage as `tagwise tag` (the CLI) on the
// same customers; the visual tree, the JSON and the text form stay in sync
// both ways; validation problems land on the row they concern; rows reorder
// by keyboard and by dragging; a matching customer's explanation renders; the
// tab fits a 375 px screen.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createTagwise } from 'tagwise';
import { createDemoServer } from '../../demo/server.mjs';
import { REPO, launchBrowser, openPage } from '../browser/support.mjs';

const run = promisify(execFile);
let server;
let browser;
let page;
let problems;
let tmp;

before(async () => {
  server = await createDemoServer({ port: 0 });
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser.context, `${server.url}console`, { waitFor: () => document.body.dataset.ready === 'true' }));
  await page.waitForSelector('.rb-preview[data-state=ready]');
  tmp = mkdtempSync(join(tmpdir(), 'tagwise-builder-'));
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const rootHead = '.rb-root > .rb-group-head';
const row = (i) => page.locator('.rb-root > .rb-list > .rb-node').nth(i);
/** A row's or group's own button (not those of the rows inside a group). */
const own = (node, selector) => node.locator(`:scope > .rb-row ${selector}, :scope > .rb-group-head ${selector}`);
const jsonOf = async () => JSON.parse(await page.inputValue('#rb-json'));
/** Waits until the preview has run on the current rule, then reads the coverage the page shows. */
async function coverage() {
  await page.waitForSelector('.rb-preview[data-state=ready]');
  const text = await page.textContent('.rb-coverage');
  const m = /(\d+) \/ (\d+)/.exec(text);
  assert.ok(m, text);
  return { matched: Number(m[1]), total: Number(m[2]) };
}

test('a rule built by clicks and typing previews the same coverage as the CLI', async () => {
  await page.selectOption('#rb-tag', '__new__');
  await page.fill('#rb-new-id', 'uk_repeat');
  await page.fill('#rb-new-name', '英国复购客户');

  // Row 1: distinct paid orders in the last 90 days >= 3.
  await page.click(`${rootHead} [data-add=row]`);
  await row(0).locator('[data-fkey$=":leftKind"]').selectOption('events');
  await row(0).locator('[data-fkey$=":type"]').fill('order_paid');
  await row(0).locator('[data-fkey$=":agg"]').selectOption('distinct');
  await row(0).locator('[data-fkey$=":field"]').fill('order');
  await row(0).locator('[data-fkey$=":within"]').fill('90d');
  await row(0).locator('[data-fkey$=":op"]').selectOption('>=');
  await row(0).locator('[data-fkey$=":value"]').fill('3');
  // Row 2: country == United Kingdom (an attribute row is the default).
  await page.click(`${rootHead} [data-add=row]`);
  await row(1).locator('[data-fkey$=":name"]').fill('country');
  await row(1).locator('[data-fkey$=":value"]').fill('United Kingdom');

  const expected = { and: [
    { '>=': [{ events: [{ type: 'order_paid', within: '90d', agg: 'distinct', field: 'order' }] }, 3] },
    { '==': [{ var: 'country' }, 'United Kingdom'] },
  ] };
  assert.deepEqual(await jsonOf(), expected);
  assert.equal(await page.inputValue('#rb-text'),
    'events(order_paid, within 90d, agg distinct of order) >= 3 and country == "United Kingdom"');
  // And in plain words for whoever reads the rule rather than its rows.
  assert.equal(await page.textContent('#rb-summary'), '90 天内下单的不同 order 数 ≥ 3 且 country = "United Kingdom"');
  const shown = await coverage();

  // Apply, then tag the same customers with the applied catalog through the CLI.
  assert.equal(await page.isDisabled('#rb-apply'), false);
  await page.click('#rb-apply');
  const catalog = await page.evaluate(() => window.__console.getCatalog());
  assert.deepEqual(catalog.tags.find((g) => g.id === 'uk_repeat').when, expected);
  const file = join(tmp, 'catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  const asOf = await page.evaluate(() => window.__console.asOf);
  const { stdout } = await run(process.execPath, [join(REPO, 'js/cli.js'), 'tag', '--catalog', file,
    '--events', join(REPO, 'build-demo/customers.jsonl'), '--as-of', String(asOf), '--quiet'], { maxBuffer: 64 << 20 });
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  const cli = lines.filter((l) => 'uk_repeat' in l.tags).length;
  assert.equal(shown.total, lines.length);
  assert.equal(shown.matched, cli);
  assert.ok(cli > 0 && cli < lines.length, `non-trivial coverage: ${cli} of ${lines.length}`);
  // The tag is now a catalog tag, selected in the list.
  assert.equal(await page.inputValue('#rb-tag'), 'uk_repeat');
});

test('the plain-language summary says each kind of row in Chinese and English', async () => {
  const { treeFromRule } = await import('../../demo/console/public/builder-model.js');
  const { summaryOf } = await import('../../demo/console/public/builder-summary.js');
  const say = (rule, lang) => summaryOf(treeFromRule(rule), lang);
  const twice = { '>=': [{ events: [{ type: 'order_paid', within: '30d' }] }, 2] };
  assert.equal(say(twice, 'zh'), '30 天内下单 ≥ 2 次');
  assert.equal(say(twice, 'en'), 'number of orders in 30 days ≥ 2');
  const lapsed = { and: [{ '>': [{ days_since: [{ events: [{ type: 'order_paid', agg: 'last_ts' }] }] }, 30] },
    { '>': [{ events: [{ type: 'order_paid', agg: 'sum', field: 'amount' }] }, 200] }] };
  assert.equal(say(lapsed, 'zh'), '距最近一次下单的天数 > 30 且 下单的 amount 合计 > 200');
  assert.equal(say({ '!': [{ or: [{ tag: ['vip'] }, { in: [{ var: 'country' }, ['France', 'Spain']] }] }] }, 'zh'),
    '不满足（持有标签 vip 或 country 属于 ["France", "Spain"]）');
  assert.equal(say({ '>=': [{ events: [{ type: 'view', within: '7d', where: { in: ['MUG', { var: 'description' }] } }] }, 3] }, 'zh'),
    '7 天内浏览（description ∋ "MUG"） ≥ 3 次');
});

test('a bad window marks its row and box invalid with the message, in the UI\'s language', async () => {
  await row(0).locator('[data-fkey$=":within"]').fill('7x');
  await page.waitForSelector('.rb-root > .rb-list > .rb-node[aria-invalid=true]');
  assert.equal(await row(0).getAttribute('aria-invalid'), 'true');
  assert.equal(await row(1).getAttribute('aria-invalid'), null);
  const within = row(0).locator('[data-fkey$=":within"]');
  assert.equal(await within.getAttribute('aria-invalid'), 'true');
  const message = await row(0).locator('.rb-msg').textContent();
  // In the UI's language (demo/console/public/engine-text.js), with the value and the path.
  assert.match(message, /“7x” 不是时间窗口：请写成数字加单位/);
  assert.doesNotMatch(message, /is not a duration/);
  assert.match(message, /\/and\/0\/>=\/0\/events\/0\/within/);
  assert.match(await page.textContent('.rb-problems'), /bad_duration/);
  assert.equal(await page.isDisabled('#rb-apply'), true);
  await page.waitForSelector('.rb-preview[data-state=blocked]');
  // Fixing it clears the mark.
  await within.fill('90d');
  await page.waitForFunction(() => !document.querySelector('.rb-tree [aria-invalid]'));
  assert.equal((await coverage()).matched > 0, true);
});

test('a count compared with text that is not a number is an error on its row, in the UI\'s language', async () => {
  const value = row(0).locator('[data-fkey$=":value"]');
  await value.fill('two');
  await page.waitForSelector('.rb-root > .rb-list > .rb-node[aria-invalid=true]');
  const problems = await page.textContent('.rb-problems');
  assert.match(problems, /wrong_value_type/);
  assert.match(problems, /"two" 不是数字/);
  assert.equal(await page.isDisabled('#rb-apply'), true);
  await page.waitForSelector('.rb-preview[data-state=blocked]');
  // Numeric text is a number to JsonLogic: "3" is fine, and the mark goes.
  await value.fill('3');
  await page.waitForFunction(() => !document.querySelector('.rb-tree [aria-invalid]'));
  assert.doesNotMatch(await page.textContent('.rb-problems'), /wrong_value_type/);
});

test('the keyboard move buttons and dragging reorder rows, and the JSON follows', async () => {
  const firstOp = async () => Object.keys((await jsonOf()).and[0])[0];
  assert.equal(await firstOp(), '>=');
  // Keyboard: focus row 2's "move up" and press Enter.
  await own(row(1), '[data-move=up]').focus();
  await page.keyboard.press('Enter');
  assert.equal(await firstOp(), '==');
  assert.equal(await own(row(0), '[data-move=up]').getAttribute('aria-disabled'), 'true'); // nowhere further up
  assert.equal(await page.evaluate(() => document.activeElement.dataset.move), 'up'); // focus followed the row
  // Focus stays on the moved row's button, so pressing again is a no-op at the top... and "down" moves back.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.equal(await firstOp(), '>=');

  // Regroup: add a group, move the country row into it, then out again.
  await page.click(`${rootHead} [data-add=group]`);
  const json1 = await jsonOf();
  assert.equal(json1.and.length, 3);
  await own(row(2), '[data-move=up]').click(); // group above the country row
  await own(row(2), '[data-move=in]').click(); // country row into the group
  let json = await jsonOf();
  assert.equal(json.and.length, 2);
  assert.deepEqual(json.and[1].or[1], { '==': [{ var: 'country' }, 'United Kingdom'] });
  await own(row(1).locator('.rb-list > .rb-node').nth(1), '[data-move=out]').click();
  json = await jsonOf();
  assert.deepEqual(json.and[2], { '==': [{ var: 'country' }, 'United Kingdom'] });
  await own(row(1), '.rb-remove').click(); // remove the (now one-row) group
  assert.deepEqual(Object.keys((await jsonOf()).and[1]), ['==']);

  // Drag: row 2's handle onto row 1.
  await own(row(1), '.rb-handle').dragTo(row(0), { targetPosition: { x: 20, y: 5 } });
  await page.waitForFunction(() => Object.keys(window.__builder.rule().and[0])[0] === '==');
  assert.equal(await firstOp(), '==');
  assert.match(await page.inputValue('#rb-text'), /^country == "United Kingdom" and events/);
});

test('editing the JSON rebuilds the tree; editing the text form rewrites the JSON', async () => {
  await page.fill('#rb-json', JSON.stringify({ or: [
    { '==': [{ var: 'country' }, 'France'] },
    { events: [{ type: 'order_refunded', agg: 'exists' }] },
  ] }));
  await page.waitForFunction(() => document.querySelector('.rb-root [data-fkey$=":op"]')?.value === 'or');
  assert.equal(await page.locator('.rb-root > .rb-list > .rb-node').count(), 2);
  assert.equal(await row(0).locator('[data-fkey$=":value"]').inputValue(), 'France');
  assert.equal(await row(1).locator('[data-fkey$=":type"]').inputValue(), 'order_refunded');
  assert.equal(await row(1).locator('[data-fkey$=":op"]').inputValue(), 'truthy');
  assert.equal(await page.inputValue('#rb-text'), 'country == "France" or events(order_refunded, agg exists)');
  assert.equal(await page.textContent('#rb-summary'), 'country = "France" 或 有退款');

  const tw = await createTagwise();
  const text = 'events(order_paid, within 30d, where category == "MUG") >= 2 and country != "Germany"';
  await page.fill('#rb-text', text);
  await page.waitForFunction(() => document.querySelector('#rb-json').value.includes('MUG'));
  assert.deepEqual(await jsonOf(), tw.parseRuleText(text));
  assert.equal(await row(0).locator('[data-fkey$=":whereValue"]').inputValue(), 'MUG');
  assert.equal(await row(1).locator('[data-fkey$=":op"]').inputValue(), '!=');

  // A text that does not parse: error with its line:column, the last good tree stays.
  await page.fill('#rb-text', 'country ==');
  await page.waitForSelector('#rb-text-error:not([hidden])');
  assert.match(await page.textContent('#rb-text-error'), /1:11/);
  assert.equal(await row(0).locator('[data-fkey$=":whereValue"]').inputValue(), 'MUG');
  assert.equal(await page.isDisabled('#rb-apply'), true);
  // Fixed: the error goes as soon as the text parses.
  await page.fill('#rb-text', 'country == "France"');
  await page.waitForSelector('#rb-text-error', { state: 'hidden' });
  await page.fill('#rb-text', text);
  await page.waitForFunction(() => document.querySelector('#rb-json').value.includes('MUG'));
  // Bad JSON: same.
  await page.fill('#rb-json', '{"and": [');
  await page.waitForSelector('#rb-json-error:not([hidden])');
  assert.match(await page.textContent('#rb-json-error'), /JSON/);
  assert.equal(await page.locator('.rb-root > .rb-list > .rb-node').count(), 2);

  // A rule the builder cannot show as rows stays editable as JSON, with a notice.
  await page.fill('#rb-json', JSON.stringify({ and: [{ '>': [{ '+': [{ var: 'a' }, 1] }, 2] }, { '==': [{ var: 'country' }, 'France'] }] }));
  await page.waitForSelector('.rb-raw');
  assert.equal(await page.isHidden('#rb-json-error'), true, 'the JSON parses now: its error is gone');
  assert.equal(await page.isHidden('.rb-notice'), false);
  assert.equal(await page.locator('.rb-cond').count(), 1);
});

test('clicking a matching customer shows the explanation', async () => {
  await page.fill('#rb-text', 'events(order_paid, within 90d, agg distinct of order) >= 3 and country == "United Kingdom"');
  await page.waitForFunction(() => document.querySelector('#rb-json').value.includes('"order"'));
  const { matched } = await coverage();
  assert.ok(matched > 0);
  const user = await page.locator('.rb-user').first().textContent();
  await page.locator('.rb-user').first().click();
  await page.waitForSelector(`.rb-preview[data-explained="${user}"]`);
  assert.equal(await page.getAttribute('.rb-explain [data-holds]', 'data-holds'), 'true');
  const trace = await page.textContent('.rb-trace');
  assert.match(trace, /events\(order_paid, within 90d, agg distinct of order\)/);
  assert.match(trace, /\d+ events matched|匹配 \d+ 个事件/);
});

test('the sample counts orders as the shop records them: 订单数 is distinct paid invoices, and order_paid ≥ N matches exactly those', async () => {
  // Independently of the demo's data builder: distinct paid invoices before the
  // console's as-of, per sampled customer, from the raw file.
  const { AS_OF, RAW } = await import('../../demo/data/build.mjs');
  const { forEachRawRecord, parseInvoiceDate } = await import('../../tools/retail/to_events.mjs');
  const meta = JSON.parse(await readFile(join(REPO, 'build-demo/customers.json'), 'utf8'));
  const sampled = new Set(meta.users);
  const invoices = new Map(meta.users.map((u) => [u, new Set()]));
  await forEachRawRecord(RAW, (fields) => {
    const user = fields[6]?.trim() ? String(Math.trunc(Number(fields[6]))) : null;
    if (!sampled.has(user) || fields[0].startsWith('C') || !(parseInvoiceDate(fields[4]) < AS_OF)) return;
    invoices.get(user).add(fields[0]);
  });
  const orders = (u) => invoices.get(u).size;
  assert.equal(orders('12364'), 3, 'customer 12364 placed 3 orders before the as-of (58 invoice lines)');

  const shownFor = async (min) => {
    await page.fill('#rb-text', `events(order_paid) >= ${min}`);
    await page.waitForFunction((m) => document.querySelector('#rb-json').value.includes(`${m}`)
      && document.querySelector('.rb-preview').dataset.state === 'ready', min);
    const { matched } = await coverage();
    const rows = await page.$$eval('.rb-users tbody tr', (trs) => trs.map((tr) => ({
      user: tr.querySelector('.rb-user').textContent, orders: Number(tr.querySelector('[data-field=orders]').textContent),
    })));
    return { matched, rows };
  };
  let previous = Infinity;
  for (const min of [2, 3]) {
    const { matched, rows } = await shownFor(min);
    const expected = meta.users.filter((u) => orders(u) >= min).length;
    assert.equal(matched, expected, `order_paid >= ${min}`);
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.equal(r.orders, orders(r.user), `订单数 of ${r.user}`);
      assert.ok(r.orders >= min, `${r.user} matched order_paid >= ${min} with ${r.orders} orders`);
    }
    assert.ok(matched < previous, 'raising the threshold lowers the coverage');
    previous = matched;
  }
});

test('a catalog replaced elsewhere (another tab, a loaded file) refreshes the tag list', async () => {
  assert.equal(await page.textContent('.rb-editor h3'), '可视化规则'); // Chinese by default
  await page.evaluate(() => {
    const c = window.__console;
    const next = structuredClone(c.getCatalog());
    next.tags.push({ id: 'from_file', name: '来自文件', when: { tag: ['customer'] } });
    c.setCatalog(next, { source: 'file' });
  });
  await page.selectOption('#rb-tag', 'from_file');
  assert.equal(await row(0).locator('[data-fkey$=":leftKind"]').inputValue(), 'tag');
  assert.equal(await row(0).locator('[data-fkey$=":tagId"]').inputValue(), 'customer');
  assert.equal(await page.inputValue('#rb-text'), 'tag("customer")');
  const { matched } = await coverage();
  assert.ok(matched > 0);
});

test('the builder fits a 375 px screen without horizontal scrolling', async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.selectOption('#rb-tag', 'candle_light_fan');
  await page.waitForSelector('.rb-preview[data-state=ready]');
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `scrollWidth ${scroll} > ${client}`);
  assert.deepEqual(problems, []);
});

test('edits not applied come back after a reload as a draft; an applied rule stays applied', async () => {
  page.on('dialog', (dialog) => dialog.accept()); // "leave with edits not applied?"
  const reload = async () => {
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await page.waitForSelector('.rb-preview[data-state=ready]');
  };
  await page.selectOption('#rb-tag', 'candle_light_fan');
  await page.fill('#rb-text', 'country == "Japan"');
  await page.waitForFunction(() => document.querySelector('#rb-json').value.includes('Japan'));
  await page.evaluate(() => new Promise((resolve) => { setTimeout(resolve, 500); })); // the draft is written
  const asLeft = await jsonOf();

  await reload();
  await page.waitForSelector('#rb-draft:not([hidden])');
  assert.match(await page.textContent('#rb-draft'), /candle_light_fan/);
  assert.equal(await page.inputValue('#rb-tag'), 'candle_light_fan');
  assert.deepEqual(await jsonOf(), asLeft);
  assert.equal(await page.isDisabled('#rb-apply'), false);

  await page.click('#rb-apply');
  await reload();
  assert.equal(await page.isHidden('#rb-draft'), true, 'applied: no draft any more');
  const kept = await page.evaluate(() => window.__console.getCatalog().tags.find((g) => g.id === 'candle_light_fan').when);
  assert.deepEqual(kept, asLeft, 'the applied rule is still in the catalog after the reload');
  assert.match(await page.textContent('#console-status'), /保存在本浏览器/);

  // Back to the example catalog: the example's rule again, kept as such.
  await page.click('#catalog-reset');
  const example = await page.evaluate(() => window.__console.getCatalog().tags.find((g) => g.id === 'candle_light_fan').when);
  assert.notDeepEqual(example, asLeft);
  await reload();
  assert.deepEqual(await page.evaluate(() => window.__console.getCatalog().tags.find((g) => g.id === 'candle_light_fan').when), example);
  assert.deepEqual(problems, []);
});
