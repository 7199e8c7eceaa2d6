// The SSR hand-off: a server (Node) renders a page with the visitor's tags and
// embeds a compact state; the browser starts from it with the same catalog,
// profile and time, so it computes the same tags and the page does not flash.
//
//   server: state = ssrState(tw, { now })  ->  html += embedState(state)
//   browser: state = readEmbeddedState()   ->  hydrate(tw, state)
//
// The state is plain JSON: { v: 1, fingerprint, now, purposes, profile, tags }
// where `tags` is [[id, value], ...] as the server computed them at `now`.
// Runs in Node and in browsers (no Node-only imports). tagwise.js exposes
// ssrState/hydrate as tw.ssrState(opts) / tw.hydrate(state, opts).

import { problem } from './errors.js';
import { PURPOSES } from './purposes.js';

/** Version of the state's JSON form, written as `v`. */
export const SSR_STATE_VERSION = 1;

function isPlainObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function isEmptyValue(x) {
  if (x === null || x === undefined || x === '') return true;
  if (Array.isArray(x)) return x.length === 0;
  return isPlainObject(x) && Object.keys(x).length === 0;
}

/** Structural equality of JSON values (object key order does not matter). */
function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

function warning(code, path, message) {
  return { code, path, message, severity: 'warning' };
}

/**
 * The profile in the core's JSON form (core/include/tagwise/profile.h) without
 * what reads back as the default anyway: empty user_id/attributes/events/
 * rollups/tags, tz_offset_min 0, compacted_through null, events' empty props.
 * "tagwise_profile" (the format version) is kept. FromJson of the result is
 * the same profile.
 */
export function compactProfile(profile) {
  const out = {};
  for (const [key, value] of Object.entries(profile)) {
    if (key === 'tagwise_profile') out[key] = value;
    else if (key === 'tz_offset_min') { if (value !== 0 && value !== null) out[key] = value; }
    else if (key === 'events') {
      if (Array.isArray(value) && value.length > 0) {
        out.events = value.map((e) => {
          if (!isPlainObject(e) || !isEmptyValue(e.props)) return e;
          const { props, ...rest } = e;
          return rest;
        });
      }
    } else if (!isEmptyValue(value)) out[key] = value;
  }
  return out;
}

/** Milliseconds from a `now` option (number or Date); TypeError otherwise. */
function checkedNow(now, where) {
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(`tagwise: ${where} \`now\` must be a finite number of milliseconds (or a Date)`);
  }
  return ms;
}

/**
 * The state a server embeds in the page (Node side of the hand-off). Tags are
 * evaluated at `opts.now`, or at the runtime's clock (createTagwise({ clock }))
 * when it is not given; that time travels in the state so the browser compares
 * at the same instant.
 * @throws TypeError for a bad `now` or when no catalog is loaded.
 */
export function ssrState(tw, opts = {}) {
  if (opts === null || typeof opts !== 'object') throw new TypeError('tagwise: the options of ssrState must be an object');
  // {"now": []} is the evaluation time: this reads the runtime's own clock.
  const now = opts.now === undefined ? tw.evaluate({ now: [] }) : checkedNow(opts.now, 'ssrState');
  const fingerprint = tw.catalogFingerprint;
  if (fingerprint === undefined && 'catalogFingerprint' in tw) {
    throw new TypeError('tagwise: ssrState needs a loaded catalog (call loadCatalog first)');
  }
  const state = { v: SSR_STATE_VERSION };
  // A runtime without catalogFingerprint (before it existed) writes no
  // fingerprint; hydrate then warns that the catalog was not verified.
  if (typeof fingerprint === 'string') state.fingerprint = fingerprint;
  state.now = now;
  state.purposes = tw.purposes;
  state.profile = compactProfile(tw.getProfile());
  state.tags = tw.tags({ now }).map((t) => [t.id, t.value]);
  return state;
}

/** Every problem of a state's shape, with JSON Pointers into it. */
/** A value for a message: its JSON, or what it is when it has none (BigInt, a cycle, a symbol). Never throws. */
function shown(v) {
  try {
    const text = JSON.stringify(v);
    if (text !== undefined) return text;
  } catch {
    // a BigInt or a cycle: described below
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function' || v === undefined) return typeof v;
  return Array.isArray(v) ? 'a list that is not JSON (a cycle?)' : 'an object that is not JSON (a cycle?)';
}

function shapeErrors(state) {
  if (!isPlainObject(state)) {
    return [problem('wrong_argument_type', '', 'The SSR state must be an object { v, fingerprint, now, purposes, profile, tags } made by ssrState().')];
  }
  if (state.v !== SSR_STATE_VERSION) {
    return [typeof state.v === 'number'
      ? problem('unsupported_version', '/v', `SSR state version ${state.v} is not supported; this tagwise reads version ${SSR_STATE_VERSION}.`)
      : problem('wrong_argument_type', '/v', `"v" must be the state's version (${SSR_STATE_VERSION}); is this an ssrState() object?`)];
  }
  const errors = [];
  if (state.fingerprint !== undefined && typeof state.fingerprint !== 'string') {
    errors.push(problem('wrong_argument_type', '/fingerprint', '"fingerprint" must be the catalog fingerprint string.'));
  }
  if (typeof state.now !== 'number' || !Number.isFinite(state.now)) {
    errors.push(problem('wrong_argument_type', '/now', '"now" must be the evaluation time in ms since 1970.'));
  }
  if (!Array.isArray(state.purposes)) {
    errors.push(problem('wrong_argument_type', '/purposes', `"purposes" must be a list of consent purposes (${PURPOSES.join(', ')}).`));
  } else {
    state.purposes.forEach((p, i) => {
      if (!PURPOSES.includes(p)) {
        errors.push(problem('wrong_argument_type', `/purposes/${i}`, `${shown(p)} is not a consent purpose; use ${PURPOSES.join(', ')}.`));
      }
    });
  }
  if (!isPlainObject(state.profile)) {
    errors.push(problem('wrong_argument_type', '/profile', '"profile" must be a profile object (the JSON form of getProfile()).'));
  }
  if (!Array.isArray(state.tags)) {
    errors.push(problem('wrong_argument_type', '/tags', '"tags" must be a list of [id, value] pairs.'));
  } else {
    const seen = new Set();
    state.tags.forEach((t, i) => {
      if (!Array.isArray(t) || t.length !== 2 || typeof t[0] !== 'string') {
        errors.push(problem('wrong_argument_type', `/tags/${i}`, 'Each tag must be an [id, value] pair with a string id.'));
      } else if (seen.has(t[0])) {
        errors.push(problem('duplicate_id', `/tags/${i}/0`, `Tag ${JSON.stringify(t[0])} is listed twice.`));
      } else {
        seen.add(t[0]);
      }
    });
  }
  return errors;
}

/** A profile (getProfile() form) with no events, history, attributes or server data. */
function holdsNothing(profile) {
  return isEmptyValue(profile.events) && isEmptyValue(profile.rollups) && isEmptyValue(profile.attributes)
    && isEmptyValue(profile.tags) && profile.as_of == null && profile.compacted_through == null;
}

/** A profile's user id as the core reads it ("" for none). */
function userOf(id) {
  if (typeof id === 'string') return id;
  return typeof id === 'number' ? JSON.stringify(id) : '';
}

/** The errors a thrown exception stands for (TagwiseError lists them). */
function errorsOf(e, prefix = '') {
  if (Array.isArray(e?.errors) && e.errors.length > 0) {
    return e.errors.map((p) => ({ ...p, path: `${prefix}${p.path ?? ''}` }));
  }
  return [problem(typeof e?.code === 'string' ? e.code : 'wrong_argument_type', prefix, String(e?.message ?? e))];
}

/**
 * Starts the browser from a server's state (browser side of the hand-off):
 * checks the state, checks that the same catalog is loaded (fingerprint),
 * merges the state's profile into the runtime's by event id (so events the
 * browser already stored are kept; an empty runtime takes the state as it is,
 * and a stored profile of another named user is replaced, with a
 * "visitor_changed" warning), then compares the tags at the state's
 * `now` with the server's. Differences are reported in `mismatches`
 * ({ id, server, browser }, undefined = not held), not treated as failure:
 * they are local events the server did not have, or a different consent.
 *
 * Never throws for a bad state. `ok: false` (nothing changed) for a malformed
 * state (errors with JSON Pointers into it), a state made with another catalog
 * (code "catalog_mismatch") or a profile the runtime refused. With
 * `{ catalogMismatch: "load" }` another catalog is a warning instead: the
 * profile is loaded and the tags compared anyway (a deploy between render and
 * page load; the browser's catalog is the one it will use). `state` may also
 * be the state's JSON text. The comparison is always at the state's `now`.
 * @throws TypeError for bad options (a programming error, as elsewhere).
 */
export function hydrate(tw, state, opts = {}) {
  if (opts === null || typeof opts !== 'object') throw new TypeError('tagwise: the options of hydrate must be an object');
  const onMismatch = opts.catalogMismatch ?? 'refuse';
  if (onMismatch !== 'refuse' && onMismatch !== 'load') {
    throw new TypeError('tagwise: hydrate options.catalogMismatch must be "refuse" (default) or "load"');
  }
  const result = { ok: false, errors: [], warnings: [], mismatches: [] };
  if (typeof state === 'string') {
    try {
      state = JSON.parse(state);
    } catch {
      result.errors.push(problem('invalid_json', '', 'The SSR state text is not valid JSON.'));
      return result;
    }
  }
  result.errors = shapeErrors(state);
  if (result.errors.length > 0) return result;

  try {
    // Same catalog on both sides, or the server's tags mean something else.
    const hasGetter = 'catalogFingerprint' in tw;
    const mine = tw.catalogFingerprint;
    if (hasGetter && mine === undefined) {
      result.errors.push(problem('catalog_mismatch', '/fingerprint',
        'No catalog is loaded in this runtime; load the catalog the server used before hydrate().'));
      return result;
    }
    if (typeof mine === 'string' && typeof state.fingerprint === 'string' && mine !== state.fingerprint) {
      const message = `The state was made with another catalog (fingerprint ${state.fingerprint}, this runtime has ${mine}); `
        + 'the server and the browser must load the same catalog.';
      if (onMismatch === 'refuse') {
        result.errors.push(problem('catalog_mismatch', '/fingerprint', message));
        return result;
      }
      result.warnings.push(warning('catalog_mismatch', '/fingerprint', `${message} Loaded anyway; see mismatches.`));
    } else if (typeof mine !== 'string' || typeof state.fingerprint !== 'string') {
      result.warnings.push(warning('catalog_unverified', '/fingerprint',
        'The catalog could not be verified (no fingerprint on one side); tags are still compared.'));
    }

    const browserPurposes = tw.purposes;
    if (!sameJson([...browserPurposes].sort(), [...state.purposes].sort())) {
      result.warnings.push(warning('purposes_differ', '/purposes',
        `The server rendered with purposes ${state.purposes.join(', ')}; this runtime has ${browserPurposes.join(', ')}. `
        + 'Tags of purposes switched off here are not computed.'));
    }

    // "union": another copy of this user's profile, merged by event id, so
    // events the browser stored and the server has not seen yet are kept (an
    // anonymous local profile, browsing before login, is merged too). A
    // runtime that holds nothing simply takes the state (a replace: that keeps
    // the state's attributes, which a union onto an empty copy would not).
    // When the browser holds another named user's profile (a shared computer,
    // a switched account) the server knows who is visiting: the state replaces it.
    const local = tw.getProfile();
    const localUser = userOf(local.user_id);
    const stateUser = userOf(state.profile.user_id);
    let merge = 'union';
    if (holdsNothing(local)) {
      merge = false;
    } else if (localUser !== '' && stateUser !== '' && localUser !== stateUser) {
      merge = false;
      result.warnings.push(warning('visitor_changed', '/profile/user_id',
        `This browser held user ${JSON.stringify(localUser)}'s profile; the page is for ${JSON.stringify(stateUser)}, whose profile replaces it.`));
    }
    const loaded = tw.setProfile(state.profile, { merge, now: state.now });
    for (const w of loaded.warnings ?? []) result.warnings.push({ ...w, path: `/profile${w.path ?? ''}` });
    if (!loaded.ok) {
      result.errors = loaded.errors.map((e) => ({ ...e, path: `/profile${e.path ?? ''}` }));
      return result;
    }

    const browser = new Map(tw.tags({ now: state.now }).map((t) => [t.id, t.value]));
    const server = new Map(state.tags);
    for (const [id, value] of server) {
      if (!browser.has(id)) result.mismatches.push({ id, server: value, browser: undefined });
      else if (!sameJson(value, browser.get(id))) result.mismatches.push({ id, server: value, browser: browser.get(id) });
    }
    for (const [id, value] of browser) {
      if (!server.has(id)) result.mismatches.push({ id, server: undefined, browser: value });
    }
    result.ok = true;
  } catch (e) {
    result.errors = errorsOf(e);
  }
  return result;
}

// Characters that could end the <script> element or confuse an HTML/JS
// parser, written as JSON \u escapes (valid inside JSON strings, and they
// cannot occur outside strings in JSON text).
const UNSAFE = /[<>&\u2028\u2029]/g;
const escapeJsonChar = (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

const ATTRIBUTE = /[&"'<>]/g;
const ENTITIES = { '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;' };

/**
 * The state as an HTML element to put in the page:
 * <script type="application/json" id="tagwise-state">{...}</script>
 * The JSON is escaped so no value (a tag value, a profile attribute,
 * "</script>", "<!--", U+2028) can end the element or break the page.
 * @throws TypeError when the state cannot be written as JSON.
 */
export function embedState(state, { id = 'tagwise-state' } = {}) {
  if (typeof id !== 'string' || id === '') throw new TypeError('tagwise: embedState id must be a non-empty string');
  const json = JSON.stringify(state);
  if (typeof json !== 'string') throw new TypeError('tagwise: embedState needs a JSON state (from ssrState)');
  const safe = json.replace(UNSAFE, escapeJsonChar);
  return `<script type="application/json" id="${id.replace(ATTRIBUTE, (c) => ENTITIES[c])}">${safe}</script>`;
}

/**
 * The state embedState put in the page, parsed; null when there is none or it
 * is not a JSON object (never throws). `doc` defaults to the page's document.
 */
export function readEmbeddedState(id = 'tagwise-state', doc = globalThis.document) {
  try {
    const text = doc?.getElementById(id)?.textContent;
    if (typeof text !== 'string') return null;
    const state = JSON.parse(text);
    return isPlainObject(state) ? state : null;
  } catch {
    return null;
  }
}
