// Node's module keeps each session's last tags() / tagDecisions() answer
// (js/tags_kept.js): while the core's revision says the tags are unchanged,
// the core writes no tags and copies of the kept ones are answered. These
// also read the core's raw answers (tagsSince) through the embind session.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import createTagwiseModule from '../../js/dist/tagwise_wasm.mjs';
import { copyBytesIn } from '../../js/codec.js';
import { keepTagsAnswers } from '../../js/tags_kept.js';

const NODE = await readFile(new URL('../../js/dist/tagwise_wasm.wasm', import.meta.url));
const NOW = Date.UTC(2026, 10, 20);
const DAY = 86_400_000;
const ALL = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];

const CATALOG = {
  tagwise: 1,
  tags: [
    { id: 'buyer', name: '买家 "b"', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } },
    { id: 'browser', name: '浏览', when: { events: [{ type: 'view', within: '1d', agg: 'exists' }] } },
    { id: 'regular', name: '常客', parent: 'browser', when: { '>=': [{ events: [{ type: 'view', half_life: '7d' }] }, 0.5] } },
  ],
};

async function session() {
  const module = await createTagwiseModule({ wasmBinary: NODE });
  keepTagsAnswers(module);
  const s = new module.VisitorSession(JSON.stringify(ALL));
  const withText = (value, fn) => {
    const [ptr, len] = copyBytesIn(module, new TextEncoder().encode(JSON.stringify(value)));
    try {
      return fn(ptr, len);
    } finally {
      module._free(ptr);
    }
  };
  assert.equal(JSON.parse(withText(CATALOG, (p, n) => s.loadCatalog(p, n, NOW))).ok, true);
  const raw = [];
  const since = s.tagsSince.bind(s);
  s.tagsSince = (...args) => {
    const out = since(...args);
    raw.push(out);
    return out;
  };
  const track = (event) => JSON.parse(withText([event], (p, n) => s.track(p, n, true, NOW)));
  return { s, raw, track };
}

test('tags() after a track() that changes no tag answers the kept tags without the core writing them again', async () => {
  const { s, raw, track } = await session();
  assert.deepEqual(s.tagsAnswer(NOW, false).tags, []);
  assert.equal(track({ id: 'o1', type: 'order_paid', ts: NOW - DAY }).changes.entered[0], 'buyer');
  const bought = s.tagsAnswer(NOW, false);
  assert.match(raw.at(-1), /"tags":\[\{"id":"buyer"/);
  // A view: 浏览 and 常客 enter. A second view changes no decision.
  track({ id: 'v1', type: 'view', ts: NOW - 1000 });
  const viewed = s.tagsAnswer(NOW, false);
  assert.deepEqual(viewed.tags.map((t) => t.id), ['buyer', 'browser', 'regular']);
  assert.deepEqual(viewed.changes, { entered: [], left: [], changed: [] });  // track() reported them
  track({ id: 'v2', type: 'view', ts: NOW - 2000 });
  const again = s.tagsAnswer(NOW, false);
  assert.doesNotMatch(raw.at(-1), /"tags"/);  // nothing written: the kept answer
  assert.deepEqual(again.tags, viewed.tags);
  // Each answer equals the core's full answer at that time, in objects of its own.
  assert.deepEqual(again.tags, JSON.parse(s.tagsSince(NOW, false, -1)).tags);
  again.tags[0].name = 'changed by the caller';
  assert.equal(s.tagsAnswer(NOW, false).tags[0].name, '买家 "b"');
  assert.notDeepEqual(bought.tags, viewed.tags);
});

test('tags() and tagDecisions() keep their answers apart, and a change of source is a new answer', async () => {
  const { s, raw, track } = await session();
  track({ id: 'v1', type: 'view', ts: NOW });
  const held = s.tagsAnswer(NOW, false);
  const all = s.tagsAnswer(NOW, true);
  assert.equal(all.tags.length, 3);
  assert.deepEqual(s.tagsAnswer(NOW, false).tags, held.tags);
  assert.deepEqual(s.tagsAnswer(NOW, true).tags, all.tags);
  assert.doesNotMatch(raw.at(-1), /"tags"/);
  // Two days on, 浏览 holds through its child 常客 only: same membership and
  // value (no change reported), another source: answered in full.
  const later = s.tagsAnswer(NOW + 2 * DAY, false);
  assert.deepEqual(later.changes, { entered: [], left: [], changed: [] });
  assert.match(raw.at(-1), /"tags"/);
  assert.equal(later.tags.find((t) => t.id === 'browser').source, 'parentTag');
  assert.deepEqual(later.tags, JSON.parse(s.tagsSince(NOW + 2 * DAY, false, -1)).tags);
});
