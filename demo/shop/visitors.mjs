// The server's copy of each visitor's profile, consent and cart, keyed by the
// visitor cookie. The browser is the source of truth (it keeps the profile in
// IndexedDB and posts it here after changes); the server only needs it to
// render the visitor's tags into the HTML (the SSR hand-off). Memory only:
// a restart forgets everyone, and the browser's next sync restores its copy.
import { randomUUID } from 'node:crypto';

export const COOKIE = 'tw_visitor';
const ID = /^[A-Za-z0-9-]{8,64}$/;
const MAX_VISITORS = 5000;
const PURPOSES = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];
// Until a visitor chooses, the browser runs with tagwise's opt-in default.
export const DEFAULT_PURPOSES = ['necessary', 'security'];

/** The visitor id from the request's cookie, or null. */
export function visitorIdOf(req) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && ID.test(v ?? '')) return v;
  }
  return null;
}

export function newVisitorId() {
  return randomUUID();
}

export function visitorCookie(id) {
  return `${COOKIE}=${id}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly`;
}

const OFFER_ACTIONS = ['shown', 'clicked', 'redeemed'];
const MAX_OFFER_RECORDS = 2000;

/** Checks a body's offer records (tw.offers.history()); returns [records, null] or [null, message]. */
function checkOffers(offers) {
  const ok = Array.isArray(offers) && offers.length <= MAX_OFFER_RECORDS && offers.every((r) => r !== null && typeof r === 'object'
    && typeof r.offer === 'string' && r.offer.length > 0 && r.offer.length <= 64 && OFFER_ACTIONS.includes(r.action) && Number.isFinite(r.at));
  return ok ? [offers.map(({ offer, action, at }) => ({ offer, action, at })), null]
    : [null, `offers must be a list of at most ${MAX_OFFER_RECORDS} { offer, action: ${OFFER_ACTIONS.join(' | ')}, at } (tw.offers.history())`];
}

/**
 * The offer records the server keeps for a visitor: what it had plus what the
 * browser reports now, each (offer, action, at) once. The browser prunes its
 * own ledger to what caps need; the server's copy is what the operator's
 * offer report counts. Dropped when the visitor turns marketing off.
 */
export function mergeOfferLog(previous = [], reported = []) {
  const seen = new Map(previous.map((r) => [`${r.offer}\u0000${r.action}\u0000${r.at}`, r]));
  for (const r of reported) seen.set(`${r.offer}\u0000${r.action}\u0000${r.at}`, r);
  return [...seen.values()].sort((a, b) => a.at - b.at).slice(-MAX_OFFER_RECORDS);
}

/** Checks a POST /api/visitor body; returns [record, null] or [null, message]. */
export function checkVisitorBody(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [null, 'body must be an object { purposes, decided, profile, cart, offers }'];
  const { purposes, decided = false, profile = {}, cart = [] } = body;
  const [offers, offersProblem] = checkOffers(body.offers ?? []);
  if (offers === null) return [null, offersProblem];
  if (!Array.isArray(purposes) || purposes.some((p) => !PURPOSES.includes(p))) {
    return [null, `purposes must be a list of ${PURPOSES.join(', ')}`];
  }
  if (typeof decided !== 'boolean') return [null, 'decided must be true or false'];
  if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) return [null, 'profile must be an object (tw.getProfile())'];
  if (!Array.isArray(cart) || cart.length > 100 || cart.some((i) => typeof i !== 'string' || i.length > 64)) {
    return [null, 'cart must be a list of item ids'];
  }
  const list = purposes.includes('necessary') ? purposes : ['necessary', ...purposes];
  return [{ purposes: list, decided, profile, cart, offers }, null];
}

export class VisitorStore {
  #visitors = new Map();

  get(id) {
    return this.#visitors.get(id);
  }

  set(id, record) {
    // Map keeps insertion order: re-inserting marks the visitor as recent,
    // and the oldest is dropped past the limit.
    this.#visitors.delete(id);
    this.#visitors.set(id, record);
    if (this.#visitors.size > MAX_VISITORS) this.#visitors.delete(this.#visitors.keys().next().value);
  }

  delete(id) {
    return this.#visitors.delete(id);
  }

  /** Every visitor's record, most recent last. */
  values() {
    return this.#visitors.values();
  }
}
