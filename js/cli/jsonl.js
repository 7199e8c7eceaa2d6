// JSON Lines input: one event per line with a "user_id"
// ({"user_id", "id", "type", "ts", "props"}), or a line carrying a user's
// attributes ({"user_id", "attributes": {...}}, e.g. {"consent": [...]}).
// Also the event checks shared with CSV input: time in ms (ISO text read by
// the core's parser, see dates.js; seconds detected), a generated id when
// none is given.

// Before 1973-03-03 in ms, or before year 5138 in seconds: a Unix time in
// seconds, as many logs write it. No shop event log holds 1970s events.
const SECONDS_BELOW = 1e11;
// The core's limit on event ids and types (ProfileLimits::max_string_bytes).
const MAX_STRING_BYTES = 256;

/**
 * Reads an event time; parseIso (dates.js) reads ISO 8601 text. Returns
 * { ts } (ms), possibly with `note` when it was repaired (seconds → ms), or
 * { skip, message }.
 */
export function readTs(raw, parseIso) {
  if (raw === undefined || raw === null || raw === '') {
    return { skip: 'no_ts', message: 'no "ts" (event time, ms since 1970 or ISO 8601)' };
  }
  let ts = raw;
  if (typeof raw === 'string') {
    if (/^\s*-?\d+(\.\d+)?\s*$/.test(raw)) {
      ts = Number(raw);
    } else {
      ts = parseIso(raw);
      if (ts === null) return { skip: 'bad_ts', message: `"ts" ${JSON.stringify(raw)} is not a time (ms since 1970 or ISO 8601)` };
      return { ts };
    }
  }
  if (typeof ts !== 'number' || !Number.isFinite(ts)) {
    return { skip: 'bad_ts', message: `"ts" ${JSON.stringify(raw)} is not a time (ms since 1970 or ISO 8601)` };
  }
  if (Math.abs(ts) < SECONDS_BELOW && ts !== 0) {
    const ms = Math.round(ts * 1000);
    return { ts: ms, note: `"ts" ${ts} looks like seconds since 1970; read as ${ms} ms (${iso(ms)})` };
  }
  return { ts: Math.round(ts) };
}

function iso(ms) {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** FNV-1a 32-bit of a string, as 8 hex digits. */
/** FNV-1a over the UTF-16 units of `s`, as an unsigned 32-bit number. */
export function fnv1a32(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function fnv1a(s) {
  return fnv1a32(s).toString(16).padStart(8, '0');
}

/**
 * The id given to an event without one: derived from its type, time and
 * props, so an identical line delivered twice still counts once (as the
 * core does for id-less events), while different events get different ids.
 */
export function generatedId(type, ts, props) {
  return `gen-${fnv1a(`${type}\u0000${ts}\u0000${JSON.stringify(props)}`)}`;
}

/** What readJsonLine gives for a line of a user another reader keeps. */
export const OTHER_USER = Object.freeze({ other: true });

const QUICK_PREFIX = '{"user_id":';
// A whole number as String() writes it back (no "-0", "1.0", "1e3" or leading zeros), below 2^53.
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/;

/**
 * The user id of a JSON Lines line found without parsing it, so a thread can
 * pass over other threads' lines (js/cli/shard.js); undefined when it is not
 * certain to be what JSON.parse would give: the line must start with
 * {"user_id": and a non-empty string without escapes or a whole number
 * written as String() writes it, "user_id" must appear once (JSON.parse keeps
 * the last of repeated keys), and no \u escape may spell the key again.
 * Lines written by JSON.stringify with user_id first (the usual layout) qualify.
 */
export function quickUserOfLine(text) {
  if (!text.startsWith(QUICK_PREFIX) || text.indexOf('"user_id"', 2) !== -1 || text.includes('\\u')) return undefined;
  const at = QUICK_PREFIX.length;
  if (text.charCodeAt(at) === 0x22) {
    const end = text.indexOf('"', at + 1);
    if (end <= at + 1) return undefined; // unterminated, or "" (no user)
    const id = text.slice(at + 1, end);
    return id.includes('\\') ? undefined : id;
  }
  let end = at;
  while (end < text.length && text[end] !== ',' && text[end] !== '}') end++;
  const n = text.slice(at, end);
  return CANONICAL_INTEGER.test(n) ? n : undefined;
}

/**
 * Parses one JSON Lines line. Returns null for a blank line, otherwise
 * { userId, event?, attributes?, notes: [{reason, message}] } or
 * { skip, message } for a line that cannot be used. With `owns(userId)`
 * (js/cli/shard.js), a line of a user it does not own is OTHER_USER.
 */
export function readJsonLine(text, parseIso, owns = undefined) {
  if (text.trim() === '') return null;
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { skip: 'invalid_json', message: `not valid JSON (${e.message})` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { skip: 'not_an_object', message: 'a line is an event object like {"user_id": "u1", "id": "e1", "type": "order_paid", "ts": 1763800000000, "props": {}}' };
  }
  const rawUser = v.user_id;
  if (rawUser === undefined || rawUser === null || rawUser === '' || (typeof rawUser !== 'string' && typeof rawUser !== 'number')) {
    return { skip: 'no_user_id', message: rawUser === undefined || rawUser === null || rawUser === ''
      ? 'no "user_id"' : `"user_id" is ${JSON.stringify(rawUser)}; it must be text or a number` };
  }
  const out = { userId: String(rawUser), notes: [] };
  if (owns !== undefined && !owns(out.userId)) return OTHER_USER;
  if (v.attributes !== undefined) {
    if (v.attributes === null || typeof v.attributes !== 'object' || Array.isArray(v.attributes)) {
      out.notes.push({ reason: 'bad_attributes', message: '"attributes" is not an object; ignored' });
    } else {
      out.attributes = v.attributes;
    }
  }
  const isEvent = v.type !== undefined || v.ts !== undefined || v.id !== undefined || v.props !== undefined;
  if (!isEvent) {
    if (out.attributes === undefined) {
      return { skip: 'no_type', message: 'neither an event (no "type", "ts") nor attributes', userId: out.userId };
    }
    return out;
  }
  // Skips found once the user is known name the user (the shard that keeps them reports it).
  const r = withEvent(out, v.id, v.type, v.ts, v.props, parseIso);
  return r.skip === undefined ? r : { ...r, userId: out.userId };
}

/** Checks and completes an event's fields into out.event (shared with CSV rows). */
export function withEvent(out, id, type, rawTs, rawProps, parseIso) {
  if (typeof type !== 'string' || type === '') {
    return { skip: 'no_type', message: type === undefined || type === '' ? 'no "type" (e.g. "order_paid")'
      : `"type" is ${JSON.stringify(type)}; it must be text such as "order_paid"` };
  }
  const t = readTs(rawTs, parseIso);
  if (t.skip !== undefined) return t;
  if (t.note !== undefined) out.notes.push({ reason: 'ts_in_seconds', message: t.note });
  let props = rawProps;
  if (props === undefined || props === null) {
    props = {};
  } else if (typeof props !== 'object' || Array.isArray(props)) {
    out.notes.push({ reason: 'bad_props', message: `"props" is ${Array.isArray(props) ? 'a list' : typeof props}, not an object; the event is kept without props` });
    props = {};
  }
  let eventId = id;
  if (typeof eventId === 'number' && Number.isFinite(eventId)) eventId = String(eventId);
  if (typeof eventId !== 'string' || eventId === '') {
    eventId = generatedId(type, t.ts, props);
    out.notes.push({
      reason: 'generated_id',
      message: `no "id"; using "${eventId}", derived from type, ts and props, so an identical line repeated later counts once`,
    });
  }
  for (const [field, value] of [['type', type], ['id', eventId]]) {
    if (value.length > MAX_STRING_BYTES / 3 && Buffer.byteLength(value) > MAX_STRING_BYTES) {
      return { skip: 'too_long', message: `"${field}" is ${Buffer.byteLength(value)} bytes long; at most ${MAX_STRING_BYTES} are accepted` };
    }
  }
  out.event = { id: eventId, type, ts: t.ts, props };
  return out;
}
