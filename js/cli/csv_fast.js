// The CSV fast path: most shop exports are one record per line with plain
// or simply quoted fields, which a line split reads 4–5× faster than
// csv-parse's byte-by-byte state machine (the retail log: ~0.3 s against
// ~1.6 s). FastPass reads such lines itself and hands everything from the
// first line it cannot read exactly as csv-parse would (a quoted field that
// spans lines, a stray or unclosed quote, a multi-character delimiter) to a
// csv-parse pass starting at that line, so records, line numbers and every
// problem report stay csv-parse's.

const LF = 0x0a;
const QUOTE = 0x22;

/**
 * The fields of one line as csv-parse reads them (RFC 4180: a field quoted
 * whole, "" for a quote inside), or null when csv-parse would read the line
 * differently or report a problem: then it decides.
 */
function splitLine(line, delimiter) {
  if (line.indexOf('"') < 0) return line.split(delimiter);
  if (delimiter.length !== 1) return null;
  const out = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === QUOTE) {
      let field = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return null; // closes on a later line, or never
        field += line.slice(j, q);
        if (line.charCodeAt(q + 1) === QUOTE) {
          field += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(field);
      if (i === n) return out;
      if (line[i] !== delimiter) return null; // text after the closing quote
      i++;
    } else {
      const e = line.indexOf(delimiter, i);
      const field = line.slice(i, e < 0 ? n : e);
      if (field.indexOf('"') >= 0) return null; // a quote inside an unquoted field
      out.push(field);
      if (e < 0) return out;
      i = e + 1;
    }
  }
}

/**
 * Reads CSV bytes fed by write(buffer) and end() with the interface of the
 * csv-parse pass (`bytes`, end() → lines read): each record goes to
 * ctx.record(fields, line, 1) as soon as its line is complete.
 * `slowPass(firstLine)` makes the csv-parse pass that takes over.
 */
export class FastPass {
  #ctx;
  #delimiter;
  #slowPass;
  #slow = null;
  #slowFrom = 0;
  #tail = null;
  #line = 1; // the next line's number
  #started = false;
  bytes = 0;

  #quickSkip;

  /**
   * `quickSkip(line, lineNumber)`, when given, may consume a line before it
   * is split by returning true (js/cli/shard.js: a line of another thread's
   * user); it then counts as read and nothing else.
   */
  constructor(ctx, delimiter, slowPass, quickSkip = undefined) {
    this.#ctx = ctx;
    this.#delimiter = delimiter;
    this.#slowPass = slowPass;
    this.#quickSkip = quickSkip;
  }

  write(buf) {
    if (buf.length === 0) return;
    this.bytes += buf.length;
    if (this.#slow !== null) {
      this.#slow.write(buf);
      return;
    }
    let bytes = this.#tail === null ? buf : Buffer.concat([this.#tail, buf]);
    this.#tail = null;
    if (!this.#started) {
      if (bytes.length < 3) {
        this.#tail = bytes;
        return;
      }
      this.#started = true;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3); // the byte-order mark
    }
    let pos = 0;
    for (;;) {
      const nl = bytes.indexOf(LF, pos);
      if (nl < 0) break;
      // "\r\n" ends a line as "\n" does; a lone "\r" is text.
      const end = nl > pos && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
      if (!this.#take(bytes.toString('utf8', pos, end))) {
        this.#handOver(bytes.subarray(pos));
        return;
      }
      pos = nl + 1;
    }
    if (pos < bytes.length) this.#tail = bytes.subarray(pos);
  }

  /** Ends the reading; returns the number of lines read. */
  end() {
    if (this.#slow === null && this.#tail !== null) {
      const tail = this.#tail;
      this.#tail = null;
      if (!this.#started) {
        this.#started = true;
        // A whole input shorter than 3 bytes: a byte-order mark cannot be
        // complete, so csv-parse decides (its `bom` option only strips a whole one).
        this.#handOver(tail);
      } else if (tail[tail.length - 1] === 0x0d || !this.#take(tail.toString('utf8'))) {
        this.#handOver(tail);
      }
    }
    if (this.#slow !== null) return this.#slowFrom - 1 + this.#slow.end();
    return this.#line - 1;
  }

  #take(line) {
    if (this.#quickSkip?.(line, this.#line)) {
      this.#line++;
      return true;
    }
    const fields = splitLine(line, this.#delimiter);
    if (fields === null) return false;
    this.#ctx.record(fields, this.#line, 1);
    this.#line++;
    return true;
  }

  #handOver(bytes) {
    this.#slowFrom = this.#line;
    this.#slow = this.#slowPass(this.#line);
    this.#slow.write(bytes);
  }
}
