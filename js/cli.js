#!/usr/bin/env node
// The `tagwise` command (package.json "bin"). Batch jobs on the shop's
// servers: `tagwise tag` tags every user of an event log with a catalog.
// Usage: tagwise tag --help. Modules live in js/cli/.
import { USAGE, UsageError, parseArgs } from './cli/args.js';

async function main(argv, io) {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`tagwise: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Loaded only now, so usage errors never wait for the engine's module.
  const { runTag } = await import('./cli/tag.js');
  return runTag(parsed.options, io);
}

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
