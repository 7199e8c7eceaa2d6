// `tagwise eval`: the offline evaluation of the recommendation scorer on the
// UCI Online Retail log (--data names its folder; the protocols are
// described in docs/recommendations.md),
// run by the core (core/src/offline_eval*.cpp) in wasm: the baselines'
// exact hit counts and the tagwise scorer side by side.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { copyBytesIn } from '../codec.js';
import { loadModule } from './module.js';

const FILES = {
  raw: 'online_retail.csv',
  interactions: 'interactions.csv',
  p1: 'test_p1_leave_last_out.csv',
  p2: 'test_p2_temporal.csv',
};

async function readData(dir) {
  const out = {};
  for (const [key, name] of Object.entries(FILES)) {
    try {
      out[key] = await readFile(join(dir, name));
    } catch (e) {
      // Only the raw log is required; the others are cross-checks.
      if (key === 'raw' || e.code !== 'ENOENT') throw e;
      out[key] = new Uint8Array(0);
    }
  }
  return out;
}

/** Runs the command; resolves with the exit code. */
export async function runEval(options, io) {
  let data;
  try {
    data = await readData(options.data);
  } catch (e) {
    io.stderr.write(`tagwise eval: cannot read ${e.path ?? options.data}: ${e.code === 'ENOENT' ? 'no such file' : e.message}\n`);
    return 1;
  }
  const module = await loadModule();
  const buffers = [];
  let out;
  try {
    for (const key of Object.keys(FILES)) buffers.push(...copyBytesIn(module, data[key]));
    out = JSON.parse(module.runOfflineEval(...buffers, JSON.stringify(options.eval)));
  } finally {
    for (let i = 0; i < buffers.length; i += 2) module._free(buffers[i]);
  }
  if (!out.ok) {
    for (const e of out.errors) io.stderr.write(`tagwise eval: ${e.code} at ${e.path || '/'}: ${e.message}\n`);
    return 1;
  }
  io.stdout.write(out.table.endsWith('\n') ? out.table : `${out.table}\n`);
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(out.report, null, 2)}\n`);
  return 0;
}
