// Recommendations end to end, as a shop would run them: an order log is
// turned into a hint file by the `tagwise hints` command, and the npm
// package recommends from it for three visitors. Run by tools/main.sh after
// demo/example.mjs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTagwise } from 'tagwise';

const DAY = 86_400_000;
const now = Date.parse('2026-11-23T12:00:00Z');

// A 发卡网-style shop: game top-up cards, gift cards, memberships.
const ITEMS = [
  ['steam-50', 'Steam 充值卡 ¥50', '游戏点卡', 50],
  ['steam-100', 'Steam 充值卡 ¥100', '游戏点卡', 100],
  ['genshin-moon', '原神 空月祝福', '游戏点卡', 30],
  ['honor-600', '王者荣耀 600 点券', '游戏点卡', 60],
  ['jd-100', '京东E卡 ¥100', '礼品卡', 100],
  ['apple-100', 'App Store 充值卡 ¥100', '礼品卡', 100],
  ['netflix-1m', 'Netflix 1 month', '会员', 45],
  ['iqiyi-vip', '爱奇艺 VIP 月卡', '会员', 25],
];

// Deterministic order log: who buys what with what (seeded, no Math.random).
function orderLog() {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const baskets = [
    [['steam-50', 'steam-100'], 'CN'], [['genshin-moon', 'honor-600'], 'CN'], [['jd-100', 'iqiyi-vip'], 'CN'],
    [['apple-100', 'netflix-1m'], 'US'], [['steam-50', 'genshin-moon'], 'CN'], [['netflix-1m'], 'US'],
  ];
  const lines = [];
  for (let u = 0; u < 400; u++) {
    const [items, country] = baskets[Math.floor(rand() * baskets.length)];
    const day = 60 - Math.floor(rand() * 60);
    for (const item of items) {
      lines.push(JSON.stringify({ user_id: `u${u}`, type: 'purchase', ts: now - day * DAY, props: { item, order: `o${u}`, country } }));
    }
  }
  return lines.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'tagwise-demo-'));
writeFileSync(join(dir, 'orders.jsonl'), orderLog());
writeFileSync(join(dir, 'items.jsonl'), ITEMS.map(([item, name, category, price]) => JSON.stringify({ item, name, category, price })).join('\n'));
const cli = new URL('../js/cli.js', import.meta.url).pathname;
execFileSync(process.execPath, [cli, 'hints', '--events', join(dir, 'orders.jsonl'), '--items', join(dir, 'items.jsonl'),
  '--segment', 'country=props.country', '--out', join(dir, 'shop.twh'), '--quiet']);
const bytes = readFileSync(join(dir, 'shop.twh'));

function why(r) {
  const reason = r.reasons.find((x) => x.code !== 'personalization_off') ?? r.reasons[0];
  const off = r.reasons[0].code === 'personalization_off' ? ' (personalisation off)' : '';
  switch (reason.code) {
    case 'similar': return `similar to ${reason.item}${off}`;
    case 'bought_together': return `bought together with ${reason.item}${off}`;
    case 'segment': return `popular in ${reason.key}=${reason.value}${off}`;
    default: return `${reason.code}${off}`;
  }
}

async function show(title, setup, options = {}) {
  const tw = await createTagwise({ clock: () => now, ...options });
  tw.loadHints(bytes);
  setup(tw);
  console.log(`\n${title}`);
  for (const r of tw.recommend({ k: 3 })) console.log(`  ${r.name.padEnd(24)} ${why(r)}`);
}

console.log('\nRecommendations from a hint file built by `tagwise hints` (8 items, 400 orders):');
await show('新访客 from China (no events: the fallback chain starts with the CN list)',
  (tw) => tw.setProfile({ user_id: 'v1', attributes: { country: 'CN' }, events: [] }));
await show('A visitor who just bought a Steam card',
  (tw) => tw.track({ type: 'purchase', ts: now - 60_000, props: { item: 'steam-50' } }));
await show('The same visitor with personalisation switched off',
  (tw) => tw.track({ type: 'purchase', ts: now - 60_000, props: { item: 'steam-50' } }),
  { purposes: ['necessary'] });
