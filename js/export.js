// exportData(): everything tagwise stored for the visitor, as JSON a person
// can read (GDPR access and portability, PIPL/CCPA equivalents): times as ISO
// dates next to the raw milliseconds, purposes spelled out, the tags the data
// gives today with their names and purposes.

const iso = (ms) => (typeof ms === 'number' && Number.isFinite(ms) && ms > -8.64e15 && ms < 8.64e15
  ? new Date(ms).toISOString() : null);

/**
 * stored: the decoded store ({ generation, consent, profile, problems, ... })
 * or null; where: { adapter, key, bytes }; tags: tw.tags() now; purposes:
 * every purpose (PURPOSES of js/purposes.js, passed in so that this lazily
 * loaded chunk shares no module with the page's entry).
 */
export function readableExport(stored, where, tags, now, activity, purposes) {
  const profile = stored?.profile ?? {};
  const consent = stored?.consent ?? null;
  return {
    format: 'tagwise-export',
    version: 1,
    exportedAt: iso(now),
    about: 'Everything tagwise stored in this browser for you: your consent choices, the events it recorded, '
      + 'day summaries of older events, data from the shop\'s server, the tags this gives you now, '
      + 'and the experiments you were placed in and the offers you were shown.',
    storage: where,
    consent: {
      decided: consent !== null,
      updatedAt: consent ? iso(consent.updatedAt) : null,
      purposes: Object.fromEntries(purposes.map((p) => [p, consent ? consent.purposes.includes(p) : null])),
    },
    profile: {
      userId: profile.user_id || null,
      timeZoneOffsetMinutes: profile.tz_offset_min ?? 0,
      attributes: profile.attributes ?? {},
      events: (profile.events ?? []).map((e) => ({ id: e.id, type: e.type, time: iso(e.ts), ts: e.ts, props: e.props ?? {} })),
      daySummaries: (profile.rollups ?? []).map((r) => ({
        day: iso(r.day)?.slice(0, 10) ?? null, dayStart: r.day, type: r.type, count: r.count, sums: r.sums ?? {},
      })),
      summarizedThrough: iso(profile.compacted_through),
      serverSnapshotTime: iso(profile.as_of),
      serverTags: profile.tags ?? {},
    },
    tags: tags.map((t) => ({ id: t.id, name: t.name, purpose: t.purpose, dimension: t.dimension, value: t.value })),
    experiments: (activity?.assignments ?? []).map((a) => ({
      experiment: a.experiment, variation: a.variation, variationKey: a.variationKey, assignedAt: iso(a.at),
    })),
    conversions: (activity?.conversions ?? []).map((c) => ({ ...c, time: iso(c.at) })),
    offers: (activity?.offers ?? []).map((o) => ({ ...o, time: iso(o.at) })),
    problems: stored?.problems ?? [],
  };
}
