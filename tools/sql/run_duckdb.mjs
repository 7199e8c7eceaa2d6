#!/usr/bin/env node
// Runs the hint SQL (load_events.duckdb.sql, params.sql, hints.sql) on DuckDB
// through @duckdb/node-api (a devDependency), for machines without the duckdb
// command line. Usage:
//   node tools/sql/run_duckdb.mjs --events LOG.jsonl [--db OUT.duckdb] [--set name=value ...]
// --set overrides a column of `params` (e.g. --set neighbours_per_item=20).
// Without --db the database is in memory and a summary of the tables is printed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SQL_DIR = new URL('./', import.meta.url);
const PARAM_NAME = /^[a-z_]+$/;

function sqlFile(name) {
  return readFileSync(new URL(name, SQL_DIR), 'utf8');
}

/** A SQL string literal (quotes doubled). */
function quote(text) {
  return `'${String(text).replaceAll("'", "''")}'`;
}

/**
 * Loads `events` (a JSON Lines log path) into a DuckDB database and builds the
 * hint tables. `params` overrides params.sql's values ({neighbours_per_item: 2}).
 * Returns { instance, connection }; the caller closes them.
 */
export async function buildSqlHints({ events, db = ':memory:', params = {} }) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  // The load file names 'events.jsonl'; the one literal is replaced by the real path.
  await connection.run(sqlFile('load_events.duckdb.sql').replace("'events.jsonl'", quote(events)));
  await connection.run(sqlFile('params.sql'));
  for (const [name, value] of Object.entries(params)) {
    if (!PARAM_NAME.test(name)) throw new Error(`bad parameter name ${JSON.stringify(name)}`);
    const literal = typeof value === 'number' ? String(value) : quote(value);
    await connection.run(`UPDATE params SET ${name} = ${literal}`);
  }
  await connection.run(sqlFile('hints.sql'));
  return { instance, connection };
}

/** Rows of a query as plain objects (BIGINTs become numbers: all counts here are small). */
export async function queryRows(connection, sql) {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjects().map((row) => Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

function parseArgs(argv) {
  const args = { params: {} };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i += 1;
    if (flag === '--events') args.events = value;
    else if (flag === '--db') args.db = value;
    else if (flag === '--set') {
      const [name, raw] = value.split('=');
      args.params[name] = Number.isNaN(Number(raw)) ? raw : Number(raw);
    } else throw new Error(`unknown argument ${flag}`);
  }
  if (!args.events) throw new Error('usage: run_duckdb.mjs --events LOG.jsonl [--db OUT.duckdb] [--set name=value ...]');
  return args;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { instance, connection } = await buildSqlHints(parseArgs(process.argv.slice(2)));
    for (const table of ['interactions', 'popularity', 'cooccurrence', 'neighbours', 'item_baskets',
      'together', 'item_windows', 'trending', 'segments', 'segment_popularity']) {
      const [{ n }] = await queryRows(connection, `SELECT COUNT(*) AS n FROM ${table}`);
      process.stdout.write(`${table}\t${n}\n`);
    }
    connection.closeSync();
    instance.closeSync();
  } catch (error) {
    process.stderr.write(`run_duckdb: ${error.message}\n`);
    process.exitCode = 1;
  }
}
