// tw.catalogToSql (Node only): the tag catalog compiled to one SQL query for
// a warehouse (DuckDB, PostgreSQL, Spark SQL), core/src/sql/ in Node's wasm
// module. docs/sql.md has the tables it reads, what it returns and what SQL
// cannot mean exactly (refused at compile time as not_compilable_to_sql).
import { TagwiseError } from './errors.js';

export const SQL_DIALECTS = Object.freeze(['duckdb', 'postgres', 'spark']);

function tableName(value, name) {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    throw new TypeError(`tagwise: catalogToSql options.${name} must be a table name (optionally schema.table)`);
  }
  return value;
}

/**
 * The SQL text for `catalog` (object or JSON text) as of `options.asOf` (ms
 * since 1970 or a Date). Throws TagwiseError with every problem (catalog
 * errors, or constructs SQL cannot mean, each with its JSON Pointer).
 */
export function catalogToSql(module, catalog, options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('tagwise: catalogToSql needs options with asOf (ms since 1970 or a Date)');
  }
  const asOf = options.asOf instanceof Date ? options.asOf.getTime() : options.asOf;
  if (typeof asOf !== 'number' || !Number.isFinite(asOf)) {
    throw new TypeError('tagwise: catalogToSql options.asOf must be ms since 1970 or a valid Date');
  }
  const dialect = options.dialect ?? 'duckdb';
  if (!SQL_DIALECTS.includes(dialect)) {
    throw new TypeError(`tagwise: catalogToSql options.dialect is one of ${SQL_DIALECTS.join(', ')}, not ${JSON.stringify(dialect)}`);
  }
  const text = typeof catalog === 'string' ? catalog : JSON.stringify(catalog);
  if (typeof text !== 'string') throw new TypeError('tagwise: catalogToSql takes a catalog object or its JSON text');
  const r = JSON.parse(module.catalogToSql(text, JSON.stringify({
    dialect,
    asOf: Math.trunc(asOf),
    eventsTable: tableName(options.eventsTable, 'eventsTable'),
    usersTable: tableName(options.usersTable, 'usersTable'),
  })));
  if (!r.ok) throw new TagwiseError(r.errors);
  return r.sql;
}
