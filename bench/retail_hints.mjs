// Shared by the recommendation benchmarks: a hint file built from
// ../shared/data/online-retail/interactions.csv with the package's own
// builder (wasm, the code behind `tagwise hints`), and visitors whose
// profiles hold the 50 most recent purchases of real long-history customers.
import { readFileSync } from 'node:fs';

import { copyBytesIn } from '../js/codec.js';
import { csvTextRecords } from '../js/cli/csv.js';
import { loadModule } from '../js/cli/module.js';

const CSV = new URL('../../shared/data/online-retail/interactions.csv', import.meta.url);

/** [{ user, item, ts (ms) }] in file order (time order). */
export function readInteractions() {
  const { records } = csvTextRecords(readFileSync(CSV, 'utf8'));
  return records.map(({ fields: [user, item, ts] }) => ({ user, item, ts: Number(ts) * 1000 }));
}

/** The hint file (Uint8Array) for the whole log, built in wasm. */
export async function buildHintFile(log) {
  const module = await loadModule();
  const builder = new module.HintBuilder();
  try {
    const configured = JSON.parse(builder.configure(JSON.stringify({ builtAt: 0 })));
    if (!configured.ok) throw new Error(JSON.stringify(configured.errors));
    const text = log.map((e) => JSON.stringify({ user_id: e.user, type: 'purchase', ts: e.ts, props: { item: e.item } })).join('\n');
    const [ptr, len] = copyBytesIn(module, new TextEncoder().encode(text));
    try {
      builder.addEvents(ptr, len, 1);
    } finally {
      module._free(ptr);
    }
    const r = JSON.parse(builder.build());
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return builder.bytes().slice();
  } finally {
    builder.delete();
  }
}

/** Profiles (snapshot JSON form) of `count` customers with at least 50 purchases: their 50 latest. */
export function fiftyEventProfiles(log, count = 64) {
  const byUser = new Map();
  for (const e of log) {
    if (!byUser.has(e.user)) byUser.set(e.user, []);
    byUser.get(e.user).push(e);
  }
  const profiles = [];
  for (const [user, list] of [...byUser].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (list.length < 50) continue;
    profiles.push({
      user_id: user,
      events: list.slice(-50).map((e, i) => ({ id: `${user}-${i}`, type: 'purchase', ts: e.ts, props: { item: e.item } })),
    });
    if (profiles.length === count) break;
  }
  return profiles;
}
