// Command-line arguments of the `tagwise` program: the usage text and a
// strict parser (an unknown or malformed flag is a UsageError, which the
// program reports with the usage text and exit code 2).

import { availableParallelism } from 'node:os';

import { PURPOSES } from '../purposes.js';
import { walkFlags } from './flags.js';
import { parseConsentOption } from './group.js';
import { EVAL_USAGE, HINTS_USAGE, parseEvalArgs, parseHintsArgs } from './recommend_args.js';
import { UsageError } from './usage_error.js';

export { EVAL_USAGE, HINTS_USAGE, UsageError };

// Users per call into the engine. Small calls measured fastest on the retail
// log (bench/node/tag_retail.mjs --batch N): batches of 25 users took about a
// quarter less CPU time than batches of 1,000.
const DEFAULT_BATCH = 25;

export const USAGE = `Usage: tagwise tag --catalog FILE --events FILE --as-of TIME [options]

Tags every user of an event log with a tag catalog and writes one JSON line
per user: {"user_id": "...", "tags": {"<tag id>": <value or true>, ...}}.

Required:
  --catalog FILE       tag catalog (JSON, DESIGN.md section 5)
  --events FILE        event log: JSON Lines (one event per line, each with a
                       "user_id") or CSV (with --csv-map); "-" reads stdin
  --as-of TIME         evaluation time: ISO 8601 (no zone = UTC), e.g.
                       2011-12-10T00:00:00Z, or milliseconds since 1970

Options:
  --out FILE           write the JSON Lines here (default: stdout)
  --format jsonl|csv   format of --events (default: from the file name;
                       .csv or --csv-map means csv, anything else jsonl)
  --csv-map FILE       how CSV columns become events (JSON; see
                       examples/retail-csv-map.json). Without it a CSV needs
                       the columns user_id, type and ts.
  --batch N            most users per call into the engine (default 25; a
                       call also ends once it holds 20,000 events)
  --jobs N             threads tagging in parallel (default: the number of
                       CPUs, at most 4; 1 tags on the main thread only)
  --default-consent P  purposes granted to users without a "consent"
                       attribute: "all" (default), "none" or a comma list of
                       ${PURPOSES.join(',')}
  --summary-json FILE  also write the summary as JSON
  --quiet              no progress bar, per-line messages or summary
  -h, --help           show this text

Lines that cannot be used are skipped and counted (with line numbers); the
summary at the end (stderr) lists users, events, skipped lines by reason,
warnings, per-tag coverage and time. Exit status: 0 done, 1 the catalog, the
CSV map or an input file is unusable, 2 bad command line.

Other commands (see their --help): tagwise hints (build a recommendation hint
file from an event log), tagwise eval (offline evaluation of recommendations).`;

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
  '--summary-json': 'summaryJson',
};
const TAG_SWITCHES = { '--quiet': 'quiet', '--help': 'help', '-h': 'help' };

/**
 * Parses argv (without "node" and the script). Returns { command, options }
 * where command is "tag", "hints", "eval" or "help" (with `topic` for a
 * command's own help); throws UsageError on any mistake.
 */
export function parseArgs(argv) {
  if (argv.length === 0) throw new UsageError('no command given');
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return { command: 'help', options: {} };
  if (command === 'hints') {
    return parseHintsArgs(rest, (text, flag) => {
      try {
        return parseAsOf(text);
      } catch {
        throw new UsageError(`${flag} "${text}" is not a time; write ISO 8601 or ms since 1970`);
      }
    });
  }
  if (command === 'eval') return parseEvalArgs(rest, '../shared/data/online-retail');
  if (command !== 'tag') {
    throw new UsageError(command.startsWith('-') ? `unknown option ${command} (the command comes first: tagwise tag ...)`
      : `unknown command "${command}" (the commands are "tag", "hints" and "eval")`);
  }
  const options = {};
  walkFlags(rest, Object.keys(TAG_SWITCHES), Object.keys(TAG_FLAGS), (arg, value) => {
    if (value === null) {
      options[TAG_SWITCHES[arg]] = true;
      return;
    }
    const key = TAG_FLAGS[arg];
    if (options[key] !== undefined) throw new UsageError(`${arg} given twice`);
    options[key] = value;
  });
  if (options.help) return { command: 'help', options };
  for (const flag of ['--catalog', '--events', '--as-of']) {
    if (options[TAG_FLAGS[flag]] === undefined) throw new UsageError(`${flag} is required`);
  }
  options.asOfMs = parseAsOf(options.asOf);
  if (options.format !== undefined && options.format !== 'jsonl' && options.format !== 'csv') {
    throw new UsageError(`--format is jsonl or csv, not "${options.format}"`);
  }
  if (options.format === 'jsonl' && options.csvMap !== undefined) {
    throw new UsageError('--csv-map only applies to --format csv');
  }
  try {
    options.defaultPurposes = parseConsentOption(options.defaultConsent);
  } catch (e) {
    throw new UsageError(e.message);
  }
  options.batch = count(options.batch, '--batch', 'users', DEFAULT_BATCH);
  options.jobsGiven = options.jobs !== undefined;
  options.jobs = count(options.jobs, '--jobs', 'threads', Math.min(4, availableParallelism()));
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

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 time (no zone means UTC, as everywhere in tagwise) or a whole
 * number of milliseconds → ms since 1970. Throws UsageError otherwise.
 */
export function parseAsOf(text) {
  if (/^-?\d+$/.test(text)) {
    const ms = Number(text);
    if (Number.isSafeInteger(ms)) return ms;
  }
  const ms = parseIsoTime(text);
  if (ms === null) {
    throw new UsageError(`--as-of "${text}" is not a time; write ISO 8601 such as 2011-12-10T00:00:00Z (or ms since 1970)`);
  }
  return ms;
}

/** ISO 8601 date or date-time → ms (no zone = UTC); null when malformed or out of range. */
export function parseIsoTime(text) {
  const m = ISO.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
  if (new Date(ms).getUTCDate() !== day) return null; // 2011-02-30
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isFinite(ms) ? ms : null;
}
