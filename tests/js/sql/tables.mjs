// The SQL tests' input tables: an event log read exactly as `tagwise tag`
// reads it (js/cli/shard.js readShard, the same CSV map and parser), written
// as events(user_id, id, type, ts, props) and users(user_id, attributes), and
// loaded into DuckDB (read_json of JSON Lines) or PostgreSQL (COPY).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { compileCsvMap, defaultCsvMap } from '../../../js/cli/csv.js';
import { loadIsoParser } from '../../../js/cli/dates.js';
import { UserGroups } from '../../../js/cli/group.js';
import { readShard } from '../../../js/cli/shard.js';

/** { events: [{user_id, id, type, ts, props}], users: [{user_id, attributes}] } of a log file. */
export async function readLog(path, { csvMap = null, asOfMs }) {
  const groups = new UserGroups();
  const spec = csvMap === null ? null : JSON.parse(readFileSync(csvMap, 'utf8'));
  const ignore = () => {};
  await readShard({
    source: path, format: /\.csv$/i.test(path) ? 'csv' : 'jsonl', shard: 0, shards: 1, groups,
    report: { skip: ignore, warn: ignore }, position: { key: 0 }, asOfMs, parseIso: await loadIsoParser(),
    delimiter: ',', compileMap: (header) => compileCsvMap(spec ?? defaultCsvMap(header), header),
  });
  const events = [];
  const users = [];
  for (const u of groups.users.values()) {
    const user_id = String(u.userId);
    users.push({ user_id, attributes: u.attributes });
    for (const e of u.events) events.push({ user_id, id: e.id === undefined ? null : String(e.id), type: e.type, ts: e.ts, props: e.props ?? {} });
  }
  return { events, users };
}

/** Creates and fills `events` and `users` in a DuckDB connection. */
export async function loadDuckDb(connection, { events, users }, dir) {
  const eventsFile = join(dir, 'events.jsonl');
  const usersFile = join(dir, 'users.jsonl');
  writeFileSync(eventsFile, events.map((e) => JSON.stringify(e)).join('\n'));
  writeFileSync(usersFile, users.map((u) => JSON.stringify(u)).join('\n'));
  const q = (s) => `'${s.replaceAll("'", "''")}'`;
  await connection.run(`CREATE OR REPLACE TABLE events AS SELECT * FROM read_json(${q(eventsFile)}, format = 'newline_delimited',
    columns = {user_id: 'VARCHAR', id: 'VARCHAR', type: 'VARCHAR', ts: 'BIGINT', props: 'JSON'})`);
  await connection.run(`CREATE OR REPLACE TABLE users AS SELECT * FROM read_json(${q(usersFile)}, format = 'newline_delimited',
    columns = {user_id: 'VARCHAR', attributes: 'JSON'})`);
}

/** COPY's text format: backslash, tab and line breaks escaped; null as \N. */
function copyField(v) {
  if (v === null || v === undefined) return '\\N';
  return String(v).replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
}

/** Creates and fills `events` and `users` in a PostgreSQL server (tests/js/sql/postgres.mjs). */
export async function loadPostgres(pg, { events, users }) {
  await pg.exec(`DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS users;
    CREATE TABLE events (user_id text, id text, type text, ts bigint, props jsonb);
    CREATE TABLE users (user_id text, attributes jsonb);`);
  await pg.copy('events', ['user_id', 'id', 'type', 'ts', 'props'],
    events.map((e) => [e.user_id, e.id, e.type, e.ts, JSON.stringify(e.props)].map(copyField).join('\t')).join('\n'));
  await pg.copy('users', ['user_id', 'attributes'],
    users.map((u) => [u.user_id, JSON.stringify(u.attributes)].map(copyField).join('\t')).join('\n'));
  await pg.exec('ANALYZE events; ANALYZE users;');
}

/** Held tags as a Map "user\ttag" → value, from (user_id, tag, value-text) rows. */
export function heldFromRows(rows) {
  const out = new Map();
  for (const [user, tag, value] of rows) out.set(`${user}\t${tag}`, JSON.parse(value));
  return out;
}

/** Held tags from `tagwise tag` output lines ({"user_id", "tags"}), or from tw.tagProfiles-like records. */
export function heldFromTagLines(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const { user_id: user, tags } = JSON.parse(line);
    for (const [tag, value] of Object.entries(tags)) out.set(`${user}\t${tag}`, value);
  }
  return out;
}

/** Numbers equal to 12 significant digits (SQL sums in another order); anything else exactly. */
export function sameValue(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The differences between two held-tag maps: [{ key, engine, sql }] (undefined = not held). */
export function differences(engine, sql) {
  const out = [];
  for (const [key, value] of engine) {
    if (!sql.has(key) || !sameValue(value, sql.get(key))) out.push({ key, engine: value, sql: sql.get(key) });
  }
  for (const [key, value] of sql) if (!engine.has(key)) out.push({ key, engine: undefined, sql: value });
  return out;
}
