// What consent means for data (DESIGN.md section 6): which purposes need
// each event type, whether an event may be recorded under the purposes the
// visitor granted, and deleting what was kept only for a purpose that has
// been switched off.
//
// An event type is needed by a purpose when a tag of that purpose reads it,
// directly (`events` aggregates) or through the tags it depends on
// (`tag`/`tag_value` references, children for a parent). A rule whose type is
// computed at run time ("*") needs every type. Types no tag reads take their
// purposes from `declared` (e.g. the recommendation scorer's "view",
// "cart_add", "purchase" -> personalization), and otherwise from
// `default_purposes`. "necessary" is always granted.
#ifndef TAGWISE_CONSENT_H_
#define TAGWISE_CONSENT_H_

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tagwise/catalog.h"
#include "tagwise/error.h"
#include "tagwise/profile.h"
#include "tagwise/purposes.h"

namespace tagwise {

class ConsentScope {
 public:
  // `catalog` may be null (no catalog loaded: only declared and default apply).
  ConsentScope(const Catalog* catalog, std::map<std::string, PurposeSet, std::less<>> declared = {},
               PurposeSet default_purposes = {"personalization"});

  // The purposes that need events of `type` (never empty).
  const PurposeSet& PurposesOf(std::string_view type) const;

  // True when at least one purpose needing `type` is granted (or "necessary" needs it).
  bool Records(std::string_view type, const PurposeSet& granted) const;

  // Purpose of a server tag id: its catalog tag's purpose, else the default purposes.
  PurposeSet ServerTagPurposes(std::string_view tag_id) const;

 private:
  const Catalog* catalog_;
  std::map<std::string, PurposeSet, std::less<>> by_type_;  // already includes any_type_
  PurposeSet any_type_;          // purposes of tags reading "*" (they need every type)
  PurposeSet default_purposes_;
  PurposeSet unknown_type_;      // default_purposes_ + any_type_: types nothing names
};

struct PruneReport {
  size_t events_removed = 0;
  size_t rollups_removed = 0;
  size_t server_tags_removed = 0;
  bool empty() const { return events_removed == 0 && rollups_removed == 0 && server_tags_removed == 0; }
};

// Deletes from `profile` every event and rollup whose type no granted purpose
// needs, and every server tag whose purpose is not granted.
PruneReport PruneForConsent(const ConsentScope& scope, const PurposeSet& granted, Profile* profile);

// Consent purposes from JSON: a list of names (errors name the entry, e.g.
// "/2"); "necessary" is not added.
Result<PurposeSet> ReadPurposeList(const nlohmann::json& list);
// Declared event type purposes: {"view": ["personalization"], ...}; each
// type needs at least one purpose (paths "/<type>/<index>").
Result<std::map<std::string, PurposeSet, std::less<>>> ReadEventPurposes(const nlohmann::json& j);
Result<PurposeSet> ReadTypePurposes(const std::string& type, const nlohmann::json& list);

}  // namespace tagwise

#endif  // TAGWISE_CONSENT_H_
