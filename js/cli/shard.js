// One shard of `tagwise tag`. With --jobs N the log is read N times at once
// (the main thread and N - 1 worker threads, js/cli/shard_worker.js): every
// shard reads every line, but maps, groups and tags only the users it owns
// (a hash of the user id; lines without a user belong to shard 0), so the
// parsing, the grouping and the tagging are all split, and no event crosses
// between threads. tag.js merges the shards' output lines in the users'
// first-appearance order and their problems in reading order, so the output
// and the summary are byte for byte those of one thread.
//
// Ordering keys: every record the reader hands over (used or skipped) gets
// the next number of the read phase, the same in every shard because every
// shard reads the same records; a user's order is the number of the record
// that first named them; problems found while tagging a user carry
// TAG_PHASE + that order.

import { forEachCsvRecord } from './csv.js';
import { consentOf } from './group.js';
import { fnv1a32, quickUserOfLine, readJsonLine, readTs } from './jsonl.js';
import { forEachLine } from './lines.js';

export const TAG_PHASE = 2 ** 50;

/** Fatal failure of a run: exit code 1 after printing `lines`. */
export class Fatal extends Error {
  constructor(lines) {
    super(lines[0]);
    this.lines = lines;
  }
}

/** The shard (0 … shards - 1) that keeps the user's lines. */
export function ownerOf(userId, shards) {
  return shards === 1 ? 0 : fnv1a32(userId) % shards;
}

// A call into the engine ends after this many events even when --batch users
// are not reached yet: small calls keep the engine's working memory small,
// which measured faster than large ones (bench/node/tag_retail.mjs).
const MAX_EVENTS_PER_CALL = 20_000;

/**
 * Reads the event log into `groups`, keeping the users of `shard` (of
 * `shards`). `source` is a path, "-" or an async iterable of Buffers;
 * `compileMap(header)` compiles the CSV map against the header (CSV only;
 * may throw Fatal). `position.key` is kept at the ordering key of the record being read
 * (for a Report that sorts problems, summary.js). Returns { lines, dataLines,
 * bytes, header, afterAsOf }.
 */
export async function readShard({ source, format, shard, shards, groups, report, position, asOfMs, parseIso, delimiter, compileMap, onBytes }) {
  const owns = shards === 1 ? undefined : (userId) => ownerOf(userId, shards) === shard;
  const mine = shard === 0; // lines without a user
  let key = 0;
  let afterAsOf = 0;
  const use = (userId, event, attributes, picks, line, notes) => {
    for (const n of notes) report.warn(n.reason, line, n.message);
    const u = groups.user(userId, key);
    if (attributes !== undefined) groups.setAttributes(u, attributes, event?.ts ?? 0, picks);
    if (event === undefined) return;
    groups.addEvent(u, event, line);
    if (event.ts > asOfMs) afterAsOf++;
  };
  if (format === 'jsonl') {
    const onLine = (text, line) => {
      position.key = key = line;
      // Other threads' lines are passed over unparsed when the user id can be
      // read off the line exactly (quickUserOfLine); such a line is then this
      // thread's whatever it holds, so its problems are reported here.
      const quick = owns === undefined ? undefined : quickUserOfLine(text);
      if (quick !== undefined && !owns(quick)) return;
      const r = readJsonLine(text, parseIso, quick === undefined ? owns : undefined);
      if (r === null || r.other === true) return;
      if (r.skip !== undefined) {
        if (mine || r.userId !== undefined || quick !== undefined) report.skip(r.skip, line, r.message);
        return;
      }
      use(r.userId, r.event, r.attributes, undefined, line, r.notes);
    };
    const { lines, bytes } = await forEachLine(source, onLine, onBytes);
    return { lines, dataLines: lines, bytes, header: null, afterAsOf };
  }

  const NO_NOTES = [];
  let mapper = null;
  const onHeader = (fields) => {
    mapper = compileMap(fields);
  };
  const onRecord = (fields, start) => {
    position.key = ++key;
    const row = mapper.map(fields, start, owns);
    if (row.other === true) return;
    if (row.skip !== undefined) {
      // A row whose user id was read is skipped by the user's shard.
      if (mine || row.userId !== undefined) report.skip(row.skip, start, row.message);
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
  const onSkip = (reason, line, message, count) => {
    position.key = ++key;
    if (mine) report.skip(reason, line, message, count);
  };
  // Lines of other shards' users are skipped before they are split when the
  // map can tell their user cheaply (csv.js, lineUser).
  const quickSkip = owns === undefined ? undefined : (line, lineNumber) => {
    const userId = mapper?.userOfLine?.(line, lineNumber);
    if (userId === undefined || owns(userId)) return false;
    position.key = ++key;
    return true;
  };
  const { lines, bytes, header } = await forEachCsvRecord(source, { delimiter, onHeader, onRecord, onSkip, onBytes, quickSkip });
  return { lines, dataLines: header === null ? 0 : lines - 1, bytes, header, afterAsOf };
}

/** "line 17" for an engine problem at /events/<k>/... of a user's profile. */
function located(u, path) {
  const m = /^\/events\/(\d+)/.exec(path ?? '');
  const line = m === null ? undefined : u.lines[Number(m[1])];
  return line === undefined ? `user ${u.userId}: ${path || '/'}` : `line ${line} (user ${u.userId})`;
}

/**
 * Tags the shard's users in first-appearance order, in batches of at most
 * `batch` users: onBatch({ orders, text }) gets each batch's output lines
 * (one JSON line per user, `orders` their ordering keys) and may return a
 * promise to wait for. Resolves with the number of users holding each tag
 * (Map id → count).
 */
export async function tagShard({ tw, groups, batch, defaultPurposes, asOfMs, report, position, onBatch }) {
  const counts = new Map();
  for (const users of groups.batches(batch, MAX_EVENTS_PER_CALL)) {
    // One engine call per consent setting present in the batch (usually one).
    const calls = new Map();
    for (let i = 0; i < users.length; i++) {
      const u = users[i];
      position.key = TAG_PHASE + u.order;
      groups.removeDuplicates(u, (line, id, firstLine) => {
        report.skip('duplicate_id', line, `user ${u.userId} already has an event with id ${JSON.stringify(id)} (line ${firstLine})`);
      });
      const c = consentOf(u.attributes, defaultPurposes);
      if (c.problem !== undefined) report.warn('bad_consent', null, `user ${u.userId}: ${c.problem}`);
      const callKey = c.purposes.join(',');
      let call = calls.get(callKey);
      if (call === undefined) {
        call = { purposes: c.purposes, index: [], profiles: [] };
        calls.set(callKey, call);
      }
      call.index.push(i);
      call.profiles.push({ user_id: u.userId, attributes: u.attributes, events: u.events });
    }
    const results = new Array(users.length);
    for (const call of calls.values()) {
      let tagged;
      try {
        tagged = tw.tagProfiles(call.profiles, { now: asOfMs, purposes: call.purposes });
      } catch (e) {
        const who = call.profiles.length === 1 ? `user ${call.profiles[0].user_id}`
          : `users ${call.profiles[0].user_id} … ${call.profiles.at(-1).user_id}`;
        throw new Fatal([`tagwise: tagging ${who} failed: ${e?.message ?? e}`]);
      }
      for (let k = 0; k < tagged.length; k++) results[call.index[k]] = tagged[k];
    }
    const orders = [];
    let text = '';
    for (let i = 0; i < users.length; i++) {
      const u = users[i];
      const r = results[i];
      position.key = TAG_PHASE + u.order;
      for (const e of r.errors ?? []) report.warn('engine', null, `${located(u, e.path)}: ${e.message} [${e.code}]`);
      for (const w of r.warnings ?? []) report.warn('engine', null, `${located(u, w.path)}: ${w.message} [${w.code}]`);
      for (const id in r.tags) counts.set(id, (counts.get(id) ?? 0) + 1);
      orders.push(u.order);
      text += `${JSON.stringify({ user_id: u.userId, tags: r.tags })}\n`;
      // Let the user's events go while later batches run.
      u.events = null;
      u.lines = null;
    }
    await onBatch({ orders, text });
  }
  return counts;
}
