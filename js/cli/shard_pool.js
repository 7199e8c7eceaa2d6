// The worker-thread shards of `tagwise tag --jobs N` as the main thread sees
// them (js/cli/shard.js, js/cli/shard_worker.js), and the merge of every
// shard's output lines into the users' first-appearance order.
import { Worker } from 'node:worker_threads';

/**
 * A shard on a worker thread. `read` resolves with { skipped, users } once it
 * has read the log; go(true) lets it tag, go(false) stops it; `done` resolves
 * with { tables, counts, users, events, afterAsOf }. onBatch(batch) gets its
 * output batches. A failure rejects `read`/`done` with an Error.
 */
export class ShardWorker {
  #worker;

  constructor(data, onBatch) {
    this.#worker = new Worker(new URL('./shard_worker.js', import.meta.url), { workerData: data });
    let readOk;
    let doneOk;
    let failed;
    this.read = new Promise((resolve, reject) => {
      readOk = resolve;
      failed = reject;
    });
    this.done = new Promise((resolve, reject) => {
      doneOk = resolve;
      const first = failed;
      failed = (e) => {
        first(e);
        reject(e);
      };
    });
    // Whoever is not waiting on a promise when it fails must not crash the process.
    this.read.catch(() => {});
    this.done.catch(() => {});
    this.#worker.on('message', (m) => {
      if (m.batch !== undefined) onBatch(m.batch);
      else if (m.read !== undefined) readOk(m.read);
      else if (m.done !== undefined) doneOk(m.done);
      else if (m.failed !== undefined) failed(new Error(m.failed));
    });
    this.#worker.on('error', (e) => failed(new Error(`a tagging thread failed: ${e?.stack ?? e}`)));
    this.#worker.on('exit', (code) => failed(new Error(`a tagging thread stopped (exit code ${code})`)));
  }

  /** Forwards a chunk of stdin (a copy: the main thread reads the same bytes). */
  chunk(bytes) {
    this.#worker.postMessage({ chunk: bytes });
  }

  end() {
    this.#worker.postMessage({ end: true });
  }

  go(tag) {
    this.#worker.postMessage({ go: tag });
  }

  async close() {
    await this.#worker.terminate();
  }
}

/**
 * Output lines of several shards, each in increasing order, written in one
 * order overall: a line is written once every shard still running has
 * shown a later one (or ended), so what is written is final.
 */
export class OrderedOutput {
  #queues;
  #ended;
  #out;
  #writing = Promise.resolve();
  written = 0;

  constructor(shards, out, onWritten) {
    this.#queues = Array.from({ length: shards }, () => []);
    this.#ended = new Array(shards).fill(false);
    this.#out = out;
    this.onWritten = onWritten;
  }

  /** Adds a batch { orders, text } of shard k; resolves when what can be written is. */
  push(k, batch) {
    const lines = batch.text.split('\n');
    const q = this.#queues[k];
    for (let i = 0; i < batch.orders.length; i++) q.push([batch.orders[i], lines[i]]);
    return this.#flush();
  }

  end(k) {
    this.#ended[k] = true;
    return this.#flush();
  }

  #flush() {
    this.#writing = this.#writing.then(() => this.#writeReady());
    return this.#writing;
  }

  async #writeReady() {
    const queues = this.#queues;
    const heads = new Array(queues.length).fill(0);
    let text = '';
    let n = 0;
    for (;;) {
      let best = -1;
      let blocked = false;
      for (let k = 0; k < queues.length; k++) {
        if (heads[k] === queues[k].length) {
          if (!this.#ended[k]) blocked = true;
          continue;
        }
        if (best < 0 || queues[k][heads[k]][0] < queues[best][heads[best]][0]) best = k;
      }
      if (best < 0 || blocked) break;
      text += `${queues[best][heads[best]][1]}\n`;
      heads[best] += 1;
      n += 1;
    }
    for (let k = 0; k < queues.length; k++) queues[k].splice(0, heads[k]);
    if (n === 0) return;
    this.written += n;
    await this.#out.write(text);
    this.onWritten?.(this.written);
  }
}
