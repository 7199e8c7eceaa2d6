// Grouping an event log by user: each user's events (deduplicated by id, as
// the core would, but here with the line number for the report) and
// attributes, in order of first appearance; and each user's consent purposes.

import { PURPOSES } from '../purposes.js';

export class UserGroups {
  /** user id → { userId, attributes, events, lines, attrTs } in first-appearance order. */
  users = new Map();

  /** Events kept (after removeDuplicates, without the duplicates). */
  events = 0;

  /** The user's record, created on first sight (`order`: where, for merging shards; js/cli/shard.js). */
  user(userId, order = this.users.size) {
    let u = this.users.get(userId);
    if (u === undefined) {
      u = { userId, order, attributes: {}, events: [], lines: [], attrTs: null };
      this.users.set(userId, u);
    }
    return u;
  }

  /** Adds an event read from input line `line`. */
  addEvent(u, event, line) {
    u.events.push(event);
    u.lines.push(line);
    this.events += 1;
  }

  /**
   * Drops the user's events whose id repeats an earlier one (the first copy
   * counts, as in the core), calling onDuplicate(line, id, firstLine) for
   * each. Done per user just before tagging, so reading a large log keeps no
   * per-event index in memory.
   */
  removeDuplicates(u, onDuplicate) {
    const first = new Map();
    let kept = 0;
    for (let k = 0; k < u.events.length; k++) {
      const e = u.events[k];
      const seen = first.get(e.id);
      if (seen !== undefined) {
        onDuplicate(u.lines[k], e.id, seen);
        this.events -= 1;
        continue;
      }
      first.set(e.id, u.lines[k]);
      u.events[kept] = e;
      u.lines[kept] = u.lines[k];
      kept++;
    }
    u.events.length = kept;
    u.lines.length = kept;
  }

  /**
   * Merges attributes. Without `picks` (JSON Lines) later lines win. With
   * picks (CSV: name → "last" | "first") the value of the user's latest
   * (or earliest) event wins, ties going to the later line.
   */
  setAttributes(u, attributes, ts, picks) {
    if (picks === undefined) {
      Object.assign(u.attributes, attributes);
      return;
    }
    u.attrTs ??= {};
    for (const name in attributes) {
      const seen = u.attrTs[name];
      const first = picks[name] === 'first';
      if (seen === undefined || (first ? ts < seen : ts >= seen)) {
        u.attrTs[name] = ts;
        u.attributes[name] = attributes[name];
      }
    }
  }

  get size() {
    return this.users.size;
  }

  /**
   * Users in first-appearance order, in batches of at most `maxUsers` users
   * that end early once they hold `maxEvents` events.
   */
  * batches(maxUsers, maxEvents = Infinity) {
    let batch = [];
    let events = 0;
    for (const u of this.users.values()) {
      batch.push(u);
      events += u.events.length;
      if (batch.length >= maxUsers || events >= maxEvents) {
        yield batch;
        batch = [];
        events = 0;
      }
    }
    if (batch.length > 0) yield batch;
  }
}

/**
 * Parses --default-consent: "all", "none" or a comma list of purposes.
 * Returns the purpose list or throws Error with a message.
 */
export function parseConsentOption(text) {
  if (text === undefined || text === 'all') return PURPOSES.slice();
  if (text === 'none' || text === '') return ['necessary'];
  const list = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const bad = list.filter((p) => !PURPOSES.includes(p));
  if (bad.length > 0) throw new Error(`--default-consent: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length > 1 ? 'are not purposes' : 'is not a purpose'}; use all, none or a comma list of ${PURPOSES.join(', ')}`);
  return PURPOSES.filter((p) => p === 'necessary' || list.includes(p));
}

/**
 * A user's consent purposes from the "consent" attribute (batch jobs take
 * consent from the data when it is there):
 *   ["personalization", "security"]        exactly these (plus necessary);
 *   {"marketing": false, "analytics": true} the default with these changes.
 * Returns { purposes, problem? } — an unreadable value keeps the default and
 * names the problem.
 */
export function consentOf(attributes, defaults) {
  const c = attributes.consent;
  if (c === undefined || c === null) return { purposes: defaults };
  if (Array.isArray(c)) {
    const unknown = c.filter((p) => !PURPOSES.includes(p));
    const purposes = PURPOSES.filter((p) => p === 'necessary' || c.includes(p));
    return unknown.length === 0 ? { purposes }
      : { purposes, problem: `"consent" lists unknown purpose${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')} (ignored)` };
  }
  if (typeof c === 'object') {
    const on = new Set(defaults);
    const unknown = [];
    for (const [p, v] of Object.entries(c)) {
      if (!PURPOSES.includes(p) || typeof v !== 'boolean') {
        unknown.push(p);
        continue;
      }
      if (v) on.add(p);
      else if (p !== 'necessary') on.delete(p);
    }
    const purposes = PURPOSES.filter((p) => p === 'necessary' || on.has(p));
    return unknown.length === 0 ? { purposes }
      : { purposes, problem: `"consent" has entries that are not purpose: true/false (${unknown.map((u) => JSON.stringify(u)).join(', ')}; ignored)` };
  }
  return { purposes: defaults, problem: `"consent" is ${JSON.stringify(c)}; write a list of purposes or {"purpose": true/false} (the default is used)` };
}
