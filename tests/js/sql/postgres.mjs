// A throwaway PostgreSQL server for the SQL tests: Debian's postgresql
// package (tools/setup.sh installs it), a cluster made by initdb in a temp
// directory, listening only on a unix socket there, stopped and removed by
// stop(). Queries go through psql (CSV out), so no npm client is needed.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// PostgreSQL refuses to run as root: as root (CI containers), the server and
// its tools run as the `postgres` user the Debian package creates.
function asOwner(cmd, args) {
  // setpriv execs the command (no process in between), so the server gets
  // stop()'s signal itself.
  return process.getuid?.() === 0
    ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', cmd, ...args]]
    : [cmd, args];
}

/** The bin directory of the newest installed PostgreSQL, or null. */
export function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : null;
}

/** Starts a server; returns { query(sql) -> rows of strings, exec(sql), stop() }. */
export async function startPostgres() {
  const bin = postgresBin();
  if (bin === null) throw new Error('PostgreSQL is not installed (bash tools/setup.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'tagwise-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout), Number(gid));
    chmodSync(dir, 0o700);
  }
  await run(...asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'tagwise', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']),
    { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  const server = spawn(...asOwner(join(bin, 'postgres'), ['-D', data, '-k', dir, '-c', 'listen_addresses=', '-c', 'fsync=off',
    '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_parallel_workers_per_gather=0']), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  const psqlArgs = ['-h', dir, '-U', 'tagwise', '-d', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1'];
  for (let i = 0; ; i++) {
    try {
      await run(...asOwner(join(bin, 'pg_isready'), ['-h', dir, '-U', 'tagwise', '-q']));
      break;
    } catch {
      if (i > 100 || server.exitCode !== null) throw new Error(`PostgreSQL did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const psql = (args, input) => new Promise((resolve, reject) => {
    const p = spawn(...asOwner(join(bin, 'psql'), [...psqlArgs, ...args]), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`psql failed (${code}): ${err}`))));
    p.stdin.end(input);
  });
  return {
    socketDir: dir,
    /** Runs statements (stdin), nothing returned. */
    exec: (sql) => psql([], sql),
    /** Rows of one query as arrays of strings (NULL as null), header dropped. */
    async query(sql) {
      const out = await psql(['--csv', '-P', 'null=\\N'], sql);
      return parseCsv(out).slice(1).map((row) => row.map((v) => (v === '\\N' ? null : v)));
    },
    /** COPY text rows (tab-separated, already escaped) into a table. */
    copy: (table, columns, text) => psql(['-c', `\\copy ${table} (${columns.join(', ')}) FROM STDIN`], text),
    async stop() {
      server.kill('SIGINT');  // a fast shutdown
      await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** RFC 4180 CSV as psql --csv writes it. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
