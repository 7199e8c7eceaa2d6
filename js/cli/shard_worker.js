// A shard of `tagwise tag --jobs N` on a worker thread (js/cli/shard.js): its
// own wasm instance and catalog, its own reading of the log (the file itself,
// or stdin's chunks forwarded by the main thread), its own users.
// Messages out: {read: {skipped, users, tables}} once the log is read, then (after {go: true}
// from the main thread) {batch: {orders, text}} per batch, then
// {done: {tables, counts, users, events, afterAsOf}}; {failed: text} instead
// when something breaks. Messages in: {chunk} / {end} (stdin), {go}.
import { parentPort, workerData } from 'node:worker_threads';

import { createTagwise } from '../index.node.js';
import { compileCsvMap, defaultCsvMap } from './csv.js';
import { loadIsoParser } from './dates.js';
import { UserGroups } from './group.js';
import { readShard, tagShard } from './shard.js';
import { ShardReport } from './summary.js';

const w = workerData;

/** Chunks posted by the main thread, as an async iterable (stdin). */
function forwardedChunks() {
  const queue = [];
  let ended = false;
  let wake = null;
  parentPort.on('message', (m) => {
    if (m.chunk !== undefined) queue.push(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength));
    else if (m.end === true) ended = true;
    else return;
    wake?.();
  });
  return (async function* chunks() {
    for (;;) {
      if (queue.length > 0) yield queue.shift();
      else if (ended) return;
      else await new Promise((resolve) => { wake = resolve; });
    }
  }());
}

const go = new Promise((resolve) => {
  parentPort.on('message', (m) => {
    if (m.go !== undefined) resolve(m.go);
  });
});

try {
  const source = w.events === '-' ? forwardedChunks() : w.events;
  const tw = await createTagwise();
  const loaded = tw.loadCatalog(w.catalog, { now: w.asOfMs });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  const groups = new UserGroups();
  const position = { key: 0 };
  const report = new ShardReport(position);
  const read = await readShard({
    source,
    format: w.format,
    shard: w.shard,
    shards: w.shards,
    groups,
    report,
    position,
    asOfMs: w.asOfMs,
    parseIso: await loadIsoParser(),
    delimiter: w.delimiter,
    compileMap: (header) => compileCsvMap(w.mapSpec ?? defaultCsvMap(header), header),
  });
  parentPort.postMessage({ read: { skipped: report.skippedTotal, users: groups.size, tables: report.tables } });
  if (await go) {
    const counts = await tagShard({
      tw,
      groups,
      batch: w.batch,
      defaultPurposes: w.defaultPurposes,
      asOfMs: w.asOfMs,
      report,
      position,
      onBatch: (batch) => parentPort.postMessage({ batch }),
    });
    parentPort.postMessage({
      done: { tables: report.tables, counts, users: groups.size, events: groups.events, afterAsOf: read.afterAsOf },
    });
  }
} catch (e) {
  // The main thread reads the same log with the same map: a problem it
  // reports itself (a map that does not fit) is only repeated here.
  parentPort.postMessage({ failed: String(e?.message ?? e) });
}
