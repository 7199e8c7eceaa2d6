// Benchmark: batch tagging of a real shop's order log with WASM under Node —
// the path `tagwise tag` takes: parse the CSV (streamed) + group by user, then
// tag every user with examples/retail-catalog.json in batches (one call into
// wasm per batch). Also runs the CLI itself end to end, as a user would: on
// the CSV with worker threads (the default --jobs), with --jobs 1, and on the
// same log written as JSON Lines.
//
//   node bench/node/tag_retail.mjs [--runs 3] [--batch 25] [--csv PATH] [--catalog PATH]
//
// Data: ../shared/data/online-retail/online_retail.csv (541,909 lines, 4,372
// customers), read in place. Before timing, the run checks the parse (users,
// events) and that the in-process result equals the CLI's output line by
// line; a mismatch aborts. Prints the best of --runs per stage: wall
// seconds, events/s and users/s (and CPU seconds for the in-process stages,
// which other load on the machine disturbs less). A benchmark, not a test:
// nothing asserts a time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

import { createTagwise } from 'tagwise';
import { compileCsvMap, forEachCsvRecord } from '../../js/cli/csv.js';
import { UserGroups } from '../../js/cli/group.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '25' },
    csv: { type: 'string', default: join(root, '../shared/data/online-retail/online_retail.csv') },
    catalog: { type: 'string', default: join(root, 'examples/retail-catalog.json') },
    map: { type: 'string', default: join(root, 'examples/retail-csv-map.json') },
  },
});
const RUNS = Number(args.runs);
const BATCH = Number(args.batch);
const AS_OF_TEXT = '2011-12-10T00:00:00Z';
const AS_OF = Date.parse(AS_OF_TEXT);
const EXPECTED = { users: 4372, events: 406829 };

/** Stage 1: stream the CSV and group it by user (the CLI's reader, without its reporting). */
async function parseAndGroup() {
  const map = JSON.parse(readFileSync(args.map, 'utf8'));
  const groups = new UserGroups();
  let mapper = null;
  let skipped = 0;
  await forEachCsvRecord(args.csv, {
    delimiter: map.delimiter ?? ',',
    onHeader: (fields) => {
      mapper = compileCsvMap(map, fields);
    },
    onRecord: (fields, line) => {
      const row = mapper.map(fields, line);
      if (row.skip !== undefined) {
        skipped++;
        return;
      }
      const u = groups.user(row.userId);
      groups.setAttributes(u, row.attributes, row.ts, mapper.picks);
      groups.addEvent(u, { id: row.id, type: row.type, ts: row.ts, props: row.props }, line);
    },
  });
  return { groups, skipped };
}

/** Stage 2: tag every user, one tagProfiles call per batch (batches as the CLI cuts them). */
function tagAll(tw, groups) {
  const out = [];
  for (const batch of groups.batches(BATCH, 20_000)) {
    const profiles = batch.map((u) => ({ user_id: u.userId, attributes: u.attributes, events: u.events }));
    for (const r of tw.tagProfiles(profiles, { now: AS_OF })) out.push(r);
  }
  return out;
}

function runCli(outFile, events = args.csv, jobs = undefined) {
  const input = events.endsWith('.csv') ? ['--events', events, '--csv-map', args.map] : ['--events', events];
  execFileSync(process.execPath, [join(root, 'js/cli.js'), 'tag', '--catalog', args.catalog, ...input,
    '--as-of', AS_OF_TEXT, '--out', outFile, '--batch', String(BATCH), '--quiet',
    // A quarter of the retail log's lines have no CustomerID (guest purchases): skipped on purpose.
    '--max-skipped', '25%', ...(jobs ? ['--jobs', String(jobs)] : [])],
  { stdio: 'inherit' });
}

/** The same log as JSON Lines events with a user_id (what `tagwise tag` reads without a map). */
function writeJsonl(groups, file) {
  const lines = [];
  for (const u of groups.users.values()) {
    lines.push(JSON.stringify({ user_id: u.userId, attributes: u.attributes }));
    for (const e of u.events) lines.push(JSON.stringify({ user_id: u.userId, ...e }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function best(times) {
  return Math.min(...times);
}

function line(name, secs, users, events, cpu) {
  const rate = (n) => Math.round(n / secs).toLocaleString('en-US').padStart(10);
  const cpuText = cpu === undefined ? '' : `   (${cpu.toFixed(2)} s CPU)`;
  console.log(`${name.padEnd(34)} ${secs.toFixed(3).padStart(8)} s ${rate(events)} events/s ${rate(users)} users/s${cpuText}`);
}

/** CPU seconds of this process (all threads) so far. */
function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const tw = await createTagwise();
const loaded = tw.loadCatalog(readFileSync(args.catalog, 'utf8'), { now: AS_OF });
if (!loaded.ok) throw new Error(`catalog does not load: ${JSON.stringify(loaded.errors)}`);

// ---------------------------------------------------------------- checks
const first = await parseAndGroup();
if (args.csv.endsWith('online_retail.csv') && (first.groups.size !== EXPECTED.users || first.groups.events !== EXPECTED.events)) {
  throw new Error(`parsed ${first.groups.size} users / ${first.groups.events} events; expected ${EXPECTED.users} / ${EXPECTED.events}`);
}
const users = first.groups.size;
const events = first.groups.events;
const tagged = tagAll(tw, first.groups);
const dir = mkdtempSync(join(tmpdir(), 'tagwise-bench-'));
try {
  const outFile = join(dir, 'tags.jsonl');
  runCli(outFile);
  const ids = [...first.groups.users.keys()];
  const ours = tagged.map((r, i) => JSON.stringify({ user_id: ids[i], tags: r.tags }));
  const jsonlFile = join(dir, 'events.jsonl');
  writeJsonl(first.groups, jsonlFile);
  for (const [what, events, jobs] of [['CSV', args.csv, undefined], ['CSV, --jobs 1', args.csv, 1], ['JSON Lines', jsonlFile, undefined]]) {
    runCli(outFile, events, jobs);
    const cliLines = readFileSync(outFile, 'utf8').trimEnd().split('\n');
    if (cliLines.length !== ours.length || cliLines.some((l, i) => l !== ours[i])) {
      throw new Error(`the CLI output (${what}) differs from the in-process tagging`);
    }
  }

  console.log(`tag_retail: ${users.toLocaleString('en-US')} users, ${events.toLocaleString('en-US')} events, `
    + `${loaded.warnings.length} catalog warnings, batch ${BATCH}, best of ${RUNS} (node ${process.version})`);

  // ---------------------------------------------------------------- timing
  const times = { parse: [], tag: [], cli: [], cli1: [], jsonl: [] };
  const cpu = { parse: [], tag: [] };
  const timed = (list, fn) => {
    const t = performance.now();
    const r = fn();
    list.push((performance.now() - t) / 1000);
    return r;
  };
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    let c = cpuSeconds();
    const { groups } = await parseAndGroup();
    times.parse.push((performance.now() - t) / 1000);
    cpu.parse.push(cpuSeconds() - c);
    c = cpuSeconds();
    timed(times.tag, () => tagAll(tw, groups));
    cpu.tag.push(cpuSeconds() - c);
    timed(times.cli, () => runCli(outFile));
    timed(times.cli1, () => runCli(outFile, args.csv, 1));
    timed(times.jsonl, () => runCli(outFile, jsonlFile));
  }
  line('parse + group (CSV, streamed)', best(times.parse), users, events, best(cpu.parse));
  line('tag (tagProfiles, wasm, 1 thread)', best(times.tag), users, events, best(cpu.tag));
  line('parse + group + tag (1 thread)', best(times.parse) + best(times.tag), users, events, best(cpu.parse) + best(cpu.tag));
  line('CLI, CSV (default --jobs)', best(times.cli), users, events);
  line('CLI, CSV, --jobs 1', best(times.cli1), users, events);
  line('CLI, JSON Lines (default --jobs)', best(times.jsonl), users, events);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
