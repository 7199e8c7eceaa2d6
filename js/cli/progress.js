// A one-line progress bar on a terminal (stderr). On anything that is not a
// TTY (a pipe, a file, CI logs) it draws nothing. Messages printed while the
// bar is shown go through log(), which clears and redraws the bar around them.

const WIDTH = 24;
const REDRAW_MS = 100;

export class Progress {
  #stream;
  #enabled;
  #phase = '';
  #total = 0;
  #unit = '';
  #started = 0;
  #lastDraw = 0;
  #shown = false;
  #done = 0;
  #detail = '';

  constructor(stream, enabled = Boolean(stream.isTTY)) {
    this.#stream = stream;
    this.#enabled = enabled;
  }

  get enabled() {
    return this.#enabled;
  }

  /** Starts a phase: `total` units (0 if unknown); `unit` "bytes" shows MB. */
  start(phase, total, unit) {
    this.#phase = phase;
    this.#total = total;
    this.#unit = unit;
    this.#started = Date.now();
    this.#lastDraw = 0;
    this.#done = 0;
    this.#detail = '';
    this.#draw(true);
  }

  /** Reports progress; redraws at most every 100 ms. */
  update(done, detail = '') {
    this.#done = done;
    this.#detail = detail;
    this.#draw(false);
  }

  /** Removes the bar (call before printing the summary). */
  clear() {
    if (this.#enabled && this.#shown) this.#stream.write('\r\x1b[K');
    this.#shown = false;
  }

  /** Prints a message line without garbling the bar. */
  log(line) {
    this.clear();
    this.#stream.write(`${line}\n`);
    this.#draw(true);
  }

  #draw(force) {
    if (!this.#enabled) return;
    const now = Date.now();
    if (!force && now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    const share = this.#total > 0 ? Math.min(1, this.#done / this.#total) : 0;
    const filled = Math.round(share * WIDTH);
    const bar = this.#total > 0 ? `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%` : '';
    const amount = this.#unit === 'bytes'
      ? `${mb(this.#done)}${this.#total > 0 ? `/${mb(this.#total)}` : ''} MB`
      : `${this.#done.toLocaleString('en-US')}${this.#total > 0 ? `/${this.#total.toLocaleString('en-US')}` : ''} ${this.#unit}`;
    const secs = ((now - this.#started) / 1000).toFixed(1);
    let text = `tagwise ${this.#phase.padEnd(7)} ${bar} ${amount}${this.#detail ? `  ${this.#detail}` : ''}  ${secs}s`;
    const columns = this.#stream.columns || 100;
    if (text.length > columns - 1) text = text.slice(0, columns - 1);
    this.#stream.write(`\r${text}\x1b[K`);
    this.#shown = true;
  }
}

function mb(bytes) {
  return (bytes / 1e6).toFixed(1);
}
