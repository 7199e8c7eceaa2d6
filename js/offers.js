// tw.offers: tag-targeted offers with caps and quiet hours (DESIGN.md
// section 7). The definitions are compiled by the core (core/src/experiments/offers.cpp:
// audience rules, caps per total/day/week, the user's daily cap across
// offers, quiet hours and days in the user's time zone, start/end, once per
// user, exclusive groups, the consent purpose); the shown/clicked/redeemed
// records are kept in the instance's storage next to the profile, so caps
// hold across reloads and tabs.

import { dataToText } from './codec.js';
import { TagwiseError } from './errors.js';
import { randomId } from './persistence.js';

const ACTIONS = new Set(['shown', 'clicked', 'redeemed']);

function plainObject(x, what) {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new TypeError(`tagwise: ${what} must be an object`);
}

/** The user's offset east of UTC in minutes at `now`, as the browser (or Node's TZ) knows it: UTC+8 is 480. */
function localOffset(now) {
  const o = -new Date(now).getTimezoneOffset();
  return Number.isInteger(o) ? o : 0;
}

/**
 * What tw.offers does with the full module loaded; made by OffersFace
 * (js/faces.js), which holds history() because it works on the page runtime too.
 */
export class Offers {
  #runtime;
  #wasm;
  #timeZoneOffset;

  /** timeZoneOffset: createTagwise's options.timeZoneOffset (checked), or undefined for the runtime's. */
  constructor(runtime, wasm, timeZoneOffset) {
    this.#runtime = runtime;
    this.#wasm = wasm;
    this.#timeZoneOffset = timeZoneOffset;
  }

  /**
   * Loads offer definitions (a list, or { offers, dailyCap, quietHours });
   * replaces the previous ones. Returns { warnings }; throws a TagwiseError
   * listing every problem (paths such as "/offers/2/caps/perDay") and keeps
   * the previous offers.
   */
  load(definitions) {
    if (definitions === null || typeof definitions !== 'object') {
      throw new TypeError('tagwise: offers.load(definitions) needs a list of offers or { offers, dailyCap, quietHours }');
    }
    const r = this.#runtime.loadOffers(dataToText(definitions, 'offer definitions'));
    if (!r.ok) throw new TagwiseError(r.errors);
    return { warnings: r.warnings };
  }

  /**
   * The offers the user may be shown now, best first: [{ id, name, priority,
   * payload, reasons, caps }]. The array's `ineligible` property lists the
   * others with every reason (for the operator). context: { tzOffsetMinutes,
   * attributes, now }.
   */
  eligible(context = {}) {
    plainObject(context, 'offers.eligible(context)');
    const now = this.#wasm.now(context);
    const input = { tzOffsetMinutes: context.tzOffsetMinutes ?? this.#timeZoneOffset ?? localOffset(now) };
    if (context.attributes !== undefined) input.attributes = context.attributes;
    const r = this.#runtime.activityCall('eligibleOffers', input, now);
    if (!r.ok) throw new TagwiseError(r.errors);
    const out = r.eligible;
    Object.defineProperty(out, 'ineligible', { value: r.ineligible, enumerable: false });
    return out;
  }

  /**
   * Records that an offer was shown, clicked or redeemed: { recorded, record }.
   * Not recorded ({ recorded: false, reason }) when the offer's purpose is not
   * granted ("consent") or the record id was seen ("duplicate"). opts: { now, id }.
   */
  record(id, action, opts = {}) {
    if (typeof id !== 'string') throw new TypeError('tagwise: offers.record(id, action) needs the offer id');
    if (!ACTIONS.has(action)) throw new TypeError('tagwise: offers.record action must be "shown", "clicked" or "redeemed"');
    plainObject(opts, 'offers.record options');
    const input = { id, action, recordId: opts.id ?? randomId() };
    const r = this.#runtime.activityCall('recordOffer', input, this.#wasm.now(opts));
    if (!r.ok) throw new TagwiseError(r.errors);
    return r.recorded ? { recorded: true, record: r.record } : { recorded: false, reason: r.reason, record: r.record ?? null };
  }
}
