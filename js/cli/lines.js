// Streaming line reader: the file is read in chunks and each complete line is
// handed to a callback as soon as it is seen, so the whole text is never held
// in memory (only the current chunk and a partial last line).

import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const CHUNK_BYTES = 1 << 20;

/** The chunks of `source`: a file path, "-" for stdin, or an async iterable of Buffers (js/cli/shard.js). */
export function byteSource(source) {
  if (typeof source !== 'string') return source;
  return source === '-' ? process.stdin : createReadStream(source, { highWaterMark: CHUNK_BYTES });
}

/**
 * Reads `path` ("-" = stdin, or an async iterable of Buffers) and calls onLine(text, lineNumber) for every
 * line (1-based numbers, "\r\n" and "\n" endings, a final line without a
 * newline included, a leading UTF-8 byte-order mark dropped). onBytes(n) is
 * called after each chunk with the bytes read so far (for progress).
 * Resolves with { lines, bytes } once the input is exhausted.
 */
export async function forEachLine(path, onLine, onBytes = () => {}) {
  const stream = byteSource(path);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNo = 0;
  let bytes = 0;
  let first = true;
  const emit = (text) => {
    lineNo += 1;
    onLine(text.endsWith('\r') ? text.slice(0, -1) : text, lineNo);
  };
  for await (const chunk of stream) {
    bytes += chunk.length;
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl >= 0 && pending.length > 0) {
      emit(pending + text.slice(0, nl));
      pending = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl >= 0) {
      emit(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    pending += text.slice(start);
    onBytes(bytes);
  }
  pending += decoder.end();
  if (pending.length > 0) emit(pending);
  return { lines: lineNo, bytes };
}
