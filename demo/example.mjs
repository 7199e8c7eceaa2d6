// A small example (the demo shop is the README's main job): compile a few of the
// operators' tag rules once and evaluate them on sample users, printed as a table.
// Uses the npm package exactly as a shop's Node code would.
import { createTagwise } from 'tagwise';

const DAY = 86_400_000;
const now = Date.parse('2026-11-23T12:00:00Z');

// Rules as operators (运营) write them: readable text, compiled to canonical JSON.
const tags = [
  ['高活跃用户', 'events(order_paid, within 30d) >= 5'],
  ['高价值流失风险', 'days_since(last_login) > 30 and lifetime_spend > 200'],
  ['高意向未转化', 'events(page_view, within 7d) >= 3 and not events(order_paid, within 7d)'],
  ['新用户', 'days_since(signup_at) <= 7'],
];

const tw = await createTagwise({ clock: () => now });
const rules = tags.map(([, text]) => tw.parseRuleText(text));
const set = tw.compileRules(rules);

function events(type, ...daysAgo) {
  return daysAgo.map((d, i) => ({ id: `${type}-${d}-${i}`, type, ts: now - d * DAY, props: {} }));
}
const users = [
  { name: '小王 (frequent buyer)', data: { last_login: now - 1 * DAY, lifetime_spend: 880, signup_at: now - 400 * DAY },
    events: events('order_paid', 1, 3, 5, 9, 14, 22) },
  { name: 'Alice (lapsed VIP)', data: { last_login: now - 45 * DAY, lifetime_spend: 1250, signup_at: now - 900 * DAY },
    events: events('order_paid', 50, 80) },
  { name: '李雷 (browsing, not buying)', data: { last_login: now, lifetime_spend: 0, signup_at: now - 3 * DAY },
    events: events('page_view', 0.2, 1, 2, 6) },
  { name: 'Bob (quiet)', data: { last_login: now - 10 * DAY, lifetime_spend: 60, signup_at: now - 200 * DAY },
    events: [] },
];

const rows = users.map((u) => {
  const [results] = set.evaluateMany([u.data], { now, profile: { events: u.events } });
  return [u.name, ...results.map((r) => (r === true ? '✔' : r instanceof Error ? `error: ${r.code}` : '·'))];
});

// A small fixed-width table; CJK characters take two columns in a terminal.
const wide = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/;
const width = (s) => [...String(s)].reduce((w, ch) => w + (wide.test(ch) ? 2 : 1), 0);
const pad = (s, n) => s + ' '.repeat(Math.max(0, n - width(s)));
const header = ['user', ...tags.map(([name]) => name)];
const cols = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
const line = (cells) => cells.map((c, i) => pad(String(c), cols[i])).join(' │ ');
console.log('tagwise example — tag rules compiled once, evaluated per user\n');
tags.forEach(([name, text]) => console.log(`  ${pad(name, 16)} ${text}`));
console.log('\n' + line(header));
console.log(cols.map((n) => '─'.repeat(n)).join('─┼─'));
rows.forEach((r) => console.log(line(r)));
set.dispose();
