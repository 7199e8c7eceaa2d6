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

/** Checks a POST /api/visitor body; returns [record, null] or [null, message]. */
export function checkVisitorBody(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [null, 'body must be an object { purposes, decided, profile, cart }'];
  const { purposes, decided = false, profile = {}, cart = [] } = body;
  if (!Array.isArray(purposes) || purposes.some((p) => !PURPOSES.includes(p))) {
    return [null, `purposes must be a list of ${PURPOSES.join(', ')}`];
  }
  if (typeof decided !== 'boolean') return [null, 'decided must be true or false'];
  if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) return [null, 'profile must be an object (tw.getProfile())'];
  if (!Array.isArray(cart) || cart.length > 100 || cart.some((i) => typeof i !== 'string' || i.length > 64)) {
    return [null, 'cart must be a list of item ids'];
  }
  const list = purposes.includes('necessary') ? purposes : ['necessary', ...purposes];
  return [{ purposes: list, decided, profile, cart }, null];
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
}
