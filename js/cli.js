#!/usr/bin/env node
// The `tagwise` command (package.json "bin"). Batch jobs on the shop's
// servers: `tagwise tag` tags every user of an event log with a catalog.
// `tagwise hints` builds recommendation hints, `tagwise eval` runs the offline
// evaluation. Usage: tagwise <command> --help. Modules live in js/cli/.
import { EVAL_USAGE, HINTS_USAGE, USAGE, UsageError, parseArgs } from './cli/args.js';

async function main(argv, io) {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const usage = { hints: HINTS_USAGE, eval: EVAL_USAGE }[argv[0]] ?? USAGE;
    io.stderr.write(`tagwise: ${e.message}\n\n${usage}\n`);
    return 2;
  }
  if (parsed.command === 'help') {
    const text = { hints: HINTS_USAGE, eval: EVAL_USAGE }[parsed.topic] ?? USAGE;
    io.stdout.write(`${text}\n`);
    return 0;
  }
  // Loaded only now, so usage errors never wait for the engine's module.
  if (parsed.command === 'hints') return (await import('./cli/hints.js')).runHints(parsed.options, io);
  if (parsed.command === 'eval') return (await import('./cli/eval.js')).runEval(parsed.options, io);
  const { runTag } = await import('./cli/tag.js');
  return runTag(parsed.options, io);
}

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
