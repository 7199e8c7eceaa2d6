// Command lines of `tagwise hints` and `tagwise eval` (recommendations).
// Mistakes are UsageErrors (exit code 2), as for `tagwise tag`.

import { walkFlags } from './flags.js';
import { parseMaxSkipped } from './skipped.js';
import { UsageError } from './usage_error.js';

export const HINTS_USAGE = `Usage: tagwise hints --events FILE --out FILE [options]

Builds a recommendation hint file (item neighbours, bought-together lists,
popular, trending and per-segment lists) from an event log, for
tw.loadHints(bytes) in the page or in Node.

Required:
  --events FILE        JSON Lines, one event per line with "user_id", "type",
                       "ts" and "props": {"item": ..., "order"?: ...}; "-" reads stdin
  --out FILE           the binary hint file to write; "-" writes it to stdout

Options:
  --items FILE         item catalogue: .csv (item_id, description|name,
                       category, price, available) or JSON Lines
                       {"item", "name", "category", "price", "available"}
  --json FILE          also write the tables as JSON (for debugging)
  --segment KEY=PATH   a segment list per value of an event field, e.g.
                       country=props.country (repeatable)
  --types LIST         item event types (default view,cart_add,purchase)
  --catalog-version V  name of the item catalogue version (default: a
                       fingerprint of the item ids)
  --neighbours K       neighbours kept per item (default 50)
  --together K         bought-together items kept per item (default 20)
  --alpha A            similarity exponent, 0.5 = cosine (default 0.5)
  --trending-days D    trending window in days (default 14)
  --built-at TIME      time recorded in the file (ISO 8601 or ms; default now)
  --max-skipped N|P%   fail (exit 1, nothing written) when more than N lines, or
                       P% of the input lines, cannot be used (default 1%);
                       lines of other event types do not count
  --quiet              no summary or warnings
  -h, --help           show this text

docs/recommendations.md (in the package) describes the file and the scorer.`;

export const EVAL_USAGE = `Usage: tagwise eval --data DIR [options]

Offline evaluation of the recommendation scorer on the UCI Online Retail log,
with the protocols docs/recommendations.md describes (P1 leave-last-out,
P1-sim, P2 temporal): HR@10 and NDCG@10 per bucket for the popularity and
item-kNN baselines and the tagwise scorer. The table goes to stdout.

Required:
  --data DIR           folder with online_retail.csv (the UCI Online Retail
                       log); interactions.csv, test_p1_leave_last_out.csv and
                       test_p2_temporal.csv there are cross-checked when present

Options:
  --json FILE          also write the report as JSON
  --validation         evaluate the validation splits carved from the
                       training data (what tuning looks at) instead of the tests
  --no-sim             skip P1-sim
  --no-baselines       only the tagwise scorer
  -h, --help           show this text`;

function wholeNumber(text, flag) {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} is a whole number, not "${text}"`);
  return Number(text);
}

function positiveNumber(text, flag) {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} is a number >= 0, not "${text}"`);
  return n;
}

/** tagwise hints ... → { command: "hints", options } */
export function parseHintsArgs(rest) {
  const options = { build: {} };
  const build = options.build;
  const seen = new Set();
  walkFlags(rest, ['--quiet', '--help', '-h'],
    ['--events', '--out', '--items', '--json', '--segment', '--types', '--catalog-version', '--neighbours',
      '--together', '--alpha', '--trending-days', '--built-at', '--max-skipped'],
    (flag, value) => {
      if (flag !== '--segment' && seen.has(flag)) throw new UsageError(`${flag} given twice`);
      seen.add(flag);
      switch (flag) {
        case '--quiet': options.quiet = true; break;
        case '--help': case '-h': options.help = true; break;
        case '--events': options.events = value; break;
        case '--out': options.out = value; break;
        case '--items': options.items = value; break;
        case '--json': options.json = value; break;
        case '--segment': {
          const m = /^([^=]+)=(.+)$/.exec(value);
          if (m === null) throw new UsageError(`--segment is KEY=PATH such as country=props.country, not "${value}"`);
          build.segments ??= {};
          build.segments[m[1]] = m[2];
          break;
        }
        case '--types': build.types = value.split(',').map((t) => t.trim()).filter(Boolean); break;
        case '--catalog-version': build.catalogVersion = value; break;
        case '--neighbours': build.neighbours = wholeNumber(value, flag); break;
        case '--together': build.together = wholeNumber(value, flag); break;
        case '--alpha': build.alpha = positiveNumber(value, flag); break;
        case '--trending-days': build.trendingDays = positiveNumber(value, flag); break;
        case '--built-at': options.builtAt = value; break;
        case '--max-skipped': options.maxSkipped = value; break;
        default: break;
      }
    });
  if (options.help) return { command: 'help', topic: 'hints', options };
  for (const flag of ['--events', '--out']) {
    if (!seen.has(flag)) throw new UsageError(`${flag} is required`);
  }
  if (options.out === '-' && options.json === '-') throw new UsageError('--out - and --json - cannot both write to stdout');
  options.maxSkipped = parseMaxSkipped(options.maxSkipped);
  options.times = options.builtAt === undefined ? [] : [{ flag: '--built-at', text: options.builtAt, set: (ms) => { build.builtAt = ms; } }];
  build.builtAt ??= Date.now();
  return { command: 'hints', options };
}

/** tagwise eval ... → { command: "eval", options } */
export function parseEvalArgs(rest) {
  const options = { eval: { validation: false, sim: true, baselines: true, tagwise: true } };
  const seen = new Set();
  walkFlags(rest, ['--validation', '--no-sim', '--no-baselines', '--help', '-h'], ['--data', '--json'], (flag, value) => {
    if (value !== null && seen.has(flag)) throw new UsageError(`${flag} given twice`);
    seen.add(flag);
    switch (flag) {
      case '--validation': options.eval.validation = true; break;
      case '--no-sim': options.eval.sim = false; break;
      case '--no-baselines': options.eval.baselines = false; break;
      case '--help': case '-h': options.help = true; break;
      case '--data': options.data = value; break;
      case '--json': options.json = value; break;
      default: break;
    }
  });
  if (options.help) return { command: 'help', topic: 'eval', options };
  if (options.data === undefined) throw new UsageError('--data is required (the folder holding online_retail.csv)');
  return { command: 'eval', options };
}
