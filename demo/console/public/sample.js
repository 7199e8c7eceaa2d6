// The console's preview sample: real customers of the UCI Online Retail data
// (build-demo/customers.jsonl, built by demo/data/build.mjs), grouped into
// profiles the same way `tagwise tag` groups an event log: events in file
// order per user, attribute lines merged (later lines win).
export async function loadSample() {
  const [text, meta] = await Promise.all([
    fetch('/data/customers.jsonl').then((r) => r.text()),
    fetch('/data/customers.json').then((r) => r.json()),
  ]);
  return { profiles: groupEventLog(text), meta };
}

/** Profiles from a JSON Lines event log (no I/O, so Node tests group with it too). */
export function groupEventLog(text) {
  const byUser = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const v = JSON.parse(line);
    let p = byUser.get(v.user_id);
    if (!p) byUser.set(v.user_id, (p = { user_id: v.user_id, attributes: {}, events: [] }));
    if (v.attributes) Object.assign(p.attributes, v.attributes);
    if (v.type) p.events.push({ id: v.id, type: v.type, ts: v.ts, props: v.props });
  }
  return [...byUser.values()];
}
