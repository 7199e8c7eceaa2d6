// Worker threads that tag batches in parallel with the main thread
// (`--jobs N` runs N - 1 of them). Each worker loads its own wasm instance and
// catalog (js/cli/worker.js); the main thread sends it whole batches of
// profiles (one structured clone each) and keeps tagging batches itself, so
// on a 2-core machine tagging takes about half the time.
import { Worker } from 'node:worker_threads';

// Batches queued per worker: one being tagged, one waiting, so a worker never
// idles while the main thread is busy with its own batch.
const IN_FLIGHT = 2;

export class WorkerPool {
  #workers = [];

  /** Set when a worker fails; the run then stops with this message. */
  failure = null;

  /** Starts `size` workers; they load the catalog while the input is read. */
  constructor(size, catalog, now) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { catalog, now } });
      const w = { worker, ready: false, inflight: new Map() };
      worker.on('message', (m) => this.#onMessage(w, m));
      worker.on('error', (e) => this.#fail(w, `a tagging thread failed: ${e?.stack ?? e}`));
      worker.on('exit', (code) => {
        if (w.inflight.size > 0 || !w.closing) this.#fail(w, `a tagging thread stopped (exit code ${code})`);
      });
      this.#workers.push(w);
    }
  }

  #onMessage(w, m) {
    if (m.ready) {
      w.ready = true;
      this.#wake?.();
      return;
    }
    if (m.failed !== undefined) {
      this.#fail(w, `a tagging thread could not start: ${m.failed}`);
      return;
    }
    const job = w.inflight.get(m.seq);
    if (job === undefined) return;
    w.inflight.delete(m.seq);
    if (m.error !== undefined) {
      this.#fail(w, `tagging failed in a worker thread: ${m.error}`);
      return;
    }
    job.done(m.results);
    if (w.inflight.size === 0) this.#wake?.();
  }

  #fail(w, message) {
    if (w.dead) return;
    w.dead = true;
    this.failure ??= message;
    w.inflight.clear();
    this.#wake?.();
  }

  #wake = null;

  /** A ready worker with room for another batch, or null. */
  #free() {
    let best = null;
    for (const w of this.#workers) {
      if (!w.ready || w.dead || w.inflight.size >= IN_FLIGHT) continue;
      if (best === null || w.inflight.size < best.inflight.size) best = w;
    }
    return best;
  }

  /**
   * Sends a batch to a free worker and returns true, calling done(results)
   * when it is tagged; false when every worker is busy (or none is ready).
   */
  offer(seq, profiles, purposes, done) {
    const w = this.#free();
    if (w === null) return false;
    w.inflight.set(seq, { done });
    w.worker.postMessage({ seq, profiles, purposes });
    return true;
  }

  /** Resolves when every worker has loaded the catalog (or one failed). */
  async ready() {
    while (this.failure === null && this.#workers.some((w) => !w.ready && !w.dead)) {
      await new Promise((resolve) => { this.#wake = resolve; });
      this.#wake = null;
    }
  }

  /** Resolves when no batch is in flight (or a worker failed). */
  async drain() {
    while (this.failure === null && this.#workers.some((w) => !w.dead && w.inflight.size > 0)) {
      await new Promise((resolve) => { this.#wake = resolve; });
      this.#wake = null;
    }
  }

  async close() {
    for (const w of this.#workers) w.closing = true;
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }
}
