#!/usr/bin/env node
// The `tagwise` command (package.json "bin"). Batch jobs on the shop's
// servers: `tagwise tag` tags every user of an event log with a catalog.
// `tagwise hints` builds recommendation hints, `tagwise eval` runs the offline
// evaluation, `tagwise sql` compiles a catalog to SQL. Usage: tagwise --help,
// tagwise <command> --help. Modules live in js/cli/.
import { readFileSync } from 'node:fs';

import { UsageError, parseArgs, resolveTimes, usageOf } from './cli/args.js';

/** The package's version, from the package.json shipped beside js/. */
function version() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

async function main(argv, io) {
  let parsed;
  try {
    parsed = parseArgs(argv);
    // Loaded only for an ISO time, so most usage errors never wait for wasm.
    await resolveTimes(parsed);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`tagwise: ${e.message}\n\n${usageOf(e.command)}\n`);
    return 2;
  }
  if (parsed.command === 'help') {
    io.stdout.write(`${usageOf(parsed.topic)}\n`);
    return 0;
  }
  if (parsed.command === 'version') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  for (const note of parsed.options.notes ?? []) if (!parsed.options.quiet) io.stderr.write(`tagwise: ${note}\n`);
  // Loaded only now, so usage errors never wait for the engine's module.
  if (parsed.command === 'hints') return (await import('./cli/hints.js')).runHints(parsed.options, io);
  if (parsed.command === 'eval') return (await import('./cli/eval.js')).runEval(parsed.options, io);
  if (parsed.command === 'sql') return (await import('./cli/sql.js')).runSql(parsed.options, io);
  const { runTag } = await import('./cli/tag.js');
  return runTag(parsed.options, io);
}

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
