// The text of the page runtime's answers (tagwise/answer.h ObjectText): JS
// sees each object's keys in the order of the text, so that order is part of
// the API. These read the raw answers through the C ABI, before JSON.parse
// could hide a change of spacing or escaping.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import createTagwisePageModule from '../../js/dist/tagwise_page.mjs';
import { copyBytesIn } from '../../js/codec.js';
import { pageModuleApi } from '../../js/page_abi.js';

const PAGE = await readFile(new URL('../../js/dist/tagwise_page.wasm', import.meta.url));
const NOW = Date.UTC(2026, 10, 20);
const DAY = 86_400_000;
const ALL = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];

const CATALOG = {
  tagwise: 1,
  groups: [{ id: 'stage', name: '阶段', exclusive: true }],
  tags: [
    { id: 'buyer', name: '买家 "b"', when: { '>=': [{ events: [{ type: 'order_paid' }] }, 1] } },
    { id: 'prospect', name: '潜在客户', group: 'stage', priority: 1, when: true },
    { id: 'customer', name: '客户', group: 'stage', priority: 2, when: { tag: ['buyer'] } },
    { id: 'churn', name: '流失风险', source: 'server', ttl: '7d', purpose: 'analytics' },
  ],
};

async function session() {
  const api = pageModuleApi(await createTagwisePageModule({ wasmBinary: PAGE }));
  const s = new api.VisitorSession(JSON.stringify(ALL));
  // The session methods take (ptr, len) of UTF-8 text, as js/session.js passes them.
  const withText = (value, fn) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const [ptr, len] = copyBytesIn(api, new TextEncoder().encode(text));
    try {
      return fn(ptr, len);
    } finally {
      api._free(ptr);
    }
  };
  return { api, s, withText };
}

const keys = (o) => Object.keys(o);

test('answers list their fields in the documented order, not sorted', async () => {
  const { s, withText } = await session();
  const loaded = JSON.parse(withText(CATALOG, (p, n) => s.loadCatalog(p, n, NOW)));
  assert.deepEqual(keys(loaded), ['ok', 'errors', 'warnings', 'fingerprint', 'changes']);
  assert.deepEqual(keys(loaded.changes), ['entered', 'left', 'changed']);

  const profile = {
    user_id: 'u', as_of: NOW, tags: { churn: { value: 0.5 } },
    events: [{ id: 'e1', type: 'order_paid', ts: NOW - DAY }],
  };
  const set = JSON.parse(withText(profile, (p, n) => s.setProfile(p, n, 0, NOW)));
  assert.deepEqual(keys(set), ['ok', 'errors', 'warnings', 'pruned', 'changes']);
  assert.deepEqual(keys(set.pruned), ['events', 'rollups', 'serverTags']);

  const events = [{ id: 'e2', type: 'view', ts: NOW }, { id: 'e3' }];
  const tracked = JSON.parse(withText(events, (p, n) => s.track(p, n, false, NOW)));
  assert.deepEqual(keys(tracked), ['ok', 'added', 'duplicates', 'withheld', 'errors', 'warnings', 'changes']);
  assert.deepEqual(keys(tracked.errors[0]), ['code', 'path', 'message', 'severity']);

  const decisions = JSON.parse(s.tags(NOW, true)).tags;
  const decisionKeys = ['id', 'name', 'dimension', 'purpose', 'holds', 'value', 'source'];
  assert.deepEqual(keys(decisions[1]), [...decisionKeys, 'suppressedBy']);
  assert.deepEqual(keys(decisions[3]), [...decisionKeys, 'expiresAt']);

  withText(['necessary', 'analytics'], (p, n) => s.setPurposes(p, n, NOW, true, NOW));
  const info = JSON.parse(s.storeInfo());
  assert.deepEqual(keys(info), ['generation', 'generationAt', 'consent']);
  assert.deepEqual(keys(info.consent), ['purposes', 'updatedAt']);
  s.delete();
});

test('a failure is the exact envelope text, with the message escaped as JSON', async () => {
  const { s, withText } = await session();
  const catalog = { tagwise: 1, tags: [{ id: 'a', name: '甲', when: { tag: ['不"存在'] } }] };
  assert.equal(
    withText(catalog, (p, n) => s.loadCatalog(p, n, NOW)),
    '{"ok":false,"errors":[{"code":"unknown_tag","path":"/tags/0/when/tag/0",' +
      '"message":"there is no tag with id \\"不\\"存在\\"","severity":"error"}],"warnings":[]}',
  );
  assert.equal(withText('[]', (p, n) => s.setEventPurposes(p, n)), '{"ok":true}');
  s.delete();
});
