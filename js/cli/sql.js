// `tagwise sql`: prints the catalog compiled to one SQL query (tw.catalogToSql,
// js/sql.js). Catalog errors and constructs SQL cannot mean are listed with
// their JSON Pointers (exit 1).
import { readFile, writeFile } from 'node:fs/promises';

import { TagwiseError } from '../errors.js';
import { createTagwise } from '../index.node.js';

export async function runSql(options, io) {
  let text;
  try {
    text = await readFile(options.catalog, 'utf8');
  } catch (e) {
    io.stderr.write(`tagwise: cannot read --catalog ${options.catalog}: ${e.code === 'ENOENT' ? 'no such file' : e.message}\n`);
    return 1;
  }
  const tw = await createTagwise();
  let sql;
  try {
    sql = tw.catalogToSql(text, {
      asOf: options.asOfMs, dialect: options.dialect, eventsTable: options.eventsTable, usersTable: options.usersTable,
    });
  } catch (e) {
    if (!(e instanceof TagwiseError)) throw e;
    const n = e.errors.length;
    io.stderr.write(`tagwise: the catalog ${options.catalog} cannot be compiled to SQL (${n} problem${n === 1 ? '' : 's'}):\n`);
    for (const p of e.errors) io.stderr.write(`  ${p.path || '/'}: ${p.message} [${p.code}]\n`);
    return 1;
  }
  const out = `${sql};\n`;
  if (options.out === undefined) io.stdout.write(out);
  else await writeFile(options.out, out);
  return 0;
}
