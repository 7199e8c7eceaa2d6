// Coverage of one tag on the sample, as `tagwise tag` computes it: the whole
// catalog (so parents and exclusive groups apply), every purpose granted, at
// the sample's as-of time; a user counts when the tag is in their output
// tags. Shared by the preview worker and the in-page fallback.
export const ALL_PURPOSES = ['necessary', 'security', 'personalization', 'marketing', 'analytics'];

/** `{ errors }` when the catalog does not load, else `{ errors: [], users }` (ids holding `tagId`). */
export function tagSample(tw, profiles, catalog, tagId, asOf) {
  const loaded = tw.loadCatalog(catalog, { now: asOf });
  if (!loaded.ok) return { errors: loaded.errors };
  const out = tw.tagProfiles(profiles, { now: asOf, purposes: ALL_PURPOSES });
  return { errors: [], users: out.filter((o) => Object.prototype.hasOwnProperty.call(o.tags, tagId)).map((o) => o.user_id) };
}
