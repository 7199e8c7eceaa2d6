// `tagwise tag`: read an event log (JSON Lines or CSV with a column map),
// group it by user, evaluate the catalog for every user as of --as-of, and
// write one JSON line per user. The log is streamed (only the grouped events
// are kept, never the file text), and users are tagged in batches of --batch,
// one call into the engine per batch and consent setting. With --jobs N the
// log is split by user over N threads, each reading it (js/cli/shard.js).

import { createWriteStream } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';

import { createTagwise } from '../index.node.js';
import { MapError, compileCsvMap, defaultCsvMap } from './csv.js';
import { loadIsoParser } from './dates.js';
import { UserGroups } from './group.js';
import { Progress } from './progress.js';
import { Fatal, readShard, tagShard } from './shard.js';
import { OrderedOutput, ShardWorker } from './shard_pool.js';
import { limitMessage, overLimit } from './skipped.js';
import { Report, ShardReport, formatSummary, summaryJson } from './summary.js';

/** Position "line L, column C" of a character offset in text. */
function lineColumn(text, offset) {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return `line ${line}, column ${offset - last}`;
}

/** Reads and parses a JSON file named by a flag; Fatal with a located message otherwise. */
async function readJsonFile(path, flag) {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Fatal([`tagwise: cannot read ${flag} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`]);
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch (e) {
    const m = /position (\d+)/.exec(e.message);
    const where = m ? ` at ${lineColumn(text, Number(m[1]))}` : '';
    throw new Fatal([`tagwise: ${flag} ${path} is not valid JSON${where}: ${e.message}`]);
  }
}

function inputFormat(options) {
  if (options.format !== undefined) return options.format;
  if (options.csvMap !== undefined) return 'csv';
  return /\.csv$/i.test(options.events) ? 'csv' : 'jsonl';
}

/** Loads the catalog file ({ text, value }) into `tw`; Fatal listing every error with its path. */
function loadCatalog({ text, value }, options, tw, log) {
  const r = tw.loadCatalog(text, { now: options.asOfMs });
  if (!r.ok) {
    throw new Fatal([
      `tagwise: the catalog ${options.catalog} has ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}:`,
      ...r.errors.map((e) => `  ${e.path || '/'}: ${e.message} [${e.code}]`),
    ]);
  }
  for (const w of r.warnings) log(`catalog warning: ${w.path || '/'}: ${w.message} [${w.code}]`);
  const tags = Array.isArray(value.tags) ? value.tags : [];
  return {
    tw,
    tags: tags.map((t) => ({ id: String(t.id), name: String(t.name ?? t.id), dimension: String(t.dimension ?? '') })),
  };
}

/**
 * Opens the output (a file, created now so a bad path fails before the log is
 * read, or stdout); write() waits when the stream's buffer is full.
 */
async function openOutput(path) {
  const stream = path === undefined ? process.stdout : createWriteStream(path);
  let failed = null;
  if (path !== undefined) {
    try {
      await new Promise((resolve, reject) => {
        stream.once('open', resolve);
        stream.once('error', reject);
      });
    } catch (e) {
      throw new Fatal([`tagwise: cannot write --out ${path}: ${e.code === 'ENOENT' ? 'no such directory' : e.message}`]);
    }
  }
  stream.on('error', (e) => {
    failed = e;
  });
  return {
    async write(text) {
      if (failed) throw failed;
      if (!stream.write(text)) {
        await new Promise((resolve) => {
          const done = () => {
            stream.off('drain', done);
            stream.off('error', done);
            resolve();
          };
          stream.on('drain', done);
          stream.on('error', done);
        });
      }
      if (failed) throw failed;
    },
    async close() {
      if (path === undefined) return;
      await new Promise((resolve, reject) => {
        stream.end((e) => (e ? reject(e) : resolve()));
      });
      if (failed) throw failed;
    },
    /** Closes and deletes the file (nothing was written to it). */
    async discard() {
      if (path === undefined) return;
      await this.close();
      await rm(path, { force: true });
    },
  };
}

// Inputs from this size on are tagged with worker threads by default.
const PARALLEL_FROM_BYTES = 4 << 20;

/** Size of the events file (0 for stdin); Fatal when it cannot be read. */
async function inputBytes(path) {
  if (path === '-') return 0;
  try {
    return (await stat(path)).size;
  } catch (e) {
    throw new Fatal([`tagwise: cannot read --events ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`]);
  }
}

/** Reads the --csv-map file and checks its delimiter (CSV input only): { mapSpec, delimiter }. */
async function readCsvMap(options) {
  const mapSpec = options.csvMap === undefined ? null : (await readJsonFile(options.csvMap, '--csv-map')).value;
  const delimiter = mapSpec?.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') {
    throw new Fatal([`tagwise: the CSV map ${options.csvMap}: /delimiter: "delimiter" is one character such as "," or ";"`]);
  }
  return { mapSpec, delimiter };
}

/** Stdin's chunks for the main thread's reader, each also forwarded to the worker shards. */
async function* teeToWorkers(stream, workers) {
  for await (const chunk of stream) {
    const copy = new Uint8Array(chunk); // a structured clone would copy all of a pooled buffer
    for (const w of workers) w.chunk(copy);
    yield chunk;
  }
  for (const w of workers) w.end();
}

/** What every shard's `promise` resolves with; a failed worker ends the run (Fatal). */
async function fromWorkers(promises) {
  try {
    return await Promise.all(promises);
  } catch (e) {
    throw new Fatal([`tagwise: ${e.message}`]);
  }
}

const sum = (list, f) => list.reduce((n, x) => n + f(x), 0);

/** Runs `tagwise tag`; resolves with the exit code. */
export async function runTag(options, io) {
  const t0 = performance.now();
  const progress = new Progress(io.stderr, !options.quiet && Boolean(io.stderr.isTTY));
  const log = options.quiet ? null : (line) => progress.log(line);
  const report = new Report(log);
  const workers = [];
  try {
    const catalog = await readJsonFile(options.catalog, '--catalog');
    const format = inputFormat(options);
    const { mapSpec, delimiter } = format === 'csv' ? await readCsvMap(options) : { mapSpec: null, delimiter: ',' };
    // Each shard reads the whole log and keeps its own users (shard.js). A
    // small log is tagged faster than a thread starts, so threads are only
    // used for large inputs unless --jobs asks for them.
    const bytes = await inputBytes(options.events);
    const shards = options.jobs > 1 && (options.jobsGiven || options.events === '-' || bytes >= PARALLEL_FROM_BYTES)
      ? options.jobs : 1;
    const out = await openOutput(options.out);
    const output = new OrderedOutput(shards, out, (n) => progress.update(n));
    const common = {
      catalog: catalog.text, shards, events: options.events, format, mapSpec, delimiter,
      asOfMs: options.asOfMs, batch: options.batch, defaultPurposes: options.defaultPurposes,
    };
    for (let k = 1; k < shards; k++) workers.push(new ShardWorker({ ...common, shard: k }, (b) => output.push(k, b)));
    const { tw, tags } = loadCatalog(catalog, options, await createTagwise(), log ?? (() => {}));

    // ---- read (every shard at once)
    const position = { key: 0 };
    const mine = shards === 1 ? report : new ShardReport(position);
    const groups = new UserGroups();
    const notes = [];
    const compileMap = (header) => {
      try {
        const mapper = compileCsvMap(mapSpec ?? defaultCsvMap(header), header);
        notes.push(...mapper.notes);
        return mapper;
      } catch (e) {
        if (!(e instanceof MapError)) throw e;
        throw new Fatal([mapSpec === null ? `tagwise: ${e.message}`
          : `tagwise: the CSV map ${options.csvMap} does not fit ${options.events}: ${e.path || '/'}: ${e.message}`]);
      }
    };
    progress.start('reading', bytes, 'bytes');
    const input = await readShard({
      source: options.events === '-' && shards > 1 ? teeToWorkers(process.stdin, workers) : options.events,
      format, shard: 0, shards, groups, report: mine, position, asOfMs: options.asOfMs,
      parseIso: await loadIsoParser(), delimiter, compileMap,
      onBytes: (n) => progress.update(n, shards === 1 ? `${groups.size.toLocaleString('en-US')} users` : ''),
    });
    if (format === 'csv' && input.header === null) notes.push('the CSV input is empty (not even a header)');
    const reads = await fromWorkers(workers.map((w) => w.read));
    const skippedReading = mine.skippedTotal + sum(reads, (r) => r.skipped);
    if (overLimit(options.maxSkipped, skippedReading, input.dataLines)) {
      for (const w of workers) w.go(false);
      if (shards > 1) report.merge([mine.tables, ...reads.map((r) => r.tables)]);
      await out.discard();
      throw new Fatal(limitMessage('tag', options.maxSkipped, report.skippedTotal, input.dataLines, report.skipped,
        'nothing was tagged'));
    }

    // ---- tag (every shard its own users; the output in first-appearance order)
    for (const w of workers) w.go(true);
    const t1 = performance.now();
    progress.start('tagging', groups.size + sum(reads, (r) => r.users), 'users');
    const counts = await tagShard({
      tw, groups, batch: options.batch, defaultPurposes: options.defaultPurposes, asOfMs: options.asOfMs,
      report: mine, position, onBatch: (b) => output.push(0, b),
    });
    await output.end(0);
    const done = await fromWorkers(workers.map((w) => w.done));
    for (let k = 1; k < shards; k++) await output.end(k);
    await out.close();
    const t2 = performance.now();
    if (shards > 1) report.merge([mine.tables, ...done.map((d) => d.tables)]);
    for (const d of done) for (const [id, n] of d.counts) counts.set(id, (counts.get(id) ?? 0) + n);
    progress.clear();
    const users = groups.size + sum(done, (d) => d.users);
    const summary = {
      asOf: options.asOfMs,
      input: { file: options.events === '-' ? 'stdin' : basename(options.events), format, bytes: input.bytes, lines: input.lines },
      users,
      events: groups.events + sum(done, (d) => d.events),
      eventsAfterAsOf: input.afterAsOf + sum(done, (d) => d.afterAsOf),
      skipped: { total: report.skippedTotal, limit: options.maxSkipped.text },
      skippedTable: report.skipped,
      warningsTable: report.warnings,
      notes,
      output: { file: options.out ?? 'stdout', lines: output.written },
      coverage: tags.map((t) => ({ ...t, users: counts.get(t.id) ?? 0 })),
      threads: shards,
      seconds: { read: (t1 - t0) / 1000, tag: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
    };
    if (!options.quiet) io.stderr.write(`${formatSummary(summary).join('\n')}\n`);
    if (options.json !== undefined) {
      const text = `${JSON.stringify(summaryJson(summary), null, 2)}\n`;
      if (options.json === '-') io.stdout.write(text);
      else await writeFile(options.json, text);
    }
    // Duplicate ids are only found while tagging: the output is written, but
    // the run still fails when they take the skipped lines over the limit.
    if (overLimit(options.maxSkipped, report.skippedTotal, input.dataLines)) {
      io.stderr.write(`${limitMessage('tag', options.maxSkipped, report.skippedTotal, input.dataLines, report.skipped,
        `the output ${options.out ?? 'on stdout'} is complete but the run failed`).join('\n')}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    progress.clear();
    if (e instanceof Fatal) {
      io.stderr.write(`${e.lines.join('\n')}\n`);
      return 1;
    }
    if (e?.code === 'EPIPE') return 0; // the reader of stdout went away (e.g. `| head`)
    io.stderr.write(`tagwise: ${e?.stack ?? e}\n`);
    return 1;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}
