// tw.consent: the visitor's consent per purpose (DESIGN.md section 6).
// get() is a map of the five purposes; set() changes some of them, applies
// the change at once (tags of purposes switched off leave tags(), events only
// they need stop being recorded, data kept only for them is deleted) and
// persists it; onChange() hears changes from this tab and from other tabs.

import { PURPOSES } from './purposes.js';

export class Consent {
  #runtime;
  #wasm;
  #persistence;
  #listeners = new Set();

  constructor(runtime, wasm, persistence) {
    this.#runtime = runtime;
    this.#wasm = wasm;
    this.#persistence = persistence;
  }

  /** { necessary: true, security, personalization, marketing, analytics } as booleans. */
  get() {
    const on = new Set(this.#runtime.purposes);
    return Object.fromEntries(PURPOSES.map((p) => [p, on.has(p)]));
  }

  /** True once the visitor has made a choice (set() here or in another tab). */
  get decided() {
    return this.#runtime.storeInfo().consent !== null;
  }

  /** When the visitor last chose (ms), or null. */
  get updatedAt() {
    return this.#runtime.storeInfo().consent?.updatedAt ?? null;
  }

  /**
   * Switches purposes, e.g. set({ personalization: false }). Purposes not
   * named keep their state; "necessary" cannot be switched off. Takes effect
   * before it returns; the promise resolves once the choice is stored.
   */
  set(choice, opts) {
    if (choice === null || typeof choice !== 'object' || Array.isArray(choice)) {
      throw new TypeError('tagwise: consent.set(choice) needs an object such as { personalization: false }');
    }
    const next = this.get();
    for (const [purpose, on] of Object.entries(choice)) {
      if (!PURPOSES.includes(purpose)) {
        throw new TypeError(`tagwise: consent.set: ${JSON.stringify(purpose)} is not a consent purpose; use ${PURPOSES.join(', ')}`);
      }
      if (typeof on !== 'boolean') throw new TypeError(`tagwise: consent.set: ${purpose} must be true or false`);
      if (purpose === 'necessary' && !on) throw new TypeError('tagwise: consent.set: "necessary" cannot be switched off');
      next[purpose] = on;
    }
    const now = this.#wasm.now(opts);
    const list = PURPOSES.filter((p) => next[p]);
    const before = this.#runtime.purposes.join();
    this.#runtime.applyPurposes(list, now, now);
    if (before !== list.join()) this.notify('local');
    return this.#persistence.consentChanged(list, now);
  }

  /** Calls fn(consent, { source: "local" | "tab" }) on every change; returns the unsubscribe function. */
  onChange(fn) {
    if (typeof fn !== 'function') throw new TypeError('tagwise: consent.onChange(fn) needs a function');
    const entry = (state, info) => fn(state, info);
    this.#listeners.add(entry);
    return () => { this.#listeners.delete(entry); };
  }

  notify(source) {
    const state = this.get();
    for (const fn of [...this.#listeners]) {
      try {
        fn(state, { source });
      } catch (e) {
        queueMicrotask(() => { throw e; });
      }
    }
  }
}
