// `tagwise sql` command line: its usage text and parser (js/cli/args.js
// dispatches here).
import { SQL_DIALECTS } from '../sql.js';
import { walkFlags } from './flags.js';
import { UsageError } from './usage_error.js';

export const SQL_USAGE = `Usage: tagwise sql --catalog FILE --as-of TIME [options]

Compiles a tag catalog to one SQL query that tags every user where the data
lives (a warehouse or the shop's database), with the engine's results. It
reads events(user_id, id, type, ts, props) (ts in ms since 1970, UTC; props
JSON) and users(user_id, attributes) (attributes JSON, what "var" reads), and
returns one row (user_id, tag, value) per held tag, value as JSON text.

Required:
  --catalog FILE         tag catalog, the same file tw.loadCatalog() takes
  --as-of TIME           evaluation time: ISO 8601 (no zone = UTC) or ms since
                         1970; windows and days_since count back from it

Options:
  --dialect D            duckdb (default), postgres or spark
  --events-table NAME    the events table (default events; schema.table works)
  --users-table NAME     the users table (default users)
  --out FILE             write the query here; "-" or no --out: stdout
  -h, --help             show this text

A rule the SQL cannot mean exactly (e.g. map/filter, a computed var path,
server-sourced tags) is an error with its place in the catalog: exit 1.
docs/sql.md has the tables, the semantics and how to schedule the query.`;

const FLAGS = {
  '--catalog': 'catalog', '--as-of': 'asOf', '--dialect': 'dialect', '--events-table': 'eventsTable',
  '--users-table': 'usersTable', '--out': 'out',
};

export function parseSqlArgs(rest) {
  const options = {};
  walkFlags(rest, ['--help', '-h'], Object.keys(FLAGS), (flag, value) => {
    if (value === null) {
      options.help = true;
      return;
    }
    const key = FLAGS[flag];
    if (options[key] !== undefined) throw new UsageError(`${flag} given twice`);
    options[key] = value;
  });
  if (options.help) return { command: 'help', topic: 'sql', options };
  for (const flag of ['--catalog', '--as-of']) {
    if (options[FLAGS[flag]] === undefined) throw new UsageError(`${flag} is required`);
  }
  options.dialect ??= 'duckdb';
  if (!SQL_DIALECTS.includes(options.dialect)) {
    throw new UsageError(`--dialect is one of ${SQL_DIALECTS.join(', ')}, not "${options.dialect}"`);
  }
  if (options.out === '-') options.out = undefined;
  options.times = [{ flag: '--as-of', text: options.asOf, set: (ms) => { options.asOfMs = ms; } }];
  return { command: 'sql', options };
}
