// A stand-in for a Tagwise instance that a page can use at once, before the
// module has loaded, as analytics snippets do: track / trackMany /
// setPurposes calls made before createTagwise() resolves are queued and
// replayed in order once it has. Events keep the time they were tracked at
// (an event without `ts` gets the time of the call, not of the replay), so
// windows and re-delivery work as if the instance had been ready.

/**
 * @param {Promise<object>} pending what createTagwise(options) returned
 * @param {{ clock?: () => number }} [options] the clock for events without
 *   `ts` (default Date.now; pass the one given to createTagwise)
 */
export function queueTagwise(pending, options = {}) {
  if (pending === null || typeof pending?.then !== 'function') {
    throw new TypeError('tagwise: queueTagwise(pending) takes the promise createTagwise() returned');
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('tagwise: queueTagwise options.clock must be a function');
  let tw = null;
  let failure = null;
  let queue = [];
  const results = [];

  const stamped = (event, where) => {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new TypeError(`tagwise: ${where} needs an event object`);
    }
    return event.ts === undefined || event.ts === null ? { ...event, ts: clock() } : { ...event };
  };
  const call = (method, args) => {
    if (failure) throw failure;
    if (tw) return tw[method](...args);
    queue.push([method, args]);
    return undefined;
  };

  const ready = Promise.resolve(pending).then(
    (instance) => {
      // Calls made while replaying (by listeners) go straight to the instance.
      tw = instance;
      const replay = queue;
      queue = [];
      for (const [method, args] of replay) results.push(instance[method](...args));
      return instance;
    },
    (error) => {
      failure = error;
      queue = [];
      throw error;
    },
  );

  return {
    /** Resolves to the Tagwise instance once the queued calls have been replayed. */
    ready,
    /** What the replayed calls returned, in call order (TrackResult for track/trackMany). */
    get replayed() { return results.slice(); },
    /** Calls waiting for the instance. */
    get pending() { return queue.length; },
    /** Tagwise.track; queued (returning undefined) until the instance is ready. */
    track(event) {
      return call('track', [tw ? event : stamped(event, 'track(event)')]);
    },
    /** Tagwise.trackMany; queued (returning undefined) until the instance is ready. */
    trackMany(events) {
      if (!Array.isArray(events)) throw new TypeError('tagwise: trackMany(events) needs an array');
      return call('trackMany', [tw ? events : events.map((e) => stamped(e, 'trackMany(events)'))]);
    },
    /** Tagwise.setPurposes; queued until the instance is ready. */
    setPurposes(purposes) {
      if (!Array.isArray(purposes)) throw new TypeError('tagwise: setPurposes(purposes) needs an array');
      return call('setPurposes', [purposes.slice()]);
    },
  };
}
