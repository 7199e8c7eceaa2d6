// Command-line arguments of the `tagwise` program: the usage texts and a
// strict parser (an unknown or malformed flag is a UsageError, which the
// program reports with the command's usage text and exit code 2). Times
// (--as-of, --built-at) are checked afterwards by resolveTimes(), which reads
// them with the core's ISO 8601 parser.

import { availableParallelism } from 'node:os';

import { PURPOSES } from '../purposes.js';
import { integerMs, loadIsoParser } from './dates.js';
import { walkFlags } from './flags.js';
import { parseConsentOption } from './group.js';
import { EVAL_USAGE, HINTS_USAGE, parseEvalArgs, parseHintsArgs } from './recommend_args.js';
import { parseMaxSkipped } from './skipped.js';
import { SQL_USAGE, parseSqlArgs } from './sql_args.js';
import { UsageError } from './usage_error.js';

export { EVAL_USAGE, HINTS_USAGE, SQL_USAGE, UsageError };

// Users per call into the engine. Small calls measured fastest on the retail
// log (bench/node/tag_retail.mjs --batch N): batches of 25 users took about a
// quarter less CPU time than batches of 1,000.
const DEFAULT_BATCH = 25;

/** Every command with its one-line description (the order of `tagwise --help`). */
export const COMMANDS = {
  tag: 'tag every user of an event log with a tag catalog (one JSON line per user)',
  hints: 'build a recommendation hint file from an event log',
  eval: 'offline evaluation of the recommendation scorer on an order log',
  sql: 'compile a tag catalog to one SQL query (DuckDB, PostgreSQL, Spark)',
  help: 'show this text, or a command\'s usage: tagwise help <command>',
};

export const MAIN_USAGE = `Usage: tagwise <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(7)}${text}`).join('\n')}

Options:
  -h, --help      show this text
  -v, --version   print the version of tagwise

Run "tagwise <command> --help" for a command's options. Exit status: 0 done,
1 an input is unusable (or too many of its lines were skipped), 2 bad command
line. docs/cli.md, docs/sql.md and docs/recommendations.md (in the package) have
more.`;

export const TAG_USAGE = `Usage: tagwise tag --catalog FILE --events FILE --as-of TIME [options]

Tags every user of an event log with a tag catalog and writes one JSON line
per user: {"user_id": "...", "tags": {"<tag id>": <value or true>, ...}}.

Required:
  --catalog FILE       tag catalog: JSON {"tagwise": 1, "tags": [{"id", "when",
                       ...}]}, the same file tw.loadCatalog() takes
  --events FILE        event log, "-" reads stdin: JSON Lines, one event per
                       line {"user_id", "id", "type", "ts", "props"} (or a
                       user's {"user_id", "attributes"}), or CSV (see --csv-map)
  --as-of TIME         evaluation time: ISO 8601 (no zone = UTC), e.g.
                       2011-12-10T00:00:00Z, or milliseconds since 1970

Options:
  --out FILE           write the JSON Lines here; "-" or no --out: stdout
  --format jsonl|csv   format of --events (default: from the file name;
                       .csv or --csv-map means csv, anything else jsonl)
  --csv-map FILE       how CSV columns become events: JSON such as
                       {"user_id": "CustomerID", "type": {"const": "order_paid"},
                       "ts": {"column": "InvoiceDate", "format": "iso"},
                       "props": {"amount": {"column": "Total", "type": "number"}}}
                       (docs/cli.md, "The column map", has the format).
                       Without it a CSV needs the columns user_id, type and ts;
                       every other column becomes a prop.
  --max-skipped N|P%   fail (exit 1, nothing tagged) when more than N lines,
                       or P percent of the input lines, cannot be used
                       (default 1%; 100% never fails)
  --json FILE          also write the summary as JSON ("-" for stdout)
  --batch N            most users per call into the engine (default 25; a
                       call also ends once it holds 20,000 events)
  --jobs N             threads in parallel, each reading the log and tagging
                       its share of the users (default: the number of CPUs,
                       at most 4; 1 does everything on the main thread)
  --default-consent P  purposes granted to users without a "consent"
                       attribute: "all" (default), "none" or a comma list of
                       ${PURPOSES.join(',')}
  --summary-json FILE  deprecated name of --json (still works)
  --quiet              no progress bar, per-line messages or summary
  -h, --help           show this text

Lines that cannot be used are skipped and counted (with line numbers); the
summary at the end (stderr) lists users, events, skipped lines by reason,
warnings, per-tag coverage and time. A CSV line must have as many fields as
the header. Exit status: 0 done, 1 the catalog, the CSV map or an input file
is unusable or too many lines were skipped, 2 bad command line.`;

/** Usage text per command (the main text for anything else). */
export function usageOf(command) {
  return { tag: TAG_USAGE, hints: HINTS_USAGE, eval: EVAL_USAGE, sql: SQL_USAGE }[command] ?? MAIN_USAGE;
}

const TAG_FLAGS = {
  '--catalog': 'catalog',
  '--events': 'events',
  '--as-of': 'asOf',
  '--out': 'out',
  '--format': 'format',
  '--csv-map': 'csvMap',
  '--batch': 'batch',
  '--jobs': 'jobs',
  '--default-consent': 'defaultConsent',
  '--max-skipped': 'maxSkipped',
  '--json': 'json',
  '--summary-json': 'json',
};
const TAG_SWITCHES = { '--quiet': 'quiet', '--help': 'help', '-h': 'help' };

/**
 * Parses argv (without "node" and the script). Returns { command, options }
 * where command is "tag", "hints", "eval", "version" or "help" (with `topic`,
 * a command name or null); throws UsageError (with `.command` for the usage
 * text to show) on any mistake.
 */
export function parseArgs(argv) {
  if (argv.length === 0) throw new UsageError('no command given');
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0] ?? null;
    if (topic !== null && !['tag', 'hints', 'eval', 'sql'].includes(topic)) {
      throw new UsageError(`no help on "${topic}" (the commands are ${commandList()})`);
    }
    if (rest.length > 1) throw new UsageError(`unexpected argument "${rest[1]}"`);
    return { command: 'help', topic, options: {} };
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    return { command: 'version', options: {} };
  }
  try {
    if (command === 'hints') return parseHintsArgs(rest);
    if (command === 'eval') return parseEvalArgs(rest);
    if (command === 'tag') return parseTagArgs(rest);
    if (command === 'sql') return parseSqlArgs(rest);
  } catch (e) {
    if (e instanceof UsageError) e.command ??= command;
    throw e;
  }
  throw new UsageError(command.startsWith('-') ? `unknown option ${command} (the command comes first: tagwise tag ...)`
    : `unknown command "${command}" (the commands are ${commandList()})`);
}

function commandList() {
  const names = Object.keys(COMMANDS).filter((c) => c !== 'help').map((c) => `"${c}"`);
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function parseTagArgs(rest) {
  const options = { notes: [] };
  const seen = new Set();
  walkFlags(rest, Object.keys(TAG_SWITCHES), Object.keys(TAG_FLAGS), (arg, value) => {
    if (value === null) {
      options[TAG_SWITCHES[arg]] = true;
      return;
    }
    const key = TAG_FLAGS[arg];
    if (options[key] !== undefined) {
      throw new UsageError(seen.has(arg) ? `${arg} given twice` : `${arg} and ${[...seen].find((s) => TAG_FLAGS[s] === key)} are the same option`);
    }
    seen.add(arg);
    if (arg === '--summary-json') options.notes.push('--summary-json is deprecated; write --json FILE (same meaning)');
    options[key] = value;
  });
  if (options.help) return { command: 'help', topic: 'tag', options };
  for (const flag of ['--catalog', '--events', '--as-of']) {
    if (options[TAG_FLAGS[flag]] === undefined) throw new UsageError(`${flag} is required`);
  }
  if (options.format !== undefined && options.format !== 'jsonl' && options.format !== 'csv') {
    throw new UsageError(`--format is jsonl or csv, not "${options.format}"`);
  }
  if (options.format === 'jsonl' && options.csvMap !== undefined) {
    throw new UsageError('--csv-map only applies to --format csv');
  }
  if (options.out === '-') options.out = undefined;
  if (options.json === '-' && options.out === undefined) {
    throw new UsageError('--json - and the tagged lines cannot both go to stdout; give --out FILE');
  }
  try {
    options.defaultPurposes = parseConsentOption(options.defaultConsent);
  } catch (e) {
    throw new UsageError(e.message);
  }
  options.maxSkipped = parseMaxSkipped(options.maxSkipped);
  options.batch = count(options.batch, '--batch', 'users', DEFAULT_BATCH);
  options.jobsGiven = options.jobs !== undefined;
  options.jobs = count(options.jobs, '--jobs', 'threads', Math.min(4, availableParallelism()));
  options.times = [{ flag: '--as-of', text: options.asOf, set: (ms) => { options.asOfMs = ms; } }];
  return { command: 'tag', options };
}

/** A whole number of at least 1 given to `flag`, or the default. */
function count(text, flag, what, fallback) {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} is a whole number of ${what} of at least 1, not "${text}"`);
  }
  return n;
}

/**
 * Reads the times a command line gave (options.times: [{ flag, text, set }])
 * as ms since 1970 (digits) or ISO 8601 with the core's parser; a text that
 * is neither is a UsageError. The tools module is only loaded when needed.
 */
export async function resolveTimes(parsed) {
  const times = parsed.options.times ?? [];
  let parseIso = null;
  for (const { flag, text, set } of times) {
    let ms = integerMs(text);
    if (ms === null) {
      parseIso ??= await loadIsoParser();
      ms = parseIso(text);
    }
    if (ms === null) {
      const e = new UsageError(`${flag} "${text}" is not a time; write ISO 8601 such as 2011-12-10T00:00:00Z (or ms since 1970)`);
      e.command = parsed.command;
      throw e;
    }
    set(ms);
  }
}
