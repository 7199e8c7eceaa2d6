// `tagwise tag`: read an event log (JSON Lines or CSV with a column map),
// group it by user, evaluate the catalog for every user as of --as-of, and
// write one JSON line per user. The log is streamed (only the grouped events
// are kept, never the file text), and users are tagged in batches of --batch,
// one call into the engine per batch and consent setting.

import { createWriteStream } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';

import { createTagwise } from '../index.node.js';
import { MapError, compileCsvMap, defaultCsvMap, forEachCsvRecord } from './csv.js';
import { loadIsoParser } from './dates.js';
import { UserGroups, consentOf } from './group.js';
import { readJsonLine, readTs } from './jsonl.js';
import { forEachLine } from './lines.js';
import { WorkerPool } from './pool.js';
import { Progress } from './progress.js';
import { limitMessage, overLimit } from './skipped.js';
import { Report, formatSummary, summaryJson } from './summary.js';

/** A failure that ends the run with exit code 1 after printing `lines`. */
class Fatal extends Error {
  constructor(lines) {
    super(lines[0]);
    this.lines = lines;
  }
}

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

/** Loads the catalog into a fresh engine; Fatal listing every error with its path. */
async function loadCatalog(options, log) {
  const { text, value } = await readJsonFile(options.catalog, '--catalog');
  const tw = await createTagwise();
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
    text,
    tags: tags.map((t) => ({ id: String(t.id), name: String(t.name ?? t.id), dimension: String(t.dimension ?? '') })),
  };
}

/**
 * Reads the event log into groups. Returns { lines, dataLines, bytes, notes }
 * (dataLines: the lines that are not a CSV header).
 */
async function readEvents(options, format, groups, report, progress, counters) {
  const total = await inputBytes(options.events);
  // Every ISO 8601 time goes through the core's parser (dates.js).
  const parseIso = await loadIsoParser();
  const asOf = options.asOfMs;
  const use = (userId, event, attributes, picks, line, notes) => {
    for (const n of notes) report.warn(n.reason, line, n.message);
    const u = groups.user(userId);
    if (attributes !== undefined) groups.setAttributes(u, attributes, event?.ts ?? 0, picks);
    if (event === undefined) return;
    groups.addEvent(u, event, line);
    if (event.ts > asOf) counters.afterAsOf++;
  };
  const notes = [];
  const onBytes = (n) => progress.update(n, `${groups.size.toLocaleString('en-US')} users`);
  if (format === 'jsonl') {
    const onLine = (text, line) => {
      const r = readJsonLine(text, parseIso);
      if (r === null) return;
      if (r.skip !== undefined) {
        report.skip(r.skip, line, r.message);
        return;
      }
      use(r.userId, r.event, r.attributes, undefined, line, r.notes);
    };
    progress.start('reading', total, 'bytes');
    const { lines, bytes } = await forEachLine(options.events, onLine, onBytes);
    return { lines, dataLines: lines, bytes, notes };
  }

  let mapSpec = null;
  if (options.csvMap !== undefined) mapSpec = (await readJsonFile(options.csvMap, '--csv-map')).value;
  const NO_NOTES = [];
  const delimiter = mapSpec?.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') {
    throw new Fatal([`tagwise: the CSV map ${options.csvMap}: /delimiter: "delimiter" is one character such as "," or ";"`]);
  }
  let mapper = null;
  const onHeader = (fields) => {
    // Compile the map against the header.
    try {
      mapper = compileCsvMap(mapSpec ?? defaultCsvMap(fields), fields);
    } catch (e) {
      if (!(e instanceof MapError)) throw e;
      throw new Fatal([mapSpec === null ? `tagwise: ${e.message}`
        : `tagwise: the CSV map ${options.csvMap} does not fit ${options.events}: ${e.path || '/'}: ${e.message}`]);
    }
    notes.push(...mapper.notes);
  };
  const onRecord = (fields, start) => {
    const row = mapper.map(fields, start);
    if (row.skip !== undefined) {
      report.skip(row.skip, start, row.message);
      return;
    }
    let { ts } = row;
    let rowNotes = NO_NOTES;
    if (typeof ts !== 'number' || Math.abs(ts) < 1e11) {
      const t = readTs(ts, parseIso);
      if (t.skip !== undefined) {
        report.skip(t.skip, start, t.message);
        return;
      }
      ts = t.ts;
      if (t.note !== undefined) rowNotes = [{ reason: 'ts_in_seconds', message: t.note }];
    }
    use(row.userId, { id: row.id, type: row.type, ts, props: row.props }, row.attributes, mapper.picks, start, rowNotes);
  };
  const onSkip = (reason, line, message, count) => report.skip(reason, line, message, count);
  progress.start('reading', total, 'bytes');
  const { lines, bytes, header } = await forEachCsvRecord(options.events, { delimiter, onHeader, onRecord, onSkip, onBytes });
  if (header === null) notes.push('the CSV input is empty (not even a header)');
  return { lines, dataLines: header === null ? 0 : lines - 1, bytes, notes };
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

// A call into the engine ends after this many events even when --batch users
// are not reached yet: small calls keep the engine's working memory small,
// which measured faster than large ones (bench/node/tag_retail.mjs).
const MAX_EVENTS_PER_CALL = 20_000;

/** "line 17" for an engine problem at /events/<k>/... of a user's profile. */
function located(u, path) {
  const m = /^\/events\/(\d+)/.exec(path ?? '');
  const line = m === null ? undefined : u.lines[Number(m[1])];
  return line === undefined ? `user ${u.userId}: ${path || '/'}` : `line ${line} (user ${u.userId})`;
}

/**
 * Tags every user, in first-appearance order, writing each batch's lines as
 * soon as it and every earlier batch are done. Returns { lines, counts }.
 */
async function tagUsers(tw, pool, groups, options, report, progress, tags, out) {
  const defaults = options.defaultPurposes;
  const counts = new Map(tags.map((t) => [t.id, 0]));
  const pending = new Map(); // batch seq -> batch
  let nextWrite = 0;
  let written = 0;
  progress.start('tagging', groups.size, 'users');

  const finish = (batch) => {
    let text = '';
    for (let i = 0; i < batch.users.length; i++) {
      const u = batch.users[i];
      const r = batch.results[i];
      for (const e of r.errors ?? []) report.warn('engine', null, `${located(u, e.path)}: ${e.message} [${e.code}]`);
      for (const w of r.warnings ?? []) report.warn('engine', null, `${located(u, w.path)}: ${w.message} [${w.code}]`);
      for (const id in r.tags) counts.set(id, (counts.get(id) ?? 0) + 1);
      text += `${JSON.stringify({ user_id: u.userId, tags: r.tags })}\n`;
      // Let the user's events go while later batches run.
      u.events = null;
      u.lines = null;
    }
    return text;
  };
  const flush = async () => {
    for (let b = pending.get(nextWrite); b !== undefined && b.remaining === 0; b = pending.get(nextWrite)) {
      pending.delete(nextWrite++);
      await out.write(finish(b));
      written += b.users.length;
      progress.update(written);
    }
  };

  // Threads that are still loading would only join after the main thread
  // has done most of a small log; wait for them (they started while the
  // input was read, so on a large log they are ready by now).
  await pool?.ready();
  let seq = 0;
  for (const users of groups.batches(options.batch, MAX_EVENTS_PER_CALL)) {
    if (pool?.failure) break;
    // One engine call per consent setting present in the batch (usually one).
    const calls = new Map();
    for (let i = 0; i < users.length; i++) {
      const u = users[i];
      groups.removeDuplicates(u, (line, id, firstLine) => {
        report.skip('duplicate_id', line, `user ${u.userId} already has an event with id ${JSON.stringify(id)} (line ${firstLine})`);
      });
      const c = consentOf(u.attributes, defaults);
      if (c.problem !== undefined) report.warn('bad_consent', null, `user ${u.userId}: ${c.problem}`);
      const key = c.purposes.join(',');
      let call = calls.get(key);
      if (call === undefined) {
        call = { purposes: c.purposes, index: [], profiles: [] };
        calls.set(key, call);
      }
      call.index.push(i);
      call.profiles.push({ user_id: u.userId, attributes: u.attributes, events: u.events });
    }
    const batch = { users, results: new Array(users.length), remaining: calls.size };
    pending.set(seq, batch);
    for (const call of calls.values()) {
      const done = (results) => {
        for (let k = 0; k < results.length; k++) batch.results[call.index[k]] = results[k];
        batch.remaining -= 1;
      };
      if (pool === null || !pool.offer(`${seq}:${call.purposes}`, call.profiles, call.purposes, done)) {
        let results;
        try {
          results = tw.tagProfiles(call.profiles, { now: options.asOfMs, purposes: call.purposes });
        } catch (e) {
          const who = call.profiles.length === 1 ? `user ${call.profiles[0].user_id}`
            : `users ${call.profiles[0].user_id} … ${call.profiles.at(-1).user_id}`;
          throw new Fatal([`tagwise: tagging ${who} failed: ${e?.message ?? e}`]);
        }
        done(results);
      }
    }
    seq++;
    await flush();
    // Let finished batches of the worker threads come in.
    if (pool !== null) await new Promise(setImmediate);
  }
  if (pool !== null) {
    await pool.drain();
    if (pool.failure) throw new Fatal([`tagwise: ${pool.failure}`]);
  }
  await flush();
  await out.close();
  return { lines: written, counts };
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

/** Runs `tagwise tag`; resolves with the exit code. */
export async function runTag(options, io) {
  const t0 = performance.now();
  const progress = new Progress(io.stderr, !options.quiet && Boolean(io.stderr.isTTY));
  const log = options.quiet ? null : (line) => progress.log(line);
  const report = new Report(log);
  let pool = null;
  try {
    const { tw, tags, text } = await loadCatalog(options, log ?? (() => {}));
    // The worker threads load their engines while the input is read. A
    // small log is tagged faster than a thread starts, so threads are only
    // used for large inputs unless --jobs asks for them.
    const bytes = await inputBytes(options.events);
    if (options.jobs > 1 && (options.jobsGiven || options.events === '-' || bytes >= PARALLEL_FROM_BYTES)) {
      pool = new WorkerPool(options.jobs - 1, text, options.asOfMs);
    }
    const out = await openOutput(options.out);
    const format = inputFormat(options);
    const groups = new UserGroups();
    const counters = { afterAsOf: 0 };
    const input = await readEvents(options, format, groups, report, progress, counters);
    if (overLimit(options.maxSkipped, report.skippedTotal, input.dataLines)) {
      await out.discard();
      throw new Fatal(limitMessage('tag', options.maxSkipped, report.skippedTotal, input.dataLines, report.skipped,
        'nothing was tagged'));
    }
    const t1 = performance.now();
    const { lines, counts } = await tagUsers(tw, pool, groups, options, report, progress, tags, out);
    const t2 = performance.now();
    progress.clear();
    const summary = {
      asOf: options.asOfMs,
      input: { file: options.events === '-' ? 'stdin' : basename(options.events), format, bytes: input.bytes, lines: input.lines },
      users: groups.size,
      events: groups.events,
      eventsAfterAsOf: counters.afterAsOf,
      skipped: { total: report.skippedTotal, limit: options.maxSkipped.text },
      skippedTable: report.skipped,
      warningsTable: report.warnings,
      notes: input.notes,
      output: { file: options.out ?? 'stdout', lines },
      coverage: tags.map((t) => ({ ...t, users: counts.get(t.id) ?? 0 })),
      threads: pool === null ? 1 : options.jobs,
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
    await pool?.close();
  }
}
