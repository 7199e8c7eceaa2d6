// `tagwise hints`: builds a recommendation hint file from an event log
// (JSON Lines with user_id and props.item) with the
// core's HintBuilder, the same code as the native tools/native/tagwise_hints.
// The log is streamed into wasm in chunks of whole lines.

import { readFile, writeFile } from 'node:fs/promises';

import { copyBytesIn } from '../codec.js';
import { forEachLine } from './lines.js';
import { loadModule } from './module.js';
import { limitHeadline, overLimit } from './skipped.js';

const CHUNK_CHARS = 1 << 20;
const SHOWN_WARNINGS = 20;

/** Sends one chunk of lines (numbered from firstLine) to the builder. */
function sendLines(module, builder, lines, firstLine) {
  if (lines.length === 0) return;
  const [ptr, len] = copyBytesIn(module, new TextEncoder().encode(lines.join('\n')));
  try {
    builder.addEvents(ptr, len, firstLine);
  } finally {
    module._free(ptr);
  }
}

async function addItems(module, builder, path) {
  const bytes = await readFile(path);
  const [ptr, len] = copyBytesIn(module, bytes);
  try {
    builder.addItems(ptr, len, /\.csv$/i.test(path));
  } finally {
    module._free(ptr);
  }
}

function problemLine(p) {
  return `${p.severity} ${p.code} at ${p.path || '/'}: ${p.message}`;
}

/** Writes a file, or stdout for "-" (resolving once the data is handed over). */
async function writeOut(path, data, io) {
  if (path !== '-') {
    await writeFile(path, data);
    return;
  }
  await new Promise((resolve, reject) => {
    io.stdout.write(data, (e) => (e ? reject(e) : resolve()));
  });
}

/** Runs the command; resolves with the exit code. */
export async function runHints(options, io) {
  const module = await loadModule();
  const builder = new module.HintBuilder();
  try {
    const configured = JSON.parse(builder.configure(JSON.stringify(options.build)));
    if (!configured.ok) {
      for (const e of configured.errors) io.stderr.write(`tagwise hints: option ${problemLine(e)}\n`);
      return 2;
    }
    if (options.items !== undefined) await addItems(module, builder, options.items);
    let lines = [];
    let chars = 0;
    let firstLine = 1;
    let nonEmpty = 0;
    await forEachLine(options.events, (text, lineNo) => {
      if (text.trim() !== '') nonEmpty++;
      if (lines.length === 0) firstLine = lineNo;
      lines.push(text);
      chars += text.length + 1;
      if (chars >= CHUNK_CHARS) {
        sendLines(module, builder, lines, firstLine);
        lines = [];
        chars = 0;
      }
    });
    sendLines(module, builder, lines, firstLine);
    const r = JSON.parse(builder.build());
    const warnings = r.warnings ?? [];
    if (!options.quiet) {
      for (const w of warnings.slice(0, SHOWN_WARNINGS)) io.stderr.write(`${problemLine(w)}\n`);
      if (warnings.length > SHOWN_WARNINGS) io.stderr.write(`... and ${warnings.length - SHOWN_WARNINGS} more warnings\n`);
    }
    if (!r.ok) {
      for (const e of r.errors) io.stderr.write(`tagwise hints: ${problemLine(e)}\n`);
      return 1;
    }
    // Lines of other event types are not counted: a log holds them by design.
    if (overLimit(options.maxSkipped, r.linesUnusable, nonEmpty)) {
      io.stderr.write(`${limitHeadline('hints', options.maxSkipped, r.linesUnusable, nonEmpty, 'nothing was written')}`
        + ' (the warnings above say why; raise --max-skipped to build from the rest)\n');
      return 1;
    }
    await writeOut(options.out, builder.bytes().slice(), io);
    if (options.json !== undefined) await writeOut(options.json, builder.json(), io);
    if (!options.quiet) {
      const i = r.info;
      io.stderr.write(`tagwise hints: ${r.eventsUsed} events used, ${r.linesSkipped} lines skipped; `
        + `${i.users} users, ${i.items} items, ${i.links} links, ${i.segments} segment lists; `
        + `wrote ${r.bytes} bytes to ${options.out === '-' ? 'stdout' : options.out} (catalog version ${i.catalogVersion})\n`);
    }
    return 0;
  } catch (e) {
    if (e.code === 'ENOENT') {
      io.stderr.write(`tagwise hints: cannot read ${e.path}: no such file\n`);
      return 1;
    }
    throw e;
  } finally {
    builder.delete();
  }
}
