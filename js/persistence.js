// Persistence, multi-tab sync and privacy rights of one Tagwise instance
// (DESIGN.md sections 3, 6 and 9). The wasm session holds the state; this
// module decides when it is written, merges what other tabs wrote, and
// carries changes between tabs.
//
// Writes: track() marks the state dirty and schedules a flush after
// `flushDelay` ms (debounced: a burst of events is one write). A flush is a
// read-merge-write in one adapter.update() call: the stored text (which other
// tabs may have written since) is merged into the session by event id, and
// the union is written back — so two tabs writing at the same time lose
// nothing and count nothing twice. Consent changes and forget() write at once.
// On `pagehide` and when the page becomes hidden the pending flush runs
// immediately, so closing the tab does not lose the last events.
//
// Tabs: a BroadcastChannel named after the storage key carries tracked
// events, consent changes, forget() and profile replacements, so other tabs'
// tags change live; the store merge above makes the result right even when a
// message is missed (a tab opened later, a channel-less browser).
//
// Quota: a write refused for lack of space compacts the profile (older
// events folded into day rollups, which keep windowed counts right), then
// drops the oldest rollups, retrying after each step; every step is reported.

import { isQuotaError } from './storage.js';

const DEFAULT_FLUSH_DELAY = 250;
const MAX_SHRINK_STEPS = 12;

export function randomId() {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

export class Persistence {
  #runtime;
  #wasm;
  #adapter;
  #key;
  #flushDelay;
  #report;
  #channel = null;
  #timer = null;
  #dirty = false;
  #writing = null; // the running flush's promise
  #closed = false;
  #unhook = [];
  #defaults;
  #consentListeners;
  #label;
  #announce = false; // tell other tabs to re-read the store after the next write
  #journal = null;    // localStorage backup of an IndexedDB store, written synchronously on pagehide
  #journalWritten = false;

  /**
   * runtime: VisitorSessionRuntime (js/session.js); wasm: the module context and clock; adapter: StorageAdapter or null
   * (nothing kept); report(diagnostic); defaults: the configured purposes;
   * consentListeners: notified when another tab changes consent.
   */
  constructor(runtime, wasm, { adapter, label, key, flushDelay, sync, report, defaults, consentListeners }) {
    this.#label = label ?? 'none';
    this.#runtime = runtime;
    this.#wasm = wasm;
    this.#adapter = adapter;
    this.#key = key;
    this.#flushDelay = flushDelay ?? DEFAULT_FLUSH_DELAY;
    this.#report = report;
    this.#defaults = defaults;
    this.#consentListeners = consentListeners;
    runtime.observer = this;
    if (adapter !== null && sync && typeof globalThis.BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(`tagwise:${key}`);
      this.#channel.onmessage = (e) => this.#onMessage(e.data);
    }
    if (adapter?.name === 'indexedDB') {
      // An IndexedDB write started in pagehide may not commit before the tab
      // is gone; a synchronous localStorage copy of the state does, and the
      // next start merges it (by event id) and removes it.
      try {
        if (globalThis.localStorage) this.#journal = globalThis.localStorage;
      } catch { /* no localStorage (sandboxed frame): IndexedDB alone */ }
    }
    if (adapter !== null && typeof globalThis.addEventListener === 'function' && typeof globalThis.document === 'object') {
      const flushNow = () => {
        // A write already under way counts too: its IndexedDB transaction is
        // as likely to die with the tab as a new one (and the pending
        // changes are no longer marked dirty once it has started).
        if (!this.#dirty && this.#writing === null) return;
        this.#writeJournal();
        this.flush();
      };
      const onVisibility = () => { if (globalThis.document.visibilityState === 'hidden') flushNow(); };
      globalThis.addEventListener('pagehide', flushNow);
      globalThis.document.addEventListener('visibilitychange', onVisibility);
      this.#unhook.push(() => globalThis.removeEventListener('pagehide', flushNow));
      this.#unhook.push(() => globalThis.document.removeEventListener('visibilitychange', onVisibility));
    }
  }

  get adapterName() {
    return this.#adapter?.name ?? this.#label;
  }

  get key() {
    return this.#key;
  }

  /** Reads the store into the session (at start-up). Never throws: problems are reported. */
  async load() {
    if (this.#adapter === null) return;
    let text = null;
    try {
      text = await this.#adapter.get(this.#key);
    } catch (e) {
      this.#report('storage_unreadable', `tagwise: could not read the stored state (${this.#adapter.name}): ${e?.message ?? e}; starting empty`, { error: e });
      return;
    }
    this.#merge(text);
    const journal = this.#readJournal();
    if (journal !== null) {
      this.#merge(journal);
      this.#dirty = true; // into the main store; the journal goes once that write succeeds
      this.#journalWritten = true;
      this.#schedule();
    }
  }

  get #journalKey() {
    return `${this.#key}:unload`;
  }

  #writeJournal() {
    if (this.#journal === null) return;
    try {
      const text = this.#runtime.encodeStore(this.#wasm.now());
      if (text !== '') {
        this.#journal.setItem(this.#journalKey, text);
        this.#journalWritten = true;
      }
    } catch { /* full or denied: the IndexedDB write may still make it */ }
  }

  #readJournal() {
    if (this.#journal === null) return null;
    try {
      return this.#journal.getItem(this.#journalKey);
    } catch {
      return null;
    }
  }

  #dropJournal() {
    if (this.#journal === null || !this.#journalWritten) return;
    try {
      this.#journal.removeItem(this.#journalKey);
      this.#journalWritten = false;
    } catch { /* retried after the next write */ }
  }

  /** Merges stored text into the session and reports what a damaged store lost. */
  #merge(text) {
    if (text === null || text === undefined) return null;
    const r = this.#runtime.mergeStore(String(text), this.#wasm.now());
    if (!r.ok) {
      this.#report('store_damaged', 'tagwise: the stored state could not be read; it was ignored', { errors: r.errors });
      return r;
    }
    if (r.problems.length > 0) {
      const unsupported = r.problems.some((p) => p.code === 'unsupported_version');
      this.#report(unsupported ? 'store_unsupported' : 'store_damaged',
        unsupported
          ? 'tagwise: the stored state was written by a newer version; it was not loaded'
          : `tagwise: the stored state was damaged${r.truncated ? ' (cut short)' : ''}: kept ${r.eventsKept} events, dropped ${r.eventsDropped}${r.headerLost ? ', and lost the attributes, day summaries and consent' : ''}`,
        { problems: r.problems, truncated: r.truncated, eventsKept: r.eventsKept, eventsDropped: r.eventsDropped, headerLost: r.headerLost });
      this.#dirty = true; // write the repaired state back
      this.#schedule();
    }
    return r;
  }

  // ---- observer of the visitor session

  tracked(events) {
    this.#post({ kind: 'events', events });
    this.#markDirty();
  }

  /** A new generation's time: later than the current one even under a frozen (injected) clock. */
  #nextGenerationAt() {
    return Math.max(this.#wasm.now(), this.#runtime.storeInfo().generationAt + 1);
  }

  profileSet(mode) {
    if (mode === 0) this.#runtime.setGeneration(randomId(), this.#nextGenerationAt());
    // Written with the next debounced flush (not at once: encoding a large
    // profile must not land in the page's start-up); other tabs re-read the
    // store once it is written (a replacement must reach them whole; a merge
    // may carry a snapshot they should count).
    this.#announce = true;
    this.#markDirty();
  }

  purposesChanged() {
    this.#announce = true;
    this.#markDirty();
  }

  /** An experiment assignment, conversion or offer record: other tabs re-read the store once it is written, so caps hold there at once. */
  activityChanged() {
    this.#announce = true;
    this.#markDirty();
  }

  // ---- consent, forget

  /** After consent.set(): write now and tell the other tabs. */
  async consentChanged(purposes, updatedAt) {
    this.#post({ kind: 'consent', purposes, updatedAt });
    this.#markDirty();
    await this.flush();
  }

  async forget() {
    this.#cancelTimer();
    const at = this.#nextGenerationAt();
    const generation = randomId();
    this.#runtime.forgetAll(generation, at, this.#wasm.now(), this.#defaults);
    this.#journalWritten = true;
    this.#dropJournal();
    this.#post({ kind: 'forget', generation, at });
    if (this.#adapter === null) return;
    // The store keeps only the new generation (no personal data): another tab
    // that missed the message and writes its older copy later is then
    // replaced by this generation instead of bringing the data back.
    this.#dirty = true;
    await this.flush();
  }

  /** The stored text (after writing what is pending), or null. */
  async storedText() {
    await this.flush();
    if (this.#adapter === null) return null;
    return this.#adapter.get(this.#key);
  }

  // ---- writing

  #markDirty() {
    if (this.#adapter === null || this.#closed) return;
    this.#dirty = true;
    this.#schedule();
  }

  #schedule() {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush();
    }, this.#flushDelay);
  }

  #cancelTimer() {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Writes pending changes now (merging what other tabs wrote). Never rejects. */
  flush() {
    this.#cancelTimer();
    if (this.#adapter === null) return Promise.resolve();
    // One write at a time; a flush requested meanwhile runs after it.
    // #write never rejects (failures are reported), so neither does this.
    const next = (this.#writing ?? Promise.resolve()).then(() => this.#write());
    this.#writing = next;
    next.then(() => {
      if (this.#writing === next) this.#writing = null;
    });
    return next;
  }

  async #write() {
    if (!this.#dirty) return;
    this.#dirty = false;
    for (let step = 0; ; step++) {
      try {
        if (typeof this.#adapter.update === 'function') {
          await this.#adapter.update(this.#key, (old) => this.#mergeAndEncode(old));
        } else {
          const old = await this.#adapter.get(this.#key);
          await this.#adapter.set(this.#key, this.#mergeAndEncode(old));
        }
        // The journal may hold changes made after this write encoded the
        // state (marked dirty again, written by the next flush): keep it
        // until a write leaves nothing pending.
        if (!this.#dirty) this.#dropJournal();
        if (this.#announce) {
          this.#announce = false;
          this.#post({ kind: 'reload' });
        }
        return;
      } catch (e) {
        if (isQuotaError(e) && step < MAX_SHRINK_STEPS) {
          const r = this.#runtime.shrink(this.#wasm.now());
          if (r.step !== 'none') {
            this.#report('quota_exceeded',
              r.step === 'compacted'
                ? `tagwise: storage is full; folded ${r.events} older events into day summaries and retried`
                : 'tagwise: storage is full; dropped the oldest day summaries and retried',
              { step: r.step, events: r.events });
            continue;
          }
        }
        this.#dirty = true;
        this.#report(isQuotaError(e) ? 'quota_exceeded' : 'storage_failed',
          `tagwise: could not write the state (${this.#adapter.name}): ${e?.message ?? e}; it is kept in memory and retried on the next change`,
          { error: e });
        return;
      }
    }
  }

  #mergeAndEncode(old) {
    if (old !== null && old !== undefined) this.#merge(old);
    const text = this.#runtime.encodeStore(this.#wasm.now());
    if (text === '') throw new Error('tagwise: the state could not be encoded');
    return text;
  }

  // ---- tabs

  #post(message) {
    if (this.#channel === null || this.#closed) return;
    try {
      this.#channel.postMessage(message);
    } catch (e) {
      this.#report('sync_failed', `tagwise: could not tell other tabs: ${e?.message ?? e}`, { error: e });
    }
  }

  #onMessage(m) {
    if (this.#closed || m === null || typeof m !== 'object') return;
    const now = this.#wasm.now();
    switch (m.kind) {
      case 'events':
        if (Array.isArray(m.events)) this.#runtime.trackRemote(m.events, now);
        break;
      case 'consent': {
        const before = this.#runtime.purposes.join();
        this.#runtime.applyPurposes(m.purposes, now, m.updatedAt);
        if (before !== this.#runtime.purposes.join()) this.#consentListeners('tab');
        break;
      }
      case 'forget':
        this.#cancelTimer();
        this.#dirty = false;
        this.#runtime.forgetAll(m.generation, m.at, now, this.#defaults);
        this.#consentListeners('tab');
        break;
      case 'reload':
        this.#reload();
        break;
      default:
    }
  }

  async #reload() {
    try {
      const before = this.#runtime.purposes.join();
      const text = await this.#adapter.get(this.#key);
      this.#merge(text);
      if (before !== this.#runtime.purposes.join()) this.#consentListeners('tab');
    } catch (e) {
      this.#report('storage_unreadable', `tagwise: could not read the stored state: ${e?.message ?? e}`, { error: e });
    }
  }

  /** Writes what is pending and stops listening (tabs, page events). */
  async close() {
    await this.flush();
    this.#closed = true;
    this.#cancelTimer();
    for (const f of this.#unhook) f();
    this.#unhook = [];
    this.#channel?.close();
    this.#channel = null;
  }
}
